//! Achievement avatars live in the database: served with their media type and
//! an ETag, alike from every process on one database (no shared disk), and
//! files an older version kept under DATA_DIR are moved in at start-up.

use crate::common;

use common::{client, database, png, spawn, start, token_for, Backend};
use serde_json::{json, Value};

on_both!(avatars_are_served_from_the_database_with_an_etag, avatar_files_of_an_older_version_are_moved_in,);

/// Sends a GraphQL mutation with one file (the multipart request spec).
async fn upload(base: &str, token: &str, query: &str, bytes: Vec<u8>, name: &'static str) -> Value {
    let operations = json!({ "query": query, "variables": { "file": null } }).to_string();
    let form = reqwest::multipart::Form::new()
        .text("operations", operations)
        .text("map", r#"{ "0": ["variables.file"] }"#)
        .part("0", reqwest::multipart::Part::bytes(bytes).file_name(name));
    let response = client().post(format!("{base}/api/graphql")).bearer_auth(token).multipart(form).send().await;
    response.expect("upload").json().await.expect("json")
}

/// Creates an achievement of the demo group `heroes` with `bytes` as its avatar:
/// its global id and its avatar's URL.
async fn create_with_avatar(base: &str, token: &str, name: &str, bytes: Vec<u8>) -> (String, String) {
    let (_, group) = common::graphql(base, None, r#"{ namespace(fullPath: "heroes") { id } }"#, json!({})).await;
    let namespace = group["data"]["namespace"]["id"].as_str().expect("namespace gid").to_string();
    let query = format!(
        r#"mutation ($file: Upload!) {{ achievementsCreate(input: {{ namespaceId: "{namespace}", name: "{name}", avatar: $file }}) {{ achievement {{ id avatarUrl }} errors }} }}"#
    );
    let body = upload(base, token, &query, bytes, "badge.png").await;
    let achievement = &body["data"]["achievementsCreate"]["achievement"];
    let id = achievement["id"].as_str().unwrap_or_else(|| panic!("created: {body}")).to_string();
    (id, achievement["avatarUrl"].as_str().expect("avatar url").to_string())
}

async fn get(url: &str, etag: Option<&str>) -> reqwest::Response {
    let mut request = client().get(url);
    if let Some(etag) = etag {
        request = request.header("If-None-Match", etag);
    }
    request.send().await.expect("get")
}

async fn avatars_are_served_from_the_database_with_an_etag(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let alice = token_for(base, "alice").await;
    let green = png([10, 200, 90]);
    let (id, url) = create_with_avatar(base, &alice, "Served", green.clone()).await;
    let first = get(&url, None).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "image/png");
    assert_eq!(first.headers()["x-content-type-options"], "nosniff");
    let etag = first.headers()["etag"].to_str().expect("etag").to_string();
    assert_eq!(first.bytes().await.expect("bytes").as_ref(), green.as_slice());
    let again = get(&url, Some(&etag)).await;
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.expect("bytes").is_empty());
    // Another digest is not the browser's copy: the image, whole.
    let stale = get(&url, Some("\"0123456789abcdef\"")).await;
    assert_eq!(stale.status(), 200);
    assert_eq!(stale.bytes().await.expect("bytes").as_ref(), green.as_slice());
    // Nothing is written under DATA_DIR any more.
    assert!(!server.data_dir.join("uploads").exists(), "no uploads folder");
    // Another name, another id, no number: plain 404s.
    let (prefix, _) = url.rsplit_once('/').expect("path");
    let (dir, _) = prefix.rsplit_once('/').expect("path");
    for wrong in [format!("{prefix}/other.png"), format!("{dir}/999999/badge.png"), format!("{dir}/abc/badge.png")] {
        let response = get(&wrong, None).await;
        assert_eq!(response.status(), 404, "{wrong}");
        assert!(!response.bytes().await.expect("bytes").windows(4).any(|w| w == b"\x89PNG"), "{wrong}");
    }
    // A new image under the same name: new bytes, new ETag.
    let blue = png([20, 40, 220]);
    let query = format!(
        r#"mutation ($file: Upload!) {{ achievementsUpdate(input: {{ achievementId: "{id}", avatar: $file }}) {{ achievement {{ avatarUrl }} errors }} }}"#
    );
    let body = upload(base, &alice, &query, blue.clone(), "badge.png").await;
    assert_eq!(body["data"]["achievementsUpdate"]["errors"], json!([]), "{body}");
    let changed = get(&url, Some(&etag)).await;
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().expect("etag"), etag);
    assert_eq!(changed.bytes().await.expect("bytes").as_ref(), blue.as_slice());
    // Deleting the achievement deletes its image.
    let query = format!(r#"mutation {{ achievementsDelete(input: {{ achievementId: "{id}" }}) {{ errors }} }}"#);
    let (_, body) = common::graphql(base, Some(&alice), &query, json!({})).await;
    assert_eq!(body["data"]["achievementsDelete"]["errors"], json!([]), "{body}");
    assert_eq!(get(&url, None).await.status(), 404);
    let left = common::db::ids(&server.database_url(), "SELECT achievement_id FROM achievement_avatars").await;
    assert!(left.is_empty(), "{left:?}");
}

