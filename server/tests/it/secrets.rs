//! The secrets the database keeps (webhook tokens, credential signing seeds)
//! are sealed with a key it does not hold: what the database holds is not
//! them, a real receiver still gets them, a process with another key refuses
//! to start and changes nothing, the key file is made once and kept, what an
//! older version kept in the clear is sealed at start-up, a new key takes
//! over from the old one, and a lost one is given up with what it sealed.

use crate::common;
use crate::credentials::verify;
use crate::webhooks::{allow_local, signature_holds, Receiver, SIGNING_TOKEN};

use common::db::{column, execute, strings};
use common::{
    call, database, refused_start, run_once, spawn, start, temp_dir, token_for, Backend, ROOT_TOKEN, TEST_SECRETS_KEY,
};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

const HOOK_TOKEN: &str = "hook-token-in-the-clear-42";

/// A hook on `heroes` with a token and a signing token; its id.
async fn hook_to(base: &str, url: &str) -> i64 {
    let body = json!({ "url": url, "token": HOOK_TOKEN, "signing_token": SIGNING_TOKEN, "emoji_events": true });
    let (status, hook) = call(base, Method::POST, "/groups/heroes/hooks", Some(ROOT_TOKEN), Some(body)).await;
    assert_eq!(status, 201, "{hook}");
    hook["id"].as_i64().expect("id")
}

/// Sends the hook's test event; what the receiver got must carry the secrets.
async fn delivered_with_secrets(base: &str, hook: i64, receiver: &Receiver, nth: usize) {
    let path = format!("/groups/heroes/hooks/{hook}/test/emoji_events");
    assert_eq!(call(base, Method::POST, &path, Some(ROOT_TOKEN), None).await.0, 201);
    let got = receiver.wait_for(nth).await;
    let last = &got[nth - 1];
    assert_eq!(last.header("X-Gitlab-Token"), HOOK_TOKEN);
    assert!(signature_holds(last, SIGNING_TOKEN), "signed with the hook's signing token");
}

/// Carol's credential (made with the instance's first signing key).
async fn credential(base: &str) -> String {
    let carol = token_for(base, "carol").await;
    let (_, me) = call(base, Method::GET, "/user", Some(&carol), None).await;
    let (_, awards) = call(base, Method::GET, &format!("/users/{}/achievements", me["id"]), Some(&carol), None).await;
    let url = format!("{base}/api/v4/user_achievements/{}/credential", awards[0]["id"]);
    let answer = common::client().get(url).header("PRIVATE-TOKEN", &carol).send().await.expect("credential");
    assert_eq!(answer.status(), 200);
    answer.text().await.expect("jwt")
}

on_both!(
    the_database_holds_no_secret_in_the_clear,
    a_process_with_another_key_refuses_to_start_and_changes_nothing,
    secrets_an_older_version_kept_in_the_clear_are_sealed_at_start_up,
    a_new_key_replaces_the_old_one_when_a_process_starts_with_both,
    a_lost_key_is_given_up_with_what_it_sealed_and_nothing_else,
    a_hook_whose_secrets_do_not_open_fails_at_once_and_takes_new_ones
);

async fn the_database_holds_no_secret_in_the_clear(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let (base, url) = (&server.base, server.database_url());
    allow_local(base, true).await;
    let receiver = Receiver::default();
    let hook = hook_to(base, &receiver.listen(0).await).await;
    let jwt = credential(base).await;
    assert_eq!(jwt.split('.').count(), 3);

    let tokens = strings(&url, "SELECT token FROM group_hooks").await;
    let signing = strings(&url, "SELECT signing_token FROM group_hooks").await;
    for stored in tokens.iter().chain(&signing) {
        assert!(stored.starts_with("sealed:v1:"), "{stored}");
        assert!(!stored.contains(HOOK_TOKEN) && !stored.contains(&SIGNING_TOKEN[6..]), "{stored}");
    }
    let seeds: Vec<Vec<u8>> = column(&url, "SELECT seed FROM signing_keys").await;
    assert_eq!(seeds.len(), 1);
    // The format, a 12-byte nonce, the 32-byte seed sealed and a 16-byte tag.
    assert!(seeds[0].starts_with(b"sealed:v1:") && seeds[0].len() == 10 + 12 + 32 + 16, "{:?}", seeds[0]);
    // Opened only to be used: the receiver gets both, and the credential
    // signed with the sealed seed still verifies against the published key.
    delivered_with_secrets(base, hook, &receiver, 1).await;
    let again = credential(base).await;
    assert_eq!(again.split('.').nth(1), jwt.split('.').nth(1), "the same credential");
    // Nothing tells them: the API shows a hook without its secrets.
    let (_, shown) = call(base, Method::GET, &format!("/groups/heroes/hooks/{hook}"), Some(ROOT_TOKEN), None).await;
    assert!(!shown.to_string().contains(HOOK_TOKEN) && !shown.to_string().contains("sealed"), "{shown}");
}

