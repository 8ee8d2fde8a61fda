//! Abuse limits, over HTTP against the real binary on both databases: failed
//! sign-ins lock an account (GitLab: 10, for 10 minutes; admins unlock), sign-in
//! posts are throttled per address with GitLab's `429 Retry later` and headers,
//! reactions per user and awards per group are limited with GitLab's
//! per-endpoint 429, award e-mail over its hourly limit waits instead of going
//! out, and only admins set the limits. Each refusal is checked to change nothing.

use crate::common;

use common::db::strings;
use common::{
    call, client, database, graphql, set_limits, sign_in_cookie, sign_in_post as sign_in, spawn, token_for, Backend,
    ROOT_TOKEN,
};
use reqwest::Method;
use serde_json::{json, Value};

on_both!(
    failed_sign_ins_lock_the_account_until_an_admin_unlocks_it,
    sign_in_posts_are_throttled_per_address,
    api_requests_without_credentials_are_throttled_per_address,
    the_throttle_reads_who_is_asking_once,
    sign_ins_made_together_are_counted_before_any_password_is_checked,
    attempts_counted_past_a_lowered_limit_lock_for_a_while,
    wrong_current_passwords_count_as_failed_sign_ins,
    reactions_and_awards_over_their_limits_are_refused_and_change_nothing,
    award_mail_over_the_hourly_limit_waits_its_turn,
    one_person_gets_at_most_twenty_award_mails_an_hour_from_all_groups,
    comments_and_issues_past_gitlabs_limits_are_refused_and_change_nothing,
    one_address_holds_at_most_its_share_of_request_bodies,
);

/// GitLab's text, written out: the test checks the server says exactly this.
const RATE_LIMITED: &str = "This endpoint has been requested too many times. Try again later.";

/// The admin dashboard's unlock form: the status and where it sends the browser.
async fn unlock(base: &str, cookie: &str, id: &str) -> (u16, String) {
    let response = client()
        .post(format!("{base}/-/sfn/admin_unlock_user"))
        .header("Cookie", cookie)
        .header("Accept", "text/html")
        .form(&[("id", id)])
        .send()
        .await
        .expect("unlock");
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    (response.status().as_u16(), location)
}

async fn failed_sign_ins_lock_the_account_until_an_admin_unlocks_it(backend: Backend) {
    let db = database(backend).await;
    let server = spawn(&db.url, db.dir(), &[("DEMO_DATA", "1")]);
    let base = &server.base;
    // Out of the way: the per-address throttle (tested below).
    set_limits(base, json!({ "throttle_protected_paths_requests_per_period": 1000 })).await;
    for attempt in 1..=9 {
        let (status, location, cookie) = sign_in(base, "carol", "wrong password").await;
        assert_eq!((status, cookie), (302, None), "attempt {attempt}");
        assert!(location.contains("error=1"), "attempt {attempt}: {location}");
    }
    let (_, location, _) = sign_in(base, "carol", "wrong password").await;
    assert!(location.contains("error=locked"), "the 10th failure locks: {location}");
    // Locked: the right password opens nothing, and the page says why.
    let (status, location, cookie) = sign_in(base, "carol", "laurel-demo").await;
    assert_eq!((status, cookie), (302, None));
    assert!(location.contains("error=locked"), "{location}");
    let page = client().get(format!("{base}{location}")).send().await.expect("page").text().await.expect("html");
    assert!(page.contains("Your account is locked."), "the sign-in page explains");
    // Other accounts are not affected.
    assert!(sign_in(base, "dave", "laurel-demo").await.2.is_some(), "dave still signs in");
    // Only an admin unlocks: alice (a group owner, not an admin) cannot.
    let alice = sign_in_cookie(base, "alice", "laurel-demo").await.expect("alice signs in");
    let (status, location) = unlock(base, &alice, "4").await;
    assert_eq!(status, 302);
    assert!(location.starts_with("/admin?error="), "refused: {location}");
    assert!(sign_in(base, "carol", "laurel-demo").await.2.is_none(), "still locked after the refused unlock");
    let root = sign_in_cookie(base, "root", "root-password").await.expect("root signs in");
    assert_eq!(
        unlock(base, &root, "4").await,
        (302, "/admin?done=saved".to_string()),
        "back to the dashboard, saying so"
    );
    assert!(sign_in(base, "carol", "laurel-demo").await.2.is_some(), "carol signs in once unlocked");
    // A success resets the count: nine more failures do not lock.
    for _ in 1..=9 {
        sign_in(base, "carol", "wrong password").await;
    }
    assert!(sign_in(base, "carol", "laurel-demo").await.2.is_some(), "nine failures after a success do not lock");
    // An unknown login never locks anything, and reads like a wrong password.
    for _ in 1..=11 {
        let (_, location, _) = sign_in(base, "nobody-here", "x").await;
        assert!(location.contains("error=1"), "{location}");
    }
}

