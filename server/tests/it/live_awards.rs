//! Live award pages over HTTP: a profile, the profile editor and a group's
//! achievements page hear when what their viewer sees there changed (an award
//! made, hidden, revoked, a profile's settings), under the page's own
//! visibility rules; a page that reconnects is told what changed while it was
//! away; refused callers get nothing; two processes on one PostgreSQL share it.

use crate::common;

use common::{client, graphql, sign_in_cookie, start, Backend, ROOT_TOKEN};
use futures::StreamExt;
use serde_json::json;
use std::time::Duration;

on_both!(
    an_award_reaches_every_open_page_that_shows_it,
    a_change_a_viewer_may_not_see_is_never_told,
    a_page_that_reconnects_is_told_what_changed_while_away,
    a_member_removed_from_a_private_group_loses_its_page_at_once,
    a_group_page_is_followed_in_at_most_eight_views_per_address,
);

/// The demo users' password.
const DEMO: &str = "laurel-demo";

type Body = std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

/// A page as a browser has it: its HTML, fetched with `cookie`.
async fn page(base: &str, path: &str, cookie: Option<&str>) -> String {
    common::page(&format!("{base}{path}"), cookie).await
}

/// The stream a page names (`data-live-stream`), as the browser reads it.
fn stream_of(html: &str) -> String {
    let start = html.find("data-live-stream=\"").expect("the page names its live stream") + 18;
    let end = start + html[start..].find('"').expect("attribute end");
    html[start..end].replace("&amp;", "&")
}

/// The mark of what the page shows (`seen=` in its stream).
fn mark_of(html: &str) -> String {
    let stream = stream_of(html);
    stream.split("seen=").nth(1).expect("seen=").split('&').next().unwrap_or("").to_string()
}

/// A page's stream, opened as `EventSource` does (the cookie rides along).
async fn open(base: &str, stream: &str, cookie: Option<&str>, last_id: Option<&str>) -> reqwest::Response {
    let mut request = client().get(format!("{base}{stream}")).header("Accept", "text/event-stream");
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    if let Some(id) = last_id {
        request = request.header("Last-Event-ID", id);
    }
    request.send().await.expect("live")
}

