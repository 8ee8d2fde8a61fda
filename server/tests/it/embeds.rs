//! Embeds (`server/src/embeds.rs`): a profile's SVG badge, one award's badge,
//! the framable card and oEmbed show exactly what a visitor may see (never a
//! hidden award, a private profile or a private namespace), are cacheable
//! (`ETag`, `304`), and are the only answers other sites may frame.

use crate::common;

use common::{call, client, graphql, start, token_for, Backend, ROOT_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};

on_both!(embeds_show_what_a_visitor_sees_and_nothing_more, an_award_past_a_profiles_first_thousand_has_its_badge);

struct Got {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

async fn get(url: &str, etag: Option<&str>) -> Got {
    let mut request = client().get(url);
    if let Some(etag) = etag {
        request = request.header("If-None-Match", etag);
    }
    let response = request.send().await.expect("request");
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    Got { status, headers, body: response.text().await.expect("body") }
}

/// The award `id` hidden from its holder's profile by the holder (`token`).
async fn hide(base: &str, token: &str, id: &Value) {
    let (_, hidden) = graphql(
        base,
        Some(token),
        "mutation($id: AchievementsUserAchievementID!) { userAchievementsUpdate(input: { userAchievementId: $id, showOnProfile: false }) { errors } }",
        json!({ "id": format!("gid://gitlab/Achievements::UserAchievement/{id}") }),
    )
    .await;
    assert_eq!(hidden["data"]["userAchievementsUpdate"]["errors"], json!([]), "{hidden}");
}

fn header<'a>(got: &'a Got, name: &str) -> &'a str {
    got.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The achievement names a visitor sees on `user`'s profile (REST,
/// anonymous), and those whose awarding namespace a visitor may read: only
/// these may leave the site.
async fn visible_names(base: &str, user_id: &Value) -> (Vec<String>, Vec<String>) {
    let (status, awards) = call(base, Method::GET, &format!("/users/{user_id}/achievements"), None, None).await;
    assert_eq!(status, 200);
    let awards = awards.as_array().expect("awards");
    let name = |a: &Value| a["achievement"]["name"].as_str().map(str::to_string);
    let named = awards.iter().filter(|a| !a["achievement"]["namespace_id"].is_null()).filter_map(name).collect();
    (awards.iter().filter_map(name).collect(), named)
}

