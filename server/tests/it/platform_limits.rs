//! The limits of the platform's own endpoints, each refused in the API's own
//! words and changing nothing: a group's 100 webhooks, a bulk award file's
//! 2 MB and 10,000 lines, a reaction set's 100 emoji, a multipart body's 32
//! parts.

use crate::common;

use common::{call, client, start, token_for, Backend, ROOT_TOKEN};
use reqwest::Method;
use serde_json::json;

on_both!(each_limit_refuses_and_changes_nothing);

async fn each_limit_refuses_and_changes_nothing(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let alice = token_for(base, "alice").await;

    // Webhooks: 100 per group.
    for n in 0..100 {
        let hook = json!({ "url": format!("https://hooks.example.com/{n}"), "emoji_events": true });
        assert_eq!(call(base, Method::POST, "/groups/heroes/hooks", Some(&alice), Some(hook)).await.0, 201, "hook {n}");
    }
    let (status, answer) = call(
        base,
        Method::POST,
        "/groups/heroes/hooks",
        Some(&alice),
        Some(json!({ "url": "https://hooks.example.com/x" })),
    )
    .await;
    assert_eq!((status, answer), (400, json!({ "message": ["A group has at most 100 webhooks"] })));
    let (_, hooks) = call(base, Method::GET, "/groups/heroes/hooks", Some(&alice), None).await;
    assert_eq!(hooks.as_array().map(Vec::len), Some(100));

    // Bulk award: 2 MB and 10,000 lines.
    let (_, list) = call(base, Method::GET, "/groups/heroes/achievements", Some(&alice), None).await;
    let achievement = list[0]["id"].as_i64().expect("an achievement");
    let awards = format!("/groups/heroes/achievements/{achievement}/awards");
    let (_, before) = call(base, Method::GET, &format!("{awards}?per_page=100"), Some(ROOT_TOKEN), None).await;
    let bulk = format!("{awards}/bulk");
    let big = format!("username,message\ncarol,{}\n", "x".repeat(2 * 1024 * 1024));
    // As a file (the body may be up to 4 MB): the file's own limit answers.
    let file = reqwest::multipart::Part::bytes(big.clone().into_bytes()).file_name("people.csv");
    let form = reqwest::multipart::Form::new().part("file", file).text("dry_run", "false");
    let response = client()
        .post(format!("{base}/api/v4{bulk}"))
        .header("PRIVATE-TOKEN", &alice)
        .multipart(form)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 400);
    let answer: serde_json::Value = response.json().await.expect("json");
    assert_eq!(answer, json!({ "message": ["The file is too big (at most 2 MB)"] }));
    // As JSON text, the same.
    let (status, answer) =
        call(base, Method::POST, &bulk, Some(&alice), Some(json!({ "csv": big, "dry_run": false }))).await;
    assert_eq!((status, answer), (400, json!({ "message": ["The file is too big (at most 2 MB)"] })));
    // A body over the request limit (4 MB) is refused before anything reads
    // it: a 413, or the connection closed while the client still sends.
    let huge = "x".repeat(5 * 1024 * 1024);
    let sent = client()
        .post(format!("{base}/api/v4{bulk}"))
        .header("PRIVATE-TOKEN", &alice)
        .header("content-type", "text/csv")
        .body(huge)
        .send()
        .await;
    match sent {
        Ok(response) => assert_eq!(response.status(), 413),
        Err(err) => assert!(err.is_request(), "{err}"),
    }
    let long = format!("username\n{}", "carol\n".repeat(10_001));
    let (status, answer) =
        call(base, Method::POST, &bulk, Some(&alice), Some(json!({ "csv": long, "dry_run": false }))).await;
    assert_eq!((status, answer), (400, json!({ "message": ["The file has more than 10000 lines"] })));
    let (_, after) = call(base, Method::GET, &format!("{awards}?per_page=100"), Some(ROOT_TOKEN), None).await;
    assert_eq!(after, before, "no award made");

    // A reaction set: 100 emoji.
    let many: Vec<&str> = emojis::iter().filter_map(|e| e.shortcode()).take(101).collect();
    assert_eq!(many.len(), 101);
    let set = "/groups/heroes/reaction_set";
    let (status, answer) = call(base, Method::PUT, set, Some(&alice), Some(json!({ "emoji": many }))).await;
    assert_eq!((status, answer), (400, json!({ "message": ["A reaction set holds at most 100 emoji"] })));
    assert_eq!(call(base, Method::PUT, set, Some(&alice), Some(json!({ "emoji": many[..100] }))).await.0, 200);
    let (_, now) = call(base, Method::GET, set, None, None).await;
    assert_eq!(now["emoji"].as_array().map(Vec::len), Some(100));

    // A multipart body: 32 parts.
    let mut form = reqwest::multipart::Form::new().text("name", "Too many parts");
    for n in 0..32 {
        form = form.text(format!("extra{n}"), "x");
    }
    let response = client()
        .post(format!("{base}/api/v4/groups/heroes/achievements"))
        .header("PRIVATE-TOKEN", &alice)
        .multipart(form)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 400);
    let answer: serde_json::Value = response.json().await.expect("json");
    assert_eq!(answer, json!({ "error": "the multipart body is invalid: too many parts" }));
    let (_, list) = call(base, Method::GET, "/groups/heroes/achievements?search=Too%20many", Some(&alice), None).await;
    assert_eq!(list, json!([]), "nothing made");
}

