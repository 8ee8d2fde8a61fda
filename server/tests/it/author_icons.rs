//! Achievements where people meet: next to each author's name on an issue
//! and its comments, their top achievement (the first their profile shows),
//! as the viewer may see it: a hidden award is skipped, a private profile
//! shows none.

use crate::common;

use common::{call, client, graphql, page, start, token_for, Backend, ROOT_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};

on_both!(
    authors_show_their_top_achievement_as_the_viewer_may_see_it,
    a_user_card_shows_who_they_are_as_the_viewer_may_see_them
);

/// What a visitor sees first on `user`'s profile from a group a visitor may
/// see, by REST: (award id, achievement name).
async fn first_shown(base: &str, user_id: &Value) -> Option<(i64, String)> {
    let (_, awards) = call(base, Method::GET, &format!("/users/{user_id}/achievements"), None, None).await;
    awards
        .as_array()
        .expect("awards")
        .iter()
        .find(|a| !a["achievement"]["namespace_id"].is_null())
        .map(|a| (a["id"].as_i64().expect("id"), a["achievement"]["name"].as_str().expect("name").to_string()))
}

/// The icon after each of `username`'s names on the page (`None` where a
/// name has none).
fn icons(html: &str, username: &str) -> Vec<Option<String>> {
    html.split(&format!("data-user-card=\"{username}\">"))
        .skip(1)
        .map(|after| {
            let meta = after.split("</p>").next().unwrap_or("");
            let label = meta.split("aria-label=\"Top achievement: ").nth(1)?;
            label.split('"').next().map(str::to_string)
        })
        .collect()
}

async fn authors_show_their_top_achievement_as_the_viewer_may_see_it(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    // carol comments on a public issue; her first award is what her profile shows first.
    let carol = token_for(base, "carol").await;
    let (_, me) = call(base, Method::GET, "/user", Some(&carol), None).await;
    let (status, _) = call(
        base,
        Method::POST,
        "/projects/1/issues/1/notes",
        Some(&carol),
        Some(json!({ "body": "Looks good to me" })),
    )
    .await;
    assert_eq!(status, 201);
    let url = format!("{base}/heroes/website/-/issues/1");
    let (first_id, first) = first_shown(base, &me["id"]).await.expect("carol shows an award");
    let html = page(&url, None).await;
    let shown = icons(&html, "carol");
    assert!(!shown.is_empty() && shown.iter().all(|i| i.as_ref() == Some(&first)), "{first} by each carol: {shown:?}");
    assert!(html.contains(&format!("title=\"Top achievement: {first}\"")), "and on hover");

    // She hides it (every award of that achievement): the next one takes its
    // place, for everyone.
    let mut shown_first = (first_id, first.clone());
    while shown_first.1 == first {
        let (_, hidden) = graphql(
            base,
            Some(&carol),
            "mutation($id: AchievementsUserAchievementID!) { userAchievementsUpdate(input: { userAchievementId: $id, showOnProfile: false }) { errors } }",
            json!({ "id": format!("gid://gitlab/Achievements::UserAchievement/{}", shown_first.0) }),
        )
        .await;
        assert_eq!(hidden["data"]["userAchievementsUpdate"]["errors"], json!([]), "{hidden}");
        shown_first = first_shown(base, &me["id"]).await.expect("another award");
    }
    let next = shown_first.1;
    let shown = icons(&page(&url, None).await, "carol");
    assert!(shown.iter().all(|i| i.as_ref() == Some(&next)), "{next} in place of the hidden {first}: {shown:?}");

    // A private profile shows no icon to visitors.
    let (status, _) = call(
        base,
        Method::PUT,
        &format!("/users/{}", me["id"]),
        Some(ROOT_TOKEN),
        Some(json!({ "private_profile": true })),
    )
    .await;
    assert_eq!(status, 200);
    let after = icons(&page(&url, None).await, "carol");
    assert!(!after.is_empty() && after.iter().all(Option::is_none), "no icon by carol's name: {after:?}");
}

async fn card(base: &str, username: &str, token: Option<&str>) -> (u16, String) {
    let mut request = client().get(format!("{base}/-/users/{username}/card"));
    if let Some(token) = token {
        request = request.header("PRIVATE-TOKEN", token);
    }
    let response = request.send().await.expect("card");
    let status = response.status().as_u16();
    if status == 200 {
        assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
        assert_eq!(response.headers()["cache-control"], "private, max-age=60");
    }
    (status, response.text().await.expect("body"))
}

/// The user card: name, username and up to three different top achievements
/// as the caller may see them (never a private namespace's); a profile the
/// caller may not read has no card; what users typed is text, never markup.
async fn a_user_card_shows_who_they_are_as_the_viewer_may_see_them(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let carol = token_for(base, "carol").await;
    let (_, me) = call(base, Method::GET, "/user", Some(&carol), None).await;
    let (status, html) = card(base, "carol", None).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("@carol") && html.contains(&format!("<strong>{}</strong>", me["name"].as_str().expect("name")))
    );
    let (_, awards) = call(base, Method::GET, &format!("/users/{}/achievements", me["id"]), None, None).await;
    let mut expected: Vec<String> = Vec::new();
    for a in awards.as_array().expect("awards").iter().filter(|a| !a["achievement"]["namespace_id"].is_null()) {
        let name = a["achievement"]["name"].as_str().expect("name").to_string();
        if !expected.contains(&name) && expected.len() < 3 {
            expected.push(name);
        }
    }
    let shown: Vec<&str> =
        html.split("<li>").skip(1).filter_map(|li| li.split("<span>").nth(1)?.split("</span>").next()).collect();
    assert_eq!(shown, expected, "her first three different achievements, in her order: {html}");
    assert!(html.contains("Top achievements") && html.contains("href=\"/carol\""));
    // Korean when the browser asks for it.
    let korean = client().get(format!("{base}/-/users/carol/card")).header("Accept-Language", "ko").send().await;
    assert!(korean.expect("card").text().await.expect("body").contains("대표 성취"));

    // A private profile: no card for others; its owner and admins still see it.
    let (status, _) = call(
        base,
        Method::PUT,
        &format!("/users/{}", me["id"]),
        Some(ROOT_TOKEN),
        Some(json!({ "private_profile": true, "name": "Carol <img src=x onerror=alert(1)>" })),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(card(base, "carol", None).await.0, 404);
    let bob = token_for(base, "bob").await;
    assert_eq!(card(base, "carol", Some(&bob)).await.0, 404);
    let (status, own) = card(base, "carol", Some(&carol)).await;
    assert_eq!(status, 200);
    assert!(own.contains("Carol &lt;img src=x onerror=alert(1)&gt;") && !own.contains("<img src=x"), "{own}");
    assert_eq!(card(base, "carol", Some(ROOT_TOKEN)).await.0, 200);
    assert_eq!(card(base, "nobody-here", None).await.0, 404);
}