async fn embeds_show_what_a_visitor_sees_and_nothing_more(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let carol = token_for(base, "carol").await;
    let (_, me) = call(base, Method::GET, "/user", Some(&carol), None).await;

    // An award in a private group, listed on her profile for visitors as "a
    // private namespace": never in an embed.
    let (status, secret) = call(
        base,
        Method::POST,
        "/groups/secret-lab/achievements",
        Some(ROOT_TOKEN),
        Some(json!({ "name": "Classified work" })),
    )
    .await;
    assert_eq!(status, 201, "{secret}");
    let awards = format!("/groups/secret-lab/achievements/{}/awards", secret["id"]);
    let (status, hidden_group_award) =
        call(base, Method::POST, &awards, Some(ROOT_TOKEN), Some(json!({ "username": "carol" }))).await;
    assert_eq!(status, 201, "{hidden_group_award}");

    let (names, public) = visible_names(base, &me["id"]).await;
    assert!(public.len() >= 2, "carol shows awards: {names:?}");
    let private: Vec<&String> = names.iter().filter(|n| !public.contains(n)).collect();
    assert!(private.iter().any(|n| *n == "Classified work"), "listed for visitors, its group unnamed: {names:?}");
    let strip = get(&format!("{base}/carol/achievements.svg"), None).await;
    assert_eq!(strip.status, 200, "{}", strip.body);
    assert_eq!(header(&strip, "content-type"), "image/svg+xml");
    assert_eq!(header(&strip, "cache-control"), "public, max-age=300");
    assert!(strip.body.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{}", strip.body);
    for name in &public {
        assert!(strip.body.contains(name.as_str()), "{name} in {}", strip.body);
    }
    for name in &private {
        assert!(!strip.body.contains(name.as_str()), "{name} (a private namespace's) in {}", strip.body);
    }
    assert!(!strip.body.contains("secret"), "{}", strip.body);
    assert!(strip.body.contains(&format!("Achievements of @carol: {}", public.len())), "{}", strip.body);
    // Cacheable: the same ETag answers 304 with nothing.
    let etag = header(&strip, "etag").to_string();
    assert!(etag.starts_with('"') && etag.len() == 18, "{etag}");
    let again = get(&format!("{base}/carol/achievements.svg"), Some(&etag)).await;
    assert_eq!((again.status, again.body.as_str()), (304, ""));
    // The count layout; a layout it does not know is a clear 400.
    let count = get(&format!("{base}/carol/achievements.svg?layout=count"), None).await;
    assert!(count.status == 200 && count.body.contains(&format!(">{}</text>", public.len())), "{}", count.body);
    let bad = get(&format!("{base}/carol/achievements.svg?layout=huge"), None).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(serde_json::from_str::<Value>(&bad.body).is_ok_and(|v| v["error"].is_string()), "{}", bad.body);
    // The badge's address is no project's: that path is refused, in any
    // case, and nothing is made; a path beside it is an ordinary project.
    for path in ["achievements.svg", "Achievements.SVG"] {
        let made = json!({ "name": "Badge", "path": path });
        let (status, refused) = call(base, Method::POST, "/projects", Some(&carol), Some(made)).await;
        assert_eq!(status, 400, "{refused}");
        assert!(refused.to_string().contains(&format!("Path {path} is a reserved name")), "{refused}");
        let (status, _) = call(base, Method::GET, &format!("/projects/carol%2F{path}"), Some(&carol), None).await;
        assert_eq!(status, 404, "{path} made nonetheless");
    }
    let made = json!({ "name": "Badge", "path": "achievements-svg" });
    let (status, beside) = call(base, Method::POST, "/projects", Some(&carol), Some(made)).await;
    assert_eq!(status, 201, "{beside}");
    assert_eq!(get(&format!("{base}/carol/achievements.svg"), Some(&etag)).await.status, 304, "the same badge");
    // In Korean when its address asks; a browser's language does not change
    // what shared caches keep for an address.
    let korean = get(&format!("{base}/carol/achievements.svg?lang=ko"), None).await;
    assert!(korean.body.contains("성취"), "{}", korean.body);
    let asked = client().get(format!("{base}/carol/achievements.svg")).header("Accept-Language", "ko").send().await;
    assert!(!asked.expect("badge").text().await.expect("body").contains("성취"));

    // One award's badge: a public one; the private group's is not found.
    let (_, held) = call(base, Method::GET, &format!("/users/{}/achievements", me["id"]), Some(&carol), None).await;
    // One held once, so that hiding it takes its name off her badge.
    let single = public.iter().find(|n| public.iter().filter(|m| m == n).count() == 1).expect("one held once").clone();
    let shown = held.as_array().expect("awards").iter().find(|a| a["achievement"]["name"] == json!(single));
    let shown_id = shown.expect("a public award")["id"].clone();
    let one = get(&format!("{base}/-/awards/{shown_id}/badge.svg"), None).await;
    assert!(one.status == 200 && one.body.contains(single.as_str()), "{}", one.body);
    assert_eq!(get(&format!("{base}/-/awards/{}/badge.svg", hidden_group_award["id"]), None).await.status, 404);
    assert_eq!(get(&format!("{base}/-/awards/999999/badge.svg"), None).await.status, 404);
    assert_eq!(get(&format!("{base}/-/awards/x/badge.svg"), None).await.status, 400);

    // Hidden by carol: gone from her badge (a new ETag) and its own badge.
    hide(base, &carol, &shown_id).await;
    let after = get(&format!("{base}/carol/achievements.svg"), Some(&etag)).await;
    assert_eq!(after.status, 200, "a changed badge is sent again");
    assert_ne!(header(&after, "etag"), etag);
    assert!(!after.body.contains(single.as_str()), "hidden: {}", after.body);
    assert!(!visible_names(base, &me["id"]).await.1.contains(&single), "and from her profile");
    assert_eq!(get(&format!("{base}/-/awards/{shown_id}/badge.svg"), None).await.status, 404);
    // Nor does the link in its credential tell a stranger it exists; nor for
    // the private group's award; a public one is valid there.
    for hidden in [shown_id.clone(), hidden_group_award["id"].clone()] {
        let record = get(&format!("{base}/-/verify?award={hidden}"), None).await;
        assert!(record.body.contains("No credential was found") && !record.body.contains("data-verdict"), "{hidden}");
    }
    let public_award = held
        .as_array()
        .expect("awards")
        .iter()
        .find(|a| a["id"] != shown_id && a["achievement"]["name"] != json!("Classified work"));
    let record = get(&format!("{base}/-/verify?award={}", public_award.expect("another")["id"]), None).await;
    assert!(record.body.contains("data-verdict=\"valid\""), "{}", record.body);

    // The card: the only answer that other sites may frame.
    let card = get(&format!("{base}/-/embed/carol"), None).await;
    assert_eq!(card.status, 200);
    assert!(header(&card, "content-type").starts_with("text/html"));
    assert!(card.headers.get("x-frame-options").is_none(), "framable");
    let policy = header(&card, "content-security-policy");
    assert!(policy.contains("frame-ancestors *") && policy.contains("default-src 'none'"), "{policy}");
    assert!(!policy.contains("script-src"), "runs no script: {policy}");
    let last = public.iter().rfind(|n| **n != single).expect("another");
    assert!(card.body.contains(last.as_str()) && !card.body.contains("Classified"), "{}", card.body);
    for page in ["/carol", "/carol/achievements.svg", "/", "/-/verify", "/api/v4/version"] {
        let got = get(&format!("{base}{page}"), None).await;
        assert_eq!(header(&got, "x-frame-options"), "DENY", "{page} may not be framed");
    }
    // Script in a name is text, never markup.
    let (status, _) = call(
        base,
        Method::PUT,
        &format!("/users/{}", me["id"]),
        Some(ROOT_TOKEN),
        Some(json!({ "name": "Carol <script>alert(1)</script>" })),
    )
    .await;
    assert_eq!(status, 200);

    // oEmbed: a rich answer framing the card, for the profile's link.
    let url = |u: &str| form_urlencoded::byte_serialize(u.as_bytes()).collect::<String>();
    let oembed = get(&format!("{base}/-/oembed?url={}", url(&format!("{base}/carol"))), None).await;
    assert_eq!(oembed.status, 200, "{}", oembed.body);
    assert_eq!(header(&oembed, "content-type"), "application/json");
    let answer: Value = serde_json::from_str(&oembed.body).expect("json");
    assert_eq!((&answer["version"], &answer["type"]), (&json!("1.0"), &json!("rich")));
    assert_eq!(answer["author_url"], format!("{base}/carol"));
    assert_eq!(answer["author_name"], "Carol <script>alert(1)</script>", "a JSON string, escaped where it is markup");
    let html = answer["html"].as_str().expect("html");
    assert!(html.starts_with("<iframe src=\"") && html.contains(&format!("{base}/-/embed/carol")), "{html}");
    assert!(!html.contains("<script"), "{html}");
    // What people typed (an achievement's name, shown in the badge and the
    // card) is text there, never markup.
    let (status, marked) = call(
        base,
        Method::POST,
        "/groups/heroes/achievements",
        Some(ROOT_TOKEN),
        Some(json!({ "name": "<b>Bold & brave</b>" })),
    )
    .await;
    assert_eq!(status, 201, "{marked}");
    let awards = format!("/groups/heroes/achievements/{}/awards", marked["id"]);
    assert_eq!(call(base, Method::POST, &awards, Some(ROOT_TOKEN), Some(json!({ "username": "carol" }))).await.0, 201);
    for page in ["/-/embed/carol", "/carol/achievements.svg"] {
        let got = get(&format!("{base}{page}"), None).await;
        assert!(
            got.body.contains("&lt;b&gt;Bold &amp; brave&lt;/b&gt;") && !got.body.contains("<b>"),
            "{page}: {}",
            got.body
        );
    }
    let small = get(&format!("{base}/-/oembed?url={}&maxwidth=200", url(&format!("{base}/carol"))), None).await;
    assert_eq!(serde_json::from_str::<Value>(&small.body).expect("json")["width"], 200);
    assert_eq!(
        get(&format!("{base}/-/oembed?url={}&format=xml", url(&format!("{base}/carol"))), None).await.status,
        501
    );
    // Never larger than the consumer's maximum, however small (a profile
    // with nothing to show yet is the smallest card).
    let (status, _) = call(
        base,
        Method::POST,
        "/users",
        Some(ROOT_TOKEN),
        Some(
            json!({ "username": "newbie", "name": "New", "email": "newbie@example.com", "password": "long-enough-1" }),
        ),
    )
    .await;
    assert_eq!(status, 201);
    for (query, width, height) in
        [("maxheight=200", 400, 96), ("maxheight=50&maxwidth=30", 30, 50), ("maxheight=junk", 400, 96)]
    {
        let got = get(&format!("{base}/-/oembed?url={}&{query}", url(&format!("{base}/newbie"))), None).await;
        assert_eq!(got.status, 200, "{query}: {}", got.body);
        let answer: Value = serde_json::from_str(&got.body).expect("json");
        assert_eq!((answer["width"].as_u64(), answer["height"].as_u64()), (Some(width), Some(height)), "{query}");
    }
    assert_eq!(get(&format!("{base}/-/oembed?url={}", url("https://elsewhere.example/carol")), None).await.status, 404);
    assert_eq!(get(&format!("{base}/-/oembed?url={}", url(&format!("{base}/heroes/website"))), None).await.status, 404);
    assert_eq!(get(&format!("{base}/-/oembed"), None).await.status, 400);
    // The profile page says where its oEmbed is.
    let page = get(&format!("{base}/carol"), None).await;
    assert!(page.body.contains("application/json+oembed"), "discovery link");

    // A private profile has no embeds at all; neither does an unknown one.
    let (_, dave) = call(base, Method::GET, "/users?username=dave", Some(ROOT_TOKEN), None).await;
    let dave_id = dave[0]["id"].clone();
    let before = get(&format!("{base}/dave/achievements.svg"), None).await;
    assert_eq!(before.status, 200);
    let (status, _) = call(
        base,
        Method::PUT,
        &format!("/users/{dave_id}"),
        Some(ROOT_TOKEN),
        Some(json!({ "private_profile": true })),
    )
    .await;
    assert_eq!(status, 200);
    for path in ["/dave/achievements.svg", "/dave/achievements.svg?layout=count", "/-/embed/dave"] {
        assert_eq!(get(&format!("{base}{path}"), None).await.status, 404, "{path}");
    }
    assert_eq!(get(&format!("{base}/-/oembed?url={}", url(&format!("{base}/dave"))), None).await.status, 404);
    assert_eq!(get(&format!("{base}/nobody-here/achievements.svg"), None).await.status, 404);
    // Achievements not displayed: the same.
    let (status, _) = call(
        base,
        Method::PUT,
        &format!("/users/{}", me["id"]),
        Some(ROOT_TOKEN),
        Some(json!({ "achievements_enabled": false })),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(get(&format!("{base}/carol/achievements.svg"), None).await.status, 404);
    assert_eq!(get(&format!("{base}/-/embed/carol"), None).await.status, 404);
}

/// One award's badge and verification read that award alone: one past the
/// first thousand on its holder's profile (beyond which a whole profile is
/// not listed) has them too, and one hidden among them still has none.
async fn an_award_past_a_profiles_first_thousand_has_its_badge(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    // A thousand awards in an hour is past the group's limit.
    common::set_limits(base, json!({ "awards_per_group_per_hour": 0 })).await;
    let made = json!({ "name": "Daily streak" });
    let (status, streak) = call(base, Method::POST, "/groups/heroes/achievements", Some(ROOT_TOKEN), Some(made)).await;
    assert_eq!(status, 201, "{streak}");
    let awards = format!("/groups/heroes/achievements/{}/awards", streak["id"]);
    let award = || call(base, Method::POST, &awards, Some(ROOT_TOKEN), Some(json!({ "username": "carol" })));
    let (status, first) = award().await;
    assert_eq!(status, 201, "{first}");
    // A thousand more of it, as if awarded daily for years.
    common::db::execute(
        &server.database_url(),
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) \
             INSERT INTO user_achievements (achievement_id, user_id, awarded_by_user_id, show_on_profile, \
             accepted_at, created_at, updated_at) SELECT achievement_id, user_id, awarded_by_user_id, \
             show_on_profile, accepted_at, created_at, updated_at FROM user_achievements, n WHERE id = {}",
            first["id"]
        ),
    )
    .await;
    let (status, last) = award().await;
    assert_eq!(status, 201, "{last}");
    let (_, profile) =
        graphql(base, None, "{ user(username: \"carol\") { userAchievements { count } } }", json!({})).await;
    let count = profile["data"]["user"]["userAchievements"]["count"].as_i64().expect("count");
    assert!(count > 1_002, "{profile}");

    let badge = get(&format!("{base}/-/awards/{}/badge.svg", last["id"]), None).await;
    assert!(badge.status == 200 && badge.body.contains("Daily streak"), "{} {}", badge.status, badge.body);
    let record = get(&format!("{base}/-/verify?award={}", last["id"]), None).await;
    assert!(record.body.contains("data-verdict=\"valid\"") && record.body.contains("Daily streak"), "{}", record.body);

    // Hidden by carol, it has neither, as before.
    let carol = token_for(base, "carol").await;
    hide(base, &carol, &last["id"]).await;
    assert_eq!(get(&format!("{base}/-/awards/{}/badge.svg", last["id"]), None).await.status, 404);
    let record = get(&format!("{base}/-/verify?award={}", last["id"]), None).await;
    assert!(record.body.contains("No credential was found"), "{}", record.body);
    // Its neighbour, shown, still has its badge.
    let neighbour = get(&format!("{base}/-/awards/{}/badge.svg", first["id"]), None).await;
    assert_eq!(neighbour.status, 200);
}