on_both!(the_pages_form_posts_refuse_the_wrong_caller_and_change_nothing);

/// The webhooks and award rule pages' form posts (server functions) refuse a
/// Maintainer (hooks are for Owners) and a Developer (rules are for
/// Maintainers) exactly as the API does, and change nothing.
async fn the_pages_form_posts_refuse_the_wrong_caller_and_change_nothing(backend: Backend) {
    use common::sign_in_cookie;
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let alice = token_for(base, "alice").await;
    let hook = json!({ "url": "https://hooks.example.com/one", "emoji_events": true });
    let (_, made) = call(base, Method::POST, "/groups/heroes/hooks", Some(&alice), Some(hook)).await;
    let hook_id = made["id"].to_string();
    let (_, list) = call(base, Method::GET, "/groups/heroes/achievements", Some(&alice), None).await;
    let achievement = list[0]["id"].to_string();
    let post = |cookie: String, endpoint: &'static str, form: Vec<(&'static str, String)>| async move {
        let posted = client()
            .post(format!("{base}/-/sfn/{endpoint}"))
            .header("Cookie", cookie)
            .header("Accept", "text/html")
            .form(&form)
            .send()
            .await
            .expect("post");
        let location = posted.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_string();
        (posted.status().as_u16(), location)
    };
    let bob = sign_in_cookie(base, "bob", "laurel-demo").await.expect("bob's session");
    let group = || ("group", "heroes".to_string());
    let next = || ("next", "/groups/heroes/-/hooks".to_string());
    for (endpoint, form) in [
        (
            "save_group_hook",
            vec![
                group(),
                ("url", "https://evil.example.com/".into()),
                ("name", "x".into()),
                ("token", String::new()),
                ("signing_token", String::new()),
                next(),
            ],
        ),
        (
            "save_group_hook",
            vec![
                group(),
                ("hook_id", hook_id.clone()),
                ("url", "https://evil.example.com/".into()),
                ("name", "x".into()),
                ("token", String::new()),
                ("signing_token", String::new()),
                next(),
            ],
        ),
        ("delete_group_hook", vec![group(), ("hook_id", hook_id.clone()), next()]),
        ("test_group_hook", vec![group(), ("hook_id", hook_id.clone()), ("trigger", "emoji_events".into()), next()]),
    ] {
        let (status, location) = post(bob.clone(), endpoint, form).await;
        assert!(status < 500 && location.contains("error="), "{endpoint}: {status} {location}");
    }
    let (_, hooks) = call(base, Method::GET, "/groups/heroes/hooks", Some(&alice), None).await;
    assert_eq!(hooks.as_array().map(Vec::len), Some(1));
    assert_eq!(hooks[0]["url"], "https://hooks.example.com/one", "unchanged");
    let events = format!("/groups/heroes/hooks/{hook_id}/events");
    assert_eq!(call(base, Method::GET, &events, Some(&alice), None).await.1, json!([]), "no test sent");

    let carol = sign_in_cookie(base, "carol", "laurel-demo").await.expect("carol's session");
    let rule_next = || ("next", format!("/groups/heroes/-/achievements/{achievement}/rule"));
    let rule = vec![
        ("achievement_id", achievement.clone()),
        ("trigger", "issues_opened".into()),
        ("threshold", "1".into()),
        ("emoji", String::new()),
        rule_next(),
    ];
    let (status, location) = post(carol.clone(), "save_award_rule", rule).await;
    assert!(status < 500 && location.contains("error="), "save_award_rule: {status} {location}");
    let rule_path = format!("/groups/heroes/achievements/{achievement}/rule");
    assert_eq!(call(base, Method::GET, &rule_path, Some(&alice), None).await.0, 404, "no rule saved");
    // With a rule there, a Developer cannot remove it either.
    let kept = json!({ "trigger": "issues_opened", "threshold": 1000 });
    assert_eq!(call(base, Method::PUT, &rule_path, Some(&alice), Some(kept)).await.0, 200);
    let (status, location) =
        post(carol, "delete_award_rule", vec![("achievement_id", achievement.clone()), rule_next()]).await;
    assert!(status < 500 && location.contains("error="), "delete_award_rule: {status} {location}");
    assert_eq!(call(base, Method::GET, &rule_path, Some(&alice), None).await.1["threshold"], 1000);
}