/// Sign-ins made at the same moment all passed one look at the lock before
/// any failure was counted: thirty guesses were each checked, and the right
/// password signed in after the account had locked. Each attempt is counted
/// before its password is checked: of thirty together, at most the limit
/// (10) are checked, the account ends locked, and then even the right
/// password opens nothing.
async fn sign_ins_made_together_are_counted_before_any_password_is_checked(backend: Backend) {
    let db = database(backend).await;
    let server = spawn(&db.url, db.dir(), &[("DEMO_DATA", "1")]);
    let base = server.base.clone();
    set_limits(&base, json!({ "throttle_protected_paths_requests_per_period": 1000 })).await;
    let attempts = (0..30).map(|i| {
        let base = base.clone();
        async move { sign_in(&base, "carol", &format!("guess {i}")).await }
    });
    let answers = futures::future::join_all(attempts).await;
    let checked = answers.iter().filter(|(_, location, _)| location.contains("error=1")).count();
    let locked = answers.iter().filter(|(_, location, _)| location.contains("error=locked")).count();
    assert_eq!(checked + locked, 30, "{answers:?}");
    assert!(checked <= 10, "{checked} guesses were checked: {answers:?}");
    let (_, location, cookie) = sign_in(&base, "carol", "laurel-demo").await;
    assert!(cookie.is_none() && location.contains("error=locked"), "locked, even to the right password: {location}");
    // Another account is not affected.
    assert!(sign_in(&base, "dave", "laurel-demo").await.2.is_some(), "dave still signs in");
}

/// Attempts counted past the limit with no lock set (the admin lowered the
/// limit, or attempts were dropped before they were recorded) lock the
/// account the way failures do: for a while, shown as locked, unlocked by an
/// admin; never refused for good with nothing to show for it.
async fn attempts_counted_past_a_lowered_limit_lock_for_a_while(backend: Backend) {
    let db = database(backend).await;
    let server = spawn(&db.url, db.dir(), &[("DEMO_DATA", "1")]);
    let base = &server.base;
    set_limits(base, json!({ "throttle_protected_paths_requests_per_period": 1000 })).await;
    for _ in 0..5 {
        assert!(sign_in(base, "erin", "wrong password").await.1.contains("error=1"));
    }
    let root = sign_in_cookie(base, "root", "root-password").await.expect("root signs in");
    // The admin dashboard offers "Unlock" for each locked account.
    let unlockable = |root: String| {
        let base = base.to_string();
        async move {
            let page = client().get(format!("{base}/admin")).header("Cookie", root).send().await.expect("admin");
            page.text().await.expect("html").matches("admin_unlock_user").count()
        }
    };
    assert_eq!(unlockable(root.clone()).await, 0);
    set_limits(base, json!({ "max_login_attempts": 3 })).await;
    let (_, location, cookie) = sign_in(base, "erin", "laurel-demo").await;
    assert!(cookie.is_none() && location.contains("error=locked"), "{location}");
    assert_eq!(unlockable(root.clone()).await, 1, "shown as locked, to be unlocked");
    let (_, users) = call(base, Method::GET, "/users?username=erin", Some(ROOT_TOKEN), None).await;
    let id = users[0]["id"].as_i64().expect("id").to_string();
    assert_eq!(unlock(base, &root, &id).await.0, 302);
    assert!(sign_in(base, "erin", "laurel-demo").await.2.is_some(), "erin signs in once unlocked");
}