/// A process on another machine (its own DATA_DIR) serves an avatar another
/// process stored: they share the database only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_avatar_stored_by_one_process_is_served_by_another() {
    let db = database(Backend::Postgres).await;
    let first = spawn(&db.url, db.dir(), &[("DEMO_DATA", "1")]);
    let elsewhere = common::temp_dir();
    let second = spawn(&db.url, &elsewhere, &[]);
    let alice = token_for(&first.base, "alice").await;
    let image = png([200, 30, 30]);
    let (_, url) = create_with_avatar(&first.base, &alice, "Shared", image.clone()).await;
    let path = url.strip_prefix(&first.base).expect("an URL of the first process");
    let served = get(&format!("{}{path}", second.base), None).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.bytes().await.expect("bytes").as_ref(), image.as_slice());
}

async fn avatar_files_of_an_older_version_are_moved_in(backend: Backend) {
    let db = database(backend).await;
    let dir = db.dir().to_path_buf();
    let image = png([90, 90, 10]);
    let (url, path, junk_url) = {
        let server = spawn(&db.url, &dir, &[("DEMO_DATA", "1")]);
        let alice = token_for(&server.base, "alice").await;
        let (_, url) = create_with_avatar(&server.base, &alice, "From disk", image.clone()).await;
        let (_, junk_url) = create_with_avatar(&server.base, &alice, "Broken on disk", png([1, 2, 3])).await;
        (url.clone(), url.strip_prefix(&server.base).expect("path").to_string(), junk_url)
    };
    // As an older version left them: files under DATA_DIR, nothing in the table
    // (and one file that is not an image any more).
    let file = dir.join(path.trim_start_matches('/'));
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    std::fs::write(&file, &image).expect("write");
    let junk_path = junk_url.rsplit_once("/uploads/").map(|(_, p)| format!("uploads/{p}")).expect("path");
    std::fs::create_dir_all(dir.join(&junk_path).parent().expect("parent")).expect("mkdir");
    std::fs::write(dir.join(&junk_path), b"not an image").expect("write");
    common::db::execute(&db.url, "DELETE FROM achievement_avatars").await;
    let server = spawn(&db.url, &dir, &[]);
    let path = url.rsplit_once("/uploads/").map(|(_, p)| format!("/uploads/{p}")).expect("path");
    let served = get(&format!("{}{path}", server.base), None).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.bytes().await.expect("bytes").as_ref(), image.as_slice());
    let junk = junk_url.rsplit_once("/uploads/").map(|(_, p)| format!("{}/uploads/{p}", server.base)).expect("url");
    assert_eq!(get(&junk, None).await.status(), 404, "a file that is no image is not served");
}