async fn a_process_with_another_key_refuses_to_start_and_changes_nothing(backend: Backend) {
    let db = database(backend).await;
    let url = db.url.clone();
    // No SECRETS_KEY: the key file under DATA_DIR, made on first start and
    // readable by its owner only.
    let mut first = spawn(&url, db.dir(), &[("DEMO_DATA", "1"), ("SECRETS_KEY", "")]);
    let key_file = db.dir().join("secrets.key");
    let key = std::fs::read_to_string(&key_file).expect("key file made");
    assert!(key.trim().len() == 64 && key.trim().chars().all(|c| c.is_ascii_hexdigit()), "{key}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&key_file).expect("key file").permissions().mode();
    assert_eq!(mode & 0o077, 0, "only its owner may read it: {mode:o}");
    allow_local(&first.base, true).await;
    let receiver = Receiver::default();
    let hook = hook_to(&first.base, &receiver.listen(0).await).await;
    let before = (
        strings(&url, "SELECT token FROM group_hooks").await,
        column::<Vec<u8>>(&url, "SELECT sealed FROM secrets_check").await,
    );

    // Another key, given or in another DATA_DIR's file: refused, with why.
    let other = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    let elsewhere = temp_dir();
    for (dir, extra) in [(db.dir(), [("SECRETS_KEY", other)]), (elsewhere.as_path(), [("SECRETS_KEY", "")])] {
        let stderr = refused_start(&url, dir, &extra);
        assert!(stderr.contains("SECRETS_KEY does not open this database's secrets"), "{stderr}");
    }
    assert_eq!(std::fs::read_to_string(&key_file).expect("key file"), key, "the key file is kept");
    // A key that is not one is named as such.
    let stderr = refused_start(&url, db.dir(), &[("SECRETS_KEY", "not-hex")]);
    assert!(stderr.contains("SECRETS_KEY: must be 64 hex digits"), "{stderr}");
    let after = (
        strings(&url, "SELECT token FROM group_hooks").await,
        column::<Vec<u8>>(&url, "SELECT sealed FROM secrets_check").await,
    );
    assert_eq!(before, after, "a refused process changes nothing");

    // The same key file again (a restart): up, and the hook still works.
    first.signal("TERM");
    assert!(first.exited_within(Duration::from_secs(20)));
    let again = spawn(&url, db.dir(), &[("SECRETS_KEY", "")]);
    delivered_with_secrets(&again.base, hook, &receiver, 1).await;
}

async fn secrets_an_older_version_kept_in_the_clear_are_sealed_at_start_up(backend: Backend) {
    let db = database(backend).await;
    let url = db.url.clone();
    let first = spawn(&url, db.dir(), &[("DEMO_DATA", "1")]);
    allow_local(&first.base, true).await;
    let receiver = Receiver::default();
    let hook = hook_to(&first.base, &receiver.listen(0).await).await;
    drop(first);
    // As an older version left them.
    execute(&url, &format!("UPDATE group_hooks SET token = '{HOOK_TOKEN}', signing_token = '{SIGNING_TOKEN}'")).await;
    let seed = "0101010101010101010101010101010101010101010101010101010101010101";
    let literal = if url.starts_with("sqlite:") { format!("X'{seed}'") } else { format!("'\\x{seed}'::bytea") };
    execute(
        &url,
        &format!(
            "INSERT INTO signing_keys (kid, seed, public_key, created_at) \
             VALUES ('key-old', {literal}, {literal}, '2026-01-01T00:00:00Z')"
        ),
    )
    .await;

    let second = spawn(&url, db.dir(), &[]);
    for stored in strings(&url, "SELECT token FROM group_hooks").await {
        assert!(stored.starts_with("sealed:v1:") && !stored.contains(HOOK_TOKEN), "{stored}");
    }
    let seeds: Vec<Vec<u8>> = column(&url, "SELECT seed FROM signing_keys WHERE kid = 'key-old'").await;
    assert!(seeds[0].starts_with(b"sealed:v1:") && seeds[0].len() == 70, "{:?}", seeds[0]);
    delivered_with_secrets(&second.base, hook, &receiver, 1).await;
}

/// A fresh database on which an instance made a hook (to `receiver`, with
/// both secrets) and its first signing key, then stopped; the hook's id.
async fn instance_with_secrets(backend: Backend, receiver: &Receiver) -> (common::TestDatabase, i64) {
    let db = database(backend).await;
    let first = spawn(&db.url, db.dir(), &[("DEMO_DATA", "1")]);
    allow_local(&first.base, true).await;
    let hook = hook_to(&first.base, &receiver.listen(0).await).await;
    // The instance's first signing key, made by its first credential.
    assert_eq!(credential(&first.base).await.split('.').count(), 3);
    (db, hook)
}

/// The stored secrets: hooks' tokens and signing seeds.
async fn stored(url: &str) -> (Vec<String>, Vec<Vec<u8>>) {
    (strings(url, "SELECT token FROM group_hooks").await, column(url, "SELECT seed FROM signing_keys").await)
}

async fn a_new_key_replaces_the_old_one_when_a_process_starts_with_both(backend: Backend) {
    let receiver = Receiver::default();
    let (db, hook) = instance_with_secrets(backend, &receiver).await;
    let url = db.url.clone();
    let before = stored(&url).await;

    let new_key = "ab".repeat(32);
    let stderr = refused_start(&url, db.dir(), &[("SECRETS_KEY", &new_key)]);
    assert!(stderr.contains("SECRETS_KEY does not open"), "the new key alone: {stderr}");
    let wrong = "cd".repeat(32);
    let stderr = refused_start(&url, db.dir(), &[("SECRETS_KEY", &new_key), ("SECRETS_KEY_PREVIOUS", &wrong)]);
    assert!(stderr.contains("SECRETS_KEY does not open"), "another previous key: {stderr}");
    assert_eq!(stored(&url).await, before, "refused starts change nothing");

    let both = [("SECRETS_KEY", new_key.as_str()), ("SECRETS_KEY_PREVIOUS", TEST_SECRETS_KEY)];
    let second = spawn(&url, db.dir(), &both);
    let after = stored(&url).await;
    assert!(after.0[0].starts_with("sealed:v1:") && after.0 != before.0, "the token sealed again");
    assert!(after.1[0].starts_with(b"sealed:v1:") && after.1 != before.1, "the seed sealed again");
    delivered_with_secrets(&second.base, hook, &receiver, 1).await;
    // The seed opened after it was sealed again is the published key's: the
    // credential verifies (PyJWT) against the same public key as before.
    let jwks = |base: String| async move {
        let answer = common::client().get(format!("{base}/.well-known/jwks.json")).send().await.expect("jwks");
        answer.json::<serde_json::Value>().await.expect("json")
    };
    let published = jwks(second.base.clone()).await;
    assert_eq!(published["keys"].as_array().map(Vec::len), Some(1), "no new key: {published}");
    let port = second.base.rsplit(':').next().expect("port");
    let signed = credential(&second.base).await;
    verify(&signed, &published, &format!("did:web:127.0.0.1%3A{port}")).expect("verifies");
    drop(second);
    // Again with both: nothing left to seal again.
    let third = spawn(&url, db.dir(), &both);
    assert_eq!(stored(&url).await, after);
    drop(third);

    let stderr = refused_start(&url, db.dir(), &[]);
    assert!(stderr.contains("SECRETS_KEY does not open"), "the old key no longer opens them: {stderr}");
    let new_alone = spawn(&url, db.dir(), &[("SECRETS_KEY", &new_key)]);
    delivered_with_secrets(&new_alone.base, hook, &receiver, 2).await;
}

/// `server --forget-secrets` (with `--yes` when `apply`): what it printed.
fn forget(url: &str, dir: &std::path::Path, extra: &[(&str, &str)], apply: bool) -> String {
    let args: &[&str] = if apply { &["--forget-secrets", "--yes"] } else { &["--forget-secrets"] };
    let out = run_once(args, url, dir, extra);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn a_lost_key_is_given_up_with_what_it_sealed_and_nothing_else(backend: Backend) {
    let receiver = Receiver::default();
    let (db, hook) = instance_with_secrets(backend, &receiver).await;
    let url = db.url.clone();
    let before = (stored(&url).await, column::<Vec<u8>>(&url, "SELECT sealed FROM secrets_check").await);
    let unchanged =
        || async { (stored(&url).await, column::<Vec<u8>>(&url, "SELECT sealed FROM secrets_check").await) };

    // With the database's own key: nothing to give up.
    let printed = forget(&url, db.dir(), &[], true);
    assert!(printed.contains("Gave up 0 webhook secret(s) and retired 0 signing key(s)"), "{printed}");
    assert_eq!(unchanged().await, before);
    // With no key given, and no key file: refused (none is made for this).
    let elsewhere = temp_dir();
    let out = run_once(&["--forget-secrets", "--yes"], &url, &elsewhere, &[("SECRETS_KEY", "")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("--forget-secrets needs the key"), "{stderr}");
    assert!(!elsewhere.join("secrets.key").exists(), "no key file made");
    // Another key, without --yes: only what it would do.
    let new_key = "ef".repeat(32);
    let printed = forget(&url, db.dir(), &[("SECRETS_KEY", &new_key)], false);
    assert!(printed.contains("Would give up 2 webhook secret(s) and retire 1 signing key(s)"), "{printed}");
    assert_eq!(unchanged().await, before, "nothing changed without --yes");

    // The key lost: a new one, and what the old one sealed is given up.
    let printed = forget(&url, db.dir(), &[("SECRETS_KEY", &new_key)], true);
    assert!(printed.contains("Gave up 2 webhook secret(s) and retired 1 signing key(s)"), "{printed}");
    let tokens: Vec<Option<String>> = column(&url, "SELECT token FROM group_hooks").await;
    let signing: Vec<Option<String>> = column(&url, "SELECT signing_token FROM group_hooks").await;
    assert_eq!((tokens, signing), (vec![None], vec![None]));
    let retired: Vec<i64> = column(&url, "SELECT COUNT(*) FROM signing_keys WHERE retired_at IS NOT NULL").await;
    assert_eq!(retired, [1]);

    // The instance starts with the new key: the hook still delivers, without
    // the secrets; a new signing key signs, and the old one stays published.
    let server = spawn(&url, db.dir(), &[("SECRETS_KEY", &new_key)]);
    let path = format!("/groups/heroes/hooks/{hook}/test/emoji_events");
    assert_eq!(call(&server.base, Method::POST, &path, Some(ROOT_TOKEN), None).await.0, 201);
    let got = receiver.wait_for(1).await;
    assert_eq!((got[0].header("X-Gitlab-Token"), got[0].header("webhook-signature")), ("", ""));
    let signed = credential(&server.base).await;
    let answer = common::client().get(format!("{}/.well-known/jwks.json", server.base)).send().await.expect("jwks");
    let published: serde_json::Value = answer.json().await.expect("json");
    assert_eq!(published["keys"].as_array().map(Vec::len), Some(2), "{published}");
    let port = server.base.rsplit(':').next().expect("port");
    verify(&signed, &published, &format!("did:web:127.0.0.1%3A{port}")).expect("verifies");
    // The old key no longer opens the database.
    drop(server);
    let stderr = refused_start(&url, db.dir(), &[]);
    assert!(stderr.contains("SECRETS_KEY does not open"), "{stderr}");
}

/// A hook token sealed with a key this instance never had (as a process on an
/// old key could leave after a rotation): its delivery is given up at once,
/// saying why, instead of claimed again and again; an edit that sets new
/// secrets needs nothing from the old ones.
async fn a_hook_whose_secrets_do_not_open_fails_at_once_and_takes_new_ones(backend: Backend) {
    use app::domain::secrets::{Column, Sealer};
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let (base, url) = (&server.base, server.database_url());
    allow_local(base, true).await;
    let receiver = Receiver::default();
    let hook = hook_to(base, &receiver.listen(0).await).await;
    let stray = Sealer::new(&[9; 32]).expect("key").seal_text(Column::HookToken, HOOK_TOKEN).expect("sealed");
    execute(&url, &format!("UPDATE group_hooks SET token = '{stray}'")).await;

    let test = format!("/groups/heroes/hooks/{hook}/test/emoji_events");
    assert_eq!(call(base, Method::POST, &test, Some(ROOT_TOKEN), None).await.0, 201);
    let events = format!("/groups/heroes/hooks/{hook}/events");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let failed = loop {
        let (_, list) = call(base, Method::GET, &events, Some(ROOT_TOKEN), None).await;
        if list[0]["state"] == "failed" {
            break list[0].clone();
        }
        assert!(std::time::Instant::now() < deadline, "never given up: {list}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(failed["attempts"], 1, "{failed}");
    let why = failed["internal_error_message"].as_str().unwrap_or_default();
    assert!(why.contains("do not open with this server's SECRETS_KEY"), "{failed}");
    assert!(receiver.all().is_empty(), "nothing sent without its secrets");

    let edit = json!({ "token": "a-new-token-of-the-owner", "signing_token": SIGNING_TOKEN });
    let path = format!("/groups/heroes/hooks/{hook}");
    let (status, edited) = call(base, Method::PUT, &path, Some(ROOT_TOKEN), Some(edit)).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(call(base, Method::POST, &test, Some(ROOT_TOKEN), None).await.0, 201);
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].header("X-Gitlab-Token"), "a-new-token-of-the-owner");
}
