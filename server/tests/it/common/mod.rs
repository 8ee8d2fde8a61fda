//! Starts the real server binary on port 0 against a fresh database and speaks
//! HTTP to it.
#![allow(dead_code)]

pub mod db;
pub mod smtp;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use testkit::{unique, Backend, TestDatabase};

pub const ROOT_TOKEN: &str = "root-token-for-tests-0123456789";

pub struct Server {
    pub base: String,
    pub data_dir: std::path::PathBuf,
    child: Child,
    /// The database `start` made for this server, removed after it stops.
    database: Option<TestDatabase>,
    /// Its log (standard output), the first [`LOG_LINES_KEPT`] lines.
    log: Arc<Mutex<VecDeque<String>>>,
}

/// Log lines a test server's [`Server::log_since`] can look back on.
const LOG_LINES_KEPT: usize = 10_000;

impl Server {
    /// The server process's id (for reading its memory use).
    /// The URL of the database the server was started on by [`start`].
    pub fn database_url(&self) -> String {
        self.database.as_ref().map(|d| d.url.clone()).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// How many log lines the server has written so far (a mark for [`Server::log_since`]).
    pub fn log_mark(&self) -> usize {
        self.log.lock().map(|kept| kept.len()).unwrap_or(0)
    }

    /// The log lines written since `mark` (while fewer than [`LOG_LINES_KEPT`] are kept).
    pub fn log_since(&self, mark: usize) -> Vec<String> {
        self.log.lock().map(|kept| kept.iter().skip(mark).cloned().collect()).unwrap_or_default()
    }

    /// Sends a signal (`TERM`, `KILL`) to the server process.
    pub fn signal(&self, name: &str) {
        let sent = Command::new("kill").arg(format!("-{name}")).arg(self.child.id().to_string()).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -{name}");
    }

    /// Waits up to `timeout` for the process to exit; whether it did.
    pub fn exited_within(&mut self, timeout: Duration) -> bool {
        let start = std::time::Instant::now();
        while start.elapsed() < timeout {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(unique("laurel-it"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A fresh database for the backend (and a data folder beside it), removed
/// when the returned guard drops: keep it alive as long as the servers using it.
pub async fn database(backend: Backend) -> TestDatabase {
    TestDatabase::new(backend).await
}

/// Starts the server binary with extra environment; waits for its listening line.
pub fn spawn(database_url: &str, data_dir: &std::path::Path, extra: &[(&str, &str)]) -> Server {
    spawn_command(Command::new(env!("CARGO_BIN_EXE_server")), database_url, data_dir, extra)
}

/// As [`spawn`], with the limits on open files lowered: the soft one to
/// `soft` (as a login shell's 1,024 would be), the hard one to `hard` when
/// given, else left as it is. `prlimit` sets them and becomes the server
/// (same process).
pub fn spawn_with_file_limits(
    database_url: &str,
    data_dir: &std::path::Path,
    (soft, hard): (u64, Option<u64>),
    extra: &[(&str, &str)],
) -> Server {
    let mut command = Command::new("prlimit");
    let hard = hard.map(|h| h.to_string()).unwrap_or_default();
    command.arg(format!("--nofile={soft}:{hard}")).arg("--").arg(env!("CARGO_BIN_EXE_server"));
    spawn_command(command, database_url, data_dir, extra)
}

/// The `SECRETS_KEY` test servers start with.
pub const TEST_SECRETS_KEY: &str = "5ea1ed5ea1ed5ea1ed5ea1ed5ea1ed5ea1ed5ea1ed5ea1ed5ea1ed5ea1ed5ea1";

/// The server binary as tests start it: a clean environment with the test
/// setup, then `extra`.
fn configured(mut command: Command, database_url: &str, data_dir: &std::path::Path, extra: &[(&str, &str)]) -> Command {
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("DATA_DIR", data_dir)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("LEPTOS_ENV", "PROD")
        // The site `cargo leptos build` wrote (pkg/, assets).
        .env("LEPTOS_SITE_ROOT", concat!(env!("CARGO_MANIFEST_DIR"), "/../target/site"))
        .env("INITIAL_ROOT_PASSWORD", "root-password")
        .env("INITIAL_ROOT_TOKEN", ROOT_TOKEN)
        .env("RUST_LOG", "warn")
        // Every test server seals with one key, as every process of one
        // instance must; a test of the key file sets this empty.
        .env("SECRETS_KEY", TEST_SECRETS_KEY);
    for (key, value) in extra {
        command.env(key, value);
    }
    command
}

/// Starts the server as [`spawn`] does, expecting it to refuse to start:
/// its error output, once it has exited (within 60 s) with a failure.
pub fn refused_start(database_url: &str, data_dir: &std::path::Path, extra: &[(&str, &str)]) -> String {
    let command = Command::new(env!("CARGO_BIN_EXE_server"));
    let mut command = configured(command, database_url, data_dir, extra);
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("start server binary");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server started when it should have refused");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    assert!(!out.status.success(), "the server should have failed to start");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs the server binary with `args` (a command that exits, as
/// `--forget-secrets`), configured as [`spawn`] does: what it printed.
pub fn run_once(
    args: &[&str],
    database_url: &str,
    data_dir: &std::path::Path,
    extra: &[(&str, &str)],
) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command.args(args);
    configured(command, database_url, data_dir, extra).output().expect("run the server binary")
}

fn spawn_command(command: Command, database_url: &str, data_dir: &std::path::Path, extra: &[(&str, &str)]) -> Server {
    let mut command = configured(command, database_url, data_dir, extra);
    command.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = command.spawn().expect("start server binary");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let log = Arc::new(Mutex::new(VecDeque::new()));
    let kept = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("Laurel listening on ") {
                let _ = tx.send(addr.trim().to_string());
                continue;
            }
            if std::env::var_os("LAUREL_TEST_SERVER_LOG").is_some() {
                // The server's own log (warnings and errors), when asked for.
                eprintln!("[server] {line}");
            }
            if let Ok(mut kept) = kept.lock() {
                if kept.len() < LOG_LINES_KEPT {
                    kept.push_back(line);
                }
            }
        }
    });
    let base = rx.recv_timeout(Duration::from_secs(60)).expect("server printed its address");
    Server { base, data_dir: data_dir.to_path_buf(), child, database: None, log }
}

/// A server on a fresh database of its own, removed when the server is dropped.
pub async fn start(backend: Backend, extra: &[(&str, &str)]) -> Server {
    let database = database(backend).await;
    let mut server = spawn(&database.url, database.dir(), extra);
    server.database = Some(database);
    server
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// A page's HTML as a browser gets it at `url` (with `cookie`); it must answer 200.
pub async fn page(url: &str, cookie: Option<&str>) -> String {
    let mut request = client().get(url);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    let response = request.send().await.expect("page");
    assert_eq!(response.status(), 200, "{url}");
    response.text().await.expect("html")
}

/// A fresh token for a demo user, made by the admin through the API.
pub async fn token_for(base: &str, username: &str) -> String {
    let http = client();
    let users: serde_json::Value = http
        .get(format!("{base}/api/v4/users?username={username}"))
        .header("PRIVATE-TOKEN", ROOT_TOKEN)
        .send()
        .await
        .expect("users")
        .json()
        .await
        .expect("json");
    let id = users[0]["id"].as_i64().expect("user id");
    let created: serde_json::Value = http
        .post(format!("{base}/api/v4/users/{id}/personal_access_tokens"))
        .header("PRIVATE-TOKEN", ROOT_TOKEN)
        .json(&serde_json::json!({ "name": "tests", "scopes": ["api"] }))
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    created["token"].as_str().expect("token in the answer").to_string()
}

/// A GraphQL request, with a bearer token or anonymous: the status and the JSON
/// answer (`null` when the body is not JSON).
pub async fn graphql(
    base: &str,
    token: Option<&str>,
    query: &str,
    variables: serde_json::Value,
) -> (u16, serde_json::Value) {
    let mut request = client()
        .post(format!("{base}/api/graphql"))
        .json(&serde_json::json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

/// Signs in with the plain form post a browser without JavaScript makes: the
/// status, where it sends the browser, and the session cookie (`name=value`) if one was set.
pub async fn sign_in_post(base: &str, login: &str, password: &str) -> (u16, String, Option<String>) {
    let response = client()
        .post(format!("{base}/-/sfn/sign_in"))
        .header("Accept", "text/html")
        .form(&[("login", login), ("password", password), ("next", "/")])
        .send()
        .await
        .expect("sign in");
    let status = response.status().as_u16();
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("laurel_session=") && !c.starts_with("laurel_session=;"))
        .map(|c| c.split(';').next().unwrap_or_default().to_string());
    (status, location, cookie)
}

/// The session cookie (`name=value`) of a sign-in, if it worked.
pub async fn sign_in_cookie(base: &str, login: &str, password: &str) -> Option<String> {
    let (status, _, cookie) = sign_in_post(base, login, password).await;
    assert_eq!(status, 302);
    cookie
}

/// Turns abuse limits off (or up) through the admin API, for tests that sign in
/// or react faster than a person would; `abuse_limits.rs` tests the limits.
/// A user's id, looked up by the admin.
pub async fn user_id(base: &str, username: &str) -> i64 {
    let (_, users) =
        call(base, reqwest::Method::GET, &format!("/users?username={username}"), Some(ROOT_TOKEN), None).await;
    users[0]["id"].as_i64().expect("user id")
}

pub async fn set_limits(base: &str, limits: serde_json::Value) {
    let response = client()
        .put(format!("{base}/api/v4/application/settings"))
        .header("PRIVATE-TOKEN", ROOT_TOKEN)
        .json(&limits)
        .send()
        .await
        .expect("settings");
    assert_eq!(response.status(), 200, "set limits {limits}");
}

/// A REST v4 call with an optional token and JSON body: the status and the JSON
/// answer (`null` when not JSON). Any answer of 500 or above fails the test.
pub async fn call(
    base: &str,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut request = client().request(method, format!("{base}/api/v4{path}"));
    if let Some(token) = token {
        request = request.header("PRIVATE-TOKEN", token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    assert!(status < 500, "{path}: {status} {text}");
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

/// A real 8x8 PNG of one colour.
pub fn png(rgb: [u8; 3]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbaImage::from_pixel(8, 8, image::Rgba([rgb[0], rgb[1], rgb[2], 255]))
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

/// Where a live test runs: one server on either database, or two processes on
/// one PostgreSQL database, as behind a load balancer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setup {
    One(Backend),
    TwoProcesses,
}

/// The servers of a [`Setup`]: with two processes, pages are watched on the
/// second and changes are made through the first, so every change a viewer
/// sees has crossed processes.
pub struct Stage {
    // Declared first, so stopped first: the first holds the database.
    second: Option<Server>,
    first: Server,
}

impl Stage {
    /// Starts the setup's servers, each with `extra` (only the first adds
    /// the demo data).
    pub async fn start(setup: Setup, extra: &[(&str, &str)]) -> Stage {
        match setup {
            Setup::One(backend) => Stage { second: None, first: start(backend, extra).await },
            Setup::TwoProcesses => {
                let first = start(Backend::Postgres, extra).await;
                let extra: Vec<_> = extra.iter().copied().filter(|(key, _)| *key != "DEMO_DATA").collect();
                let second = spawn(&first.database_url(), &first.data_dir, &extra);
                Stage { second: Some(second), first }
            }
        }
    }

    /// Where pages are watched.
    pub fn viewers(&self) -> &str {
        &self.second.as_ref().unwrap_or(&self.first).base
    }

    /// Where changes are made.
    pub fn writers(&self) -> &str {
        &self.first.base
    }
}

/// As `on_both!`, and a third time on two processes sharing one PostgreSQL
/// database (`Setup::TwoProcesses`): each test body takes a [`Setup`].
/// (The bench shares this module and runs no test.)
#[allow(unused_macros)]
macro_rules! on_every_setup {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use $crate::common::{Backend, Setup};
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name(Setup::One(Backend::Sqlite)).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$name(Setup::One(Backend::Postgres)).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn two_processes() { super::$name(Setup::TwoProcesses).await }
        }
    )*};
}
