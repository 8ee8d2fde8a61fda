//! The REST API's OpenAPI document (`/api/v4/openapi.json`) against what the
//! server really answers: Schemathesis (from PyPI, installed by `make test`)
//! reads the document, drives every operation in it with generated requests
//! (path parameters pointed at the demo data, so real resources answer too),
//! and checks every answer against it: no server error, a documented status,
//! content type and headers, a body that fits the schema.

use crate::common;

use common::{start, Backend, ROOT_TOKEN};
use reqwest::Method;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// On SQLite: the document and the answers' shapes are the same on both
/// databases (`achievements_api.rs` and the others run every endpoint on both).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_as_the_document_says_on_sqlite() {
    every_operation_answers_as_the_document_says(Backend::Sqlite).await
}

/// Generated requests per operation and phase.
const EXAMPLES: &str = "10";

async fn id_of(base: &str, path: &str, pick: impl Fn(&Value) -> bool) -> i64 {
    let (status, list) = common::call(base, Method::GET, path, Some(ROOT_TOKEN), None).await;
    assert_eq!(status, 200, "{path}");
    let found = list.as_array().expect("a list").iter().find(|item| pick(item)).cloned();
    found.and_then(|item| item["id"].as_i64()).unwrap_or_else(|| panic!("nothing fits in {path}"))
}

