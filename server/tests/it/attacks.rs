//! Attacks from outside, over HTTP against the real binary on both databases:
//! each test tries to get in, or to take something, and checks it failed *and*
//! that nothing changed. Demo data: alice owns the public group `heroes` (bob
//! maintains it, carol develops, dave reports, erin is a guest); frank has a
//! private profile; project 1 is `heroes/website`, its issue 1 has reactions.

use crate::common;

use common::{
    call, client, database, graphql, set_limits, sign_in_cookie, spawn, start, token_for, user_id, Backend, Server,
    Setup, Stage, ROOT_TOKEN,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both!(
    scoped_tokens_do_only_what_their_scope_allows,
    token_lifecycle_follows_gitlab,
    expired_tokens_stop_at_midnight_utc_of_their_date,
    only_admins_edit_users_and_a_new_password_ends_sessions,
    hidden_and_private_awards_stay_out_of_every_listing,
    redirects_never_leave_the_site,
    pages_refuse_as_gitlab_does,
    nul_bytes_and_broken_utf8_are_refused_and_change_nothing,
    every_response_carries_security_headers,
    an_item_with_many_distinct_emoji_still_takes_reactions,
    over_https_the_session_cookie_is_host_only,
    sigterm_with_open_streams_exits_within_ten_seconds,
    graphql_cost_is_bounded_as_gitlab_and_beyond,
    graphql_requests_that_would_stop_the_server_are_refused_at_once,
    nothing_is_more_visible_than_the_group_it_is_in,
    groups_nest_at_most_twenty_deep,
    searches_of_any_length_answer_without_error,
    parameters_of_the_wrong_json_type_are_refused_and_change_nothing,
    a_method_a_route_does_not_take_is_refused_in_json,
    what_people_write_is_bounded_as_gitlab_bounds_it,
    only_owners_make_or_unmake_project_owners,
    an_achievement_description_stays_text_in_its_editor,
    a_sign_in_racing_a_new_password_keeps_no_session,
    connections_page_after_the_visibility_rule,
    malformed_server_function_calls_are_refused_and_the_server_stays_up,
    a_visitor_to_a_crowded_group_costs_a_few_faces_per_achievement,
    a_graphql_query_naming_one_achievement_many_times_loads_it_once,
    a_page_view_loads_its_data_once,
);

// Also on two processes: the stream on one, the change through the other.
on_every_setup!(a_live_stream_ends_when_its_viewer_loses_access);

const NOT_AVAILABLE: &str =
    "The resource that you are attempting to access does not exist or you don't have permission to perform this action";
const INSUFFICIENT: &str = "The request requires higher privileges than provided by the access token.";

/// A token for `username` with exactly these scopes, made by the admin.
async fn token_with(base: &str, username: &str, scopes: &[&str]) -> (i64, String) {
    let id = user_id(base, username).await;
    let (status, created) = call(
        base,
        Method::POST,
        &format!("/users/{id}/personal_access_tokens"),
        Some(ROOT_TOKEN),
        Some(json!({ "name": format!("{scopes:?}"), "scopes": scopes })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    (created["id"].as_i64().expect("id"), created["token"].as_str().expect("token").to_string())
}

async fn reactions_on_issue_1(base: &str) -> Vec<Value> {
    let (status, list) = call(base, Method::GET, "/projects/1/issues/1/award_emoji?per_page=100", None, None).await;
    assert_eq!(status, 200);
    list.as_array().cloned().unwrap_or_default()
}

/// Whether a session cookie still signs its holder in (the profile editor
/// sends anonymous visitors to sign in).
async fn session_alive(base: &str, cookie: &str) -> bool {
    let response =
        client().get(format!("{base}/-/profile")).header("Cookie", cookie).send().await.expect("profile editor");
    response.status() == StatusCode::OK
}

async fn scoped_tokens_do_only_what_their_scope_allows(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (_, read_api) = token_with(base, "carol", &["read_api"]).await;
    let (_, read_user) = token_with(base, "carol", &["read_user"]).await;
    let before = reactions_on_issue_1(base).await;

    // read_api reads everything, writes nothing.
    assert_eq!(call(base, Method::GET, "/projects/1/issues/1/award_emoji", Some(&read_api), None).await.0, 200);
    let (status, body) =
        call(base, Method::POST, "/projects/1/issues/1/award_emoji", Some(&read_api), Some(json!({ "name": "tada" })))
            .await;
    assert_eq!(status, 403);
    assert_eq!(body, json!({ "error": "insufficient_scope", "error_description": INSUFFICIENT, "scope": "api" }));
    // Nor does it reset its owner's password (an account takeover with a read-only token).
    let carol = user_id(base, "carol").await;
    let (status, body) = call(
        base,
        Method::PUT,
        &format!("/users/{carol}"),
        Some(&read_api),
        Some(json!({ "password": "taken-over-1234" })),
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (403, Some("insufficient_scope")));
    assert!(sign_in_cookie(base, "carol", "taken-over-1234").await.is_none());
    assert!(sign_in_cookie(base, "carol", "laurel-demo").await.is_some());
    // GraphQL: queries run, mutations are refused like unauthorized ones.
    let (status, body) = graphql(base, Some(&read_api), "{ currentUser { username } }", json!({})).await;
    assert_eq!((status, body["data"]["currentUser"]["username"].as_str()), (200, Some("carol")));
    let (status, body) = graphql(
        base,
        Some(&read_api),
        r#"mutation { awardEmojiAdd(input: { awardableId: "gid://gitlab/Issue/1", name: "tada" }) { errors } }"#,
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["errors"][0]["message"], NOT_AVAILABLE, "{body}");
    assert!(body["data"].is_null() || body["data"]["awardEmojiAdd"].is_null(), "{body}");
    // A token never acts through the pages' server functions (sessions only).
    let response = client()
        .post(format!("{base}/-/sfn/toggle_reaction"))
        .header("PRIVATE-TOKEN", &read_api)
        .form(&[("kind", "Issue"), ("id", "1"), ("name", "tada")])
        .send()
        .await
        .expect("toggle");
    assert!(response.status().as_u16() < 500);
    assert!(!response.status().is_success(), "a token is not a session: {}", response.status());

    // read_user: /user and /users only.
    assert_eq!(call(base, Method::GET, "/user", Some(&read_user), None).await.0, 200);
    // Without credentials, /user and /version are GitLab's 401 (the SignedIn extractor).
    for path in ["/user", "/version"] {
        assert_eq!(call(base, Method::GET, path, None, None).await, (401, json!({ "message": "401 Unauthorized" })));
    }
    assert_eq!(call(base, Method::GET, &format!("/users/{carol}"), Some(&read_user), None).await.0, 200);
    let (status, body) = call(base, Method::GET, "/projects/1/issues", Some(&read_user), None).await;
    assert_eq!(status, 403);
    assert_eq!(body["scope"], "api read_api");
    let (status, body) = graphql(base, Some(&read_user), "{ currentUser { username } }", json!({})).await;
    assert_eq!((status, body), (401, json!({ "errors": [{ "message": "Invalid token" }] })));
    // The live channel needs a read scope too.
    let live = client().get(format!("{base}/-/live/Issue/1")).header("PRIVATE-TOKEN", &read_user).send().await;
    assert_eq!(live.expect("live").status(), 403);
    // A bad token is refused in the live channel's own dialect (plain text, what
    // an EventSource sees), not in REST's JSON.
    let bad = client().get(format!("{base}/-/live/Issue/1")).header("PRIVATE-TOKEN", "no-such-token").send().await;
    let bad = bad.expect("live");
    assert_eq!(bad.status(), 401);
    assert_eq!(bad.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(bad.text().await.expect("body"), "401 Unauthorized");
    // A made-up token is GraphQL's 401 as well, never anonymous access.
    let (status, _) = graphql(base, Some("glpat-made-up-token-value"), "{ currentUser { username } }", json!({})).await;
    assert_eq!(status, 401);

    assert_eq!(reactions_on_issue_1(base).await, before, "the refused writes changed nothing");
}

async fn token_lifecycle_follows_gitlab(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (id, token) = token_with(base, "carol", &["read_api"]).await;
    let (_, dave_token) = token_with(base, "dave", &["api"]).await;

    // Any scope may look at itself, in GitLab's field order.
    let response = client()
        .get(format!("{base}/api/v4/personal_access_tokens/self"))
        .header("PRIVATE-TOKEN", &token)
        .send()
        .await
        .expect("self");
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("body");
    let keys = [
        "\"id\"",
        "\"name\"",
        "\"revoked\"",
        "\"created_at\"",
        "\"description\"",
        "\"scopes\"",
        "\"user_id\"",
        "\"last_used_at\"",
        "\"active\"",
        "\"expires_at\"",
    ];
    let positions: Vec<usize> = keys.iter().map(|k| text.find(k).expect(k)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "field order: {text}");
    let me: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        (me["id"].as_i64(), me["active"].as_bool(), me["scopes"].clone()),
        (Some(id), Some(true), json!(["read_api"]))
    );

    // Someone else's token: GitLab's 401 to read it, 404 to revoke it, and it keeps working.
    let path = format!("/personal_access_tokens/{id}");
    assert_eq!(call(base, Method::GET, &path, Some(&dave_token), None).await.0, 401);
    assert_eq!(
        call(base, Method::DELETE, &path, Some(&dave_token), None).await,
        (404, json!({ "message": "404 Not found" }))
    );
    assert_eq!(call(base, Method::GET, "/user", Some(&token), None).await.0, 200);
    // Listing shows one's own tokens only.
    let (dave, carol) = (user_id(base, "dave").await, user_id(base, "carol").await);
    let (_, listed) = call(base, Method::GET, "/personal_access_tokens", Some(&dave_token), None).await;
    let listed = listed.as_array().cloned().expect("list");
    assert!(!listed.is_empty() && listed.iter().all(|t| t["user_id"] == dave), "{listed:?}");
    let (_, listed) =
        call(base, Method::GET, &format!("/personal_access_tokens?user_id={carol}"), Some(&dave_token), None).await;
    assert!(listed.as_array().expect("list").iter().all(|t| t["user_id"] == dave), "user_id is for admins");
    let path_all = format!("/personal_access_tokens?user_id={carol}&state=active");
    let (_, all) = call(base, Method::GET, &path_all, Some(ROOT_TOKEN), None).await;
    assert!(all.as_array().expect("list").iter().any(|t| t["id"] == id));
    assert_eq!(call(base, Method::DELETE, "/personal_access_tokens/999999", Some(ROOT_TOKEN), None).await.0, 404);

    // Rotation: 200, the same name and scopes, the old token revoked.
    let (status, rotated) = call(base, Method::POST, &format!("{path}/rotate"), Some(ROOT_TOKEN), None).await;
    assert_eq!(status, 200, "{rotated}");
    let new = rotated["token"].as_str().expect("new token").to_string();
    assert_eq!((rotated["scopes"].clone(), rotated["name"].clone()), (me["scopes"].clone(), me["name"].clone()));
    assert!(rotated["expires_at"].is_string(), "a rotated token expires: {rotated}");
    let old = client().get(format!("{base}/api/v4/user")).header("PRIVATE-TOKEN", &token).send().await.expect("old");
    assert_eq!(old.status(), 401);
    assert!(old.headers()["www-authenticate"].to_str().unwrap_or_default().contains("error=\"invalid_token\""));
    let body: Value = old.json().await.expect("json");
    assert_eq!(
        body,
        json!({ "error": "invalid_token", "error_description": "Token was revoked. You have to re-authorize from the user." })
    );
    let (status, body) = call(base, Method::POST, &format!("{path}/rotate"), Some(ROOT_TOKEN), None).await;
    assert_eq!((status, body), (400, json!({ "message": "400 Bad request - Token already revoked" })));
    assert_eq!(call(base, Method::GET, "/user", Some(&new), None).await.0, 200);

    // A token revokes itself, whatever its scope; then it is dead.
    let revoke = client()
        .delete(format!("{base}/api/v4/personal_access_tokens/self"))
        .header("PRIVATE-TOKEN", &new)
        .send()
        .await
        .expect("revoke self");
    assert_eq!(revoke.status(), 204);
    assert_eq!(call(base, Method::GET, "/user", Some(&new), None).await.0, 401);
}

/// Opens the server's database directly, to move a token's date into the past.
async fn set_token_expiry(url: &str, backend: Backend, token_id: i64, date: chrono::NaiveDate) {
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(url).await.expect("sqlite");
            sqlx::query("UPDATE personal_access_tokens SET expires_at = $1 WHERE id = $2")
                .bind(date)
                .bind(token_id)
                .execute(&pool)
                .await
                .expect("update");
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(url).await.expect("postgres");
            sqlx::query("UPDATE personal_access_tokens SET expires_at = $1 WHERE id = $2")
                .bind(date)
                .bind(token_id)
                .execute(&pool)
                .await
                .expect("update");
        }
    }
}

async fn expired_tokens_stop_at_midnight_utc_of_their_date(backend: Backend) {
    let db = database(backend).await;
    let (url, dir) = (db.url.clone(), db.dir().to_path_buf());
    let server: Server = spawn(&url, &dir, &[("DEMO_DATA", "1")]);
    let base = &server.base;
    let today = chrono::Utc::now().date_naive();
    let (today_id, today_token) = token_with(base, "carol", &["api"]).await;
    let (tomorrow_id, tomorrow_token) = token_with(base, "carol", &["api"]).await;
    set_token_expiry(&url, backend, today_id, today).await;
    set_token_expiry(&url, backend, tomorrow_id, today + chrono::Duration::days(1)).await;
    let expired = client().get(format!("{base}/api/v4/user")).header("PRIVATE-TOKEN", &today_token).send().await;
    let expired = expired.expect("expired");
    assert_eq!(expired.status(), 401);
    assert!(expired.headers().contains_key("www-authenticate"));
    let body: Value = expired.json().await.expect("json");
    assert_eq!(body["error_description"], "Token is expired. You can either do re-authorization or token refresh.");
    assert_eq!(call(base, Method::GET, "/user", Some(&tomorrow_token), None).await.0, 200);
    let (_, listed) =
        call(base, Method::GET, "/personal_access_tokens?state=inactive", Some(&tomorrow_token), None).await;
    assert_eq!(
        listed.as_array().map(|l| l.iter().map(|t| t["id"].clone()).collect::<Vec<_>>()),
        Some(vec![json!(today_id)])
    );
    // A token cannot be made already expired.
    let carol = user_id(base, "carol").await;
    let (status, _) = call(
        base,
        Method::POST,
        &format!("/users/{carol}/personal_access_tokens"),
        Some(ROOT_TOKEN),
        Some(json!({ "name": "past", "scopes": ["api"], "expires_at": today.to_string() })),
    )
    .await;
    assert_eq!(status, 400);
}

async fn only_admins_edit_users_and_a_new_password_ends_sessions(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (_, carol_api) = token_with(base, "carol", &["api"]).await;
    let carol = user_id(base, "carol").await;
    let dave = user_id(base, "dave").await;
    // Not even for themselves: GitLab keeps PUT /users/:id for admins.
    for target in [carol, dave] {
        let (status, body) = call(
            base,
            Method::PUT,
            &format!("/users/{target}"),
            Some(&carol_api),
            Some(json!({ "password": "taken-over-1234", "name": "Mallory" })),
        )
        .await;
        assert_eq!((status, body), (403, json!({ "message": "403 Forbidden" })));
    }
    let (_, me) = call(base, Method::GET, "/user", Some(&carol_api), None).await;
    assert_ne!(me["name"], "Mallory");
    assert!(sign_in_cookie(base, "dave", "taken-over-1234").await.is_none());

    // The admin resets a password: every session of that user ends.
    let session = sign_in_cookie(base, "carol", "laurel-demo").await.expect("carol signs in");
    assert!(session_alive(base, &session).await);
    let (status, _) = call(
        base,
        Method::PUT,
        &format!("/users/{carol}"),
        Some(ROOT_TOKEN),
        Some(json!({ "password": "a-brand-new-password" })),
    )
    .await;
    assert_eq!(status, 200);
    assert!(!session_alive(base, &session).await, "the old session ended");
    assert!(sign_in_cookie(base, "carol", "laurel-demo").await.is_none());
    assert!(sign_in_cookie(base, "carol", "a-brand-new-password").await.is_some());
}

/// The names of those the group page lists under an achievement found by name.
async fn group_page_holders(base: &str, cookie: Option<&str>, name: &str) -> String {
    let mut request = client().get(format!("{base}/groups/heroes/-/achievements?search={}", name.replace(' ', "+")));
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    let response = request.send().await.expect("group page");
    assert_eq!(response.status(), 200);
    response.text().await.expect("html")
}

/// Awards an achievement (a GraphQL global id) to a user by id; the award's id.
async fn award(base: &str, token: &str, achievement: &str, user: i64) -> String {
    let (_, body) = graphql(
        base,
        Some(token),
        "mutation($a: AchievementsAchievementID!, $u: UserID!) { achievementsAward(input: { achievementId: $a, userId: $u }) { userAchievement { id } errors } }",
        json!({ "a": achievement, "u": format!("gid://gitlab/User/{user}") }),
    )
    .await;
    body["data"]["achievementsAward"]["userAchievement"]["id"].as_str().expect("award").to_string()
}

/// Pages of a connection are cut by the database after the visibility rule:
/// following `endCursor` yields every listed node once, `count` and
/// `hasNextPage` agree, `last` takes the end, and a hidden award never takes
/// a place on a page.
async fn connections_page_after_the_visibility_rule(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (_, alice) = token_with(base, "alice", &["api"]).await;
    let (_, erin) = token_with(base, "erin", &["api"]).await;
    let (_, group) = graphql(base, Some(&alice), r#"{ group(fullPath: "heroes") { id } }"#, json!({})).await;
    let group_id = group["data"]["group"]["id"].as_str().expect("group id").to_string();
    let (_, made) = graphql(
        base,
        Some(&alice),
        "mutation($g: NamespaceID!) { achievementsCreate(input: { namespaceId: $g, name: \"Paged\" }) { achievement { id } errors } }",
        json!({ "g": group_id }),
    )
    .await;
    let achievement = made["data"]["achievementsCreate"]["achievement"]["id"].as_str().expect("id").to_string();
    // Seven public holders, two awards each; erin hides one of hers; frank is private.
    let mut erin_awards = Vec::new();
    for name in ["bob", "carol", "dave", "erin", "frank", "grace", "alice", "root"] {
        let user = user_id(base, name).await;
        for _ in 0..2 {
            let id = award(base, &alice, &achievement, user).await;
            if name == "erin" {
                erin_awards.push(id);
            }
        }
    }
    let (_, hidden) = graphql(
        base,
        Some(&erin),
        "mutation($id: AchievementsUserAchievementID!) { userAchievementsUpdate(input: { userAchievementId: $id, showOnProfile: false }) { errors } }",
        json!({ "id": erin_awards[0] }),
    )
    .await;
    assert_eq!(hidden["data"]["userAchievementsUpdate"]["errors"], json!([]));

    let query = "query($a: [AchievementsAchievementID!], $after: String, $last: Int) { group(fullPath: \"heroes\") { achievements(ids: $a) { nodes { userAchievements(first: 3, after: $after) { count pageInfo { hasNextPage endCursor } nodes { id user { username } } } uniqueUsers(last: $last) { count nodes { username } } } } } }";
    let (mut after, mut seen, mut pages) = (Value::Null, Vec::new(), 0);
    loop {
        let (status, body) = graphql(base, None, query, json!({ "a": [achievement], "after": after, "last": 2 })).await;
        assert_eq!(status, 200, "{body}");
        let node = &body["data"]["group"]["achievements"]["nodes"][0];
        let page = &node["userAchievements"];
        assert_eq!(page["count"], 13, "7 public holders x 2, less erin's hidden one: {body}");
        let nodes = page["nodes"].as_array().expect("nodes");
        assert!(nodes.len() <= 3, "a page holds what `first` asks");
        seen.extend(nodes.iter().map(|n| (n["id"].clone(), n["user"]["username"].clone())));
        assert_eq!(node["uniqueUsers"]["count"], 7, "{body}");
        assert_eq!(node["uniqueUsers"]["nodes"], json!([{ "username": "erin" }, { "username": "grace" }]), "by id");
        pages += 1;
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
        assert!(pages < 10, "paging ends");
    }
    assert_eq!(pages, 5, "13 awards in pages of 3");
    let mut ids: Vec<String> = seen.iter().map(|(id, _)| id.to_string()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 13, "every listed award once");
    assert!(seen.iter().all(|(_, who)| who != "frank"), "the private holder takes no place");
    assert_eq!(seen.iter().filter(|(_, who)| *who == "erin").count(), 1, "only erin's shown award");
    let (_, bad) = graphql(base, None, query, json!({ "a": [achievement], "after": "o:x", "last": 2 })).await;
    assert_eq!(bad["errors"][0]["message"], "Invalid cursor: o:x", "{bad}");
}

async fn hidden_and_private_awards_stay_out_of_every_listing(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (_, alice) = token_with(base, "alice", &["api"]).await;
    let (_, bob) = token_with(base, "bob", &["api"]).await;
    let (_, erin) = token_with(base, "erin", &["api"]).await;
    let (_, dave) = token_with(base, "dave", &["api"]).await;
    let (_, group) = graphql(base, Some(&alice), r#"{ group(fullPath: "heroes") { id } }"#, json!({})).await;
    let group_id = group["data"]["group"]["id"].as_str().expect("group id").to_string();
    let (_, made) = graphql(
        base,
        Some(&alice),
        "mutation($g: NamespaceID!) { achievementsCreate(input: { namespaceId: $g, name: \"Quiet helper\" }) { achievement { id } errors } }",
        json!({ "g": group_id }),
    )
    .await;
    let achievement = made["data"]["achievementsCreate"]["achievement"]["id"].as_str().expect("id").to_string();
    let award_to = |user: i64| award(base, &alice, &achievement, user);
    // erin hides her award; frank (private profile) keeps his shown.
    let erin_award = award_to(user_id(base, "erin").await).await;
    award_to(user_id(base, "frank").await).await;
    let (_, hidden) = graphql(
        base,
        Some(&erin),
        "mutation($id: AchievementsUserAchievementID!) { userAchievementsUpdate(input: { userAchievementId: $id, showOnProfile: false }) { errors } }",
        json!({ "id": erin_award }),
    )
    .await;
    assert_eq!(hidden["data"]["userAchievementsUpdate"]["errors"], json!([]));

    let listing = "query($a: AchievementsAchievementID!) { group(fullPath: \"heroes\") { achievements(ids: [$a]) { nodes { userAchievements { count nodes { user { username } } } uniqueUsers { nodes { username } } } } } }";
    let holders = |token: Option<String>| {
        let achievement = achievement.clone();
        async move {
            let (status, body) = graphql(base, token.as_deref(), listing, json!({ "a": achievement })).await;
            assert_eq!(status, 200, "{body}");
            let node = &body["data"]["group"]["achievements"]["nodes"][0];
            let mut awarded: Vec<String> = node["userAchievements"]["nodes"]
                .as_array()
                .expect("awards")
                .iter()
                .map(|n| n["user"]["username"].as_str().unwrap_or("").to_string())
                .collect();
            let mut unique: Vec<String> = node["uniqueUsers"]["nodes"]
                .as_array()
                .expect("users")
                .iter()
                .map(|n| n["username"].as_str().unwrap_or("").to_string())
                .collect();
            awarded.sort();
            unique.sort();
            assert_eq!(awarded, unique, "both listings agree");
            assert_eq!(
                node["userAchievements"]["count"].as_u64(),
                Some(awarded.len() as u64),
                "the count leaks nothing"
            );
            awarded
        }
    };
    let root = Some(ROOT_TOKEN.to_string());
    assert_eq!(holders(None).await, Vec::<String>::new(), "anonymous sees neither");
    assert_eq!(holders(Some(dave.clone())).await, Vec::<String>::new(), "a reporter sees neither");
    assert_eq!(
        holders(Some(bob.clone())).await,
        vec!["erin"],
        "a maintainer sees the hidden one, not the private holder"
    );
    assert_eq!(holders(Some(erin.clone())).await, vec!["erin"], "the recipient sees her own");
    assert_eq!(holders(root).await, vec!["erin", "frank"], "admins see everything");

    // The group page lists the same people.
    let page = group_page_holders(base, None, "Quiet helper").await;
    assert!(page.contains("Quiet helper"), "the achievement itself is listed");
    assert!(!page.contains("href=\"/erin\"") && !page.contains("href=\"/frank\""), "no holder leaks to anonymous");
    let bob_session = sign_in_cookie(base, "bob", "laurel-demo").await.expect("bob");
    let page = group_page_holders(base, Some(&bob_session), "Quiet helper").await;
    assert!(page.contains("href=\"/erin\"") && !page.contains("href=\"/frank\""), "maintainer: erin, not frank");
}

async fn redirects_never_leave_the_site(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let tries = [
        "//evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "https://evil.example/",
        "/%09/evil.example",
        "/\u{7}bell",
        "/\r\nSet-Cookie: x=1",
        "javascript:alert(1)",
    ];
    set_limits(base, json!({ "throttle_protected_paths_requests_per_period": 0 })).await;
    for next in tries {
        for (login, password) in [("root", "root-password"), ("root", "wrong")] {
            let response = client()
                .post(format!("{base}/-/sfn/sign_in"))
                .header("Accept", "text/html")
                .form(&[("login", login), ("password", password), ("next", next)])
                .send()
                .await
                .expect("the server answers (no dropped connection)");
            assert_eq!(response.status(), 302, "{next:?}");
            let location = response.headers()["location"].to_str().expect("header").to_string();
            assert!(location.starts_with('/') && !location.starts_with("//"), "{next:?} -> {location}");
            assert!(!location.contains(['\t', '\n', '\r', '\\']), "{next:?} -> {location:?}");
            // Where a browser would really go: still this server.
            let here = reqwest::Url::parse(base).expect("base");
            let target = here.join(&location).expect("location");
            assert_eq!(target.origin(), here.origin(), "{next:?} -> {location}");
        }
    }
    // The language switcher, another `next`.
    let response = client()
        .post(format!("{base}/-/sfn/set_language"))
        .header("Accept", "text/html")
        .form(&[("lang", "ko"), ("next", "/\t/evil.example")])
        .send()
        .await
        .expect("language");
    assert_eq!(response.headers()["location"], "/");
}

async fn pages_refuse_as_gitlab_does(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let alice = sign_in_cookie(base, "alice", "laurel-demo").await.expect("alice");
    let root = sign_in_cookie(base, "root", "root-password").await.expect("root");
    for (cookie, want) in [(None, 404), (Some(&alice), 404), (Some(&root), 200)] {
        let mut request = client().get(format!("{base}/admin"));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie.as_str());
        }
        let response = request.send().await.expect("admin");
        assert_eq!(response.status().as_u16(), want, "/admin for {cookie:?}");
        let html = response.text().await.expect("html");
        assert_eq!(html.contains("class=\"counters\""), want == 200, "no dashboard in a refusal");
    }
    let response = client().get(format!("{base}/-/profile")).send().await.expect("profile");
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/users/sign_in?next=/-/profile");
    assert!(session_alive(base, &alice).await);
}

async fn nul_bytes_and_broken_utf8_are_refused_and_change_nothing(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (_, token) = token_with(base, "carol", &["api"]).await;
    let issues = || async {
        let (_, list) = call(base, Method::GET, "/projects/1/issues?per_page=100", Some(ROOT_TOKEN), None).await;
        list.as_array().map(Vec::len).unwrap_or(0)
    };
    let before = issues().await;
    let expect_400 = |response: reqwest::Response| async move {
        assert_eq!(response.status(), 400, "{:?}", response.url().path());
        assert_eq!(response.text().await.expect("body"), "Bad Request");
    };
    let http = client();
    let url = format!("{base}/api/v4/projects/1/issues");
    // A new issue, with this content type and body.
    let post = |content_type: &'static str, body: Vec<u8>| {
        http.post(&url).header("PRIVATE-TOKEN", &token).header("Content-Type", content_type).body(body).send()
    };
    let json_body = |value: Value| serde_json::to_vec(&value).expect("json");
    const FORM: &str = "application/x-www-form-urlencoded";
    // JSON bodies (nested too), form bodies, broken UTF-8; then the query string and the path.
    let bodies: [(&str, &str, Vec<u8>); 5] = [
        ("json", "application/json", json_body(json!({ "title": "a\u{0}b" }))),
        ("nested", "application/json", json_body(json!({ "title": "ok", "labels": ["x", { "deep": "\u{0}" }] }))),
        ("form", FORM, b"title=a%00b".to_vec()),
        ("form utf-8", FORM, b"title=%FF%FE".to_vec()),
        ("raw utf-8", "application/json", b"{\"title\":\"\xff\"}".to_vec()),
    ];
    for (what, content_type, body) in bodies {
        expect_400(post(content_type, body).await.expect(what)).await;
    }
    expect_400(http.get(format!("{url}?search=%00")).send().await.expect("query")).await;
    expect_400(http.get(format!("{base}/api/v4/projects/heroes%2Fweb%00site")).send().await.expect("path")).await;
    // GraphQL variables.
    let response = http
        .post(format!("{base}/api/graphql"))
        .bearer_auth(&token)
        .json(&json!({
            "query": "mutation($n: String!) { awardEmojiAdd(input: { awardableId: \"gid://gitlab/Issue/1\", name: $n }) { errors } }",
            "variables": { "n": "tada\u{0}" },
        }))
        .send()
        .await
        .expect("graphql");
    expect_400(response).await;
    // Server functions (the pages' forms).
    let response = http
        .post(format!("{base}/-/sfn/sign_in"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("login=root%00&password=x")
        .send()
        .await
        .expect("sfn");
    expect_400(response).await;
    assert_eq!(issues().await, before, "nothing was created");
    // A one-line field with another control character is a validation message, not a 500.
    let (status, body) =
        call(base, Method::POST, "/projects/1/issues", Some(&token), Some(json!({ "title": "bell \u{7} rings" })))
            .await;
    assert_eq!((status, body), (400, json!({ "message": ["Title can't contain control characters"] })));
    assert_eq!(issues().await, before, "nothing was created");
}

async fn every_response_carries_security_headers(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let page = client().get(format!("{base}/")).send().await.expect("home");
    let headers = page.headers().clone();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers.contains_key("referrer-policy"));
    let csp = headers["content-security-policy"].to_str().expect("csp").to_string();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce").to_string();
    let html = page.text().await.expect("html");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries this response's nonce");
    // Each page gets a fresh nonce.
    let again = client().get(format!("{base}/")).send().await.expect("home");
    assert!(!again.headers()["content-security-policy"].to_str().unwrap_or_default().contains(&nonce));
    // The API runs nothing and is never framed.
    let api = client().get(format!("{base}/api/v4/projects")).send().await.expect("api");
    let csp = api.headers()["content-security-policy"].to_str().unwrap_or_default().to_string();
    assert!(csp.contains("default-src 'none'") && csp.contains("sandbox"), "{csp}");
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
    // Every response names its request, for the logs: one made here, or the
    // id a proxy in front set.
    let first = api.headers()["x-request-id"].to_str().expect("a request id").to_string();
    let second = client().get(format!("{base}/api/v4/projects")).send().await.expect("api");
    assert_ne!(second.headers()["x-request-id"].to_str().unwrap_or_default(), first);
    let given = client().get(format!("{base}/-/health")).header("x-request-id", "proxy-42").send().await;
    assert_eq!(given.expect("health").headers()["x-request-id"], "proxy-42");
}

async fn an_item_with_many_distinct_emoji_still_takes_reactions(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (_, token) = token_with(base, "carol", &["api"]).await;
    set_limits(base, json!({ "reactions_per_user_per_minute": 0 })).await;
    // More distinct emoji than a tally-carrying NOTIFY payload (8,000 bytes) can hold.
    let names: Vec<&str> = emojis::iter().filter_map(|e| e.shortcode()).take(200).collect();
    let mut added = 0;
    for name in &names {
        let (status, body) =
            call(base, Method::POST, "/projects/1/issues/2/award_emoji", Some(&token), Some(json!({ "name": name })))
                .await;
        assert!(status < 500, "{name}: {status} {body}");
        if status == 201 {
            added += 1;
        }
    }
    assert!(added >= 180, "added {added}");
    let (_, list) = call(base, Method::GET, "/projects/1/issues/2/award_emoji?per_page=100&page=2", None, None).await;
    assert!(!list.as_array().expect("list").is_empty());
}

async fn a_live_stream_ends_when_its_viewer_loses_access(setup: Setup) {
    use futures::StreamExt;
    let stage = Stage::start(setup, &[("DEMO_DATA", "1")]).await;
    let (base, writers) = (stage.viewers(), stage.writers());
    // frank develops in the private group secret-lab; issue 4 is in its project.
    let (_, frank) = token_with(writers, "frank", &["read_api"]).await;
    let (_, alice) = token_with(writers, "alice", &["api"]).await;
    // Alice stays on the page all along, so its topic (and what it keeps of
    // who may watch) outlives frank's stream.
    let staying = client().get(format!("{base}/-/live/Issue/4")).header("PRIVATE-TOKEN", &alice).send().await;
    let staying = staying.expect("live");
    assert_eq!(staying.status(), 200);
    let live = client().get(format!("{base}/-/live/Issue/4")).header("PRIVATE-TOKEN", &frank).send().await;
    let live = live.expect("live");
    assert_eq!(live.status(), 200);
    let mut stream = live.bytes_stream();
    let mut seen = String::new();
    while !seen.contains("event: snapshot") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), stream.next()).await;
        seen.push_str(&String::from_utf8_lossy(&chunk.expect("snapshot in time").expect("open").expect("bytes")));
    }
    let frank_id = user_id(writers, "frank").await;
    let (status, _) =
        call(writers, Method::DELETE, &format!("/groups/secret-lab/members/{frank_id}"), Some(&alice), None).await;
    assert_eq!(status, 204);
    // A reaction after the removal must not reach him; the stream ends instead.
    let (status, _) =
        call(writers, Method::POST, "/projects/2/issues/1/award_emoji", Some(&alice), Some(json!({ "name": "lock" })))
            .await;
    assert!(status == 201 || status == 404, "{status}");
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        let mut after = String::new();
        while let Some(Ok(chunk)) = stream.next().await {
            after.push_str(&String::from_utf8_lossy(&chunk));
        }
        after
    })
    .await
    .expect("the stream ended within 10 s");
    assert!(!ended.contains("event: reaction"), "nothing after the removal: {ended}");
    // And it cannot be opened again.
    let again = client().get(format!("{base}/-/live/Issue/4")).header("PRIVATE-TOKEN", &frank).send().await;
    assert_eq!(again.expect("live").status(), 404);

    // Back in the group, he opens the page and leaves it; the page keeps
    // what he may watch, for the next stream he opens. Removed again, a
    // stream he opens a moment later is refused, not let in on that.
    let member = json!({ "user_id": frank_id, "access_level": 30 });
    let (status, _) = call(writers, Method::POST, "/groups/secret-lab/members", Some(&alice), Some(member)).await;
    assert_eq!(status, 201);
    let visit = client().get(format!("{base}/-/live/Issue/4")).header("PRIVATE-TOKEN", &frank).send().await;
    let mut visit = visit.expect("live").bytes_stream();
    let mut seen = String::new();
    while !seen.contains("event: snapshot") {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), visit.next()).await;
        seen.push_str(&String::from_utf8_lossy(&chunk.expect("snapshot in time").expect("open").expect("bytes")));
    }
    drop(visit);
    let (status, _) =
        call(writers, Method::DELETE, &format!("/groups/secret-lab/members/{frank_id}"), Some(&alice), None).await;
    assert_eq!(status, 204);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let again = client().get(format!("{base}/-/live/Issue/4")).header("PRIVATE-TOKEN", &frank).send().await;
    assert_eq!(again.expect("live").status(), 404, "refused within the 5 s a page reuses what it read");
    drop(staying);
}

