//! Award e-mail through a real SMTP server (Python's aiosmtpd, installed by
//! `make test`), and the `.eml` outbox when no SMTP_URL is set.

mod common;

use common::{client, start, token_for, Backend, ROOT_TOKEN};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct SmtpServer {
    port: u16,
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn smtp_server() -> SmtpServer {
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
    let mut child = Command::new("python3")
        .args(["-u", "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Debugging", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m aiosmtpd (make test installs it)");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Wait until it accepts connections.
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "aiosmtpd did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    SmtpServer { port, child, lines }
}

/// Collects messages (header and body text, folded lines joined) until one
/// contains `needle`.
fn wait_for_mail(smtp: &SmtpServer, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut all = String::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = smtp.lines.recv_timeout(left).unwrap_or_else(|_| panic!("no mail with {needle:?}; got:\n{all}"));
        if line.starts_with(' ') || line.starts_with('\t') {
            all.push_str(line.trim_start());
        } else {
            all.push('\n');
            all.push_str(&line);
        }
        if all.contains(needle) {
            // Read the rest of this message.
            while let Ok(more) = smtp.lines.recv_timeout(Duration::from_millis(300)) {
                all.push('\n');
                all.push_str(&more);
            }
            return all;
        }
    }
}

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
    award(&server.base, &alice, 8).await;
    award(&server.base, &alice, 6).await; // erin
    let mail = wait_for_mail(&smtp, "erin@example.com");
    assert!(mail.contains("heroes awarded you the Contributor of the month achievement"), "{mail}");
    assert!(mail.contains(&format!("{}/groups/heroes", server.base)), "links the group: {mail}");
    assert!(mail.contains(&format!("{}/erin", server.base)), "links the profile: {mail}");
    assert!(mail.contains("Thanks &lt;3"), "the message is escaped in HTML: {mail}");
    assert!(!mail.contains("grace@example.com"), "grace opted out: {mail}");
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