/// Runs Schemathesis on the document with `config` (its TOML) and `filter`:
/// the operations it reported on, and the statuses each got.
async fn run(base: &str, config: &str, filter: &[&str]) -> BTreeMap<String, BTreeSet<u16>> {
    let dir = common::temp_dir();
    std::fs::write(dir.join("schemathesis.toml"), config).expect("config");
    let report = dir.join("events.ndjson");
    let output = tokio::process::Command::new("python3")
        .current_dir(&dir)
        .args(["-m", "schemathesis.cli", "run", &format!("{base}/api/v4/openapi.json")])
        .args(["--header", &format!("PRIVATE-TOKEN: {ROOT_TOKEN}")])
        .args(["--generation-with-security-parameters", "false"])
        .args(["--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"])
        .args(["--phases", "coverage,fuzzing", "--max-examples", EXAMPLES, "--seed", "1", "--workers", "1", "--no-color"])
        .args(["--report", "ndjson", "--report-ndjson-path"])
        .arg(&report)
        .args(filter)
        .output()
        .await
        .expect("python3 -m schemathesis.cli (make test installs schemathesis)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "Schemathesis found answers that differ from the document:\n{stdout}\n{stderr}");
    let mut statuses: BTreeMap<String, BTreeSet<u16>> = BTreeMap::new();
    let events = std::fs::read_to_string(&report).expect("the report");
    for line in events.lines() {
        let event: Value = serde_json::from_str(line).expect("an event");
        let Some(recorder) = event.get("ScenarioFinished").and_then(|s| s.get("recorder")) else { continue };
        let label = recorder["label"].as_str().expect("label").to_string();
        let seen = statuses.entry(label).or_default();
        for interaction in recorder["interactions"].as_object().into_iter().flat_map(|i| i.values()) {
            if let Some(status) = interaction["response"]["status_code"].as_u64() {
                seen.insert(status as u16);
            }
        }
    }
    statuses
}

async fn every_operation_answers_as_the_document_says(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let document: Value = common::client()
        .get(format!("{base}/api/v4/openapi.json"))
        .send()
        .await
        .expect("document")
        .json()
        .await
        .expect("JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let operations: BTreeSet<String> = document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flat_map(move |ops| ops.keys().map(move |m| format!("{} {path}", m.to_uppercase())))
        })
        .collect();
    for expected in [
        "GET /groups/{id}/achievements",
        "POST /groups/{id}/achievements/{achievement_id}/awards",
        "PUT /user/achievements/priorities",
        "DELETE /projects/{id}/issues/{issue_iid}/award_emoji/{award_id}",
    ] {
        assert!(operations.contains(expected), "{expected} is documented");
    }

    // Point path parameters at the demo data (a reaction on each kind of item).
    let project = id_of(base, "/projects", |p| p["path_with_namespace"] == "heroes/website").await;
    let items = format!("/projects/{project}");
    let issue_note = id_of(base, &format!("{items}/issues/1/notes"), |_| true).await;
    let mr_note = id_of(base, &format!("{items}/merge_requests/1/notes"), |_| true).await;
    let snippet = id_of(base, &format!("{items}/snippets"), |_| true).await;
    let (status, _) = common::call(
        base,
        Method::POST,
        &format!("{items}/merge_requests/1/notes/{mr_note}/award_emoji"),
        Some(ROOT_TOKEN),
        Some(serde_json::json!({ "name": "rocket" })),
    )
    .await;
    assert_eq!(status, 201);
    let mut reactions = Vec::new();
    for parent in [
        "issues/1",
        "merge_requests/1",
        &format!("issues/1/notes/{issue_note}"),
        &format!("merge_requests/1/notes/{mr_note}"),
        &format!("snippets/{snippet}"),
    ] {
        reactions.push(id_of(base, &format!("{items}/{parent}/award_emoji"), |_| true).await);
    }
    let achievement = id_of(base, "/groups/heroes/achievements", |a| a["name"] == "Contributor of the month").await;
    let award =
        id_of(base, &format!("/groups/heroes/achievements/{achievement}/awards"), |a| a["user"]["username"] == "bob")
            .await;
    let carol = id_of(base, "/users?username=carol", |_| true).await;
    let (_, token) = common::call(
        base,
        Method::POST,
        &format!("/users/{carol}/personal_access_tokens"),
        Some(ROOT_TOKEN),
        Some(serde_json::json!({ "name": "fuzzed", "scopes": ["api"] })),
    )
    .await;
    let token = token["id"].as_i64().expect("a token");
    // An award rule on the achievement (one nobody meets yet).
    let rule = serde_json::json!({ "trigger": "reactions_received", "threshold": 1000 });
    let path = format!("/groups/heroes/achievements/{achievement}/rule");
    assert_eq!(common::call(base, Method::PUT, &path, Some(ROOT_TOKEN), Some(rule)).await.0, 200);
    // A webhook with one delivery (a test event; nobody receives it here).
    let hook_body = serde_json::json!({ "url": "https://receiver.invalid/hook", "emoji_events": true });
    let (_, hook) = common::call(base, Method::POST, "/groups/heroes/hooks", Some(ROOT_TOKEN), Some(hook_body)).await;
    let hook = hook["id"].as_i64().expect("a hook");
    let test = format!("/groups/heroes/hooks/{hook}/test/emoji_events");
    assert_eq!(common::call(base, Method::POST, &test, Some(ROOT_TOKEN), None).await.0, 201);
    let delivery = id_of(base, &format!("/groups/heroes/hooks/{hook}/events"), |_| true).await;
    // The first entry that matches an operation applies: the most specific first.
    let project_ops = |regex: &str, extra: &str| {
        format!(
            "[[operations]]\ninclude-path-regex = \"{regex}\"\nparameters = {{ \"path.id\" = \"{project}\", \"path.issue_iid\" = 1, \"path.merge_request_iid\" = 1, \"path.snippet_id\" = {snippet}, {extra} }}\n\n"
        )
    };
    let (issue, mr, issue_note_r, mr_note_r, snippet_r) =
        (reactions[0], reactions[1], reactions[2], reactions[3], reactions[4]);
    let mut config = String::new();
    config += &project_ops(
        "^/projects/[^/]+/issues/[^/]+/notes/",
        &format!("\"path.note_id\" = {issue_note}, \"path.award_id\" = {issue_note_r}"),
    );
    config += &project_ops(
        "^/projects/[^/]+/merge_requests/[^/]+/notes/",
        &format!("\"path.note_id\" = {mr_note}, \"path.award_id\" = {mr_note_r}"),
    );
    config += &project_ops("^/projects/[^/]+/merge_requests/", &format!("\"path.award_id\" = {mr}"));
    config += &project_ops(
        "^/projects/[^/]+/snippets/",
        &format!("\"path.note_id\" = {issue_note}, \"path.award_id\" = {snippet_r}"),
    );
    config += &project_ops("^/projects/", &format!("\"path.award_id\" = {issue}"));
    config += &format!(
        r#"
[[operations]]
include-path-regex = "^/groups/"
parameters = {{ "path.id" = "heroes", "path.achievement_id" = {achievement}, "path.user_id" = {carol}, "path.hook_id" = {hook}, "path.hook_log_id" = {delivery}, "path.trigger" = "emoji_events" }}

[[operations]]
include-path-regex = "^/users/"
parameters = {{ "path.id" = "{carol}" }}

[[operations]]
include-path-regex = "^/user_achievements/"
parameters = {{ "path.user_achievement_id" = {award} }}

[[operations]]
include-path-regex = "^/personal_access_tokens/"
parameters = {{ "path.id" = "{token}" }}
"#
    );
    // Reads first (nothing deleted yet), then writes; the token routes last,
    // as they revoke and rotate the very token the run uses (after which
    // every answer is a 401, documented too): another user's token, then its own.
    let tokens = "^/personal_access_tokens/";
    let mut seen = run(base, &config, &["--include-method", "GET", "--exclude-path-regex", tokens]).await;
    for (op, statuses) in run(base, &config, &["--exclude-method", "GET", "--exclude-path-regex", tokens]).await {
        seen.entry(op).or_default().extend(statuses);
    }
    // (Schemathesis ORs its include filters, and its exclude filters.)
    for filter in [
        ["--include-path-regex", tokens, "--exclude-method", "POST", "--exclude-method", "DELETE"],
        ["--include-path-regex", "^/personal_access_tokens/\\{id\\}", "--exclude-method", "GET", "", ""],
        ["--include-path-regex", "^/personal_access_tokens/self", "--exclude-method", "GET", "", ""],
    ] {
        let filter: Vec<&str> = filter.into_iter().filter(|arg| !arg.is_empty()).collect();
        for (op, statuses) in run(base, &config, &filter).await {
            seen.entry(op).or_default().extend(statuses);
        }
    }

    let missing: Vec<&String> = operations.iter().filter(|op| !seen.contains_key(*op)).collect();
    assert!(missing.is_empty(), "operations never driven: {missing:?}");
    // Every read of the demo data was answered for real (its body checked),
    // not only refused; snippets have no comments to read, and a credential
    // is its recipient's alone (the run is root's; `credentials.rs` reads them).
    let succeeded = |op: &str| seen.get(op).is_some_and(|statuses| statuses.iter().any(|s| (200..300).contains(s)));
    let unread: Vec<&String> = operations
        .iter()
        .filter(|op| {
            op.starts_with("GET ")
                && !op.contains("/snippets/{snippet_id}/notes/")
                && !op.contains("/credential")
                && !succeeded(op)
        })
        .collect();
    assert!(unread.is_empty(), "reads that never succeeded: {unread:?}\n{seen:?}");
    let writes = operations.iter().filter(|op| !op.starts_with("GET ") && succeeded(op)).count();
    assert!(writes >= 15, "only {writes} writes ever succeeded: {seen:?}");
}
