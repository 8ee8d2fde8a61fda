//! Nothing acknowledged is lost: the server killed with SIGKILL in the middle of
//! concurrent awards (with mail) and reactions keeps every write it answered,
//! and the award mail written with each award goes out once after the restart;
//! an SMTP outage delays mail without losing it; two processes on one
//! PostgreSQL database share the outbox without sending anything twice; a
//! reaction is shown live as soon as it is committed and answered only once
//! it is on disk; a write refused halfway frees SQLite's write lock at once.

use crate::common;

use common::db::{ids, strings};
use common::smtp::{free_port, message_ids, smtp_server, smtp_server_on};
use common::{client, database, spawn, temp_dir, token_for, Backend, Server, ROOT_TOKEN};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Recipients with public profiles and achievements on: carol, dave, erin, grace.
const RECIPIENTS: [i64; 4] = [4, 5, 6, 8];
const EMOJI: [&str; 12] =
    ["thumbsup", "thumbsdown", "smile", "heart", "tada", "rocket", "eyes", "fire", "star", "clap", "pray", "wave"];

/// Awards achievement 1 (heroes) with a message; the new award's id, if answered.
async fn award(base: &str, token: &str, user_id: i64, message: &str) -> Option<i64> {
    let query = r#"mutation($u: UserID!, $m: String) { achievementsAward(input: {
        achievementId: "gid://gitlab/Achievements::Achievement/1", userId: $u, awardMessage: $m })
        { userAchievement { id } errors } }"#;
    let variables = json!({ "u": format!("gid://gitlab/User/{user_id}"), "m": message });
    let response = client()
        .post(format!("{base}/api/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .ok()?;
    let body: Value = response.json().await.ok()?;
    let gid = body["data"]["achievementsAward"]["userAchievement"]["id"].as_str()?;
    gid.rsplit('/').next()?.parse().ok()
}

/// Reacts on issue `iid` of heroes/website: the answer as it came.
async fn react_answer(base: &str, token: &str, iid: i64, name: &str) -> Result<reqwest::Response, reqwest::Error> {
    client()
        .post(format!("{base}/api/v4/projects/1/issues/{iid}/award_emoji"))
        .header("PRIVATE-TOKEN", token)
        .json(&json!({ "name": name }))
        .send()
        .await
}

/// [`react_answer`]: the reaction's id if it was added, `Err` once the server is gone.
async fn react(base: &str, token: &str, iid: i64, name: &str) -> Result<Option<i64>, reqwest::Error> {
    let response = react_answer(base, token, iid, name).await?;
    if response.status() != 201 {
        return Ok(None);
    }
    Ok(response.json::<Value>().await?["id"].as_i64())
}

/// Counts how often each Message-ID arrived.
fn tally(received: &[String]) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for id in received {
        *seen.entry(id.trim_matches(['<', '>']).split('@').next().unwrap_or_default().to_string()).or_insert(0) += 1;
    }
    seen
}

