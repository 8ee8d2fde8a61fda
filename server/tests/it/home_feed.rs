//! The home page's activity feed and group list, read as each demo user sees
//! it (server-rendered HTML from the real server): what the policy hides from
//! one viewer stays out of their feed, and paging loses and repeats nothing.

use crate::common::*;
use reqwest::Method;
use serde_json::json;
use testkit::Backend;

on_both!(the_feed_shows_each_viewer_only_what_they_may_see, the_feed_pages_through_everything_once,);

/// The home page (`path`: `/`, `/?older=...`) as `cookie` sees it (a visitor when `None`).
async fn home(base: &str, cookie: Option<&str>, path: &str) -> String {
    let mut request = client().get(format!("{base}{path}"));
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    let response = request.send().await.expect("home");
    assert_eq!(response.status(), 200, "home {path}");
    response.text().await.expect("html")
}

/// The feed's entries on that page, each as its HTML.
fn entries(html: &str) -> Vec<String> {
    let Some(start) = html.find("class=\"feed-list\"") else { return Vec::new() };
    let list = &html[start..html[start..].find("</ol>").map_or(html.len(), |end| start + end)];
    list.split("<li class=\"feed-entry\"").skip(1).map(str::to_string).collect()
}

/// The link to the next page, if the page has one.
fn older_link(html: &str) -> Option<String> {
    let at = html.find("href=\"/?older=")?;
    let rest = &html[at + "href=\"".len()..];
    Some(rest[..rest.find('"')?].to_string())
}

/// Whether one entry names all of `words`.
fn has_entry(entries: &[String], words: &[&str]) -> bool {
    entries.iter().any(|entry| words.iter().all(|w| entry.contains(w)))
}

async fn cookie(base: &str, username: &str) -> String {
    sign_in_cookie(base, username, "laurel-demo").await.expect("demo user signs in")
}

async fn the_feed_shows_each_viewer_only_what_they_may_see(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (bob_token, frank_token, dave_token) =
        (token_for(base, "bob").await, token_for(base, "frank").await, token_for(base, "dave").await);
    // bob reacts on his confidential issue (#3); frank (a private profile) on a public one.
    let (status, _) =
        call(base, Method::POST, "/projects/1/issues/3/award_emoji", Some(&bob_token), Some(json!({ "name": "lock" })))
            .await;
    assert_eq!(status, 201);
    let (status, _) = call(
        base,
        Method::POST,
        "/projects/1/issues/1/award_emoji",
        Some(&frank_token),
        Some(json!({ "name": "wave" })),
    )
    .await;
    assert_eq!(status, 201);
    // dave hides his "First merge request".
    let (_, mine) = graphql(
        base,
        Some(&dave_token),
        r#"{ user(username: "dave") { userAchievements { nodes { id achievement { name } } } } }"#,
        json!({}),
    )
    .await;
    let award = mine["data"]["user"]["userAchievements"]["nodes"]
        .as_array()
        .and_then(|nodes| nodes.iter().find(|n| n["achievement"]["name"] == "First merge request"))
        .map(|n| n["id"].clone())
        .expect("dave's award");
    let (_, hidden) = graphql(
        base,
        Some(&dave_token),
        "mutation($id: AchievementsUserAchievementID!) { userAchievementsUpdate(input: { userAchievementId: $id, showOnProfile: false }) { errors } }",
        json!({ "id": award }),
    )
    .await;
    assert_eq!(hidden["data"]["userAchievementsUpdate"]["errors"], json!([]), "{hidden}");

    let confidential = ["Bob Maintainer", "Rotate the signing keys"];
    let private_group = ["Carol Developer", "Bug hunter"];
    let private_profile = ["Frank Private", ":wave:"];
    let hidden_award = ["Dave Reporter", "First merge request"];
    let public = ["Carol Developer", "Contributor of the month", "Laurel Heroes"];
    let on_comment = ["Carol Developer", ":heart:", "Dark mode flickers on load"];
    // (viewer, sees confidential, private group, private profile, hidden award)
    let cases = [
        ("root", true, true, true, true),      // admin
        ("alice", true, true, false, true),    // Owner of heroes and Secret Lab
        ("bob", true, true, false, true),      // Maintainer of heroes and Secret Lab
        ("dave", true, false, false, true),    // Reporter: confidential issues; his own hidden award
        ("erin", false, false, false, false),  // Guest
        ("grace", false, false, false, false), // in no group
    ];
    for (viewer, sees_confidential, sees_private_group, sees_private_profile, sees_hidden) in cases {
        let cookie = match viewer {
            "root" => sign_in_cookie(base, "root", "root-password").await.expect("root signs in"),
            user => cookie(base, user).await,
        };
        let feed = entries(&home(base, Some(&cookie), "/").await);
        assert!(has_entry(&feed, &public), "{viewer}: the public award");
        assert!(has_entry(&feed, &on_comment), "{viewer}: a reaction on a comment names its item");
        assert_eq!(has_entry(&feed, &confidential), sees_confidential, "{viewer}: the confidential issue");
        assert_eq!(has_entry(&feed, &private_group), sees_private_group, "{viewer}: the private group's award");
        assert_eq!(has_entry(&feed, &private_profile), sees_private_profile, "{viewer}: the private profile");
        assert_eq!(has_entry(&feed, &hidden_award), sees_hidden, "{viewer}: the hidden award");
    }

    // Groups: a member's own with their achievement counts; the private group
    // only for its members; a visitor gets the public groups and no feed.
    let dave = home(base, Some(&cookie(base, "dave").await), "/").await;
    assert!(dave.contains("Your groups") && dave.contains("Laurel Heroes"));
    assert!(dave.contains("2 achievements"), "heroes holds two achievements");
    assert!(!dave.contains("Secret Lab"));
    let bob = home(base, Some(&cookie(base, "bob").await), "/").await;
    assert!(bob.contains("Secret Lab") && bob.contains("1 achievement"));
    let visitor = home(base, None, "/").await;
    assert!(visitor.contains("Public groups") && visitor.contains("Laurel Heroes"));
    assert!(!visitor.contains("Secret Lab"));
    assert!(entries(&visitor).is_empty() && !visitor.contains("Recent activity"));
    // The page's server function answers a visitor the same: no feed.
    let response = client().post(format!("{base}/-/sfn/home")).form(&[("older", "")]).send().await.expect("sfn");
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().await.expect("json");
    assert_eq!((answer["feed"].clone(), answer["older"].clone()), (json!([]), json!(null)), "{answer}");
    assert!(answer["groups"].as_array().is_some_and(|g| g.iter().all(|g| g["name"] != "Secret Lab")));
}