async fn over_https_the_session_cookie_is_host_only(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1"), ("EXTERNAL_URL", "https://laurel.test")]).await;
    let base = &server.base;
    let response = client()
        .post(format!("{base}/-/sfn/sign_in"))
        .header("Accept", "text/html")
        .form(&[("login", "alice"), ("password", "laurel-demo"), ("next", "/")])
        .send()
        .await
        .expect("sign in");
    let set = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("__Host-laurel_session="))
        .expect("a __Host- cookie")
        .to_string();
    assert!(set.contains("; Secure") && set.contains("Path=/") && !set.contains("Domain"), "{set}");
    let value = set.split(';').next().and_then(|c| c.split_once('=')).map(|(_, v)| v.to_string()).expect("value");
    assert!(session_alive(base, &format!("__Host-laurel_session={value}")).await);
    // The unprefixed name (which a subdomain could set) is not read at all.
    assert!(!session_alive(base, &format!("laurel_session={value}")).await);
}

async fn sigterm_with_open_streams_exits_within_ten_seconds(backend: Backend) {
    use futures::StreamExt;
    let mut server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = server.base.clone();
    let mut streams = Vec::new();
    for _ in 0..3 {
        let live = client().get(format!("{base}/-/live/Issue/1")).send().await.expect("live");
        assert_eq!(live.status(), 200);
        let mut stream = live.bytes_stream();
        let first = tokio::time::timeout(std::time::Duration::from_secs(10), stream.next()).await;
        assert!(first.is_ok_and(|c| c.is_some()), "the snapshot arrived");
        streams.push(stream);
    }
    let started = std::time::Instant::now();
    server.signal("TERM");
    let exited = tokio::task::spawn_blocking(move || server.exited_within(std::time::Duration::from_secs(10)))
        .await
        .expect("wait");
    assert!(exited, "still running 10 s after SIGTERM");
    // The streams ended cleanly rather than being cut off later.
    for mut stream in streams {
        let rest = tokio::time::timeout(std::time::Duration::from_secs(2), async {
            while let Some(Ok(_)) = stream.next().await {}
        })
        .await;
        assert!(rest.is_ok(), "stream ended");
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

async fn graphql_cost_is_bounded_as_gitlab_and_beyond(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    // GitLab's limits, in GitLab's words.
    let too_large = format!("{{ currentUser {{ username }} }} #{}", "x".repeat(10_000));
    assert_eq!(
        graphql(base, None, &too_large, json!({})).await,
        (422, json!({ "errors": [{ "message": "Query too large" }] }))
    );
    let mut deep = String::from("id");
    for _ in 0..3 {
        deep = format!("achievement {{ namespace {{ achievements(first: 1) {{ nodes {{ userAchievements(first: 1) {{ nodes {{ {deep} }} }} }} }} }} }}");
    }
    let (status, body) = graphql(
        base,
        None,
        &format!("{{ user(username: \"carol\") {{ userAchievements {{ nodes {{ {deep} }} }} }} }}"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let message = body["errors"][0]["message"].as_str().unwrap_or_default().to_string();
    assert!(message.starts_with("Query has depth of ") && message.ends_with("which exceeds max depth of 15"), "{body}");
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    let one = "group(fullPath: \"heroes\") { achievements { nodes { uniqueUsers { nodes { username userAchievements { nodes { id } } } } } } }";
    let wide = format!("{{ {} }}", (0..6).map(|i| format!("g{i}: {one}")).collect::<Vec<_>>().join(" "));
    let (status, body) = graphql(base, None, &wide, json!({})).await;
    assert_eq!(status, 200);
    let message = body["errors"][0]["message"].as_str().unwrap_or_default().to_string();
    assert!(
        message.starts_with("Query has complexity of ") && message.ends_with("which exceeds max complexity of 200"),
        "{body}"
    );
    // The seed's profile query stays well within.
    let (_, body) = graphql(
        base,
        None,
        "{ user(username: \"carol\") { userAchievements { nodes { achievement { name description avatarUrl namespace { fullPath name } } } } } }",
        json!({}),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");

    // What GitLab's formula misses: small pages nested inside each other. Ten
    // achievements, each held by the same ten people, read three levels deep.
    let (_, admin_group) = graphql(base, Some(ROOT_TOKEN), r#"{ group(fullPath: "heroes") { id } }"#, json!({})).await;
    let group = admin_group["data"]["group"]["id"].as_str().expect("group").to_string();
    let people: Vec<i64> = futures::future::join_all(
        ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "root"].iter().map(|u| user_id(base, u)),
    )
    .await;
    for n in 0..10 {
        let (_, made) = graphql(
            base,
            Some(ROOT_TOKEN),
            "mutation($g: NamespaceID!, $n: String!) { achievementsCreate(input: { namespaceId: $g, name: $n }) { achievement { id } } }",
            json!({ "g": group, "n": format!("Fan-out {n}") }),
        )
        .await;
        let id = made["data"]["achievementsCreate"]["achievement"]["id"].as_str().expect("id").to_string();
        for person in &people {
            let (_, awarded) = graphql(
                base,
                Some(ROOT_TOKEN),
                "mutation($a: AchievementsAchievementID!, $u: UserID!) { achievementsAward(input: { achievementId: $a, userId: $u }) { errors } }",
                json!({ "a": id, "u": format!("gid://gitlab/User/{person}") }),
            )
            .await;
            assert_eq!(awarded["data"]["achievementsAward"]["errors"], json!([]), "{awarded}");
        }
    }
    let fan_out = "{ group(fullPath: \"heroes\") { achievements(first: 15) { nodes { uniqueUsers(first: 15) { nodes { userAchievements(first: 15) { nodes { achievement { uniqueUsers(first: 15) { nodes { userAchievements(first: 15) { nodes { id } } } } } } } } } } } } }";
    let response =
        client().post(format!("{base}/api/graphql")).json(&json!({ "query": fan_out })).send().await.expect("request");
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("body");
    assert!(text.len() < 2_000_000, "answer of {} bytes", text.len());
    let answer: Value = serde_json::from_str(&text).expect("JSON");
    let errors = answer["errors"].as_array().cloned().unwrap_or_default();
    assert!(!errors.is_empty(), "{}", &text[..text.len().min(400)]);
    for error in &errors {
        let message = error["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("Query resolves more than 5000 nodes")
                || message.starts_with("Query loads more than 1000 connections"),
            "{error}"
        );
    }
    // What was handed out stays within the bound; the page budget, taken before
    // each load, bounds the queries (`unit::graphql_budget`).
    let resolved = nodes_in(&answer["data"]);
    assert!((1_000..=5_000).contains(&resolved), "{resolved} nodes resolved");
}

/// A visitor's query may name one achievement (or person) in every item of a
/// list, as deep as its depth allows: here a thousand and more nested pages
/// (over the 1,000-page bound, each a count under the visibility rule) that
/// are a score of different ones, each loaded once.
async fn a_graphql_query_naming_one_achievement_many_times_loads_it_once(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (_, group) = graphql(base, Some(ROOT_TOKEN), r#"{ group(fullPath: "heroes") { id } }"#, json!({})).await;
    let (_, made) = graphql(
        base,
        Some(ROOT_TOKEN),
        "mutation($g: NamespaceID!) { achievementsCreate(input: { namespaceId: $g, name: \"Again\" }) { achievement { id } } }",
        json!({ "g": group["data"]["group"]["id"] }),
    )
    .await;
    let again = made["data"]["achievementsCreate"]["achievement"]["id"].as_str().expect("made").to_string();
    let carol = format!("gid://gitlab/User/{}", user_id(base, "carol").await);
    for _ in 0..10 {
        let (_, awarded) = graphql(
            base,
            Some(ROOT_TOKEN),
            "mutation($a: AchievementsAchievementID!, $u: UserID!) { achievementsAward(input: { achievementId: $a, userId: $u }) { errors } }",
            json!({ "a": again, "u": carol }),
        )
        .await;
        assert_eq!(awarded["data"]["achievementsAward"]["errors"], json!([]), "{awarded}");
    }
    // Carol's awards, each one's holders, each holder's awards, and each of
    // those achievements' count: over a thousand pages named, at least
    // 10 x 10 x 10 of them the same one.
    let query = "{ user(username: \"carol\") { userAchievements(first: 100) { nodes { achievement { name userAchievements(first: 100) { nodes { user { userAchievements(first: 100) { nodes { achievement { name userAchievements(first: 0) { count } } } } } } } } } } } }";
    let (status, body) = graphql(base, None, query, json!({})).await;
    assert_eq!(status, 200);
    assert!(body["errors"].is_null(), "{}", &body.to_string()[..body.to_string().len().min(600)]);
    let theirs = body["data"]["user"]["userAchievements"]["nodes"].as_array().expect("carol's awards").clone();
    let named_again: Vec<&Value> = theirs.iter().filter(|n| n["achievement"]["name"] == json!("Again")).collect();
    assert_eq!(named_again.len(), 10, "{theirs:?}");
    let holders = named_again[0]["achievement"]["userAchievements"]["nodes"].as_array().expect("its awards").clone();
    assert_eq!(holders.len(), 10);
    let deepest = holders[9]["user"]["userAchievements"]["nodes"].as_array().expect("her awards again").clone();
    let counted: Vec<&Value> = deepest
        .iter()
        .filter(|n| n["achievement"]["name"] == json!("Again"))
        .map(|n| &n["achievement"]["userAchievements"]["count"])
        .collect();
    assert_eq!(counted, vec![&json!(10); 10], "{deepest:?}");
    let awards_of = |n: &Value, field: &str| n[field]["userAchievements"]["nodes"].as_array().cloned();
    let second: Vec<Value> = theirs.iter().flat_map(|n| awards_of(n, "achievement")).flatten().collect();
    let third: usize = second.iter().filter_map(|n| awards_of(n, "user")).map(|a| a.len()).sum();
    let pages_named = 1 + theirs.len() + second.len() + third;
    assert!(pages_named > 1_000, "{pages_named} pages named");
}

/// A page is made once per view: under Suspense the server made a page's
/// children on each of its passes, and each time they loaded their data again
/// (the group dashboard's reads three times over on SQLite, whose reads are
/// quick enough to be ready for a second pass). Counted in the statements the
/// server logs: a page view makes its dashboard's one count of every card.
async fn a_page_view_loads_its_data_once(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1"), ("RUST_LOG", "warn,sqlx::query=debug")]).await;
    let base = &server.base;
    let counts = "SELECT achievement_id, COUNT(*), COUNT(DISTINCT user_id)";
    let counted = |mark: usize| server.log_since(mark).iter().filter(|line| line.contains(counts)).count();
    let alice = sign_in_cookie(base, "alice", "laurel-demo").await.expect("alice signs in");
    for cookie in [None, Some(alice)] {
        let mark = server.log_mark();
        let mut request = client().get(format!("{base}/groups/heroes/-/achievements"));
        if let Some(cookie) = &cookie {
            request = request.header("Cookie", cookie);
        }
        let answer = request.send().await.expect("page");
        assert_eq!(answer.status(), 200);
        assert!(answer.text().await.expect("html").contains("Awards:"));
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let who = if cookie.is_some() { "alice" } else { "a visitor" };
        assert_eq!(counted(mark), 1, "{who}'s page view counted its cards {} times", counted(mark));
    }
    // The server function behind it, for comparison: the same one count.
    let mark = server.log_mark();
    let function = client()
        .post(format!("{base}/-/sfn/group_achievements"))
        .form(&[("group", "heroes"), ("search", ""), ("page", "1")])
        .send()
        .await
        .expect("view");
    assert_eq!(function.status(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(counted(mark), 1);
}

/// Queries whose parsing or validation would take the server down, each a
/// few kilobytes from anyone: nested brackets that overflowed the parser's
/// stack (the process aborted), and fragments that each spread the next twice
/// (2^27 fields to validate: a minute of a core, with the 30 s timeout unable
/// to stop it). Each is refused at once with a GraphQL error, and the server
/// answers as before. So are bodies that are no GraphQL request, in
/// GraphQL's own form.
async fn graphql_requests_that_would_stop_the_server_are_refused_at_once(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let refused = |body: &Value, starts: &str| {
        let message = body["errors"][0]["message"].as_str().unwrap_or_default().to_string();
        assert!(message.starts_with(starts), "{body}");
        assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    };
    let deep = format!("{{ user(username: {}1{}) {{ id }} }}", "[".repeat(2000), "]".repeat(2000));
    let (status, body) = graphql(base, None, &deep, json!({})).await;
    assert_eq!(status, 200);
    refused(&body, "Query is nested more than 64 levels deep");
    let objects = format!("{{ user(username: {}1{}) {{ id }} }}", "{a:".repeat(1900), "}".repeat(1900));
    refused(&graphql(base, None, &objects, json!({})).await.1, "Query is nested more than 64 levels deep");
    let mut bomb = String::from("{ ...F0 } ");
    for i in 0..27 {
        bomb.push_str(&format!("fragment F{i} on Query {{ ...F{} ...F{} }} ", i + 1, i + 1));
    }
    bomb.push_str("fragment F27 on Query { currentUser { id } }");
    let started = std::time::Instant::now();
    let (status, body) = graphql(base, None, &bomb, json!({})).await;
    assert_eq!(status, 200);
    refused(&body, "Query has more than 2000 fields once its fragments are expanded");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "answered in {:?}", started.elapsed());
    let cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A currentUser { id } }";
    refused(&graphql(base, None, cycle, json!({})).await.1, "Cannot spread fragment");
    // Bodies that are no GraphQL request: 400 with GraphQL's errors.
    for (content_type, body, starts) in [
        ("application/json", "garbage", "Invalid request"),
        ("application/json", "", "Invalid request"),
        ("application/json", r#"{"query":123}"#, "Invalid request"),
        ("application/json", r#"[{"query":"{ currentUser { id } }"}]"#, "Batch requests are not supported"),
        ("multipart/form-data; boundary=x", "junk", "Invalid multipart data"),
    ] {
        let response = client()
            .post(format!("{base}/api/graphql"))
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 400, "{body}");
        let answer: Value = response.json().await.expect("a JSON answer");
        refused(&answer, starts);
    }
    // The server is still there, and a fragment used many times is fine.
    let reuse =
        "{ a: user(username: \"carol\") { ...U } b: user(username: \"bob\") { ...U } } fragment U on User { username }";
    let (status, body) = graphql(base, None, reuse, json!({})).await;
    assert_eq!(
        (status, &body["data"]["a"]["username"], &body["data"]["b"]["username"]),
        (200, &json!("carol"), &json!("bob"))
    );
}

/// GitLab's ceiling: a public subgroup or project inside a private group
/// would show that group's path to anyone. Each is refused in GitLab's
/// words, and nothing is made; as visible as the group, or less, is fine.
async fn nothing_is_more_visible_than_the_group_it_is_in(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (_, alice) = token_with(base, "alice", &["api"]).await;
    let (_, lab) = call(base, Method::GET, "/groups/secret-lab", Some(&alice), None).await;
    let lab = lab["id"].as_i64().expect("secret-lab's id");
    let subgroup =
        |visibility: &str| json!({ "name": "Open", "path": "open", "parent_id": lab, "visibility": visibility });
    for visibility in ["public", "internal"] {
        let (status, body) = call(base, Method::POST, "/groups", Some(&alice), Some(subgroup(visibility))).await;
        let message =
            format!("Visibility level {visibility} is not allowed since the parent group has a private visibility.");
        assert_eq!((status, body), (400, json!({ "message": [message] })));
        let project = json!({ "name": "Open", "path": "open", "namespace_id": lab, "visibility": visibility });
        let (status, body) = call(base, Method::POST, "/projects", Some(&alice), Some(project)).await;
        let message = format!("Visibility level {visibility} is not allowed in a private group.");
        assert_eq!((status, body), (400, json!({ "message": [message] })));
    }
    // Nothing was made: anonymous visitors see no group or project of that path.
    assert_eq!(call(base, Method::GET, "/groups/secret-lab%2Fopen", Some(ROOT_TOKEN), None).await.0, 404);
    assert_eq!(call(base, Method::GET, "/projects/secret-lab%2Fopen", Some(ROOT_TOKEN), None).await.0, 404);
    let (_, public) = call(base, Method::GET, "/groups?search=open", None, None).await;
    assert_eq!(public, json!([]));
    // Private inside private, and private inside public: made.
    assert_eq!(call(base, Method::POST, "/groups", Some(&alice), Some(subgroup("private"))).await.0, 201);
    let heroes = json!({ "name": "Quiet", "path": "quiet", "namespace_id": user_group_id(base, "heroes").await, "visibility": "private" });
    assert_eq!(call(base, Method::POST, "/projects", Some(&alice), Some(heroes)).await.0, 201);
}

async fn user_group_id(base: &str, path: &str) -> i64 {
    let (_, group) = call(base, Method::GET, &format!("/groups/{path}"), Some(ROOT_TOKEN), None).await;
    group["id"].as_i64().expect("group id")
}

/// GitLab's limit: a group has at most 20 groups above it. Every query that
/// walks a group's ancestors (each reaction's) would otherwise walk as many
/// as anyone cared to make.
async fn groups_nest_at_most_twenty_deep(backend: Backend) {
    let server = start(backend, &[]).await;
    let base = &server.base;
    let (status, top) =
        call(base, Method::POST, "/groups", Some(ROOT_TOKEN), Some(json!({ "name": "L0", "path": "l0" }))).await;
    assert_eq!(status, 201, "{top}");
    let mut parent = top["id"].as_i64().expect("id");
    for level in 1..=20 {
        let body = json!({ "name": format!("L{level}"), "path": format!("l{level}"), "parent_id": parent });
        let (status, group) = call(base, Method::POST, "/groups", Some(ROOT_TOKEN), Some(body)).await;
        assert_eq!(status, 201, "level {level}: {group}");
        parent = group["id"].as_i64().expect("id");
    }
    let body = json!({ "name": "L21", "path": "l21", "parent_id": parent });
    let (status, refused) = call(base, Method::POST, "/groups", Some(ROOT_TOKEN), Some(body)).await;
    assert_eq!((status, refused), (400, json!({ "message": ["Parent has too deep level of nesting"] })));
    let (_, groups) = call(base, Method::GET, "/groups?search=l21&per_page=100", Some(ROOT_TOKEN), None).await;
    assert_eq!(groups, json!([]), "nothing was made");
}

/// SQLite refuses a `LIKE` pattern past 50,000 bytes: a long `search` (or
/// many `%` or `_`, each escaped to two bytes) answered 500. Any length answers as
/// a search does: nothing matches what no name is long enough to contain.
async fn searches_of_any_length_answer_without_error(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    // 50,000 letters, and 25,000 underscores (escaped: two bytes each).
    for search in ["a".repeat(50_000), "_".repeat(25_000)] {
        for path in ["/groups", "/users", "/groups/heroes/achievements"] {
            let (status, body) =
                call(base, Method::GET, &format!("{path}?search={search}"), Some(ROOT_TOKEN), None).await;
            assert_eq!((status, body), (200, json!([])), "{path} with {} characters", search.len());
        }
    }
    // A search still finds what it names.
    let (_, found) = call(base, Method::GET, "/groups?search=hero", None, None).await;
    assert_eq!(found[0]["path"], "heroes", "{found}");
}

/// A JSON array or object where text belongs is refused as invalid, never
/// read as absent: `"expires_at": []` made a token that never expires.
async fn parameters_of_the_wrong_json_type_are_refused_and_change_nothing(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let carol = user_id(base, "carol").await;
    let tokens = format!("/users/{carol}/personal_access_tokens");
    let before =
        call(base, Method::GET, &format!("/personal_access_tokens?user_id={carol}"), Some(ROOT_TOKEN), None).await;
    for (path, body, field) in [
        (tokens.as_str(), json!({ "name": "t", "scopes": ["api"], "expires_at": [] }), "expires_at"),
        (tokens.as_str(), json!({ "name": { "a": 1 }, "scopes": ["api"] }), "name"),
        ("/groups", json!({ "name": "G", "path": "g", "visibility": { "level": "public" } }), "visibility"),
        ("/projects/1/issues", json!({ "title": [1] }), "title"),
    ] {
        let (status, answer) = call(base, Method::POST, path, Some(ROOT_TOKEN), Some(body.clone())).await;
        assert_eq!((status, answer), (400, json!({ "error": format!("{field} is invalid") })), "{path} {body}");
    }
    let after =
        call(base, Method::GET, &format!("/personal_access_tokens?user_id={carol}"), Some(ROOT_TOKEN), None).await;
    assert_eq!(before, after, "no token was made");
    assert_eq!(call(base, Method::GET, "/groups/g", Some(ROOT_TOKEN), None).await.0, 404, "no group was made");
    // null is absent, as before: a token without an end date.
    let body = json!({ "name": "t", "scopes": ["api"], "expires_at": null });
    assert_eq!(call(base, Method::POST, &tokens, Some(ROOT_TOKEN), Some(body)).await.0, 201);
    // A key given twice in a query is its last value, as Rack reads it.
    let (status, found) = call(base, Method::GET, "/groups?search=nothing&search=hero", None, None).await;
    assert_eq!((status, &found[0]["path"]), (200, &json!("heroes")), "{found}");
}

/// A route asked with a method it does not take: 405 with GitLab's (Grape's)
/// JSON body, not an empty one; and nothing changed.
async fn a_method_a_route_does_not_take_is_refused_in_json(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let before = call(base, Method::GET, "/users/1", Some(ROOT_TOKEN), None).await;
    for (method, path) in
        [(Method::PATCH, "/users/1"), (Method::DELETE, "/version"), (Method::PUT, "/projects/1/issues")]
    {
        let (status, body) = call(base, method.clone(), path, Some(ROOT_TOKEN), Some(json!({ "name": "x" }))).await;
        assert_eq!((status, body), (405, json!({ "error": "405 Not Allowed" })), "{method} {path}");
    }
    assert_eq!(call(base, Method::GET, "/users/1", Some(ROOT_TOKEN), None).await, before);
}

/// GitLab's limits on what people write: a note of more than a million
/// characters, a description of more than a MiB, a group's description of
/// more than 500. Each is refused and nothing is made; an internal note
/// (which only Reporters+ and its author read) only from a Reporter+.
async fn what_people_write_is_bounded_as_gitlab_bounds_it(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let notes = "/projects/1/issues/1/notes";
    let count = |base: &str| {
        let base = base.to_string();
        async move {
            let (_, list) =
                call(&base, Method::GET, "/projects/1/issues/1/notes?per_page=100", Some(ROOT_TOKEN), None).await;
            list.as_array().map_or(0, Vec::len)
        }
    };
    let before = count(base).await;
    let refused = [
        (notes, json!({ "body": "n".repeat(1_000_001) }), "Note is too long (maximum is 1000000 characters)"),
        (
            "/projects/1/issues",
            json!({ "title": "Long", "description": "d".repeat(1_048_577) }),
            "Description is too long (maximum is 1048576 characters)",
        ),
        (
            "/groups",
            json!({ "name": "Wordy", "path": "wordy", "description": "w".repeat(501) }),
            "Description is too long (maximum is 500 characters)",
        ),
    ];
    for (path, body, message) in refused {
        let (status, answer) = call(base, Method::POST, path, Some(ROOT_TOKEN), Some(body)).await;
        assert_eq!((status, answer), (400, json!({ "message": [message] })), "{path}");
    }
    assert_eq!(count(base).await, before, "no note was made");
    let (_, issues) = call(base, Method::GET, "/projects/1/issues?per_page=100", Some(ROOT_TOKEN), None).await;
    assert!(!issues.to_string().contains("\"Long\""), "no issue was made");
    assert_eq!(call(base, Method::GET, "/groups/wordy", Some(ROOT_TOKEN), None).await.0, 404, "no group was made");
    // At the limit: taken.
    let (status, _) =
        call(base, Method::POST, notes, Some(ROOT_TOKEN), Some(json!({ "body": "n".repeat(1_000_000) }))).await;
    assert_eq!(status, 201);
    // Internal notes: not from a guest (erin) or a stranger (grace); from a reporter (dave).
    let internal = json!({ "body": "Between us.", "internal": true });
    for who in ["erin", "grace"] {
        let (_, token) = token_with(base, who, &["api"]).await;
        let (status, _) = call(base, Method::POST, notes, Some(&token), Some(internal.clone())).await;
        assert_eq!(status, 403, "{who}");
    }
    assert_eq!(count(base).await, before + 1, "no internal note was made");
    let (_, dave) = token_with(base, "dave", &["api"]).await;
    let (status, note) = call(base, Method::POST, notes, Some(&dave), Some(internal)).await;
    assert_eq!((status, &note["internal"]), (201, &json!(true)), "{note}");
}

/// Project members as group members: a Maintainer adds people up to
/// Maintainer, never Owner, and cannot change an Owner's level; an Owner can.
async fn only_owners_make_or_unmake_project_owners(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let members = "/projects/1/members";
    let (_, bob) = token_with(base, "bob", &["api"]).await;
    let (_, alice) = token_with(base, "alice", &["api"]).await;
    let grace = user_id(base, "grace").await;
    let listed =
        |base: String| async move { call(&base, Method::GET, "/projects/1/members", Some(ROOT_TOKEN), None).await };
    let before = listed(base.clone()).await;
    let owner = json!({ "user_id": grace, "access_level": 50 });
    assert_eq!(call(base, Method::POST, members, Some(&bob), Some(owner.clone())).await.0, 403);
    assert_eq!(listed(base.clone()).await, before, "nothing changed");
    let maintainer = json!({ "user_id": grace, "access_level": 40 });
    assert_eq!(call(base, Method::POST, members, Some(&bob), Some(maintainer)).await.0, 201);
    assert_eq!(call(base, Method::POST, members, Some(&alice), Some(owner)).await.0, 201);
    let made = listed(base.clone()).await;
    let guest = json!({ "user_id": grace, "access_level": 10 });
    assert_eq!(call(base, Method::POST, members, Some(&bob), Some(guest.clone())).await.0, 403, "not an Owner's level");
    assert_eq!(listed(base.clone()).await, made, "nothing changed");
    assert_eq!(call(base, Method::POST, members, Some(&alice), Some(guest)).await.0, 201);
}

/// Leptos' server rendering writes a `<textarea>`'s text unescaped: a
/// Maintainer's description holding `</textarea>` ended the editor's field,
/// and what followed was markup in the page of every Maintainer, Owner and
/// admin who opened the group's achievements (a form posting to an admin
/// server function, one click from an admin). It stays text.
async fn an_achievement_description_stays_text_in_its_editor(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (_, bob) = token_with(base, "bob", &["api"]).await;
    let description =
        r#"</textarea><form id="planted" action="/-/sfn/admin_update_user"><button>Confirm</button></form> & more"#;
    let body = json!({ "name": "Helper", "description": description });
    let (status, made) = call(base, Method::POST, "/groups/heroes/achievements", Some(&bob), Some(body)).await;
    assert_eq!(status, 201, "{made}");
    let alice = sign_in_cookie(base, "alice", "laurel-demo").await.expect("alice signs in");
    let page = client()
        .get(format!("{base}/groups/heroes/-/achievements"))
        .header("Cookie", &alice)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(!page.contains(r#"<form id="planted""#), "no markup from the description");
    assert!(
        page.contains(r#"&lt;/textarea>&lt;form id="planted""#) || page.contains("&lt;/textarea&gt;&lt;form"),
        "the description as text in its field"
    );
    assert!(page.contains("&amp; more"), "an ampersand stays one");
}

/// A sign-in checks its password for a while (Argon2). A new password set
/// meanwhile ends every session of the user, and the one this sign-in then
/// made with the old password survived it. Raced a few times: no session
/// made with an old password outlives the change.
async fn a_sign_in_racing_a_new_password_keeps_no_session(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    set_limits(base, json!({ "throttle_protected_paths_requests_per_period": 1000 })).await;
    let carol = user_id(base, "carol").await;
    let mut password = "laurel-demo".to_string();
    for round in 0..6 {
        let next = format!("carol-new-password-{round}");
        // The change starts first and is hashing its new password when the
        // sign-in reads the old one.
        let signing_in = async {
            tokio::time::sleep(std::time::Duration::from_millis(2 + 6 * round)).await;
            common::sign_in_post(base, "carol", &password).await
        };
        let changing = async {
            let body = json!({ "password": next });
            call(base, Method::PUT, &format!("/users/{carol}"), Some(ROOT_TOKEN), Some(body)).await
        };
        let ((_, _, cookie), (status, _)) = tokio::join!(signing_in, changing);
        assert_eq!(status, 200);
        if let Some(cookie) = cookie {
            assert!(!session_alive(base, &cookie).await, "round {round}: a session with the old password outlived it");
        }
        password = next;
    }
    assert!(sign_in_cookie(base, "carol", &password).await.is_some(), "the newest password signs in");
}

/// Every node in every connection of a GraphQL answer.
fn nodes_in(value: &Value) -> usize {
    match value {
        Value::Object(fields) => fields
            .iter()
            .map(|(key, inner)| match (key.as_str(), inner) {
                ("nodes", Value::Array(items)) => items.len() + items.iter().map(nodes_in).sum::<usize>(),
                _ => nodes_in(inner),
            })
            .sum(),
        Value::Array(items) => items.iter().map(nodes_in).sum(),
        _ => 0,
    }
}

/// A server function called with a body it cannot read answers 4xx, never a
/// 500 or a dropped connection (a multipart form without its boundary made
/// `server_fn` panic), and the server goes on serving.
async fn malformed_server_function_calls_are_refused_and_the_server_stays_up(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let cookie = sign_in_cookie(base, "alice", "laurel-demo").await.expect("session");
    let calls: [(&str, &str, &str); 7] = [
        ("save_achievement", "application/x-www-form-urlencoded", "group=heroes&name=x"),
        ("save_achievement", "multipart/form-data", "--x\r\n"),
        ("save_achievement", "multipart/form-data; boundary=", "--x\r\n"),
        ("save_achievement", "text/plain", "name=x"),
        ("toggle_reaction", "multipart/form-data", "kind=Issue"),
        ("toggle_reaction", "application/x-www-form-urlencoded", "kind=Issue"),
        ("set_language", "application/x-www-form-urlencoded", "lang=zz"),
    ];
    for (name, content_type, body) in calls {
        for cookie in [None, Some(&cookie)] {
            let mut request = client()
                .post(format!("{base}/-/sfn/{name}"))
                .header("Content-Type", content_type)
                .body(body.to_string());
            if let Some(cookie) = cookie {
                request = request.header("Cookie", cookie);
            }
            let response = request.send().await.unwrap_or_else(|err| panic!("{name} {content_type}: {err}"));
            assert_eq!(response.status(), 400, "{name} {content_type} {body}");
        }
    }
    let (status, awards) = call(base, Method::GET, "/groups/heroes/achievements", Some(ROOT_TOKEN), None).await;
    assert_eq!(status, 200);
    assert!(!awards.to_string().contains("\"name\":\"x\""), "nothing was made: {awards}");
    assert_eq!(client().get(format!("{base}/-/health")).send().await.expect("health").status(), 200);
}

/// The group achievements page names every award only to whoever manages
/// them (to revoke any); a visitor's page loads the first few, its faces, and
/// the counts. It loaded a thousand awards per achievement for anyone: 3–5 s
/// of CPU per anonymous request with 1,000 holders of 20 achievements.
async fn a_visitor_to_a_crowded_group_costs_a_few_faces_per_achievement(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (_, made) =
        call(base, Method::POST, "/groups/heroes/achievements", Some(ROOT_TOKEN), Some(json!({ "name": "Crowded" })))
            .await;
    let awards = format!("/groups/heroes/achievements/{}/awards", made["id"]);
    for n in 0..30 {
        let user = json!({ "username": format!("fan{n}"), "name": format!("Fan {n}"),
            "email": format!("fan{n}@example.com"), "password": "long-enough-1" });
        assert_eq!(call(base, Method::POST, "/users", Some(ROOT_TOKEN), Some(user)).await.0, 201);
        let (status, award) =
            call(base, Method::POST, &awards, Some(ROOT_TOKEN), Some(json!({ "username": format!("fan{n}") }))).await;
        assert_eq!(status, 201, "{award}");
    }
    // Two awards to one person: 31 awards, 30 holders.
    assert_eq!(call(base, Method::POST, &awards, Some(ROOT_TOKEN), Some(json!({ "username": "fan0" }))).await.0, 201);
    // A second card on the same page, read in the same statements: its own
    // counts and faces. fan3's profile is private (counted by admins only);
    // fan2 hides theirs (counted by those who award it).
    let (_, too) = call(
        base,
        Method::POST,
        "/groups/heroes/achievements",
        Some(ROOT_TOKEN),
        Some(json!({ "name": "Crowded too" })),
    )
    .await;
    let awards_too = format!("/groups/heroes/achievements/{}/awards", too["id"]);
    for fan in ["fan1", "fan2", "fan3"] {
        let (status, _) =
            call(base, Method::POST, &awards_too, Some(ROOT_TOKEN), Some(json!({ "username": fan }))).await;
        assert_eq!(status, 201);
    }
    let fan3 = user_id(base, "fan3").await;
    let private = Some(json!({ "private_profile": true }));
    assert_eq!(call(base, Method::PUT, &format!("/users/{fan3}"), Some(ROOT_TOKEN), private).await.0, 200);
    let fan2 = token_for(base, "fan2").await;
    let (_, held) =
        call(base, Method::GET, &format!("/users/{}/achievements", user_id(base, "fan2").await), Some(&fan2), None)
            .await;
    let theirs = held.as_array().into_iter().flatten().find(|a| a["achievement"]["name"] == "Crowded too");
    let gid = format!("gid://gitlab/Achievements::UserAchievement/{}", theirs.expect("fan2's award")["id"]);
    let hide = "mutation($id: AchievementsUserAchievementID!) { userAchievementsUpdate(input: { userAchievementId: $id, showOnProfile: false }) { errors } }";
    let (_, hidden) = graphql(base, Some(&fan2), hide, json!({ "id": gid })).await;
    assert_eq!(hidden["data"]["userAchievementsUpdate"]["errors"], json!([]), "{hidden}");
    let cards_as = |cookie: Option<String>| async move {
        let mut request = client().post(format!("{base}/-/sfn/group_achievements")).form(&[
            ("group", "heroes"),
            ("search", "Crowded"),
            ("page", "1"),
        ]);
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        let view: Value = request.send().await.expect("view").json().await.expect("json");
        view["achievements"].as_array().cloned().unwrap_or_default()
    };
    let counts = |card: &Value| (card["awards"].as_u64(), card["held"]["holders"].as_u64());
    let faces = |card: &Value| -> Vec<String> {
        card["holders"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| h["username"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let visitors = cards_as(None).await;
    let second = visitors.iter().find(|c| c["name"] == "Crowded too").expect("the second card");
    assert_eq!(counts(second), (Some(1), Some(1)), "{second}");
    assert_eq!(faces(second), ["fan1"]);
    let alice = sign_in_cookie(base, "alice", "laurel-demo").await.expect("session");
    let owners = cards_as(Some(alice.clone())).await;
    let second = owners.iter().find(|c| c["name"] == "Crowded too").expect("the second card");
    assert_eq!(counts(second), (Some(2), Some(2)), "{second}");
    assert_eq!(faces(second), ["fan1", "fan2"]);
    // The first card: 31 awards, fan3's not counted but by admins.
    let card_as = |cookie: Option<String>| async move {
        cards_as(cookie).await.into_iter().find(|c| c["name"] == "Crowded").unwrap_or_default()
    };
    let visitor = card_as(None).await;
    assert_eq!(visitor["name"], "Crowded", "{visitor}");
    assert_eq!((visitor["awards"].as_u64(), visitor["held"]["holders"].as_u64()), (Some(30), Some(29)), "{visitor}");
    let shown = visitor["holders"].as_array().expect("holders").len();
    assert!((5..=20).contains(&shown), "a visitor gets the first few: {shown}");
    assert!(!faces(&visitor).contains(&"fan3".to_string()), "{visitor}");
    let owner = card_as(Some(alice)).await;
    assert_eq!((owner["awards"].as_u64(), owner["held"]["holders"].as_u64()), (Some(30), Some(29)), "{owner}");
    assert_eq!(owner["holders"].as_array().map(Vec::len), Some(30), "the owner gets every award to manage");
    // The page says as much: five faces, the 25 others, 31 awards.
    let page = client().get(format!("{base}/groups/heroes/-/achievements?search=Crowded")).send().await.expect("page");
    let html = page.text().await.expect("html");
    assert!(html.contains("and 24 more") && html.contains("Awards: 30"), "{html}");
}
