//! A database an older version left is upgraded in place: the demo data of
//! version 0012 (`fixtures/version-0012-demo.db.gz`, made by that version's
//! server, then its newest award deleted with its achievement) comes through
//! the migrations since with every row, index and reference kept, and ids are
//! never handed out twice from then on (SQLite gave the newest row's id, once
//! deleted, to the next row: a new award took a revoked one's id, and its
//! credential read as revoked).

use crate::common;
use crate::credentials::{get_text, status_bit, verify};

use common::db::{ids, strings};
use common::{call, client, spawn, temp_dir, token_for, ROOT_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Read;

/// The award deleted in the fixture (with its achievement): the newest then.
const DELETED_AWARD: i64 = 9;

async fn row_counts(url: &str) -> BTreeMap<String, i64> {
    let tables =
        strings(url, "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence'").await;
    let mut counts = BTreeMap::new();
    for table in tables.into_iter().filter(|t| t != "_sqlx_migrations") {
        let count = ids(url, &format!("SELECT count(*) FROM \"{table}\"")).await[0];
        counts.insert(table, count);
    }
    counts
}

/// The fixture, written out in a new folder: the folder and its database URL.
fn version_0012() -> (std::path::PathBuf, String) {
    let dir = temp_dir();
    let mut file = Vec::new();
    flate2::read::GzDecoder::new(&include_bytes!("fixtures/version-0012-demo.db.gz")[..])
        .read_to_end(&mut file)
        .expect("gzip");
    std::fs::write(dir.join("laurel.db"), file).expect("write the database");
    let url = format!("sqlite://{}", dir.join("laurel.db").display());
    (dir, url)
}

/// A migration that rebuilds tables checks every reference before it is
/// kept: a database with one broken already is refused, and left as it was.
#[tokio::test]
async fn an_upgrade_that_would_leave_a_broken_reference_is_undone() {
    let (dir, url) = version_0012();
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(dir.join("laurel.db")).foreign_keys(false);
    let pool = sqlx::SqlitePool::connect_with(options).await.expect("open");
    sqlx::query(
        "INSERT INTO user_achievements (achievement_id, user_id, created_at, updated_at) \
         VALUES (1, 999, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    )
    .execute(&pool)
    .await
    .expect("an award of a user who is gone");
    pool.close().await;
    let said = common::refused_start(&url, &dir, &[]);
    assert!(said.contains("a rebuilt table left a reference to a row that is gone"), "{said}");
    assert_eq!(ids(&url, "SELECT max(version) FROM _sqlx_migrations").await, [12], "nothing of 0013 kept");
    let sql = strings(&url, "SELECT sql FROM sqlite_master WHERE name = 'user_achievements'").await;
    assert!(!sql[0].contains("AUTOINCREMENT"), "{}", sql[0]);
}

#[tokio::test]
async fn a_database_an_older_version_left_is_upgraded_with_everything_kept() {
    let (dir, url) = version_0012();
    let indexes =
        "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name";
    let (counts, index_list) = (row_counts(&url).await, strings(&url, indexes).await);
    assert_eq!(ids(&url, "SELECT max(version) FROM _sqlx_migrations").await, [12]);
    assert_eq!(ids(&url, "SELECT max(id) FROM user_achievements").await, [DELETED_AWARD - 1]);
    assert_eq!(ids(&url, "SELECT award_id FROM revoked_credentials").await, [DELETED_AWARD]);

    let server = spawn(&url, &dir, &[]);
    let base = &server.base;
    assert!(ids(&url, "SELECT max(version) FROM _sqlx_migrations").await[0] > 12);
    assert_eq!(row_counts(&url).await, counts, "every row kept");
    let now = strings(&url, indexes).await;
    for index in &index_list {
        assert!(now.contains(index), "{index} kept");
    }
    assert_eq!(strings(&url, "SELECT \"table\" FROM pragma_foreign_key_check").await, Vec::<String>::new());
    assert_eq!(strings(&url, "PRAGMA integrity_check").await, ["ok"]);
    // What the demo data is still works: carol signs in (users, sessions,
    // tokens) and sees her awards.
    let carol = token_for(base, "carol").await;
    let path = format!("/users/{}/achievements", common::user_id(base, "carol").await);
    let (status, awards) = call(base, Method::GET, &path, Some(&carol), None).await;
    assert_eq!(status, 200, "{awards}");
    assert!(!awards.as_array().expect("awards").is_empty());

    // The next award does not take the deleted award's id.
    let (_, made) =
        call(base, Method::POST, "/groups/heroes/achievements", Some(ROOT_TOKEN), Some(json!({ "name": "After" })))
            .await;
    let path = format!("/groups/heroes/achievements/{}/awards", made["id"]);
    let (status, award) = call(base, Method::POST, &path, Some(ROOT_TOKEN), Some(json!({ "username": "carol" }))).await;
    assert_eq!(status, 201, "{award}");
    assert!(award["id"].as_i64().expect("id") > DELETED_AWARD, "{award}");
    // ... so its credential holds.
    let url_of = format!("{base}/api/v4/user_achievements/{}/credential", award["id"]);
    let (status, _, jwt) = get_text(&url_of, Some(&carol)).await;
    assert_eq!(status, 200, "{jwt}");
    let did: Value =
        client().get(format!("{base}/.well-known/did.json")).send().await.expect("did").json().await.expect("json");
    let jwks: Value =
        client().get(format!("{base}/.well-known/jwks.json")).send().await.expect("jwks").json().await.expect("json");
    let (claims, _) = verify(&jwt, &jwks, did["id"].as_str().expect("did")).expect("PyJWT verifies it");
    let index: usize = claims["credentialStatus"]["statusListIndex"].as_str().expect("index").parse().expect("number");
    let list_url = claims["credentialStatus"]["statusListCredential"].as_str().expect("url").to_string();
    let (_, _, list) = get_text(&list_url, None).await;
    let (list, _) = verify(&list, &jwks, did["id"].as_str().expect("did")).expect("verifies");
    assert!(!status_bit(&list, index), "the new award's credential holds");

    // Nor, from now on, does any row take the id of the newest one deleted.
    let gone = format!("/groups/heroes/achievements/{}", made["id"]);
    assert_eq!(call(base, Method::DELETE, &gone, Some(ROOT_TOKEN), None).await.0, 204);
    let (_, again) =
        call(base, Method::POST, "/groups/heroes/achievements", Some(ROOT_TOKEN), Some(json!({ "name": "Again" })))
            .await;
    assert!(again["id"].as_i64() > made["id"].as_i64(), "{again} after {made}");
}
