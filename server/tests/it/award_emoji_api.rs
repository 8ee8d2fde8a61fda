//! The award emoji REST API (spec §5) against the real server with demo data:
//! project 1 is the public `heroes/website` (issue iid 1 = global id 1 with three
//! thumbs up and eyes; note 1 on it with a heart; MR 1; snippet 1), project 2
//! is private.

use crate::common;

use common::{client, start, token_for, Backend, ROOT_TOKEN};
use serde_json::{json, Value};

on_both!(anonymous_reads_public_awards_with_pagination, awarding_and_removing_follow_gitlab, v3_uses_global_ids);

async fn get(url: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = client().get(url);
    if let Some(token) = token {
        request = request.header("PRIVATE-TOKEN", token);
    }
    request.send().await.expect("request")
}

async fn anonymous_reads_public_awards_with_pagination(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let url = format!("{}/api/v4/projects/1/issues/1/award_emoji", server.base);
    let response = get(&url, None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-total"], "4");
    let awards: Value = response.json().await.expect("json");
    let names: Vec<&str> = awards.as_array().expect("array").iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(names, vec!["thumbsup", "thumbsup", "eyes", "thumbsup"]);
    let first = &awards[0];
    assert_eq!(first["awardable_type"], "Issue");
    assert_eq!(first["awardable_id"], 1);
    assert_eq!(first["user"]["username"], "bob");
    assert!(first["created_at"].as_str().is_some_and(|t| t.ends_with('Z') && t.len() == 24), "{first}");

    let paged = get(&format!("{url}?per_page=2&page=1"), None).await;
    assert_eq!(paged.headers()["x-total-pages"], "2");
    assert_eq!(paged.headers()["x-next-page"], "2");
    assert!(paged.headers()["link"].to_str().unwrap_or_default().contains("rel=\"next\""));
    assert_eq!(paged.json::<Value>().await.expect("json").as_array().map(Vec::len), Some(2));
    assert_eq!(get(&format!("{url}?per_page=1000"), None).await.headers()["x-per-page"], "100");
    assert_eq!(get(&format!("{url}?page=abc"), None).await.status(), 400);

    // The project by its URL-encoded path; notes, merge requests and snippets.
    let by_path = get(&format!("{}/api/v4/projects/heroes%2Fwebsite/issues/1/award_emoji", server.base), None).await;
    assert_eq!(by_path.status(), 200);
    let note: Value = get(&format!("{}/api/v4/projects/1/issues/1/notes/1/award_emoji", server.base), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(note[0]["name"], "heart");
    assert_eq!(note[0]["awardable_type"], "Note");
    let mr: Value = get(&format!("{}/api/v4/projects/1/merge_requests/1/award_emoji", server.base), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(mr.as_array().map(Vec::len), Some(2));
    let snippet: Value = get(&format!("{}/api/v4/projects/1/snippets/1/award_emoji", server.base), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(snippet[0]["name"], "star");

    // Private, missing, mismatched and malformed: 404s and 400s, never a 500.
    for (path, status) in [
        ("/api/v4/projects/2/issues/1/award_emoji", 404),
        ("/api/v4/projects/1/issues/99/award_emoji", 404),
        ("/api/v4/projects/1/merge_requests/1/notes/1/award_emoji", 404),
        ("/api/v4/projects/1/issues/1/award_emoji/999", 404),
        ("/api/v4/projects/1/issues/abc/award_emoji", 400),
        ("/api/v4/projects/nope%2Fnothing/issues/1/award_emoji", 404),
    ] {
        assert_eq!(get(&format!("{}{path}", server.base), None).await.status(), status, "{path}");
    }
    let private: Value =
        get(&format!("{}/api/v4/projects/2/issues/1/award_emoji", server.base), None).await.json().await.expect("json");
    assert_eq!(private, json!({ "message": "404 Project Not Found" }));
}

async fn awarding_and_removing_follow_gitlab(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let grace = token_for(&server.base, "grace").await;
    let url = format!("{}/api/v4/projects/1/issues/1/award_emoji", server.base);
    let post = |name: Option<&str>, token: Option<&str>| {
        let mut request = client().post(&url);
        if let Some(name) = name {
            request = request.query(&[("name", name)]);
        }
        if let Some(token) = token {
            request = request.header("PRIVATE-TOKEN", token.to_string());
        }
        request.send()
    };
    let created = post(Some("+1"), Some(&grace)).await.expect("post");
    assert_eq!(created.status(), 201);
    let award: Value = created.json().await.expect("json");
    assert_eq!(award["name"], "thumbsup");
    assert_eq!(award["user"]["username"], "grace");
    // Thumbs down is not exclusive with thumbs up; a JSON body works too.
    let down = client()
        .post(&url)
        .header("PRIVATE-TOKEN", &grace)
        .json(&json!({ "name": "thumbsdown" }))
        .send()
        .await
        .expect("post");
    assert_eq!(down.status(), 201);

    for (name, token, status, body) in [
        (
            Some("thumbsup"),
            Some(grace.as_str()),
            404,
            json!({ "message": "404 Award Emoji Name has already been taken Not Found" }),
        ),
        (
            Some("not_an_emoji"),
            Some(grace.as_str()),
            404,
            json!({ "message": "404 Award Emoji Name is not a valid emoji name Not Found" }),
        ),
        (None, Some(grace.as_str()), 400, json!({ "error": "name is missing" })),
        (Some("tada"), None, 404, json!({ "message": "404 Award Emoji Not Found" })),
        (Some("tada"), Some("glpat-wrong"), 401, json!({ "message": "401 Unauthorized" })),
    ] {
        let response = post(name, token).await.expect("post");
        assert_eq!(response.status(), status, "{name:?}");
        assert_eq!(response.json::<Value>().await.expect("json"), body, "{name:?}");
    }
    // Grace may not award on the private project: it does not exist for her.
    let private = client()
        .post(format!("{}/api/v4/projects/2/issues/1/award_emoji?name=tada", server.base))
        .header("PRIVATE-TOKEN", &grace)
        .send()
        .await
        .expect("post");
    assert_eq!(private.status(), 404);

    // Removing: someone else's is 401; a stale If-Unmodified-Since is 412; one's own is 204.
    let all: Value = get(&url, None).await.json().await.expect("json");
    let bobs = all.as_array().expect("array").iter().find(|a| a["user"]["username"] == "bob").expect("bob's award");
    let bobs_url = format!("{url}/{}", bobs["id"]);
    let denied = client().delete(&bobs_url).header("PRIVATE-TOKEN", &grace).send().await.expect("delete");
    assert_eq!(denied.status(), 401);
    assert_eq!(denied.json::<Value>().await.expect("json"), json!({ "message": "401 Unauthorized" }));
    let own_url = format!("{url}/{}", award["id"]);
    let stale = client()
        .delete(&own_url)
        .header("PRIVATE-TOKEN", &grace)
        .header("If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")
        .send()
        .await
        .expect("delete");
    assert_eq!(stale.status(), 412);
    let gone = client().delete(&own_url).header("PRIVATE-TOKEN", &grace).send().await.expect("delete");
    assert_eq!(gone.status(), 204);
    assert_eq!(get(&own_url, None).await.status(), 404);
    // The admin may remove anyone's.
    let admin = client().delete(&bobs_url).header("PRIVATE-TOKEN", ROOT_TOKEN).send().await.expect("delete");
    assert_eq!(admin.status(), 204);
    assert_eq!(get(&url, None).await.headers()["x-total"], "4");
}

async fn v3_uses_global_ids(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let url = format!("{}/api/v3/projects/1/issues/1/award_emoji", server.base);
    assert_eq!(get(&url, None).await.headers()["x-total"], "4");
    let created =
        client().post(format!("{url}?name=blowfish")).header("PRIVATE-TOKEN", ROOT_TOKEN).send().await.expect("post");
    assert_eq!(created.status(), 201);
    let award: Value = created.json().await.expect("json");
    let deleted = client()
        .delete(format!("{url}/{}", award["id"]))
        .header("PRIVATE-TOKEN", ROOT_TOKEN)
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 200);
    let body: Value = deleted.json().await.expect("json");
    assert_eq!(body["id"], award["id"]);
    assert_eq!(body["name"], "blowfish");
    // Issue 4 is in project 2, not project 1.
    assert_eq!(get(&format!("{}/api/v3/projects/1/issues/4/award_emoji", server.base), None).await.status(), 404);
}
