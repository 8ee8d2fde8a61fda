//! Groups' reaction sets: Owners choose the emoji their projects take; every
//! surface (REST, GraphQL, the pages' form posts and pickers) refuses the
//! others as it refuses a name that is no emoji; subgroups follow; refused
//! callers change nothing.

use crate::common;

use common::{call, client, graphql, sign_in_cookie, start, token_for, Backend, ROOT_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};

on_both!(a_groups_reaction_set_holds_on_every_surface);

async fn a_groups_reaction_set_holds_on_every_surface(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    common::set_limits(base, json!({ "reactions_per_user_per_minute": 0 })).await;
    let (alice, bob, carol, erin, grace) = (
        token_for(base, "alice").await,
        token_for(base, "bob").await,
        token_for(base, "carol").await,
        token_for(base, "erin").await,
        token_for(base, "grace").await,
    );
    let set = "/groups/heroes/reaction_set";
    let (status, body) = call(base, Method::GET, set, None, None).await;
    assert_eq!(
        (status, body),
        (200, json!({ "emoji": [], "downvotes": true, "own": false })),
        "every emoji by default"
    );

    // An Owner chooses three (names as people write them) and no thumbsdown.
    let chosen = json!({ "emoji": ["thumbsup", ":tada:", "heart", "tada"], "downvotes": false });
    let (status, body) = call(base, Method::PUT, set, Some(&alice), Some(chosen)).await;
    let expected = json!({ "emoji": ["thumbsup", "tada", "heart"], "downvotes": false, "own": true });
    assert_eq!((status, &body), (200, &expected));
    assert_eq!(call(base, Method::GET, set, None, None).await.1, expected);
    let (_, design) = call(base, Method::GET, "/groups/heroes%2Fdesign/reaction_set", None, None).await;
    assert_eq!(
        design,
        json!({ "emoji": ["thumbsup", "tada", "heart"], "downvotes": false, "own": false }),
        "a subgroup follows"
    );

    // Refused callers change nothing.
    for (token, body, status) in [
        (Some(bob.as_str()), json!({ "emoji": [] }), 403),
        (None, json!({ "emoji": [] }), 401),
        (Some(alice.as_str()), json!({ "emoji": ["tada", "not-an-emoji-at-all"] }), 400),
    ] {
        let (got, answer) = call(base, Method::PUT, set, token, Some(body)).await;
        assert_eq!(got, status, "{answer}");
    }
    let (_, bad) = call(base, Method::PUT, set, Some(&alice), Some(json!({ "emoji": ["nope-emoji"] }))).await;
    assert_eq!(bad, json!({ "message": ["Not emoji names: nope-emoji"] }));
    assert_eq!(call(base, Method::PUT, "/groups/secret-lab/reaction_set", Some(&grace), Some(json!({}))).await.0, 404);
    assert_eq!(call(base, Method::GET, set, None, None).await.1, expected);

    // REST: outside the set is refused as a name that is no emoji; inside works.
    let reactions = "/projects/heroes%2Fwebsite/issues/1/award_emoji";
    let (_, junk) = call(base, Method::POST, reactions, Some(&carol), Some(json!({ "name": "notanemoji" }))).await;
    for name in ["rocket", "thumbsdown"] {
        let (status, body) = call(base, Method::POST, reactions, Some(&carol), Some(json!({ "name": name }))).await;
        assert_eq!((status, &body), (404, &junk), "{name}");
    }
    let (status, tada) = call(base, Method::POST, reactions, Some(&carol), Some(json!({ "name": "tada" }))).await;
    assert_eq!((status, &tada["name"]), (201, &json!("tada")));

    // GraphQL: the same refusal as for a name that is no emoji.
    let (_, issue) = call(base, Method::GET, "/projects/heroes%2Fwebsite/issues/1", Some(&carol), None).await;
    let gid = format!("gid://gitlab/Issue/{}", issue["id"].as_i64().expect("issue id"));
    let add = "mutation($id: AwardableID!, $name: String!) { awardEmojiAdd(input: { awardableId: $id, name: $name }) { awardEmoji { name } errors } }";
    let (_, no_emoji) = graphql(base, Some(&carol), add, json!({ "id": gid, "name": "notanemoji" })).await;
    let (_, rocket) = graphql(base, Some(&carol), add, json!({ "id": gid, "name": "rocket" })).await;
    assert_eq!(rocket["data"]["awardEmojiAdd"]["errors"], no_emoji["data"]["awardEmojiAdd"]["errors"]);
    assert!(rocket["data"]["awardEmojiAdd"]["awardEmoji"].is_null(), "{rocket}");

    // The page's form post: one in the set is taken, one outside refused.
    let cookie = sign_in_cookie(base, "carol", "laurel-demo").await.expect("session");
    let toggle = |name: &'static str| {
        let (cookie, id) = (cookie.clone(), issue["id"].to_string());
        async move {
            let posted = client()
                .post(format!("{base}/-/sfn/toggle_reaction"))
                .header("Cookie", &cookie)
                .header("Accept", "text/html")
                .form(&[("kind", "Issue"), ("id", id.as_str()), ("name", name), ("next", "/heroes/website/-/issues/1")])
                .send()
                .await
                .expect("post");
            assert!(posted.status().as_u16() < 500);
        }
    };
    let carols = |listed: &Value| -> Vec<String> {
        listed
            .as_array()
            .expect("list")
            .iter()
            .filter(|a| a["user"]["username"] == "carol")
            .filter_map(|a| a["name"].as_str().map(str::to_string))
            .collect()
    };
    toggle("heart").await;
    toggle("rocket").await;
    let (_, listed) = call(base, Method::GET, &format!("{reactions}?per_page=100"), Some(&carol), None).await;
    let names = carols(&listed);
    assert!(names.contains(&"heart".to_string()), "the form works: {names:?}");
    assert!(!names.contains(&"rocket".to_string()) && !names.contains(&"thumbsdown".to_string()), "{names:?}");

    // The issue page's picker offers the set only.
    let html =
        client().get(format!("{base}/heroes/website/-/issues/1")).header("Cookie", &cookie).send().await.expect("page");
    let html = html.text().await.expect("html");
    assert!(html.contains("title=\":tada:\"") && html.contains("title=\":heart:\""));
    assert!(
        !html.contains("title=\":rocket:\"") && !html.contains("title=\":thumbsdown:\""),
        "the picker offers the set only"
    );

    // A reaction given before the set stays, and its author may take it back.
    let erins: Vec<Value> = listed.as_array().unwrap().iter().filter(|a| a["name"] == "eyes").cloned().collect();
    let eyes = erins[0]["id"].as_i64().expect("erin's eyes");
    assert_eq!(call(base, Method::DELETE, &format!("{reactions}/{eyes}"), Some(&erin), None).await.0, 204);

    // Two levels down, a new subgroup follows too; a set of its own nearer
    // (on its parent) wins over the top group's, and going back to every
    // emoji there hands it back to the top group's.
    let (_, design) = call(base, Method::GET, "/groups/heroes%2Fdesign", Some(&alice), None).await;
    let ux = json!({ "name": "UX", "path": "ux", "parent_id": design["id"] });
    let (status, made) = call(base, Method::POST, "/groups", Some(&alice), Some(ux)).await;
    assert_eq!(status, 201, "{made}");
    let ux_set = "/groups/heroes%2Fdesign%2Fux/reaction_set";
    let followed = json!({ "emoji": ["thumbsup", "tada", "heart"], "downvotes": false, "own": false });
    assert_eq!(call(base, Method::GET, ux_set, Some(&alice), None).await.1, followed, "two levels down");
    let design_set = "/groups/heroes%2Fdesign/reaction_set";
    let rocket_only = json!({ "emoji": ["rocket"], "downvotes": true });
    assert_eq!(call(base, Method::PUT, design_set, Some(&alice), Some(rocket_only)).await.0, 200);
    assert_eq!(
        call(base, Method::GET, ux_set, Some(&alice), None).await.1,
        json!({ "emoji": ["rocket"], "downvotes": true, "own": false }),
        "the nearest set wins"
    );
    assert_eq!(call(base, Method::GET, set, None, None).await.1, expected, "the top group's own is unchanged");
    let every = json!({ "emoji": [], "downvotes": true });
    assert_eq!(call(base, Method::PUT, design_set, Some(&alice), Some(every)).await.0, 200);
    assert_eq!(call(base, Method::GET, ux_set, Some(&alice), None).await.1, followed);

    // Back to every emoji: rocket is fine again; the change is in the audit log.
    let (status, body) =
        call(base, Method::PUT, set, Some(&alice), Some(json!({ "emoji": [], "downvotes": true }))).await;
    assert_eq!((status, body), (200, json!({ "emoji": [], "downvotes": true, "own": false })));
    assert_eq!(call(base, Method::POST, reactions, Some(&carol), Some(json!({ "name": "rocket" }))).await.0, 201);
    let (_, log) = call(base, Method::GET, "/groups/heroes/audit_events", Some(ROOT_TOKEN), None).await;
    assert_eq!(log[0]["event_name"], "reaction_set_changed");
}