async fn the_feed_pages_through_everything_once(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    set_limits(base, json!({ "reactions_per_user_per_minute": 1000 })).await;
    let alice = token_for(base, "alice").await;
    let names = [
        "smile",
        "laughing",
        "blush",
        "smiley",
        "relaxed",
        "smirk",
        "heart_eyes",
        "kissing_heart",
        "flushed",
        "relieved",
        "innocent",
        "grin",
        "wink",
        "stuck_out_tongue_winking_eye",
        "stuck_out_tongue",
        "sleeping",
        "worried",
        "frowning",
        "anguished",
        "open_mouth",
        "grimacing",
        "confused",
        "hushed",
        "expressionless",
        "unamused",
    ];
    for name in names {
        let (status, body) =
            call(base, Method::POST, "/projects/1/issues/2/award_emoji", Some(&alice), Some(json!({ "name": name })))
                .await;
        assert_eq!(status, 201, "{name}: {body}");
    }
    let dave = cookie(base, "dave").await;
    let first = home(base, Some(&dave), "/").await;
    assert_eq!(entries(&first).len(), 20, "a full first page");
    // The newest first: alice's last reaction heads the feed.
    assert!(entries(&first)[0].contains(":unamused:"), "{}", entries(&first)[0]);
    let mut seen = entries(&first);
    let mut next = older_link(&first);
    let mut pages = 1;
    while let Some(link) = next {
        let page = home(base, Some(&dave), &link).await;
        assert!(page.contains("Newest activity"), "a later page links back to the newest");
        let found = entries(&page);
        assert!(!found.is_empty() || older_link(&page).is_none(), "a page is empty only at the end");
        seen.extend(found);
        next = older_link(&page);
        pages += 1;
        assert!(pages < 10, "paging ends");
    }
    assert!(pages >= 2);
    for name in names {
        let shown = seen.iter().filter(|e| e.contains(&format!(":{name}:")) && e.contains("Alice Owner")).count();
        assert_eq!(shown, 1, "alice's {name} is shown exactly once across the pages");
    }
    // Every demo reaction dave may see is there too (the snippet's, a merge request's).
    assert!(has_entry(&seen, &["Dave Reporter", ":star:", "Deploy script"]));
    assert!(has_entry(&seen, &["Bob Maintainer", ":rocket:", "Fix dark mode flicker"]));
    // A cursor that is not one shows the newest page, as a bare home page does.
    for junk in ["/?older=zzz", "/?older=-1-5", "/?older=1-", "/?older=1-2-3"] {
        assert_eq!(entries(&home(base, Some(&dave), junk).await), entries(&first), "{junk}");
    }
    // A cursor past everything shows the end: no entries, no older link.
    let end = home(base, Some(&dave), "/?older=1-1").await;
    assert!(entries(&end).is_empty() && older_link(&end).is_none());
}

/// The group dashboard (with its member count and rarity) of the private demo
/// group: its members see it; an outsider and a visitor get "not found" and
/// nothing of it, not even its member count.
async fn a_private_group_dashboard_shows_only_to_its_members(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let path = "/groups/secret-lab/-/achievements";
    let fetch = |cookie: Option<String>| async move {
        let mut request = client().get(format!("{base}{path}"));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        let response = request.send().await.expect("dashboard");
        (response.status().as_u16(), response.text().await.expect("html"))
    };
    let (_, member) = fetch(Some(cookie(base, "bob").await)).await;
    assert!(member.contains("Achievements of Secret Lab"), "bob, a maintainer of it, sees the dashboard");
    for (who, seen) in [("grace", fetch(Some(cookie(base, "grace").await)).await), ("a visitor", fetch(None).await)] {
        let (status, html) = seen;
        assert_ne!(status, 200, "{who} is refused");
        assert!(!html.contains("Secret Lab") && !html.contains("holders-summary"), "{who} learns nothing of it");
    }
}

on_both!(a_private_group_dashboard_shows_only_to_its_members);