async fn kill_9_loses_no_acknowledged_write_and_mails_each_award_once(backend: Backend) {
    let smtp = smtp_server();
    let smtp_url = format!("smtp://127.0.0.1:{}", smtp.port);
    let env = [("DEMO_DATA", "1"), ("SMTP_URL", smtp_url.as_str()), ("SMTP_TIMEOUT_SECONDS", "1")];
    let db = database(backend).await;
    let (url, dir) = (db.url.clone(), db.dir().to_path_buf());
    let mut server = spawn(&url, &dir, &env);
    let base = server.base.clone();
    let alice = token_for(&base, "alice").await; // owner of heroes
    let mut reactors = Vec::new();
    for name in ["carol", "dave", "erin", "grace"] {
        reactors.push(token_for(&base, name).await);
    }

    let awarded = Arc::new(Mutex::new(Vec::<i64>::new()));
    let reacted = Arc::new(Mutex::new(Vec::<i64>::new()));
    let mut writers = Vec::new();
    for worker in 0..2usize {
        let (base, alice, awarded) = (base.clone(), alice.clone(), awarded.clone());
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let to = RECIPIENTS[(i + worker) % RECIPIENTS.len()];
                let Some(id) = award(&base, &alice, to, &format!("kill test {worker}.{i}")).await else { return };
                awarded.lock().expect("lock").push(id);
            }
        }));
    }
    for token in reactors {
        let (base, reacted) = (base.clone(), reacted.clone());
        writers.push(tokio::spawn(async move {
            for name in EMOJI {
                for iid in 1..=3 {
                    match react(&base, &token, iid, name).await {
                        Ok(Some(id)) => reacted.lock().expect("lock").push(id),
                        Ok(None) => {}
                        Err(_) => return,
                    }
                }
            }
        }));
    }
    // Kill mid-way: with awards and reactions in flight, and mail still queued.
    let deadline = Instant::now() + Duration::from_secs(60);
    while awarded.lock().expect("lock").len() < 20 {
        assert!(Instant::now() < deadline, "awards too slow");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.signal("KILL");
    assert!(server.exited_within(Duration::from_secs(5)), "SIGKILL");
    for writer in writers {
        writer.await.expect("writer");
    }
    let awarded: HashSet<i64> = awarded.lock().expect("lock").iter().copied().collect();
    let reacted: HashSet<i64> = reacted.lock().expect("lock").iter().copied().collect();
    assert!(!reacted.is_empty(), "reactions ran alongside the awards");

    let restarted = spawn(&url, &dir, &env);
    let stored_awards: HashSet<i64> =
        ids(&url, "SELECT id FROM user_achievements WHERE award_message LIKE 'kill test %'")
            .await
            .into_iter()
            .collect();
    let stored_reactions: HashSet<i64> = ids(&url, "SELECT id FROM award_emoji").await.into_iter().collect();
    assert!(awarded.is_subset(&stored_awards), "acknowledged awards missing: {:?}", awarded.difference(&stored_awards));
    assert!(
        reacted.is_subset(&stored_reactions),
        "acknowledged reactions missing: {:?}",
        reacted.difference(&stored_reactions)
    );
    // One mail per award in the database (acknowledged or committed just before
    // the kill), each delivered after the restart if it was not before.
    let queued: HashSet<String> = strings(
        &url,
        "SELECT message_id FROM mail_outbox WHERE subject = 'heroes awarded you the Contributor of the month achievement'",
    )
    .await
    .into_iter()
    .collect();
    assert_eq!(queued.len(), stored_awards.len(), "one outbox message per award");
    let received = message_ids(&smtp, Duration::from_secs(60), |got| tally(got).len() >= queued.len());
    // The message in flight at the kill is claimed until its lease ends (7 s
    // here), then sent again: wait for every row to be marked, then for copies.
    let unsent_sql = "SELECT subject || ' to ' || to_address || ', attempts ' || attempts || ' ' || \
                      COALESCE(last_error, '') FROM mail_outbox WHERE sent_at IS NULL";
    let deadline = Instant::now() + Duration::from_secs(30);
    while !strings(&url, unsent_sql).await.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(strings(&url, unsent_sql).await, Vec::<String>::new(), "every outbox row is marked sent");
    let received = [received, message_ids(&smtp, Duration::from_secs(2), |_| false)].concat();
    let seen = tally(&received);
    let delivered: HashSet<String> = seen.keys().cloned().collect();
    assert_eq!(delivered, queued, "every award's mail arrived, and nothing else");
    let copies: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    // A crash after the SMTP server said "250 OK" but before the outbox row was
    // marked sent resends that one message, with the same Message-ID.
    assert!(copies.len() <= 1 && copies.iter().all(|(_, n)| **n == 2), "duplicates: {copies:?}");
    println!(
        "{backend:?}: {} awards and {} reactions acknowledged before SIGKILL, {} awards stored, {} mails, {} resent",
        awarded.len(),
        reacted.len(),
        stored_awards.len(),
        delivered.len(),
        copies.len()
    );
    drop(restarted);
}

on_both!(kill_9_loses_no_acknowledged_write_and_mails_each_award_once);

