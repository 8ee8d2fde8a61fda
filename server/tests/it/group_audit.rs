//! A group's audit log, over REST (`GET /groups/:id/audit_events`, GitLab's
//! shape) and as a page: its Owners and admins see who created, edited,
//! awarded, revoked, deleted, filtered by person, achievement and dates; each
//! group sees only its own; everyone else is refused and learns nothing.

use crate::common;

use common::{call, client, sign_in_cookie, start, token_for, user_id, Backend, ROOT_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};

on_both!(owners_read_their_groups_audit_log, the_audit_page_filters_for_owners_only);

async fn events(base: &str, token: Option<&str>, group: &str, query: &str) -> (u16, Value) {
    call(base, Method::GET, &format!("/groups/{group}/audit_events?per_page=100{query}"), token, None).await
}

fn list(body: &Value) -> Vec<Value> {
    body.as_array().cloned().unwrap_or_else(|| panic!("a list: {body}"))
}

async fn owners_read_their_groups_audit_log(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (alice, bob, grace) =
        (token_for(base, "alice").await, token_for(base, "bob").await, token_for(base, "grace").await);
    let (carol, bob_id) = (user_id(base, "carol").await, user_id(base, "bob").await);

    // The demo data's history, newest first, in GitLab's shape.
    let (status, body) = events(base, Some(&alice), "heroes", "").await;
    assert_eq!(status, 200, "{body}");
    let all = list(&body);
    let heroes = all[0]["entity_id"].as_i64().expect("the group");
    assert!(all.iter().all(|e| e["entity_type"] == "Group" && e["entity_id"] == heroes));
    assert!(all.iter().all(|e| e["details"]["entity_path"] == "heroes"));
    let ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
    let created = all.iter().find(|e| {
        e["event_name"] == "achievement_created" && e["details"]["target_details"] == "Contributor of the month"
    });
    assert_eq!(created.expect("its creation")["details"]["author_name"], "alice");
    let awarded: Vec<&Value> = all.iter().filter(|e| e["event_name"] == "achievement_awarded").collect();
    assert_eq!(awarded.len(), 6, "the six awards of heroes' two achievements");
    assert!(awarded.iter().filter(|e| e["details"]["user_id"] == carol).count() >= 4);
    // A subgroup's log is its own.
    let (_, design) = events(base, Some(&alice), "heroes%2Fdesign", "").await;
    let design = list(&design);
    assert!(!design.is_empty() && design.iter().all(|e| e["details"]["target_details"] == "Pixel perfect"));

    // A new action is there at once, at the top.
    let month = all
        .iter()
        .find_map(|e| {
            (e["details"]["target_details"] == "Contributor of the month")
                .then(|| e["details"]["achievement_id"].clone())
        })
        .expect("id");
    let (_, awards) =
        call(base, Method::GET, &format!("/groups/heroes/achievements/{month}/awards"), Some(&bob), None).await;
    let award = awards[0]["id"].as_i64().expect("an award");
    let (status, _) = call(base, Method::POST, &format!("/user_achievements/{award}/revoke"), Some(&bob), None).await;
    assert_eq!(status, 201);
    let (_, body) = events(base, Some(&alice), "heroes", "").await;
    let top = &list(&body)[0];
    assert_eq!(
        (&top["event_name"], &top["author_id"], &top["details"]["target_details"]),
        (&json!("achievement_revoked"), &json!(bob_id), &json!("Contributor of the month"))
    );

    // Filters: by person (who did it, or to whom), achievement, dates.
    let (_, by_bob) = events(base, Some(&alice), "heroes", "&username=bob").await;
    let by_bob = list(&by_bob);
    assert!(!by_bob.is_empty());
    assert!(by_bob.iter().all(|e| e["author_id"] == bob_id || e["details"]["user_id"] == bob_id), "{by_bob:?}");
    assert!(by_bob.iter().any(|e| e["details"]["user_id"] == bob_id), "bob's own award counts");
    let (_, about_month) = events(base, Some(&alice), "heroes", &format!("&achievement_id={month}")).await;
    let about_month = list(&about_month);
    assert!(!about_month.is_empty() && about_month.iter().all(|e| e["details"]["achievement_id"] == month));
    let today = chrono::Utc::now().date_naive();
    let (tomorrow, yesterday) = (today.succ_opt().unwrap(), today.pred_opt().unwrap());
    let (_, later) = events(base, Some(&alice), "heroes", &format!("&created_after={tomorrow}")).await;
    assert_eq!(later, json!([]));
    let (_, earlier) = events(base, Some(&alice), "heroes", &format!("&created_before={yesterday}")).await;
    assert_eq!(earlier, json!([]));
    let (_, this_day) =
        events(base, Some(&alice), "heroes", &format!("&created_after={today}&created_before={today}")).await;
    assert_eq!(list(&this_day).len(), all.len() + 1);
    let (_, nobody) = events(base, Some(&alice), "heroes", "&username=nobody-at-all").await;
    assert_eq!(nobody, json!([]));
    for bad in ["yesterday", "-5000-01-01", "10000-01-01", "+10000-01-01T00:00:00Z"] {
        let (status, body) = events(base, Some(&alice), "heroes", &format!("&created_after={bad}")).await;
        assert_eq!((status, body), (400, json!({ "error": "created_after is invalid" })), "{bad}");
    }

    // Admins too; a Maintainer is refused, an outsider finds no private group,
    // the anonymous must sign in.
    assert_eq!(events(base, Some(ROOT_TOKEN), "heroes", "").await.0, 200);
    assert_eq!(events(base, Some(&bob), "heroes", "").await, (403, json!({ "message": "403 Forbidden" })));
    assert_eq!(events(base, Some(&grace), "secret-lab", "").await, (404, json!({ "message": "404 Group Not Found" })));
    assert_eq!(events(base, None, "heroes", "").await.0, 401);
    assert_eq!(events(base, None, "secret-lab", "").await.0, 404);
}

