//! Achievements over REST (`/api/v4/groups/:id/achievements...`,
//! `/user_achievements/:id`, `/users/:id/achievements`, `/user/achievements`):
//! Maintainers create, edit, award, revoke and delete; Owners delete awards;
//! recipients hide and order theirs; each refused caller gets GitLab's answer
//! and changes nothing.

use crate::common;

use common::{client, png, start, token_for, user_id, Backend, ROOT_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};

on_both!(
    maintainers_manage_a_groups_achievements,
    refused_callers_change_nothing,
    awards_are_made_listed_revoked_and_deleted,
    recipients_hide_and_order_their_achievements,
);

/// An answer: status, headers, JSON body (`null` if none). A 5xx fails the test.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn send(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    assert!(status < 500, "{status} {text}");
    Answer { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null) }
}

/// A v4 call with an optional token and JSON body.
async fn api(base: &str, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
    let mut request = client().request(method, format!("{base}/api/v4{path}"));
    if let Some(token) = token {
        request = request.header("PRIVATE-TOKEN", token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    send(request).await
}

async fn get(base: &str, path: &str, token: Option<&str>) -> Answer {
    api(base, Method::GET, path, token, None).await
}

/// A multipart call (the way `curl --form` uploads an avatar).
async fn multipart(base: &str, method: Method, path: &str, token: &str, form: reqwest::multipart::Form) -> Answer {
    send(client().request(method, format!("{base}/api/v4{path}")).header("PRIVATE-TOKEN", token).multipart(form)).await
}

fn names(list: &Value) -> Vec<String> {
    list.as_array().expect("a list").iter().map(|a| a["name"].as_str().expect("name").to_string()).collect()
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array().expect("a list").iter().map(|a| a["id"].as_i64().expect("id")).collect()
}

/// The id of `group`'s achievement called `name`.
async fn achievement_id(base: &str, group: &str, name: &str) -> i64 {
    let list = get(base, &format!("/groups/{group}/achievements?per_page=100"), Some(ROOT_TOKEN)).await;
    let found = list.body.as_array().expect("list").iter().find(|a| a["name"] == name).cloned();
    found.and_then(|a| a["id"].as_i64()).expect("achievement")
}

/// Everything a group's achievements are, as root reads them: for checking
/// that a refusal changed nothing.
async fn snapshot(base: &str, group: &str) -> Value {
    let list = get(base, &format!("/groups/{group}/achievements?per_page=100"), Some(ROOT_TOKEN)).await;
    let mut all = Vec::new();
    for achievement in list.body.as_array().expect("list") {
        let id = achievement["id"].as_i64().expect("id");
        let awards =
            get(base, &format!("/groups/{group}/achievements/{id}/awards?per_page=100"), Some(ROOT_TOKEN)).await;
        all.push(json!({ "achievement": achievement, "awards": awards.body }));
    }
    Value::Array(all)
}

async fn maintainers_manage_a_groups_achievements(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let bob = token_for(base, "bob").await;

    // Anyone may read a public group's achievements, newest first, paged as GitLab pages.
    let list = get(base, "/groups/heroes/achievements", None).await;
    assert_eq!(list.status, 200);
    assert_eq!(names(&list.body), ["First merge request", "Contributor of the month"]);
    assert_eq!(list.headers["x-total"], "2");
    let group_id = list.body[0]["namespace_id"].as_i64().expect("namespace id");
    assert_eq!(list.body[0]["web_url"], format!("{base}/groups/heroes/-/achievements"));
    let paged = get(base, &format!("/groups/{group_id}/achievements?per_page=1&page=2"), None).await;
    assert_eq!(names(&paged.body), ["Contributor of the month"]);
    assert_eq!(
        (&paged.headers["x-total-pages"], &paged.headers["x-prev-page"]),
        (&"2".parse().unwrap(), &"1".parse().unwrap())
    );
    assert!(paged.headers["link"].to_str().unwrap().contains("rel=\"first\""));
    let searched = get(base, "/groups/heroes/achievements?search=month", None).await;
    assert_eq!(names(&searched.body), ["Contributor of the month"]);

    // Create with JSON.
    let made = api(
        base,
        Method::POST,
        "/groups/heroes/achievements",
        Some(&bob),
        Some(json!({ "name": "  Docs hero ", "description": "Wrote the docs." })),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!((&made.body["name"], &made.body["description"]), (&json!("Docs hero"), &json!("Wrote the docs.")));
    assert_eq!(made.body["namespace_id"], group_id);
    assert_eq!(made.body["avatar_url"], Value::Null);
    // How widely held: nobody yet, of the group's five members.
    assert_eq!(
        (&made.body["holders_count"], &made.body["members_count"], &made.body["holders_percent"]),
        (&json!(0), &json!(5), &json!(0))
    );
    // Contributor of the month: carol (three times) and bob, 2 of 5.
    let month = &list.body[1];
    assert_eq!((&month["holders_count"], &month["holders_percent"]), (&json!(2), &json!(40)));
    let docs = made.body["id"].as_i64().expect("id");

    // Create with an avatar (multipart); the image is served at its URL.
    let image = png([200, 30, 30]);
    let form = reqwest::multipart::Form::new()
        .text("name", "Red badge")
        .part("avatar", reqwest::multipart::Part::bytes(image.clone()).file_name("red.png"));
    let red = multipart(base, Method::POST, "/groups/heroes/achievements", &bob, form).await;
    assert_eq!(red.status, 201, "{}", red.body);
    let avatar_url = red.body["avatar_url"].as_str().expect("an avatar URL").to_string();
    let served = client().get(&avatar_url).send().await.expect("avatar");
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.expect("bytes").to_vec(), image);

    // Bad input: each a clear 400, nothing made.
    let before = snapshot(base, "heroes").await;
    let junk = reqwest::multipart::Form::new()
        .text("name", "Junk")
        .part("avatar", reqwest::multipart::Part::bytes(b"GIF89a not really".to_vec()).file_name("junk.png"));
    let refused = multipart(base, Method::POST, "/groups/heroes/achievements", &bob, junk).await;
    assert_eq!(refused.status, 400);
    assert!(refused.body["message"].to_string().contains("Avatar"), "{}", refused.body);
    let taken =
        api(base, Method::POST, "/groups/heroes/achievements", Some(&bob), Some(json!({ "name": "Docs hero" }))).await;
    assert_eq!((taken.status, &taken.body["message"]), (400, &json!(["Name has already been taken"])));
    let unnamed = api(base, Method::POST, "/groups/heroes/achievements", Some(&bob), Some(json!({}))).await;
    assert_eq!((unnamed.status, &unnamed.body), (400, &json!({ "error": "name is missing" })));
    let long = "x".repeat(256);
    let too_long =
        api(base, Method::POST, "/groups/heroes/achievements", Some(&bob), Some(json!({ "name": long }))).await;
    assert_eq!(too_long.status, 400);
    let broken = send(
        client()
            .post(format!("{base}/api/v4/groups/heroes/achievements"))
            .header("PRIVATE-TOKEN", &bob)
            .header("Content-Type", "multipart/form-data; boundary=XyZ")
            .body("--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nunterminated"),
    )
    .await;
    assert_eq!(broken.status, 400, "{}", broken.body);
    assert_eq!(snapshot(base, "heroes").await, before, "refused creates changed nothing");

    // Read one: through its own group only.
    let one = get(base, &format!("/groups/heroes/achievements/{docs}"), None).await;
    assert_eq!((one.status, &one.body["name"]), (200, &json!("Docs hero")));
    let elsewhere = get(base, &format!("/groups/heroes%2Fdesign/achievements/{docs}"), None).await;
    assert_eq!((elsewhere.status, &elsewhere.body), (404, &json!({ "message": "404 Achievement Not Found" })));
    let junk_id = get(base, "/groups/heroes/achievements/abc", None).await;
    assert_eq!((junk_id.status, &junk_id.body), (400, &json!({ "error": "achievement_id is invalid" })));

    // Update: a field at a time; an empty description clears it; a new avatar.
    let path = format!("/groups/heroes/achievements/{docs}");
    let renamed = api(base, Method::PUT, &path, Some(&bob), Some(json!({ "name": "Docs champion" }))).await;
    assert_eq!((renamed.status, &renamed.body["name"]), (200, &json!("Docs champion")));
    assert_eq!(renamed.body["description"], "Wrote the docs.");
    let cleared = api(base, Method::PUT, &path, Some(&bob), Some(json!({ "description": "" }))).await;
    assert_eq!(cleared.body["description"], Value::Null);
    let blue = reqwest::multipart::Form::new()
        .part("avatar", reqwest::multipart::Part::bytes(png([20, 20, 220])).file_name("blue.png"));
    let reimaged = multipart(base, Method::PUT, &path, &bob, blue).await;
    assert_eq!(reimaged.status, 200, "{}", reimaged.body);
    assert!(reimaged.body["avatar_url"].as_str().expect("avatar").ends_with("/blue.png"));
    let nothing = api(base, Method::PUT, &path, Some(&bob), Some(json!({}))).await;
    assert_eq!(nothing.status, 400);

    // Delete: 204, then gone.
    let deleted = api(base, Method::DELETE, &path, Some(&bob), None).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(get(base, &path, None).await.status, 404);
    assert_eq!(api(base, Method::DELETE, &path, Some(&bob), None).await.status, 404);
}

async fn refused_callers_change_nothing(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (bob, carol, grace) =
        (token_for(base, "bob").await, token_for(base, "carol").await, token_for(base, "grace").await);
    let month = achievement_id(base, "heroes", "Contributor of the month").await;
    let path = format!("/groups/heroes/achievements/{month}");
    let awards = get(base, &format!("{path}/awards?per_page=100"), Some(ROOT_TOKEN)).await;
    let an_award = awards.body[0]["id"].as_i64().expect("an award");
    let before = snapshot(base, "heroes").await;
    let lab_before = snapshot(base, "secret-lab").await;
    let forbidden = json!({ "message": "403 Forbidden" });

    // A Developer sees the achievements but may not change them.
    let create =
        api(base, Method::POST, "/groups/heroes/achievements", Some(&carol), Some(json!({ "name": "Mine" }))).await;
    assert_eq!((create.status, &create.body), (403, &forbidden));
    let edit = api(base, Method::PUT, &path, Some(&carol), Some(json!({ "name": "Mine" }))).await;
    assert_eq!((edit.status, &edit.body), (403, &forbidden));
    assert_eq!(api(base, Method::DELETE, &path, Some(&carol), None).await.status, 403);
    let award =
        api(base, Method::POST, &format!("{path}/awards"), Some(&carol), Some(json!({ "username": "carol" }))).await;
    assert_eq!((award.status, &award.body), (403, &forbidden));
    // An award addressed by id: not found for whoever may not act on it.
    let revoke = api(base, Method::POST, &format!("/user_achievements/{an_award}/revoke"), Some(&carol), None).await;
    assert_eq!((revoke.status, &revoke.body), (404, &json!({ "message": "404 User Achievement Not Found" })));
    // Maintainers revoke; deleting an award is for Owners.
    let delete = api(base, Method::DELETE, &format!("/user_achievements/{an_award}"), Some(&bob), None).await;
    assert_eq!(delete.status, 404);

    // Without a token: reads of a public group work, writes are 401.
    let anonymous = api(base, Method::POST, "/groups/heroes/achievements", None, Some(json!({ "name": "Mine" }))).await;
    assert_eq!((anonymous.status, &anonymous.body), (401, &json!({ "message": "401 Unauthorized" })));
    assert_eq!(api(base, Method::POST, &format!("/user_achievements/{an_award}/revoke"), None, None).await.status, 401);

    // A read_api token of a Maintainer may read, not write.
    let bob_id = user_id(base, "bob").await;
    let read_only = api(
        base,
        Method::POST,
        &format!("/users/{bob_id}/personal_access_tokens"),
        Some(ROOT_TOKEN),
        Some(json!({ "name": "reader", "scopes": ["read_api"] })),
    )
    .await;
    let read_only = read_only.body["token"].as_str().expect("token").to_string();
    assert_eq!(get(base, &path, Some(&read_only)).await.status, 200);
    let scoped = api(base, Method::PUT, &path, Some(&read_only), Some(json!({ "name": "Mine" }))).await;
    assert_eq!((scoped.status, &scoped.body["error"]), (403, &json!("insufficient_scope")));

    // A private group does not exist for an outsider, nor for the anonymous.
    for token in [Some(grace.as_str()), None] {
        let list = get(base, "/groups/secret-lab/achievements", token).await;
        assert_eq!((list.status, &list.body), (404, &json!({ "message": "404 Group Not Found" })));
        let create =
            api(base, Method::POST, "/groups/secret-lab/achievements", token, Some(json!({ "name": "X" }))).await;
        assert_eq!(create.status, if token.is_some() { 404 } else { 401 });
    }
    let bug = achievement_id(base, "secret-lab", "Bug hunter").await;
    let by_other_path = get(base, &format!("/groups/heroes/achievements/{bug}"), Some(&grace)).await;
    assert_eq!(by_other_path.status, 404);

    assert_eq!(snapshot(base, "heroes").await, before, "no refusal changed the group's achievements");
    assert_eq!(snapshot(base, "secret-lab").await, lab_before);
}

async fn awards_are_made_listed_revoked_and_deleted(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (alice, bob) = (token_for(base, "alice").await, token_for(base, "bob").await);
    let first = achievement_id(base, "heroes", "First merge request").await;
    let awards_path = format!("/groups/heroes/achievements/{first}/awards");
    let before = get(base, &awards_path, Some(&bob)).await;
    assert_eq!(before.headers["x-total"], "2");

    // By username (a leading @ is fine) with a message, and by user id.
    let to_erin = api(
        base,
        Method::POST,
        &awards_path,
        Some(&bob),
        Some(json!({ "username": "@erin", "message": "Thanks for the docs fix." })),
    )
    .await;
    assert_eq!(to_erin.status, 201, "{}", to_erin.body);
    assert_eq!(to_erin.body["user"]["username"], "erin");
    assert_eq!(to_erin.body["awarded_by_user"]["username"], "bob");
    assert_eq!(to_erin.body["award_message"], "Thanks for the docs fix.");
    assert_eq!(to_erin.body["achievement"]["id"], first);
    assert_eq!((&to_erin.body["accepted"], &to_erin.body["revoked_at"]), (&json!(true), &Value::Null));
    let dave = user_id(base, "dave").await;
    let to_dave = api(base, Method::POST, &awards_path, Some(&bob), Some(json!({ "user_id": dave }))).await;
    assert_eq!((to_dave.status, &to_dave.body["user"]["id"]), (201, &json!(dave)));
    let (erin_award, dave_award) = (to_erin.body["id"].as_i64().unwrap(), to_dave.body["id"].as_i64().unwrap());

    // Bad input: a clear 400 or 404 each, nothing awarded.
    let both =
        api(base, Method::POST, &awards_path, Some(&bob), Some(json!({ "user_id": dave, "username": "erin" }))).await;
    assert_eq!((both.status, &both.body), (400, &json!({ "error": "user_id, username are mutually exclusive" })));
    let neither = api(base, Method::POST, &awards_path, Some(&bob), Some(json!({ "message": "hi" }))).await;
    assert_eq!(neither.status, 400);
    let nobody = api(base, Method::POST, &awards_path, Some(&bob), Some(json!({ "username": "nobody-here" }))).await;
    assert_eq!((nobody.status, &nobody.body), (404, &json!({ "message": "404 User Not Found" })));
    let no_id = api(base, Method::POST, &awards_path, Some(&bob), Some(json!({ "user_id": 999999 }))).await;
    assert_eq!((no_id.status, &no_id.body), (400, &json!({ "message": ["Couldn't find User with 'id'=999999"] })));
    let long =
        api(base, Method::POST, &awards_path, Some(&bob), Some(json!({ "user_id": dave, "message": "x".repeat(201) })))
            .await;
    assert_eq!(long.status, 400);
    let junk = api(base, Method::POST, &awards_path, Some(&bob), Some(json!({ "user_id": "twelve" }))).await;
    assert_eq!((junk.status, &junk.body), (400, &json!({ "error": "user_id is invalid" })));

    let listed = get(base, &format!("{awards_path}?per_page=100"), Some(&bob)).await;
    assert_eq!(listed.headers["x-total"], "4");
    let listed_ids = ids(&listed.body);
    assert!(listed_ids.contains(&erin_award) && listed_ids.contains(&dave_award), "{listed_ids:?}");

    // Holders as each caller may count them: erin hides hers, so strangers
    // count carol and dave, a Maintainer the three.
    let one = format!("/groups/heroes/achievements/{first}");
    assert_eq!(get(base, &one, None).await.body["holders_count"], 3);
    let erin = token_for(base, "erin").await;
    let hide = api(
        base,
        Method::PUT,
        &format!("/user/achievements/{erin_award}"),
        Some(&erin),
        Some(json!({ "show_on_profile": false })),
    )
    .await;
    assert_eq!(hide.status, 200);
    assert_eq!(
        (
            get(base, &one, None).await.body["holders_count"].clone(),
            get(base, &one, Some(&bob)).await.body["holders_count"].clone()
        ),
        (json!(2), json!(3))
    );
    assert_eq!(get(base, &one, None).await.body["holders_percent"], 40);

    // Revoke: the award as revoked, once; it leaves the listing.
    let revoke_path = format!("/user_achievements/{erin_award}/revoke");
    let revoked = api(base, Method::POST, &revoke_path, Some(&bob), None).await;
    assert_eq!(revoked.status, 201, "{}", revoked.body);
    assert!(revoked.body["revoked_at"].is_string());
    assert_eq!(revoked.body["revoked_by_user"]["username"], "bob");
    let again = api(base, Method::POST, &revoke_path, Some(&bob), None).await;
    assert_eq!(
        (again.status, &again.body),
        (400, &json!({ "message": ["This achievement has already been revoked"] }))
    );
    let listed = get(base, &format!("{awards_path}?per_page=100"), Some(&bob)).await;
    assert!(!ids(&listed.body).contains(&erin_award));

    // Delete (an Owner): 204, gone.
    let deleted = api(base, Method::DELETE, &format!("/user_achievements/{dave_award}"), Some(&alice), None).await;
    assert_eq!(deleted.status, 204);
    let listed = get(base, &format!("{awards_path}?per_page=100"), Some(&bob)).await;
    assert_eq!((ids(&listed.body).contains(&dave_award), &listed.headers["x-total"]), (false, &"2".parse().unwrap()));
    let junk = api(base, Method::DELETE, "/user_achievements/x1", Some(&alice), None).await;
    assert_eq!((junk.status, &junk.body), (400, &json!({ "error": "user_achievement_id is invalid" })));
}

async fn recipients_hide_and_order_their_achievements(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let (carol, dave) = (token_for(base, "carol").await, token_for(base, "dave").await);
    let carol_id = user_id(base, "carol").await;
    let mine = format!("/users/{carol_id}/achievements?per_page=100");

    // Anyone sees carol's shown awards; a private group's stays unnamed.
    let public = get(base, &mine, None).await;
    assert_eq!(public.status, 200);
    let lab = get(base, "/groups/secret-lab", Some(ROOT_TOKEN)).await.body["id"].as_i64().expect("lab id");
    for award in public.body.as_array().expect("list") {
        assert_eq!(award["user"]["username"], "carol");
        assert_ne!(award["achievement"]["namespace_id"], lab, "a private group is never named to a stranger");
        assert!(!award["achievement"]["web_url"].to_string().contains("secret-lab"));
        if award["achievement"]["namespace_id"].is_null() {
            assert_eq!(award["achievement"]["holders_count"], Value::Null, "nothing counted in an unseen group");
        }
    }
    let shown = ids(&public.body);
    assert!(shown.len() >= 5, "{shown:?}");

    // Carol hides one: strangers no longer see it, she does when she asks.
    let hidden = shown[0];
    let hide = api(
        base,
        Method::PUT,
        &format!("/user/achievements/{hidden}"),
        Some(&carol),
        Some(json!({ "show_on_profile": false })),
    )
    .await;
    assert_eq!((hide.status, &hide.body["show_on_profile"]), (200, &json!(false)), "{}", hide.body);
    assert!(!ids(&get(base, &mine, None).await.body).contains(&hidden));
    assert!(!ids(&get(base, &format!("{mine}&include_hidden=true"), Some(&dave)).await.body).contains(&hidden));
    assert!(ids(&get(base, &format!("{mine}&include_hidden=true"), Some(&carol)).await.body).contains(&hidden));

    // Someone else may not touch her awards; nothing changes.
    let before = get(base, &format!("{mine}&include_hidden=true"), Some(&carol)).await.body;
    let other = api(
        base,
        Method::PUT,
        &format!("/user/achievements/{}", shown[1]),
        Some(&dave),
        Some(json!({ "show_on_profile": false })),
    )
    .await;
    assert_eq!((other.status, &other.body), (404, &json!({ "message": "404 User Achievement Not Found" })));
    let unsigned = api(
        base,
        Method::PUT,
        &format!("/user/achievements/{}", shown[1]),
        None,
        Some(json!({ "show_on_profile": false })),
    )
    .await;
    assert_eq!(unsigned.status, 401);
    let no_flag =
        api(base, Method::PUT, &format!("/user/achievements/{}", shown[1]), Some(&carol), Some(json!({}))).await;
    assert_eq!((no_flag.status, &no_flag.body), (400, &json!({ "error": "show_on_profile is missing" })));
    assert_eq!(get(base, &format!("{mine}&include_hidden=true"), Some(&carol)).await.body, before);

    // Order: the listed ones first, in that order.
    let (a, b) = (shown[2], shown[1]);
    let ordered =
        api(base, Method::PUT, "/user/achievements/priorities", Some(&carol), Some(json!({ "ids": [a, b] }))).await;
    assert_eq!(ordered.status, 200, "{}", ordered.body);
    assert_eq!(ids(&ordered.body)[..2], [a, b]);
    let now = ids(&get(base, &mine, None).await.body);
    assert_eq!(now[..2], [a, b]);
    let form = send(
        client()
            .put(format!("{base}/api/v4/user/achievements/priorities"))
            .header("PRIVATE-TOKEN", &carol)
            .form(&[("ids[]", b.to_string()), ("ids[]", a.to_string())]),
    )
    .await;
    assert_eq!(form.status, 200);
    assert_eq!(ids(&get(base, &mine, None).await.body)[..2], [b, a]);

    // Refused orders change nothing.
    let dave_id = user_id(base, "dave").await;
    let daves = get(base, &format!("/users/{dave_id}/achievements"), None).await;
    let not_hers = daves.body[0]["id"].as_i64().expect("dave holds one");
    let before = get(base, &format!("{mine}&include_hidden=true"), Some(&carol)).await.body;
    for (body, status) in [
        (json!({ "ids": [a, not_hers] }), 404),
        (json!({ "ids": [a, a] }), 400),
        (json!({ "ids": ["one"] }), 400),
        (json!({}), 400),
    ] {
        let refused = api(base, Method::PUT, "/user/achievements/priorities", Some(&carol), Some(body.clone())).await;
        assert_eq!(refused.status, status, "{body}: {}", refused.body);
    }
    let anonymous = api(base, Method::PUT, "/user/achievements/priorities", None, Some(json!({ "ids": [a] }))).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(get(base, &format!("{mine}&include_hidden=true"), Some(&carol)).await.body, before);

    // A private profile lists nothing to others; unknown users are 404.
    let (bob, frank_token) = (token_for(base, "bob").await, token_for(base, "frank").await);
    let frank = user_id(base, "frank").await;
    let bug = achievement_id(base, "secret-lab", "Bug hunter").await;
    let to_frank = format!("/groups/secret-lab/achievements/{bug}/awards");
    assert_eq!(api(base, Method::POST, &to_frank, Some(&bob), Some(json!({ "user_id": frank }))).await.status, 201);
    let own = get(base, &format!("/users/{frank}/achievements"), Some(&frank_token)).await;
    assert_eq!(own.headers["x-total"], "1");
    let private = get(base, &format!("/users/{frank}/achievements"), Some(&dave)).await;
    assert_eq!((private.status, &private.body, &private.headers["x-total"]), (200, &json!([]), &"0".parse().unwrap()));
    assert_eq!(get(base, "/users/999999/achievements", None).await.status, 404);
    assert_eq!(get(base, "/users/carol/achievements", None).await.status, 404);
}