/// The demo data on SQLite, served with `slow_sync.c` (built with `cc`)
/// preloaded, its `variable` naming a file that does not exist yet: the shim
/// acts while it does.
async fn with_sync_shim(variable: &str) -> (Server, common::TestDatabase, std::path::PathBuf) {
    let dir = temp_dir();
    let shim = dir.join("slow_sync.so");
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/slow_sync.c");
    let built = std::process::Command::new("cc").args(["-shared", "-fPIC", "-o"]).arg(&shim).arg(source).status();
    assert!(built.is_ok_and(|s| s.success()), "cc builds {source}");
    let flag = dir.join("flag");
    let db = database(Backend::Sqlite).await;
    let env =
        [("DEMO_DATA", "1"), ("LD_PRELOAD", shim.to_str().expect("path")), (variable, flag.to_str().expect("path"))];
    let server = spawn(&db.url, db.dir(), &env);
    (server, db, flag)
}

/// The syncs of the log the shim slowed: (start, end), in the order they ended.
fn slowed_syncs(notes: &std::path::Path) -> Vec<(u128, u128)> {
    let text = std::fs::read_to_string(notes).expect("the shim's notes");
    let times = text.lines().filter_map(|line| line.split_once(' '));
    times.filter_map(|(start, end)| Some((start.parse().ok()?, end.parse().ok()?))).collect()
}

/// Now, as the shim writes its times (nanoseconds since the epoch).
fn wall_ns() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