/// Changing one's password asks for the current one; a wrong one counts as
/// a failed sign-in. Someone holding a stolen session cannot try current
/// passwords without end: after ten, the account locks, the right password
/// changes nothing, and signing in is refused too.
async fn wrong_current_passwords_count_as_failed_sign_ins(backend: Backend) {
    let db = database(backend).await;
    let server = spawn(&db.url, db.dir(), &[("DEMO_DATA", "1")]);
    let base = &server.base;
    set_limits(base, json!({ "throttle_protected_paths_requests_per_period": 1000 })).await;
    let session = sign_in_cookie(base, "carol", "laurel-demo").await.expect("carol signs in");
    let change = |current: String| {
        let (base, session) = (base.to_string(), session.clone());
        async move {
            let response = client()
                .post(format!("{base}/-/sfn/change_password"))
                .header("Cookie", session)
                .header("Accept", "text/html")
                .form(&[("current_password", current.as_str()), ("new_password", "a-whole-new-password")])
                .send()
                .await
                .expect("change password");
            response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
        }
    };
    for guess in 0..10 {
        assert!(change(format!("guess {guess}")).await.contains("password_failed"), "guess {guess}");
    }
    // Locked: the right current password changes nothing now.
    assert!(change("laurel-demo".into()).await.contains("password_failed"));
    let (_, location, cookie) = sign_in(base, "carol", "laurel-demo").await;
    assert!(cookie.is_none() && location.contains("error=locked"), "{location}");
    assert!(sign_in(base, "carol", "a-whole-new-password").await.2.is_none(), "the password did not change");
}

