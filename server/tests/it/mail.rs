//! Award e-mail through a real SMTP server (Python's aiosmtpd, installed by
//! `make test`), and the `.eml` outbox when no SMTP_URL is set.

use crate::common;

use common::smtp::{smtp_server, wait_for_mail};
use common::{client, sign_in_cookie, start, token_for, Backend, ROOT_TOKEN};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn award(base: &str, token: &str, user_id: i64) -> Value {
    let query = r#"mutation($u: UserID!) { achievementsAward(input: { achievementId: "gid://gitlab/Achievements::Achievement/1", userId: $u, awardMessage: "Thanks <3" }) { errors } }"#;
    let body: Value = client()
        .post(format!("{base}/api/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": { "u": format!("gid://gitlab/User/{user_id}") } }))
        .send()
        .await
        .expect("award")
        .json()
        .await
        .expect("json");
    assert_eq!(body["data"]["achievementsAward"]["errors"], json!([]), "{body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn award_mail_goes_through_smtp_unless_the_recipient_opted_out() {
    let smtp = smtp_server();
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let server = start(Backend::Sqlite, &[("DEMO_DATA", "1"), ("SMTP_URL", &url)]).await;
    let alice = token_for(&server.base, "alice").await;
    // grace (8) turns achievements off: her award still happens, without mail.
    let opted_out = client()
        .put(format!("{}/api/v4/users/8", server.base))
        .header("PRIVATE-TOKEN", ROOT_TOKEN)
        .json(&json!({ "achievements_enabled": false }))
        .send()
        .await
        .expect("update");
    assert_eq!(opted_out.status(), 200);
    // dave (5) is blocked by the admin: no mail to a blocked account either.
    let root = sign_in_cookie(&server.base, "root", "root-password").await.expect("root signs in");
    let blocked = client()
        .post(format!("{}/-/sfn/admin_update_user", server.base))
        .header("Cookie", root)
        .header("Accept", "text/html")
        .form(&[("id", "5"), ("blocked", "true")])
        .send()
        .await
        .expect("block");
    assert_eq!(blocked.status(), 302, "blocked");
    award(&server.base, &alice, 8).await;
    award(&server.base, &alice, 5).await;
    award(&server.base, &alice, 6).await; // erin
    let mail = wait_for_mail(&smtp, "erin@example.com");
    assert!(mail.contains("heroes awarded you the Contributor of the month achievement"), "{mail}");
    assert!(mail.contains(&format!("{}/groups/heroes", server.base)), "links the group: {mail}");
    assert!(mail.contains(&format!("{}/erin", server.base)), "links the profile: {mail}");
    assert!(mail.contains("Thanks &lt;3"), "the message is escaped in HTML: {mail}");
    assert!(!mail.contains("grace@example.com"), "grace opted out: {mail}");
    assert!(!mail.contains("dave@example.com"), "dave is blocked: {mail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_mail_lands_in_the_outbox() {
    let server = start(Backend::Sqlite, &[("DEMO_DATA", "1")]).await;
    let alice = token_for(&server.base, "alice").await;
    award(&server.base, &alice, 6).await;
    let outbox = server.data_dir.join("mail");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let files: Vec<_> = std::fs::read_dir(&outbox).map(|d| d.filter_map(Result::ok).collect()).unwrap_or_default();
        let emails: Vec<String> = files
            .iter()
            .filter(|f| f.path().extension().is_some_and(|e| e == "eml"))
            .filter_map(|f| std::fs::read_to_string(f.path()).ok())
            .collect();
        if !emails.is_empty() {
            // Only the real award: demo data is seeded without mail.
            assert_eq!(emails.len(), 1, "{emails:?}");
            assert!(emails[0].contains("erin@example.com"), "{}", emails[0]);
            break;
        }
        assert!(Instant::now() < deadline, "no .eml in {}", outbox.display());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
