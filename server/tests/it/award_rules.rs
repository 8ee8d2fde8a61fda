//! Rule-based awards over REST, on both databases: every trigger, the
//! preview that changes nothing, the backfill on save, awards made at once
//! by the reaction, issue or comment that meets a rule, the periodic pass
//! (memberships, auto-revoke), the audit log naming the rule, and refused
//! callers changing nothing.

use crate::common;

use common::{call, start, token_for, Backend, ROOT_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The usernames holding an achievement (unrevoked), sorted.
async fn holders(base: &str, achievement: i64) -> Vec<String> {
    let path = format!("/groups/heroes/achievements/{achievement}/awards?per_page=100");
    let (status, list) = call(base, Method::GET, &path, Some(ROOT_TOKEN), None).await;
    assert_eq!(status, 200, "{list}");
    let mut names: Vec<String> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["user"]["username"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

async fn until_holders(base: &str, achievement: i64, want: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = holders(base, achievement).await;
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "holders {got:?}, expected {want:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn achievement(base: &str, token: &str, name: &str) -> i64 {
    let (status, made) =
        call(base, Method::POST, "/groups/heroes/achievements", Some(token), Some(json!({ "name": name }))).await;
    assert_eq!(status, 201, "{made}");
    made["id"].as_i64().expect("id")
}

on_both!(rules_award_who_meets_them_at_once_and_in_passes);

async fn rules_award_who_meets_them_at_once_and_in_passes(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1"), ("AWARD_RULE_PASS_SECONDS", "0.3")]).await;
    let base = &server.base;
    common::set_limits(base, json!({ "reactions_per_user_per_minute": 0 })).await;
    let (alice, carol, erin) =
        (token_for(base, "alice").await, token_for(base, "carol").await, token_for(base, "erin").await);
    let liked = achievement(base, &alice, "Well liked").await;
    let rule = format!("/groups/heroes/achievements/{liked}/rule");
    let preview = format!("{rule}/preview");

    // Refused callers and bad rules change nothing.
    let good = json!({ "trigger": "reactions_received", "threshold": 2 });
    for (token, body, status) in [
        (Some(carol.as_str()), good.clone(), 403),
        (None, good.clone(), 401),
        (Some(alice.as_str()), json!({ "trigger": "sql", "threshold": 2 }), 400),
        (Some(alice.as_str()), json!({ "threshold": 2 }), 400),
        (Some(alice.as_str()), json!({ "trigger": "reactions_received", "threshold": 0 }), 400),
        (Some(alice.as_str()), json!({ "trigger": "reactions_received", "threshold": 2, "emoji": "nope-nope" }), 400),
        (Some(alice.as_str()), json!({ "trigger": "issues_opened", "threshold": 2, "emoji": "tada" }), 400),
        (Some(alice.as_str()), json!({ "trigger": "member_for_days", "threshold": 99999 }), 400),
    ] {
        let (got, answer) = call(base, Method::PUT, &rule, token, Some(body.clone())).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert_eq!(call(base, Method::POST, &preview, token, Some(body)).await.0, status);
    }
    let (_, zero) =
        call(base, Method::PUT, &rule, Some(&alice), Some(json!({ "trigger": "issues_opened", "threshold": 0 }))).await;
    assert_eq!(zero, json!({ "message": ["Count must be from 1 to 1000000"] }));
    assert_eq!(call(base, Method::GET, &rule, Some(&alice), None).await.0, 404, "no rule");
    assert_eq!(call(base, Method::GET, &rule, Some(&carol), None).await.0, 403);

    // The preview: the demo's reactions (self-given ones do not count).
    let (status, seen) = call(base, Method::POST, &preview, Some(&alice), Some(good.clone())).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["matching"], 1);
    assert_eq!(seen["sample"][0]["username"], "carol");
    let thumbs = |n: i64| json!({ "trigger": "reactions_received", "threshold": n, "emoji": ":+1:" });
    assert_eq!(call(base, Method::POST, &preview, Some(&alice), Some(thumbs(3))).await.1["matching"], 1);
    assert_eq!(call(base, Method::POST, &preview, Some(&alice), Some(thumbs(4))).await.1["matching"], 0);
    let (_, wide) =
        call(base, Method::POST, &preview, Some(&alice), Some(json!({ "trigger": "reactions_received" }))).await;
    let mut sample: Vec<&str> =
        wide["sample"].as_array().expect("sample").iter().filter_map(|u| u["username"].as_str()).collect();
    sample.sort_unstable();
    assert_eq!((wide["matching"].as_i64(), sample), (Some(3), vec!["bob", "carol", "dave"]));
    assert!(holders(base, liked).await.is_empty(), "a preview awards nobody");

    // Saving awards who meets it now.
    let (status, saved) = call(base, Method::PUT, &rule, Some(&alice), Some(good)).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!((&saved["awarded_now"], &saved["description"]), (&json!(1), &json!("reactions_received >= 2")));
    assert_eq!(holders(base, liked).await, ["carol"]);
    assert_eq!(call(base, Method::GET, &rule, Some(&alice), None).await.1["trigger"], "reactions_received");

    // A reaction that makes someone meet it awards at once (Dave's issue has one).
    let dave_issue = "/projects/heroes%2Fwebsite/issues/2/award_emoji";
    assert_eq!(call(base, Method::POST, dave_issue, Some(&erin), Some(json!({ "name": "tada" }))).await.0, 201);
    assert_eq!(holders(base, liked).await, ["carol", "dave"], "awarded with the reaction");

    // Issues opened: the authors there are, then a new one at once.
    let opened = achievement(base, &alice, "First issue").await;
    let first_issue = json!({ "trigger": "issues_opened", "threshold": 1 });
    let (_, saved) =
        call(base, Method::PUT, &format!("/groups/heroes/achievements/{opened}/rule"), Some(&alice), Some(first_issue))
            .await;
    assert_eq!(saved["awarded_now"], 3, "{saved}");
    let issue = json!({ "title": "Erin's first issue" });
    assert_eq!(call(base, Method::POST, "/projects/heroes%2Fwebsite/issues", Some(&erin), Some(issue)).await.0, 201);
    assert_eq!(holders(base, opened).await, ["bob", "carol", "dave", "erin"]);

    // Comments written.
    let wrote = achievement(base, &alice, "Commenter").await;
    let comments = json!({ "trigger": "comments_written", "threshold": 2 });
    let (_, saved) =
        call(base, Method::PUT, &format!("/groups/heroes/achievements/{wrote}/rule"), Some(&alice), Some(comments))
            .await;
    assert_eq!(saved["awarded_now"], 0);
    for body in ["One", "Two"] {
        let note = json!({ "body": body });
        assert_eq!(
            call(base, Method::POST, "/projects/heroes%2Fwebsite/issues/1/notes", Some(&erin), Some(note)).await.0,
            201
        );
    }
    assert_eq!(holders(base, wrote).await, ["erin"]);

    // First reaction given, taken back by the pass when it no longer holds.
    let reactor = achievement(base, &alice, "Reactor").await;
    let first = json!({ "trigger": "first_reaction_given", "auto_revoke": true });
    let (_, saved) =
        call(base, Method::PUT, &format!("/groups/heroes/achievements/{reactor}/rule"), Some(&alice), Some(first))
            .await;
    assert_eq!(saved["awarded_now"], 5, "{saved}");
    until_holders(base, reactor, &["alice", "bob", "carol", "dave", "erin"]).await;
    let (_, mine) = call(base, Method::GET, dave_issue, Some(&erin), None).await;
    let tada =
        mine.as_array().expect("list").iter().find(|r| r["user"]["username"] == "erin").expect("erin's")["id"].clone();
    assert_eq!(call(base, Method::DELETE, &format!("{dave_issue}/{tada}"), Some(&erin), None).await.0, 204);
    let (_, erins) =
        call(base, Method::GET, "/projects/heroes%2Fwebsite/issues/1/award_emoji", Some(&erin), None).await;
    let eyes =
        erins.as_array().expect("list").iter().find(|r| r["user"]["username"] == "erin").expect("eyes")["id"].clone();
    assert_eq!(
        call(
            base,
            Method::DELETE,
            &format!("/projects/heroes%2Fwebsite/issues/1/award_emoji/{eyes}"),
            Some(&erin),
            None
        )
        .await
        .0,
        204
    );
    until_holders(base, reactor, &["alice", "bob", "carol", "dave"]).await;

    // Members for some days: met once the membership is old enough (the pass).
    let loyal = achievement(base, &alice, "Loyal").await;
    let days = json!({ "trigger": "member_for_days", "threshold": 30 });
    let (_, saved) =
        call(base, Method::PUT, &format!("/groups/heroes/achievements/{loyal}/rule"), Some(&alice), Some(days)).await;
    assert_eq!(saved["awarded_now"], 0, "everyone joined today");
    let old = "UPDATE group_members SET created_at = '2000-01-01 00:00:00+00:00' WHERE user_id = \
               (SELECT id FROM users WHERE username = 'erin')";
    common::db::execute(&server.database_url(), old).await;
    until_holders(base, loyal, &["erin"]).await;

    // The audit log says which rule granted and took back.
    let (_, log) = call(base, Method::GET, "/groups/heroes/audit_events?per_page=100", Some(&alice), None).await;
    let entries: Vec<&Value> = log.as_array().expect("log").iter().collect();
    let by_rule = entries.iter().filter(|e| e["event_name"] == "achievement_awarded_by_rule").count();
    assert_eq!(by_rule, 1 + 1 + 3 + 1 + 1 + 5 + 1, "every grant audited as made by a rule");
    assert!(entries.iter().any(
        |e| e["event_name"] == "achievement_revoked_by_rule" && e["details"]["rule"] == "first_reaction_given >= 1"
    ));
    let granted = entries.iter().find(|e| e["event_name"] == "achievement_awarded_by_rule").expect("a grant");
    assert!(granted["details"]["rule"].as_str().is_some_and(|r| r.contains(" >= ")), "{granted}");
    assert!(entries.iter().any(|e| e["event_name"] == "award_rule_saved"));

    // Removing: refused for a Developer; the awards stay.
    assert_eq!(call(base, Method::DELETE, &rule, Some(&carol), None).await.0, 403);
    assert_eq!(call(base, Method::DELETE, &rule, Some(&alice), None).await.0, 204);
    assert_eq!(call(base, Method::GET, &rule, Some(&alice), None).await.0, 404);
    assert_eq!(call(base, Method::DELETE, &rule, Some(&alice), None).await.0, 404);
    assert_eq!(holders(base, liked).await, ["carol", "dave"]);
}

on_both!(a_group_has_at_most_fifty_rules);

/// The 51st rule of a group is refused and changes nothing; replacing one is
/// not a new one.
async fn a_group_has_at_most_fifty_rules(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let alice = token_for(base, "alice").await;
    let never = json!({ "trigger": "issues_opened", "threshold": 1000 });
    let mut last = 0;
    for n in 0..50 {
        last = achievement(base, &alice, &format!("Rule {n}")).await;
        let path = format!("/groups/heroes/achievements/{last}/rule");
        assert_eq!(call(base, Method::PUT, &path, Some(&alice), Some(never.clone())).await.0, 200, "rule {n}");
    }
    let one_more = achievement(base, &alice, "One more").await;
    let path = format!("/groups/heroes/achievements/{one_more}/rule");
    let (status, answer) = call(base, Method::PUT, &path, Some(&alice), Some(never.clone())).await;
    assert_eq!((status, answer), (400, json!({ "message": ["A group has at most 50 award rules"] })));
    assert_eq!(call(base, Method::GET, &path, Some(&alice), None).await.0, 404);
    let replace = json!({ "trigger": "issues_opened", "threshold": 999 });
    let path = format!("/groups/heroes/achievements/{last}/rule");
    assert_eq!(call(base, Method::PUT, &path, Some(&alice), Some(replace)).await.1["threshold"], 999);
}