/// Checks `response` is GitLab's `429 Retry later` from throttle `name`: its
/// `RateLimit-*` headers and `Retry-After` (the `observed`-th request against
/// `limit`); gives it back for its body.
fn retry_later(response: reqwest::Response, name: &str, (limit, observed): (u32, u32)) -> reqwest::Response {
    assert_eq!(response.status(), 429);
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert_eq!(header("content-type"), "text/plain");
    assert_eq!(header("ratelimit-name"), name);
    assert_eq!((header("ratelimit-limit"), header("ratelimit-observed")), (limit.to_string(), observed.to_string()));
    assert_eq!(header("ratelimit-remaining"), "0");
    let retry: u64 = header("retry-after").parse().expect("Retry-After seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    let reset: i64 = header("ratelimit-reset").parse().expect("RateLimit-Reset");
    assert!((reset - chrono::Utc::now().timestamp()).abs() <= 61, "{reset}");
    assert!(header("ratelimit-resettime").ends_with(" GMT"), "{}", header("ratelimit-resettime"));
    response
}

async fn sign_in_posts_are_throttled_per_address(backend: Backend) {
    let db = database(backend).await;
    let server = spawn(&db.url, db.dir(), &[("DEMO_DATA", "1")]);
    let base = &server.base;
    for attempt in 1..=10 {
        let (status, _, _) = sign_in(base, "dave", "wrong password").await;
        assert_eq!(status, 302, "attempt {attempt} is let through");
    }
    let sent = std::time::Instant::now();
    let response = client()
        .post(format!("{base}/-/sfn/sign_in"))
        .header("Accept", "text/html")
        // Without TRUSTED_PROXIES a forwarded-for header changes nothing.
        .header("X-Forwarded-For", "198.51.100.23")
        .form(&[("login", "erin"), ("password", "laurel-demo"), ("next", "/")])
        .send()
        .await
        .expect("11th");
    // A tarpit: the refusal comes after a pause, so a flood that posts again as
    // soon as it is refused cannot keep the server busy refusing.
    assert!(sent.elapsed() >= std::time::Duration::from_millis(250), "refused after {:?}", sent.elapsed());
    let response = retry_later(response, "throttle_unauthenticated_protected_paths", (10, 11));
    assert!(
        response.headers().get("set-cookie").is_none(),
        "no session for a throttled post, even with the right password"
    );
    assert_eq!(response.text().await.expect("body"), "Retry later\n");
    // The throttle is for sign-in posts: pages and the API still answer.
    assert_eq!(client().get(format!("{base}/users/sign_in")).send().await.expect("page").status(), 200);
    assert_eq!(call(base, Method::GET, "/user", Some(ROOT_TOKEN), None).await.0, 200);
    // The admin raises the limit; it applies at once in this process.
    set_limits(base, json!({ "throttle_protected_paths_requests_per_period": 100 })).await;
    assert!(sign_in(base, "erin", "laurel-demo").await.2.is_some(), "erin signs in under the new limit");
}

/// GitLab's unauthenticated API throttle: REST and GraphQL requests from a
/// caller who is not signed in (no credentials, a wrong token, a stale session
/// cookie) count per address; a signed-in caller from the same address does
/// not, and is served while the others are refused.
async fn api_requests_without_credentials_are_throttled_per_address(backend: Backend) {
    let db = database(backend).await;
    let server = spawn(&db.url, db.dir(), &[("DEMO_DATA", "1")]);
    let base = &server.base;
    let settings = call(base, Method::GET, "/application/settings", Some(ROOT_TOKEN), None).await.1;
    assert_eq!(settings["throttle_unauthenticated_api_requests_per_period"], 500, "on by default: {settings}");
    set_limits(base, json!({ "throttle_unauthenticated_api_requests_per_period": 4 })).await;
    let get = |token: Option<&'static str>, cookie: Option<&'static str>| {
        let mut request = client().get(format!("{base}/api/v4/projects/1/issues/1/award_emoji"));
        if let Some(token) = token {
            request = request.header("PRIVATE-TOKEN", token);
        }
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send()
    };
    // Four without credentials pass: two bare, a wrong token (its 401), a stale session.
    assert_eq!(get(None, None).await.expect("1st").status(), 200);
    assert_eq!(get(None, None).await.expect("2nd").status(), 200);
    assert_eq!(get(Some("glpat-not-a-token"), None).await.expect("3rd").status(), 401);
    let stale = "laurel_session=no-such-session";
    assert_eq!(get(None, Some(stale)).await.expect("4th").status(), 200);
    // Signed in, from the same address: not counted.
    for _ in 0..5 {
        assert_eq!(get(Some(ROOT_TOKEN), None).await.expect("root").status(), 200);
    }
    let sent = std::time::Instant::now();
    let refused = get(None, None).await.expect("5th");
    assert!(sent.elapsed() >= std::time::Duration::from_millis(250), "refused after {:?}", sent.elapsed());
    let refused = retry_later(refused, "throttle_unauthenticated_api", (4, 5));
    assert_eq!(refused.text().await.expect("body"), "Retry later\n");
    // A wrong token, a stale session and GraphQL are refused the same way.
    assert_eq!(get(Some("glpat-not-a-token"), None).await.expect("wrong token").status(), 429);
    assert_eq!(get(None, Some(stale)).await.expect("stale session").status(), 429);
    let query = "{ currentUser { username } }";
    assert_eq!(graphql(base, None, query, json!({})).await.0, 429, "GraphQL without credentials");
    // Refused before its body is read: a post that announces 3 MB and sends
    // none is answered at once (a body would be waited for, then read whole).
    let answer = post_without_its_body(base, "/api/graphql", 3_000_000).await;
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    // The signed-in are still served, on both APIs.
    assert_eq!(get(Some(ROOT_TOKEN), None).await.expect("root").status(), 200);
    let (status, body) = graphql(base, Some(ROOT_TOKEN), query, json!({})).await;
    assert_eq!((status, &body["data"]["currentUser"]["username"]), (200, &json!("root")), "{body}");
    // Pages and embeds are not the API: a visitor still gets them.
    assert_eq!(client().get(format!("{base}/groups/heroes/-/achievements")).send().await.expect("page").status(), 200);
    // The admin raises the limit; it applies at once in this process.
    set_limits(base, json!({ "throttle_unauthenticated_api_requests_per_period": 100 })).await;
    assert_eq!(get(None, None).await.expect("under the new limit").status(), 200);
    // 0 turns it off.
    set_limits(base, json!({ "throttle_unauthenticated_api_requests_per_period": 0 })).await;
    for n in 0..120 {
        assert_eq!(get(None, None).await.expect("unthrottled").status(), 200, "request {n} with the throttle off");
    }
}

/// A post's head announcing a body of `length` bytes, and none of it: the
/// answer's head, or what came within five seconds.
async fn post_without_its_body(base: &str, path: &str, length: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(address).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.expect("the head is sent");
    let mut answer = vec![0; 512];
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), socket.read(&mut answer)).await;
    let read = read.map_or(0, |r| r.unwrap_or(0));
    String::from_utf8_lossy(&answer[..read]).into_owned()
}