async fn the_audit_page_filters_for_owners_only(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let page = |path: String, cookie: Option<String>| async move {
        let mut request = client().get(format!("{base}{path}"));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        let response = request.send().await.expect("page");
        (response.status().as_u16(), response.text().await.expect("html"))
    };
    let rows = |html: &str| html.matches("<tr>").count().saturating_sub(1);
    let alice = sign_in_cookie(base, "alice", "laurel-demo").await;
    let (status, html) = page("/groups/heroes/-/achievements/audit".into(), alice.clone()).await;
    assert_eq!(status, 200);
    assert!(html.contains("Audit log of Laurel Heroes"), "{html}");
    assert!(html.contains("awarded") && html.contains("@carol") && html.contains("Contributor of the month"));
    // The dashboard links to it for its Owners.
    let (_, dashboard) = page("/groups/heroes/-/achievements".into(), alice.clone()).await;
    assert!(dashboard.contains("/groups/heroes/-/achievements/audit"));

    // Filtered by a person: the same entries as the API gives.
    let token = token_for(base, "alice").await;
    let (_, by_dave) = events(base, Some(&token), "heroes", "&username=dave").await;
    let (_, filtered) = page("/groups/heroes/-/achievements/audit?person=dave".into(), alice.clone()).await;
    assert_eq!(rows(&filtered), list(&by_dave).len());
    assert!(filtered.contains("@dave") && !filtered.contains("@erin"));
    let (_, nothing) = page(
        format!("/groups/heroes/-/achievements/audit?from={}", chrono::Utc::now().date_naive().succ_opt().unwrap()),
        alice.clone(),
    )
    .await;
    assert!(nothing.contains("Nothing recorded matches."));

    // Anyone else: no such page, and nothing of the log.
    let bob = sign_in_cookie(base, "bob", "laurel-demo").await;
    let (_, bob_dashboard) = page("/groups/heroes/-/achievements".into(), bob.clone()).await;
    assert!(!bob_dashboard.contains("/-/achievements/audit"), "no link for a Maintainer");
    for (who, cookie) in [("bob", bob), ("a visitor", None)] {
        let (status, html) = page("/groups/heroes/-/achievements/audit".into(), cookie).await;
        assert_ne!(status, 200, "{who}");
        assert!(!html.contains("audit-table") && !html.contains("@carol"), "{who} sees nothing of it");
    }
}