/// A reaction is shown to the page's viewers as soon as it is committed and
/// answered only once it is on disk; so is any other answer that could tell of
/// it. `slow_sync.c`, preloaded into the server, makes each of the server's
/// syncs of SQLite's write-ahead log take two seconds more and notes when each
/// started and ended: the live frame arrives before that sync ends, the
/// reaction's answer and a listing read meanwhile after it; and ten writers at
/// once share a few syncs, each answered after a sync that started after its
/// commit. (On PostgreSQL a commit returns once durable.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reaction_is_shown_live_before_its_sync_and_answered_after() {
    let (server, _db, notes) = with_sync_shim("LAUREL_SLOW_SYNC").await;
    common::set_limits(&server.base, json!({ "reactions_per_user_per_minute": 1000 })).await;
    let live = client().get(format!("{}/-/live/Issue/1", server.base)).send().await.expect("live");
    assert_eq!(live.status(), 200);
    let mut stream = live.bytes_stream();
    crate::live::next_event(&mut stream, "snapshot").await;
    std::fs::write(&notes, "").expect("slow syncs from now on");
    let base = server.base.clone();
    let reacting = tokio::spawn(async move {
        let added = react(&base, ROOT_TOKEN, 1, "rocket").await;
        (added, wall_ns())
    });
    let frame = crate::live::next_event(&mut stream, "reaction").await;
    let shown = wall_ns();
    // Someone else reads the issue's reactions meanwhile: the answer shows the
    // new one, so it too waits for the sync.
    let listed = client().get(format!("{}/api/v4/projects/1/issues/1/award_emoji", server.base)).send().await;
    let listed = listed.expect("list").text().await.expect("body");
    let listed_at = wall_ns();
    let (added, answered) = reacting.await.expect("task");
    let syncs = slowed_syncs(&notes);
    assert!(frame.contains(r#""name":"rocket","count":1"#), "{frame}");
    assert!(added.expect("answered").is_some(), "the reaction was added");
    assert!(listed.contains(r#""name":"rocket""#), "{listed}");
    let (_, synced) = *syncs.first().expect("the reaction's sync");
    assert!(shown < synced, "shown {} ms before its sync ended", (synced as f64 - shown as f64) / 1e6);
    assert!(answered >= synced, "answered only once synced");
    assert!(listed_at >= synced, "the listing answered only once what it shows was synced");
    // Work that is not shown live commits and syncs in one step: the first
    // call for the signing keys makes one.
    std::fs::write(&notes, "").expect("a fresh count");
    let keys = client().get(format!("{}/.well-known/jwks.json", server.base)).send().await.expect("jwks");
    assert_eq!(keys.status(), 200);
    let made = wall_ns();
    let syncs = slowed_syncs(&notes);
    assert!(syncs.first().is_some_and(|(_, end)| made >= *end), "the new key answered once synced: {syncs:?}");
    // Writers that commit while a sync runs share the next one (group commit).
    // The first's sync starts at its commit; the nine others commit during it
    // and wait for the next, which covers them all.
    std::fs::write(&notes, "").expect("a fresh count");
    let names = ["smile", "heart", "tada", "eyes", "fire", "star", "clap", "pray", "wave", "zap"];
    let reactions = names.into_iter().map(|name| {
        let base = server.base.clone();
        tokio::spawn(async move {
            let added = react(&base, ROOT_TOKEN, 1, name).await;
            (added, wall_ns())
        })
    });
    let mut answers = Vec::new();
    for reaction in reactions.collect::<Vec<_>>() {
        let (added, at) = reaction.await.expect("task");
        assert!(added.expect("answered").is_some(), "added");
        answers.push(at);
    }
    let syncs = slowed_syncs(&notes);
    std::fs::remove_file(&notes).expect("syncs as usual again");
    assert!((2..=5).contains(&syncs.len()), "ten writes at once took {} syncs of the log", syncs.len());
    let last = answers.iter().max().copied().unwrap_or_default();
    assert!(answers.iter().all(|at| *at >= syncs[0].1), "every answer after the first sync");
    assert!(last >= syncs[1].1, "those who committed during the first sync waited for the second");
    let truth = crate::live::truth(&server.base).await;
    assert_eq!(truth.get("rocket"), Some(&1), "{truth:?}");
    assert_eq!(truth.get("zap"), Some(&1), "{truth:?}");
}

/// A sync of the log that fails is final, as in PostgreSQL (the kernel may
/// have dropped the pages it could not write, so a later sync that succeeds
/// proves nothing): the write is not acknowledged, and every answer after it
/// fails, the health check's included, until the server restarts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_sync_of_the_log_fails_every_answer_after() {
    let (server, db, failing) = with_sync_shim("LAUREL_FAIL_SYNC").await;
    let health = |base: String| async move { client().get(format!("{base}/-/health")).send().await.expect("health") };
    assert_eq!(health(server.base.clone()).await.status(), 200);
    std::fs::write(&failing, "").expect("syncs fail from now on");
    let response = react_answer(&server.base, ROOT_TOKEN, 1, "rocket").await.expect("react");
    assert_eq!(response.status(), 500, "not acknowledged");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body, json!({ "message": "500 Internal Server Error" }));
    std::fs::remove_file(&failing).expect("the disk answers again");
    assert_eq!(health(server.base.clone()).await.status(), 500, "still refused: the failure is final");
    let version = client().get(format!("{}/api/v4/version", server.base)).header("PRIVATE-TOKEN", ROOT_TOKEN);
    assert_eq!(version.send().await.expect("version").status(), 500);
    drop(server);
    let restarted = spawn(&db.url, db.dir(), &[]);
    assert_eq!(health(restarted.base.clone()).await.status(), 200, "a restart recovers");
}

/// Every write of a SQLite server runs on one connection of its own. A write
/// refused halfway (a reaction given twice: refused inside its transaction) is
/// rolled back as its request ends: SQLite's write lock is free for another
/// process right after the answer (not only at the server's next write, which
/// would roll it back first), and the server's next write goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_refused_halfway_frees_the_database_at_once() {
    use sqlx::{ConnectOptions, Connection};
    use std::str::FromStr;
    let server = common::start(Backend::Sqlite, &[("DEMO_DATA", "1")]).await;
    let url = server.database_url();
    let rockets = "SELECT id FROM award_emoji WHERE name = 'rocket' AND awardable_type = 'Issue'";
    let before = ids(&url, rockets).await;
    assert!(react(&server.base, ROOT_TOKEN, 1, "rocket").await.expect("react").is_some(), "the first is taken");
    let again = react_answer(&server.base, ROOT_TOKEN, 1, "rocket").await.expect("react again");
    assert_eq!(again.status(), 404, "the second is refused");
    assert!(again.text().await.expect("body").contains("has already been taken"), "as a duplicate");
    // Another process's connection, not waiting for the lock at all, tries for
    // a moment (the rollback runs as the refused request ends). The server's
    // own workers write every few seconds, and would free it too: the moment
    // is short, so they rarely come first.
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(&url).expect("URL").busy_timeout(Duration::ZERO);
    let mut other = options.connect().await.expect("open SQLite");
    let deadline = Instant::now() + Duration::from_millis(150);
    let locked = loop {
        match sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await {
            Ok(_) => break None,
            Err(err) if Instant::now() > deadline => break Some(err),
            Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    };
    assert!(locked.is_none(), "the write lock is still held after the refusal: {locked:?}");
    sqlx::query("ROLLBACK").execute(&mut other).await.expect("rollback");
    other.close().await.expect("close");
    assert_eq!(ids(&url, rockets).await.len(), before.len() + 1, "one rocket");
    assert!(react(&server.base, ROOT_TOKEN, 1, "tada").await.expect("react").is_some(), "the next write goes through");
}

/// SMTP down when the award happens: the award stands, the mail waits in the
/// outbox with its error and goes out once the server is back (first retry 30 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_smtp_outage_delays_mail_without_losing_it() {
    let port = free_port();
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let db = database(Backend::Sqlite).await;
    let (url, dir) = (db.url.clone(), db.dir().to_path_buf());
    let server: Server =
        spawn(&url, &dir, &[("DEMO_DATA", "1"), ("SMTP_URL", &smtp_url), ("SMTP_TIMEOUT_SECONDS", "1")]);
    let alice = token_for(&server.base, "alice").await;
    assert!(award(&server.base, &alice, 6, "during the outage").await.is_some(), "the award stands");
    let deadline = Instant::now() + Duration::from_secs(10);
    while strings(&url, "SELECT last_error FROM mail_outbox WHERE last_error IS NOT NULL").await.is_empty() {
        assert!(Instant::now() < deadline, "the failed attempt is recorded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let smtp = smtp_server_on(port);
    let received = message_ids(&smtp, Duration::from_secs(60), |got| !got.is_empty());
    assert_eq!(received.len(), 1, "delivered on a retry");
    let deadline = Instant::now() + Duration::from_secs(10);
    let sql = "SELECT id FROM mail_outbox WHERE sent_at IS NOT NULL AND attempts >= 2";
    while ids(&url, sql).await.is_empty() {
        assert!(Instant::now() < deadline, "marked sent, on the second attempt or later");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Two server processes on one PostgreSQL database: each claims with
/// `FOR UPDATE SKIP LOCKED`, so every message goes out exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_one_outbox_without_sending_twice() {
    let smtp = smtp_server();
    let smtp_url = format!("smtp://127.0.0.1:{}", smtp.port);
    let db = database(Backend::Postgres).await;
    let (url, dir) = (db.url.clone(), db.dir().to_path_buf());
    let env = [("DEMO_DATA", "1"), ("SMTP_URL", smtp_url.as_str())];
    let first = spawn(&url, &dir, &env);
    let second = spawn(&url, &temp_dir(), &env);
    let alice = token_for(&first.base, "alice").await;
    let mut tasks = Vec::new();
    for (n, base) in [first.base.clone(), second.base.clone()].into_iter().enumerate() {
        let alice = alice.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..15 {
                let to = RECIPIENTS[i % RECIPIENTS.len()];
                assert!(award(&base, &alice, to, &format!("shared {n}.{i}")).await.is_some(), "award");
            }
        }));
    }
    for task in tasks {
        task.await.expect("awards");
    }
    let received = message_ids(&smtp, Duration::from_secs(30), |got| got.len() >= 30);
    let received = [received, message_ids(&smtp, Duration::from_secs(2), |_| false)].concat();
    let seen = tally(&received);
    assert_eq!(received.len(), 30, "30 awards, 30 mails: {seen:?}");
    assert_eq!(seen.len(), 30, "no Message-ID twice");
}