/// The unauthenticated API throttle finds who is asking and hands it to the
/// request: a token, working or not, is read once per request (a wrong one
/// would otherwise cost a stranger's flood two reads each), on REST and GraphQL.
async fn the_throttle_reads_who_is_asking_once(backend: Backend) {
    let server = common::start(backend, &[("DEMO_DATA", "1"), ("RUST_LOG", "warn,sqlx::query=debug")]).await;
    let base = &server.base;
    let reads = |mark: usize| {
        server.log_since(mark).iter().filter(|line| line.contains("FROM personal_access_tokens t JOIN users u")).count()
    };
    for (token, status) in [(ROOT_TOKEN, 200), ("glpat-not-a-token", 401)] {
        let mark = server.log_mark();
        let response = client()
            .get(format!("{base}/api/v4/projects/1/issues/1/award_emoji"))
            .header("PRIVATE-TOKEN", token)
            .send()
            .await
            .expect("REST");
        assert_eq!(response.status(), status);
        let (graphql_status, _) = graphql(base, Some(token), "{ currentUser { username } }", json!({})).await;
        assert_eq!(graphql_status, status, "GraphQL with {token}");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(reads(mark), 2, "{token}: one read for each of the two requests");
    }
}

async fn reactions_and_awards_over_their_limits_are_refused_and_change_nothing(backend: Backend) {
    let db = database(backend).await;
    let server = spawn(&db.url, db.dir(), &[("DEMO_DATA", "1")]);
    let base = &server.base;
    let alice = token_for(base, "alice").await;
    let before = call(base, Method::GET, "/application/settings", Some(ROOT_TOKEN), None).await.1;
    // Only admins read or set limits; bad values are refused; neither changes them.
    assert_eq!(call(base, Method::GET, "/application/settings", Some(&alice), None).await.0, 403);
    let refused = call(
        base,
        Method::PUT,
        "/application/settings",
        Some(&alice),
        Some(json!({ "reactions_per_user_per_minute": 0, "throttle_unauthenticated_api_requests_per_period": 0 })),
    )
    .await;
    assert_eq!(refused, (403, json!({ "message": "403 Forbidden" })));
    for bad in [json!({ "awards_per_group_per_hour": -1 }), json!({ "max_login_attempts": "many" })] {
        let (status, _) = call(base, Method::PUT, "/application/settings", Some(ROOT_TOKEN), Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, bad_period) = call(
        base,
        Method::PUT,
        "/application/settings",
        Some(ROOT_TOKEN),
        Some(json!({ "failed_login_attempts_unlock_period_in_minutes": 0 })),
    )
    .await;
    assert_eq!(status, 400, "{bad_period}");
    // The dashboard's form refuses a non-admin the same way.
    let alice_session = sign_in_cookie(base, "alice", "laurel-demo").await.expect("alice signs in");
    let form = client()
        .post(format!("{base}/-/sfn/admin_set_limits"))
        .header("Cookie", alice_session)
        .header("Accept", "text/html")
        .form(&[
            ("max_login_attempts", "0"),
            ("failed_login_attempts_unlock_period_in_minutes", "1"),
            ("throttle_protected_paths_requests_per_period", "0"),
            ("reactions_per_user_per_minute", "0"),
            ("awards_per_group_per_hour", "0"),
            ("award_emails_per_group_per_hour", "0"),
            ("throttle_unauthenticated_api_requests_per_period", "0"),
        ])
        .send()
        .await
        .expect("form");
    let location = form.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(location.starts_with("/admin?error="), "refused: {} {location}", form.status());
    assert_eq!(call(base, Method::GET, "/application/settings", Some(ROOT_TOKEN), None).await.1, before, "unchanged");
    assert_eq!(before["reactions_per_user_per_minute"], 60, "GitLab-like defaults: {before}");
    assert_eq!(before["max_login_attempts"], 10);
    set_limits(base, json!({ "reactions_per_user_per_minute": 3, "awards_per_group_per_hour": 2 })).await;
    let set = call(base, Method::GET, "/application/settings", Some(ROOT_TOKEN), None).await.1;
    assert_eq!((&set["reactions_per_user_per_minute"], &set["awards_per_group_per_hour"]), (&json!(3), &json!(2)));
    assert_eq!(set["max_login_attempts"], before["max_login_attempts"], "the others keep their values");

    // Reactions: three a minute for carol, then GitLab's per-endpoint 429.
    let carol = token_for(base, "carol").await;
    let count = |list: &Value| list.as_array().map(Vec::len).unwrap_or(0);
    let listed = count(&call(base, Method::GET, "/projects/1/issues/2/award_emoji", Some(ROOT_TOKEN), None).await.1);
    for name in ["rocket", "eyes", "fire"] {
        let (status, body) =
            call(base, Method::POST, "/projects/1/issues/2/award_emoji", Some(&carol), Some(json!({ "name": name })))
                .await;
        assert_eq!(status, 201, "{name}: {body}");
    }
    let response = client()
        .post(format!("{base}/api/v4/projects/1/issues/2/award_emoji"))
        .header("PRIVATE-TOKEN", &carol)
        .json(&json!({ "name": "star" }))
        .send()
        .await
        .expect("4th");
    assert_eq!(response.status(), 429);
    assert!(response.headers().get("retry-after").is_some(), "Retry-After");
    assert_eq!(response.json::<Value>().await.expect("json"), json!({ "message": { "error": RATE_LIMITED } }));
    let (_, body) = graphql(
        base,
        Some(&carol),
        r#"mutation { awardEmojiAdd(input: { awardableId: "gid://gitlab/Issue/2", name: "wave" }) { errors } }"#,
        json!({}),
    )
    .await;
    assert_eq!(body["errors"][0]["message"], RATE_LIMITED, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{body}");
    let after = count(&call(base, Method::GET, "/projects/1/issues/2/award_emoji", Some(ROOT_TOKEN), None).await.1);
    assert_eq!(after, listed + 3, "the refused reactions were not stored");
    // Another user's allowance is their own.
    let dave = token_for(base, "dave").await;
    let (status, _) =
        call(base, Method::POST, "/projects/1/issues/2/award_emoji", Some(&dave), Some(json!({ "name": "star" })))
            .await;
    assert_eq!(status, 201);

    // Awards: any user can make a group and an achievement, and award it to
    // anyone; two awards an hour per group, then refused with nothing made.
    let (status, group) =
        call(base, Method::POST, "/groups", Some(&carol), Some(json!({ "name": "Spam Co", "path": "spam-co" }))).await;
    assert_eq!(status, 201, "{group}");
    let (_, made) = graphql(
        base,
        Some(&carol),
        r#"mutation($g: NamespaceID!) { achievementsCreate(input: { namespaceId: $g, name: "Winner" }) { achievement { id } errors } }"#,
        json!({ "g": format!("gid://gitlab/Group/{}", group["id"]) }),
    )
    .await;
    let achievement =
        made["data"]["achievementsCreate"]["achievement"]["id"].as_str().expect("achievement").to_string();
    let award = r#"mutation($a: AchievementsAchievementID!, $u: UserID!) { achievementsAward(input: {
        achievementId: $a, userId: $u, awardMessage: "You won! Click here" }) { userAchievement { id } errors } }"#;
    for user in [5, 6] {
        let vars = json!({ "a": achievement, "u": format!("gid://gitlab/User/{user}") });
        let (_, body) = graphql(base, Some(&carol), award, vars).await;
        assert_eq!(body["data"]["achievementsAward"]["errors"], json!([]), "{body}");
    }
    let (_, body) = graphql(base, Some(&carol), award, json!({ "a": achievement, "u": "gid://gitlab/User/8" })).await;
    assert_eq!(body["errors"][0]["message"], RATE_LIMITED, "{body}");
    assert!(body["errors"][0]["extensions"]["retryAfter"].as_u64().is_some_and(|s| s > 3000), "{body}");
    let holders = r#"{ namespace(fullPath: "spam-co") { achievements { nodes { userAchievements { count } } } } }"#;
    let (_, held) = graphql(base, Some(&carol), holders, json!({})).await;
    let count = &held["data"]["namespace"]["achievements"]["nodes"][0]["userAchievements"]["count"];
    assert_eq!(count, 2, "two awards made, the third not: {held}");
}

