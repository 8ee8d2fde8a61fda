//! Issue 12's bulk award row: a CSV file of 10,000 people, dry run and then
//! applied through the REST endpoint (every award audited and announced, as by
//! hand), next to its target: applied in under 10 s on SQLite. Printed, not
//! asserted.

use super::common::{client, set_limits, ROOT_TOKEN};
use app::store::{NewUser, Store};
use std::time::Instant;

const PEOPLE: usize = 10_000;

pub async fn rows(url: &str, base: &str) {
    // The people, written straight into the store (through the API each would
    // cost a password hash).
    let store = Store::connect(url).await.expect("connect the store");
    let mut tx = store.write().await.expect("write");
    for i in 0..PEOPLE {
        let (username, email) = (format!("bulk-{i}"), format!("bulk-{i}@example.com"));
        let user = NewUser {
            username: &username,
            name: &username,
            email: &email,
            password_hash: None,
            admin: false,
            private_profile: false,
        };
        tx.insert_user(user).await.expect("user");
    }
    tx.commit().await.expect("commit");
    // The group's hourly award limit would stop a file this long: off for the row.
    set_limits(base, serde_json::json!({ "awards_per_group_per_hour": 0 })).await;
    let http = client();
    let post = |path: String, body: serde_json::Value| {
        let http = http.clone();
        async move {
            let response = http
                .post(format!("{base}/api/v4{path}"))
                .header("PRIVATE-TOKEN", ROOT_TOKEN)
                .json(&body)
                .send()
                .await
                .expect("post");
            let value: serde_json::Value = response.json().await.expect("json");
            value
        }
    };
    let group = post("/groups".into(), serde_json::json!({ "name": "Bulk", "path": "bulk-bench" })).await;
    let achievement =
        post(format!("/groups/{}/achievements", group["id"]), serde_json::json!({ "name": "Everyone" })).await;
    let path = format!("/groups/{}/achievements/{}/awards/bulk", group["id"], achievement["id"]);
    let csv: String = std::iter::once("username,message\n".to_string())
        .chain((0..PEOPLE).map(|i| format!("bulk-{i},Thank you\n")))
        .collect();
    let timed = |dry_run: bool| {
        let (csv, path, http) = (csv.clone(), path.clone(), http.clone());
        async move {
            let form = reqwest::multipart::Form::new()
                .text("dry_run", dry_run.to_string())
                .part("file", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("people.csv"));
            let start = Instant::now();
            let response = http
                .post(format!("{base}/api/v4{path}"))
                .header("PRIVATE-TOKEN", ROOT_TOKEN)
                .timeout(std::time::Duration::from_secs(120))
                .multipart(form)
                .send()
                .await
                .expect("bulk");
            let report: serde_json::Value = response.json().await.expect("report");
            (start.elapsed().as_secs_f64(), report["counts"]["award"].as_u64().unwrap_or(0))
        }
    };
    let (dry, would) = timed(true).await;
    let (applied, made) = timed(false).await;
    println!(
        "Bulk award, {PEOPLE} CSV lines over REST: dry run {dry:.2} s ({would} would get it); applied {applied:.2} s ({made} awards, each audited and announced) (target: applied in under 10 s on SQLite)"
    );
}