/// Three processes started at the same moment on one empty database all come
/// up, and the instance is set up once: one `root`, one set of demo data, one
/// bootstrap in the audit log.
async fn three_processes_started_at_once_all_come_up(backend: Backend) {
    let db = database(backend).await;
    let url = db.url.clone();
    let dirs = [db.dir().to_path_buf(), temp_dir(), temp_dir()];
    let servers: Vec<Server> = std::thread::scope(|scope| {
        let started: Vec<_> = dirs.iter().map(|dir| scope.spawn(|| spawn(&url, dir, &[("DEMO_DATA", "1")]))).collect();
        started.into_iter().map(|s| s.join().expect("every process printed its address")).collect()
    });
    for server in &servers {
        let health = client().get(format!("{}/-/health", server.base)).send().await.expect("health");
        assert_eq!(health.status(), 200, "{} is up", server.base);
    }
    assert_eq!(ids(&url, "SELECT COUNT(*) FROM users WHERE username = 'root'").await, [1], "one root");
    assert_eq!(ids(&url, "SELECT COUNT(*) FROM users").await, [8], "root and the seven demo users, once");
    let bootstraps = "SELECT COUNT(*) FROM audit_events WHERE action = 'instance_bootstrapped'";
    assert_eq!(ids(&url, bootstraps).await, [1], "set up once");
    // Each answers for the same data: the demo profile through every process.
    for server in &servers {
        let carol = client().get(format!("{}/api/v4/users?username=carol", server.base)).send().await.expect("users");
        let carol: Value = carol.json().await.expect("json");
        assert_eq!(carol[0]["username"], "carol", "{}", server.base);
    }
}