async fn follow(base: &str, html: &str, cookie: Option<&str>) -> Body {
    let response = open(base, &stream_of(html), cookie, None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    Box::pin(response.bytes_stream())
}

/// The `changed` frames (their ids) that arrive within `time`.
async fn changes_within(stream: &mut Body, time: Duration) -> Vec<String> {
    let until = tokio::time::Instant::now() + time;
    let mut text = String::new();
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(until, stream.next()).await {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    frames(&text)
}

fn frames(text: &str) -> Vec<String> {
    text.split("\n\n")
        .filter(|frame| frame.contains("event: changed"))
        .map(|frame| frame.lines().find_map(|l| l.strip_prefix("id: ")).expect("a changed frame has an id").to_string())
        .collect()
}

/// The next `changed` frame's id, within ten seconds.
async fn next_change(stream: &mut Body) -> String {
    let until = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut text = String::new();
    loop {
        let chunk = tokio::time::timeout_at(until, stream.next()).await.expect("a change in time").expect("open");
        text.push_str(&String::from_utf8_lossy(&chunk.expect("chunk")));
        if let Some(id) = frames(&text).into_iter().next() {
            return id;
        }
    }
}

/// A demo user's global id.
async fn user_gid(base: &str, username: &str) -> String {
    let (_, users) =
        common::call(base, reqwest::Method::GET, &format!("/users?username={username}"), Some(ROOT_TOKEN), None).await;
    format!("gid://gitlab/User/{}", users[0]["id"].as_i64().expect("user id"))
}

/// The global id of `group`'s achievement called `name`.
async fn achievement_gid(base: &str, group: &str, name: &str) -> String {
    let (_, body) = graphql(
        base,
        Some(ROOT_TOKEN),
        "query($p: ID!) { group(fullPath: $p) { achievements { nodes { id name } } } }",
        json!({ "p": group }),
    )
    .await;
    let nodes = body["data"]["group"]["achievements"]["nodes"].as_array().cloned().unwrap_or_default();
    nodes.iter().find(|n| n["name"] == name).and_then(|n| n["id"].as_str()).expect("achievement").to_string()
}

/// Root awards `achievement` to `username` over GraphQL (as any API client would).
async fn award(base: &str, achievement: &str, username: &str) -> String {
    let user = user_gid(base, username).await;
    let (_, body) = graphql(
        base,
        Some(ROOT_TOKEN),
        "mutation($a: AchievementsAchievementID!, $u: UserID!) { achievementsAward(input: { achievementId: $a, userId: $u }) { userAchievement { id } errors } }",
        json!({ "a": achievement, "u": user }),
    )
    .await;
    assert_eq!(body["data"]["achievementsAward"]["errors"], json!([]), "{body}");
    body["data"]["achievementsAward"]["userAchievement"]["id"].as_str().expect("award").to_string()
}

/// The profile editor's settings form, as the browser posts it.
async fn display_achievements(base: &str, cookie: &str, shown: bool) {
    let form: &[(&str, &str)] = if shown { &[("achievements_enabled", "on")] } else { &[] };
    let response = client()
        .post(format!("{base}/-/sfn/save_profile_settings"))
        .header("Cookie", cookie)
        .form(form)
        .send()
        .await
        .expect("settings");
    assert!(response.status().is_success() || response.status().is_redirection(), "{}", response.status());
}

/// erin holds nothing in the demo; an award made over GraphQL reaches a
/// visitor on her profile, erin in her profile editor and a visitor on the
/// group's achievements page, each with the mark the page now carries and the
/// award on it.
async fn an_award_reaches_every_open_page_that_shows_it(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let erin = sign_in_cookie(base, "erin", DEMO).await.expect("erin signs in");
    let pages: [(&str, Option<&str>); 3] =
        [("/erin", None), ("/-/profile", Some(&erin)), ("/groups/heroes/-/achievements", None)];
    let mut streams = Vec::new();
    for (path, cookie) in pages {
        let html = page(base, path, cookie).await;
        assert!(!html.contains("Contributor of the month") || path.starts_with("/groups"), "{path}");
        streams.push((path, cookie, follow(base, &html, cookie).await, mark_of(&html)));
    }
    // Opened with the mark of the page it has: nothing to tell.
    for (path, _, stream, _) in &mut streams {
        assert_eq!(changes_within(stream, Duration::from_millis(300)).await, Vec::<String>::new(), "{path}");
    }
    let month = achievement_gid(base, "heroes", "Contributor of the month").await;
    award(base, &month, "erin").await;
    for (path, cookie, stream, before) in &mut streams {
        let told = next_change(stream).await;
        assert_ne!(&told, before, "{path}");
        let html = page(base, path, *cookie).await;
        assert_eq!(mark_of(&html), told, "{path}: the frame's id is the mark of the page as it is now");
        assert!(html.contains("Contributor of the month"), "{path}");
        if path.starts_with("/groups") {
            assert!(html.contains("Erin Guest"), "{path}: erin is among the holders");
        }
    }
}

/// erin does not display her achievements: a visitor on her profile is not
/// told of an award (their page does not change), while erin's own editor is.
/// When she displays them again, the visitor is told once, with the mark of
/// the page they would now read. Refused callers get a clear refusal.
async fn a_change_a_viewer_may_not_see_is_never_told(backend: Backend) {
    // Three streams per address: the refusals below must give back every seat.
    let server = start(backend, &[("DEMO_DATA", "1"), ("LIVE_STREAMS_PER_ADDRESS", "3")]).await;
    let base = &server.base;
    let erin = sign_in_cookie(base, "erin", DEMO).await.expect("erin signs in");
    display_achievements(base, &erin, false).await;
    let mut visitor = follow(base, &page(base, "/erin", None).await, None).await;
    let mut editor = follow(base, &page(base, "/-/profile", Some(&erin)).await, Some(&erin)).await;
    let month = achievement_gid(base, "heroes", "Contributor of the month").await;
    award(base, &month, "erin").await;
    next_change(&mut editor).await;
    assert_eq!(
        changes_within(&mut visitor, Duration::from_millis(700)).await,
        Vec::<String>::new(),
        "the visitor's page did not change"
    );
    display_achievements(base, &erin, true).await;
    let told = changes_within(&mut visitor, Duration::from_secs(2)).await;
    let html = page(base, "/erin", None).await;
    assert!(html.contains("Contributor of the month"));
    assert_eq!(told, vec![mark_of(&html)], "told once, of the page as it is now");

    // Refused: the editor's stream without a session; a private group's page
    // for an outsider and for a visitor; someone who does not exist.
    let grace = sign_in_cookie(base, "grace", DEMO).await.expect("grace signs in");
    let (_, lab) = common::call(base, reqwest::Method::GET, "/groups/secret-lab", Some(ROOT_TOKEN), None).await;
    let lab = format!("/-/live/awards/group/{}", lab["id"].as_i64().expect("lab id"));
    let refusals = [
        ("/-/live/awards/mine", None, 401),
        (lab.as_str(), Some(grace.as_str()), 404),
        (lab.as_str(), None, 404),
        ("/-/live/awards/profile/999999", None, 404),
        ("/-/live/awards/profile/not-a-number", None, 404),
    ];
    for (stream, cookie, status) in refusals {
        let response = open(base, stream, cookie, None).await;
        assert_eq!(response.status().as_u16(), status, "{stream}");
        let text = response.text().await.expect("body");
        assert!(!text.contains("Bug hunter") && !text.contains("event:"), "{stream}: {text}");
    }
    // The refusals gave their seats back: with the visitor's and erin's
    // streams still open, a member's is the address's third, and is served.
    let bob = sign_in_cookie(base, "bob", DEMO).await.expect("bob signs in");
    let lab_page = page(base, "/groups/secret-lab/-/achievements", Some(&bob)).await;
    assert!(lab_page.contains("Bug hunter"));
    let mut member = follow(base, &lab_page, Some(&bob)).await;
    assert_eq!(changes_within(&mut member, Duration::from_millis(300)).await, Vec::<String>::new());
    // A fourth is over the cap: refused, and the three carry on.
    let fourth = open(base, &stream_of(&lab_page), Some(&bob), None).await;
    assert_eq!(fourth.status(), 429);
    display_achievements(base, &erin, false).await;
    assert_eq!(changes_within(&mut visitor, Duration::from_secs(2)).await.len(), 1, "the visitor's stream still works");
}

/// A page whose stream was cut off while an award was made is told at once
/// when it reconnects (with its page's mark, or its last frame's id as
/// `EventSource` sends it back), and told nothing when nothing changed.
async fn a_page_that_reconnects_is_told_what_changed_while_away(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let html = page(base, "/erin", None).await;
    let stream = stream_of(&html);
    let month = achievement_gid(base, "heroes", "Contributor of the month").await;
    award(base, &month, "erin").await;
    let response = open(base, &stream, None, None).await;
    let mut away = Box::pin(response.bytes_stream()) as Body;
    let told = next_change(&mut away).await;
    assert_eq!(told, mark_of(&page(base, "/erin", None).await));
    drop(away);
    // Back with the last id it had: nothing new.
    let mut back = Box::pin(open(base, &stream, None, Some(&told)).await.bytes_stream()) as Body;
    assert_eq!(changes_within(&mut back, Duration::from_millis(500)).await, Vec::<String>::new());
    // Then a change: told.
    let pixel = achievement_gid(base, "heroes/design", "Pixel perfect").await;
    award(base, &pixel, "erin").await;
    let again = next_change(&mut back).await;
    assert_ne!(again, told);
    assert_eq!(again, mark_of(&page(base, "/erin", None).await));
}

/// grace, made a member of the private Secret Lab, follows its achievements
/// page; removed from it, her stream ends at once and opening it again is
/// refused, as the page itself is.
async fn a_member_removed_from_a_private_group_loses_its_page_at_once(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (_, lab) = common::call(base, reqwest::Method::GET, "/groups/secret-lab", Some(ROOT_TOKEN), None).await;
    let lab = lab["id"].as_i64().expect("lab id");
    let (_, grace_user) =
        common::call(base, reqwest::Method::GET, "/users?username=grace", Some(ROOT_TOKEN), None).await;
    let grace_id = grace_user[0]["id"].as_i64().expect("grace's id");
    let members = format!("/groups/{lab}/members");
    let added = json!({ "user_id": grace_id, "access_level": 30 });
    let (status, _) = common::call(base, reqwest::Method::POST, &members, Some(ROOT_TOKEN), Some(added)).await;
    assert_eq!(status, 201);
    let grace = sign_in_cookie(base, "grace", DEMO).await.expect("grace signs in");
    let html = page(base, "/groups/secret-lab/-/achievements", Some(&grace)).await;
    assert!(html.contains("Bug hunter"));
    let mut stream = follow(base, &html, Some(&grace)).await;
    let removed = format!("{members}/{grace_id}");
    let (status, _) = common::call(base, reqwest::Method::DELETE, &removed, Some(ROOT_TOKEN), None).await;
    assert_eq!(status, 204);
    let ended =
        tokio::time::timeout(Duration::from_secs(5), async { while let Some(Ok(_)) = stream.next().await {} }).await;
    assert!(ended.is_ok(), "the stream ended at once");
    let again = open(base, &stream_of(&html), Some(&grace), None).await;
    assert_eq!(again.status(), 404, "opening it again is refused");
}

/// Two processes on one PostgreSQL database: an award made through one reaches
/// a profile open on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_award_made_on_one_process_reaches_a_profile_open_on_another() {
    let db = common::database(Backend::Postgres).await;
    let (url, dir) = (db.url.clone(), db.dir().to_path_buf());
    let first = common::spawn(&url, &dir, &[("DEMO_DATA", "1")]);
    let second = common::spawn(&url, &dir, &[]);
    let html = page(&second.base, "/erin", None).await;
    let mut stream = follow(&second.base, &html, None).await;
    let month = achievement_gid(&first.base, "heroes", "Contributor of the month").await;
    award(&first.base, &month, "erin").await;
    let told = next_change(&mut stream).await;
    assert_eq!(told, mark_of(&page(&second.base, "/erin", None).await));
    assert_eq!(told, mark_of(&page(&first.base, "/erin", None).await), "both processes mark the page alike");
}

/// Each search and page of a group's achievements page is a view computed
/// again at every change and re-check: one address follows at most eight
/// different ones at once (a stream per search word made one group's page
/// cost a core). A view it already follows takes more of its viewers; another
/// address has its own eight; a closed view frees its place.
async fn a_group_page_is_followed_in_at_most_eight_views_per_address(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1"), ("TRUSTED_PROXIES", "127.0.0.1")]).await;
    let base = &server.base;
    let html = page(base, "/groups/heroes/-/achievements", None).await;
    let stream = stream_of(&html);
    let group = stream.split('?').next().expect("the stream's path").to_string();
    let view = |n: usize| format!("{group}?search=word{n}&page=1");
    let from = |address: &'static str, path: String| async move {
        client()
            .get(format!("{base}{path}"))
            .header("Accept", "text/event-stream")
            .header("X-Forwarded-For", address)
            .send()
            .await
            .expect("live")
    };
    let (stranger, visitor) = ("203.0.113.7", "198.51.100.9");
    let mut held = Vec::new();
    for n in 0..8 {
        let response = from(stranger, view(n)).await;
        assert_eq!(response.status(), 200, "view {n}");
        held.push(response);
    }
    let refused = from(stranger, view(8)).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.text().await.expect("text"), "503 Too many views of this page are followed");
    let again = from(stranger, view(7)).await;
    assert_eq!(again.status(), 200, "a view it already follows takes more viewers");
    held.push(again);
    // Someone else still follows the page itself, and another view.
    for path in [stream.clone(), view(8)] {
        let response = from(visitor, path.clone()).await;
        assert_eq!(response.status(), 200, "{path}");
        held.push(response);
    }
    // One view closed (both its viewers): a new one takes its place.
    held.remove(7);
    held.remove(7);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let response = from(stranger, view(9)).await;
        if response.status() == 200 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the closed view's place was never freed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
