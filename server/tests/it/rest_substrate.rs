//! The REST substrate (spec §6): an admin token sets up a whole scenario, then
//! each user acts with their own token, as a GitLab client would.

use crate::common;

use common::{client, start, Backend, ROOT_TOKEN};
use serde_json::{json, Value};

on_both!(a_client_sets_up_a_scenario_and_acts_as_each_user);

struct Api {
    base: String,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        let mut request =
            client().request(method, format!("{}/api/v4{path}", self.base)).header("PRIVATE-TOKEN", token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("JSON body") })
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, token, Some(body)).await
    }

    async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, token, None).await
    }
}

async fn a_client_sets_up_a_scenario_and_acts_as_each_user(backend: Backend) {
    let server = start(backend, &[]).await;
    let api = Api { base: server.base.clone() };
    let mut tokens = Vec::new();
    for name in ["owner", "maintainer", "reporter", "outsider"] {
        let (status, user) = api
            .post(
                "/users",
                ROOT_TOKEN,
                json!({
                    "username": name, "name": format!("The {name}"), "email": format!("{name}@example.com"),
                    "password": "password123", "skip_confirmation": true,
                }),
            )
            .await;
        assert_eq!(status, 201, "{user}");
        let (status, token) = api
            .post(
                &format!("/users/{}/personal_access_tokens", user["id"]),
                ROOT_TOKEN,
                json!({ "name": "t", "scopes": ["api"] }),
            )
            .await;
        assert_eq!(status, 201, "{token}");
        tokens.push((user["id"].as_i64().expect("id"), token["token"].as_str().expect("token").to_string()));
    }
    let [(_, owner), (maintainer_id, maintainer), (reporter_id, reporter), (_, outsider)] =
        <[(i64, String); 4]>::try_from(tokens).expect("four users");

    // Only admins create users.
    let (status, _) =
        api.post("/users", &owner, json!({ "username": "x", "name": "x", "email": "x@example.com" })).await;
    assert_eq!(status, 403);

    let (status, group) =
        api.post("/groups", &owner, json!({ "name": "Team", "path": "team", "visibility": "private" })).await;
    assert_eq!(status, 201, "{group}");
    assert_eq!(group["full_path"], "team");
    for (user_id, level) in [(maintainer_id, 40), (reporter_id, 20)] {
        let (status, member) =
            api.post("/groups/team/members", &owner, json!({ "user_id": user_id, "access_level": level })).await;
        assert_eq!(status, 201, "{member}");
        assert_eq!(member["access_level"], level);
    }
    let (_, members) = api.get("/groups/team/members", &reporter).await;
    assert_eq!(members.as_array().map(Vec::len), Some(3));
    assert_eq!(api.get("/groups/team", &outsider).await, (404, json!({ "message": "404 Group Not Found" })));

    let (status, project) = api
        .post(
            "/projects",
            &maintainer,
            json!({ "name": "App", "path": "app", "namespace_id": group["id"], "visibility": "private" }),
        )
        .await;
    assert_eq!(status, 201, "{project}");
    assert_eq!(project["path_with_namespace"], "team/app");
    let (status, issue) =
        api.post("/projects/team%2Fapp/issues", &reporter, json!({ "title": "Broken", "description": "It is." })).await;
    assert_eq!(status, 201, "{issue}");
    assert_eq!((issue["iid"].as_i64(), issue["author"]["username"].as_str()), (Some(1), Some("reporter")));
    let (status, missing) = api.post("/projects/team%2Fapp/issues", &reporter, json!({})).await;
    assert_eq!((status, missing), (400, json!({ "error": "title is missing" })));
    let (status, note) =
        api.post("/projects/team%2Fapp/issues/1/notes", &maintainer, json!({ "body": "On it." })).await;
    assert_eq!(status, 201, "{note}");
    assert_eq!(note["noteable_type"], "Issue");
    let (status, mr) = api
        .post(
            "/projects/team%2Fapp/merge_requests",
            &maintainer,
            json!({
                "title": "Fix", "source_branch": "fix", "target_branch": "main",
            }),
        )
        .await;
    assert_eq!(status, 201, "{mr}");
    // Reporters cannot open merge requests.
    let (status, _) = api
        .post(
            "/projects/team%2Fapp/merge_requests",
            &reporter,
            json!({ "title": "No", "source_branch": "a", "target_branch": "b" }),
        )
        .await;
    assert_eq!(status, 403);
    let (status, snippet) = api
        .post(
            "/projects/team%2Fapp/snippets",
            &reporter,
            json!({ "title": "s", "file_name": "a.sh", "content": "echo" }),
        )
        .await;
    assert_eq!(status, 201, "{snippet}");

    // Reactions show up as upvotes on the issue.
    let (status, _) =
        api.post("/projects/team%2Fapp/issues/1/award_emoji", &maintainer, json!({ "name": "thumbsup" })).await;
    assert_eq!(status, 201);
    let (_, issue) = api.get("/projects/team%2Fapp/issues/1", &reporter).await;
    assert_eq!((issue["upvotes"].as_i64(), issue["downvotes"].as_i64()), (Some(1), Some(0)));
    let (_, notes) = api.get("/projects/team%2Fapp/issues/1/notes", &reporter).await;
    assert_eq!(notes[0]["body"], "On it.");
    let (_, mrs) = api.get("/projects/team%2Fapp/merge_requests", &reporter).await;
    assert_eq!(mrs[0]["source_branch"], "fix");
    // Issues and merge requests share one shape, each with its kind's own fields.
    let (_, mr) = api.get("/projects/team%2Fapp/merge_requests/1", &reporter).await;
    assert_eq!((mr["iid"].as_i64(), mr["target_branch"].as_str()), (Some(1), Some("main")), "{mr}");
    assert!(mr.get("confidential").is_none() && issue.get("source_branch").is_none(), "{mr} {issue}");
    assert_eq!(issue["confidential"], false);
    assert_eq!(
        api.get("/projects/team%2Fapp/merge_requests/2", &reporter).await.1["message"],
        "404 Merge Request Not Found"
    );
    // Their listings page as GitLab's do, with its headers.
    api.post("/projects/team%2Fapp/issues", &reporter, json!({ "title": "Also broken" })).await;
    for (path, total) in [("issues", "2"), ("merge_requests", "1")] {
        let url = format!("{}/api/v4/projects/team%2Fapp/{path}?per_page=1", api.base);
        let page = client().get(url).header("PRIVATE-TOKEN", &reporter).send().await.expect("page");
        let header = |name: &str| page.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        assert_eq!((header("x-total"), header("x-per-page"), header("x-page")), (total.into(), "1".into(), "1".into()));
        let items: Value = page.json().await.expect("JSON");
        assert_eq!(items.as_array().map(Vec::len), Some(1), "{path}: {items}");
    }

    // The outsider sees none of it.
    for path in ["/projects/team%2Fapp", "/projects/team%2Fapp/issues/1", "/projects/team%2Fapp/issues/1/award_emoji"] {
        assert_eq!(api.get(path, &outsider).await.0, 404, "{path}");
    }
    let (_, visible) = api.get("/projects", &outsider).await;
    assert_eq!(visible, json!([]));
    let (status, version) = api.get("/version", &outsider).await;
    assert_eq!(status, 200);
    assert!(version["version"].is_string());
}