on_both!(three_processes_started_at_once_all_come_up);

/// PostgreSQL connections cut while they lay in the pool (the database
/// restarted, a proxy dropped them) never fail a request: a first statement
/// sent on a lost one is sent again on another (one idle for a second is
/// also pinged before it is handed out; the retry would cover it as well).
/// Every request after a cut gets its answer, reads and writes alike, at
/// once and a while later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_cut_in_the_pool_fail_no_request() {
    let db = database(Backend::Postgres).await;
    let server = spawn(&db.url, db.dir(), &[("DEMO_DATA", "1")]);
    let base = server.base.as_str();
    // Requests at once, so the pool opens several connections.
    let requests = async || {
        let reads = (0..24).map(|_| {
            client()
                .get(format!("{base}/api/v4/projects/1/issues/1/award_emoji"))
                .header("PRIVATE-TOKEN", ROOT_TOKEN)
                .send()
        });
        let mut statuses: Vec<u16> = futures::future::join_all(reads)
            .await
            .into_iter()
            .map(|r| r.map(|r| r.status().as_u16()).unwrap_or(0))
            .collect();
        // A reaction added and taken back: two writes.
        let added = react(base, ROOT_TOKEN, 1, "sparkles").await.ok().flatten();
        statuses.push(if added.is_some() { 201 } else { 0 });
        let removed = client()
            .delete(format!("{base}/api/v4/projects/1/issues/1/award_emoji/{}", added.unwrap_or(0)))
            .header("PRIVATE-TOKEN", ROOT_TOKEN)
            .send()
            .await;
        statuses.push(removed.map(|r| r.status().as_u16()).unwrap_or(0));
        statuses
    };
    let answered = |statuses: &[u16]| statuses.iter().all(|s| matches!(s, 200 | 201 | 204));
    let writes = "SELECT COUNT(*) FROM audit_events WHERE action IN ('award_emoji_added', 'award_emoji_removed')";
    let before = ids(&db.url, writes).await[0];
    assert!(answered(&requests().await), "before the cut");
    let pool = sqlx::PgPool::connect(&db.url).await.expect("PostgreSQL");
    let cut = async || -> usize {
        let cut: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_all(&pool)
        .await
        .expect("cut the server's connections");
        cut.into_iter().filter(|cut| *cut).count()
    };
    assert!(cut().await >= 2, "the listener and pooled connections were cut");
    let at_once = requests().await;
    assert!(answered(&at_once), "every request right after the cut answered: {at_once:?}");
    assert!(cut().await >= 2, "cut again");
    // Longer than a connection may lie idle and be handed out unpinged.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let later = requests().await;
    assert!(answered(&later), "every request a while after the cut answered: {later:?}");
    assert_eq!(ids(&db.url, writes).await, [before + 6], "each write is kept, once");
    pool.close().await;
}