async fn award_mail_over_the_hourly_limit_waits_its_turn(backend: Backend) {
    let db = database(backend).await;
    let (url, dir) = (db.url.clone(), db.dir().to_path_buf());
    let server = spawn(&url, &dir, &[("DEMO_DATA", "1")]);
    let base = &server.base;
    set_limits(base, json!({ "award_emails_per_group_per_hour": 1 })).await;
    let alice = token_for(base, "alice").await;
    let award = r#"mutation($u: UserID!) { achievementsAward(input: {
        achievementId: "gid://gitlab/Achievements::Achievement/1", userId: $u }) { errors } }"#;
    for user in [5, 6] {
        let (_, body) = graphql(base, Some(&alice), award, json!({ "u": format!("gid://gitlab/User/{user}") })).await;
        assert_eq!(body["data"]["achievementsAward"]["errors"], json!([]), "both awards stand: {body}");
    }
    // dave's mail goes out (to the .eml outbox folder); erin's waits for the next hour.
    // The messages written whole (each is written beside, then renamed to `.eml`).
    let outbox = server.data_dir.join("mail");
    let written = || -> Vec<String> {
        std::fs::read_dir(&outbox)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|f| f.path())
                    .filter(|path| path.extension().is_some_and(|e| e == "eml"))
                    .filter_map(|path| std::fs::read_to_string(path).ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mails = loop {
        let mails = written();
        if !mails.is_empty() || std::time::Instant::now() > deadline {
            break mails;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let later = written().len();
    assert_eq!((mails.len(), later), (1, 1), "one mail this hour");
    assert!(mails[0].contains("dave@example.com"), "{}", mails[0]);
    // erin's is kept, due an hour after dave's.
    let waiting = strings(&url, "SELECT to_address FROM mail_outbox WHERE sent_at IS NULL").await;
    assert_eq!(waiting, vec!["erin@example.com".to_string()]);
}

/// Anyone may make groups, and each group's mail has its own hourly limit: so
/// a person is mailed at most 20 awards an hour from all groups together. The
/// awards past that stand, unmailed.
async fn one_person_gets_at_most_twenty_award_mails_an_hour_from_all_groups(backend: Backend) {
    let db = database(backend).await;
    let (url, dir) = (db.url.clone(), db.dir().to_path_buf());
    let server = spawn(&url, &dir, &[("DEMO_DATA", "1")]);
    let base = &server.base;
    let grace = token_for(base, "grace").await;
    let mut awarded = 0;
    for g in 0..3 {
        let group = json!({ "name": format!("Loud {g}"), "path": format!("loud-{g}") });
        assert_eq!(call(base, Method::POST, "/groups", Some(&grace), Some(group)).await.0, 201);
        let made = format!("/groups/loud-{g}/achievements");
        let (_, achievement) = call(base, Method::POST, &made, Some(&grace), Some(json!({ "name": "Again" }))).await;
        for _ in 0..9 {
            let awards = format!("{made}/{}/awards", achievement["id"]);
            let (status, award) =
                call(base, Method::POST, &awards, Some(&grace), Some(json!({ "username": "bob" }))).await;
            assert_eq!(status, 201, "{award}");
            awarded += 1;
        }
    }
    assert_eq!(awarded, 27);
    let to_bob = strings(&url, "SELECT to_address FROM mail_outbox WHERE to_address = 'bob@example.com'").await;
    assert_eq!(to_bob.len(), 20, "20 of 27 awards mailed");
    let bob = token_for(base, "bob").await;
    let (_, me) = call(base, Method::GET, "/user", Some(&bob), None).await;
    let (_, held) =
        call(base, Method::GET, &format!("/users/{}/achievements?per_page=100", me["id"]), Some(&bob), None).await;
    let loud = held.as_array().expect("awards").iter().filter(|a| a["achievement"]["name"] == "Again").count();
    assert_eq!(loud, 27, "every award stands");
    // Someone else is mailed as before.
    let (_, achievement) =
        call(base, Method::POST, "/groups/loud-0/achievements", Some(&grace), Some(json!({ "name": "Once" }))).await;
    let awards = format!("/groups/loud-0/achievements/{}/awards", achievement["id"]);
    assert_eq!(call(base, Method::POST, &awards, Some(&grace), Some(json!({ "username": "carol" }))).await.0, 201);
    let to_carol = strings(&url, "SELECT to_address FROM mail_outbox WHERE to_address = 'carol@example.com'").await;
    assert_eq!(to_carol.len(), 1);
}

/// GitLab's `notes_create_limit` and `issues_create_limit`: 300 a minute per
/// user; the next is refused in GitLab's words and makes nothing. Admins are
/// not counted.
async fn comments_and_issues_past_gitlabs_limits_are_refused_and_change_nothing(backend: Backend) {
    let db = database(backend).await;
    let server = spawn(&db.url, db.dir(), &[("DEMO_DATA", "1")]);
    let base = &server.base;
    let carol = token_for(base, "carol").await;
    let notes = "/projects/1/issues/1/notes";
    let count = |path: &'static str| async move {
        let (_, list) = call(base, Method::GET, &format!("{path}?per_page=100&page=4"), Some(ROOT_TOKEN), None).await;
        let (_, first) = call(base, Method::GET, &format!("{path}?per_page=100"), Some(ROOT_TOKEN), None).await;
        (first.as_array().map(Vec::len), list.as_array().map(Vec::len))
    };
    for (path, field) in [(notes, "body"), ("/projects/1/issues", "title")] {
        for n in 0..300 {
            let (status, made) =
                call(base, Method::POST, path, Some(&carol), Some(json!({ field: format!("No. {n}") }))).await;
            assert_eq!(status, 201, "{path} {n}: {made}");
        }
        let before = count(path).await;
        let (status, refused) =
            call(base, Method::POST, path, Some(&carol), Some(json!({ field: "one too many" }))).await;
        assert_eq!((status, refused), (429, json!({ "message": { "error": RATE_LIMITED } })), "{path}");
        assert_eq!(count(path).await, before, "{path}: nothing made");
        let (status, _) = call(base, Method::POST, path, Some(ROOT_TOKEN), Some(json!({ field: "an admin's" }))).await;
        assert_eq!(status, 201, "{path}: admins are not counted");
    }
}

/// A body is read whole before anything acts on it, and may take its time: so
/// one address's bodies may hold at most 32 MiB at once (eight of the largest).
/// Past that a request is refused at once (503, `Retry-After`), having read
/// nothing, while other addresses are served; the share comes back as the
/// bodies end. (Twenty slow 4 MB bodies held 71 MB; a thousand, gigabytes.)
async fn one_address_holds_at_most_its_share_of_request_bodies(backend: Backend) {
    use tokio::io::AsyncWriteExt;
    let db = database(backend).await;
    let server = spawn(&db.url, db.dir(), &[("DEMO_DATA", "1"), ("TRUSTED_PROXIES", "127.0.0.1")]);
    let base = &server.base;
    let port = base.rsplit(':').next().expect("port").to_string();
    let (stranger, neighbour) = ("203.0.113.7", "203.0.113.8");
    let mut slow = Vec::new();
    for _ in 0..8 {
        let mut socket = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await.expect("connect");
        let head = format!(
            "POST /api/v4/projects/1/issues/1/notes HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: {stranger}\r\n\
             Content-Type: application/json\r\nContent-Length: 4194304\r\n\r\n{{\"body\": \""
        );
        socket.write_all(head.as_bytes()).await.expect("a slow body begins");
        slow.push(socket);
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let react = |from: &'static str, name: &'static str| async move {
        client()
            .post(format!("{base}/api/v4/projects/1/issues/1/award_emoji"))
            .header("PRIVATE-TOKEN", ROOT_TOKEN)
            .header("X-Forwarded-For", from)
            .json(&json!({ "name": name }))
            .send()
            .await
            .expect("reaction")
    };
    let refused = react(stranger, "rocket").await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_eq!(refused.json::<Value>().await.expect("json"), json!({ "message": "503 Service Unavailable" }));
    assert_eq!(react(neighbour, "tada").await.status(), 201, "another address is served");
    let (_, awards) = call(base, Method::GET, "/projects/1/issues/1/award_emoji", Some(ROOT_TOKEN), None).await;
    assert!(!awards.to_string().contains("rocket"), "the refused request made nothing: {awards}");
    drop(slow);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let status = react(stranger, "rocket").await.status();
        if status == 201 {
            break;
        }
        assert_eq!(status, 503);
        assert!(std::time::Instant::now() < deadline, "the share never came back");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
