//! Generated data, made through the real API: a user holding 100 awards (20
//! achievements of two groups, 5 awards each), and an issue with 40 users who
//! react to it.

use super::common::{client, ROOT_TOKEN};
use super::load::REACTORS;
use serde_json::{json, Value};

pub struct Seed {
    pub holder: String,
    pub project_id: i64,
    /// The issue the real endpoint is driven on, and the one the minimal handler uses.
    pub real_issue_iid: i64,
    pub limit_issue_iid: i64,
    pub tokens: Vec<String>,
}

pub async fn call(base: &str, path: &str, body: Value) -> Value {
    let response = client()
        .post(format!("{base}{path}"))
        .header("PRIVATE-TOKEN", ROOT_TOKEN)
        .json(&body)
        .send()
        .await
        .expect("seed request");
    assert!(response.status().is_success(), "seeding {path}: {}", response.status());
    response.json().await.expect("seed JSON")
}

pub async fn new_user(base: &str, name: &str) -> (i64, String) {
    let body =
        json!({ "username": name, "name": name, "email": format!("{name}@example.com"), "password": "password123" });
    let id = call(base, "/api/v4/users", body).await["id"].as_i64().expect("id");
    let path = format!("/api/v4/users/{id}/personal_access_tokens");
    let token = call(base, &path, json!({ "name": "bench", "scopes": ["api"] })).await;
    (id, token["token"].as_str().expect("token").to_string())
}

pub async fn graphql(base: &str, query: &str, variables: Value) -> Value {
    call(base, "/api/graphql", json!({ "query": query, "variables": variables })).await
}

pub async fn seed(base: &str) -> Seed {
    let (holder_id, _) = new_user(base, "holder").await;
    let mut achievements = Vec::new();
    for g in 0..2 {
        let body = json!({ "name": format!("Guild {g}"), "path": format!("guild-{g}"), "visibility": "public" });
        let group = call(base, "/api/v4/groups", body).await;
        for a in 0..10 {
            let created = graphql(
                base,
                "mutation($ns: NamespaceID!, $name: String!) { achievementsCreate(input: { namespaceId: $ns, name: $name, description: \"For great work.\" }) { achievement { id } errors } }",
                json!({ "ns": format!("gid://gitlab/Group/{}", group["id"]), "name": format!("Achievement {g}-{a}") }),
            )
            .await;
            achievements.push(created["data"]["achievementsCreate"]["achievement"]["id"].clone());
        }
    }
    for round in 0..5 {
        for achievement in &achievements {
            let awarded = graphql(
                base,
                "mutation($a: AchievementsAchievementID!, $u: UserID!, $m: String) { achievementsAward(input: { achievementId: $a, userId: $u, awardMessage: $m }) { errors } }",
                json!({ "a": achievement, "u": format!("gid://gitlab/User/{holder_id}"), "m": format!("Round {round}") }),
            )
            .await;
            assert_eq!(awarded["data"]["achievementsAward"]["errors"], json!([]), "{awarded}");
        }
    }
    let group =
        call(base, "/api/v4/groups", json!({ "name": "Reactors", "path": "reactors", "visibility": "public" })).await;
    let body = json!({ "name": "board", "path": "board", "namespace_id": group["id"], "visibility": "public" });
    let project_id = call(base, "/api/v4/projects", body).await["id"].as_i64().expect("project id");
    let issues = format!("/api/v4/projects/{project_id}/issues");
    let real = call(base, &issues, json!({ "title": "React here" })).await;
    let limit = call(base, &issues, json!({ "title": "And here" })).await;
    let mut tokens = Vec::new();
    for r in 0..REACTORS {
        tokens.push(new_user(base, &format!("reactor{r}")).await.1);
    }
    Seed {
        holder: "holder".into(),
        project_id,
        real_issue_iid: real["iid"].as_i64().expect("iid"),
        limit_issue_iid: limit["iid"].as_i64().expect("iid"),
        tokens,
    }
}
