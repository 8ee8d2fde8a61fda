//! The server over HTTP: token auth, sign-in, pages, CSRF, live updates.

use crate::common;

use common::{client, sign_in_cookie, start, Backend, ROOT_TOKEN};

on_both!(
    api_user_answers_the_token_owner,
    sign_in_sets_a_session_cookie,
    demo_profile_renders_on_the_server,
    cross_site_posts_are_refused,
    unknown_routes_are_clean_404s,
    what_a_signed_in_caller_is_answered_is_never_stored,
);

async fn api_user_answers_the_token_owner(backend: Backend) {
    let server = start(backend, &[]).await;
    let http = client();
    let url = format!("{}/api/v4/user", server.base);
    let me: serde_json::Value =
        http.get(&url).header("PRIVATE-TOKEN", ROOT_TOKEN).send().await.expect("request").json().await.expect("json");
    assert_eq!(me["username"], "root");
    assert_eq!(me["is_admin"], true);
    assert_eq!(me["web_url"], format!("{}/root", server.base));
    let bearer = http.get(&url).bearer_auth(ROOT_TOKEN).send().await.expect("request");
    assert_eq!(bearer.status(), 200);
    for token in [Some("glpat-not-a-real-token"), None] {
        let mut request = http.get(&url);
        if let Some(token) = token {
            request = request.header("PRIVATE-TOKEN", token);
        }
        let response = request.send().await.expect("request");
        assert_eq!(response.status(), 401);
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body, serde_json::json!({ "message": "401 Unauthorized" }));
    }
}

async fn sign_in_sets_a_session_cookie(backend: Backend) {
    let server = start(backend, &[]).await;
    let cookie = sign_in_cookie(&server.base, "root", "root-password").await.expect("session cookie");
    let home = client().get(format!("{}/", server.base)).header("Cookie", &cookie).send().await.expect("home");
    assert_eq!(home.status(), 200);
    let html = home.text().await.expect("html");
    assert!(html.contains("Administrator"), "the home page greets the signed-in user");
    // A wrong password gets no session and goes back to the form.
    let response = client()
        .post(format!("{}/-/sfn/sign_in", server.base))
        .header("Accept", "text/html")
        .form(&[("login", "root"), ("password", "wrong-password"), ("next", "/")])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 302);
    assert!(response.headers()["location"].to_str().unwrap_or_default().starts_with("/users/sign_in?error=1"));
    assert!(response.headers().get("set-cookie").is_none());
    // The session cookie is HttpOnly and SameSite.
    let raw = client()
        .post(format!("{}/-/sfn/sign_in", server.base))
        .header("Accept", "text/html")
        .form(&[("login", "root"), ("password", "root-password")])
        .send()
        .await
        .expect("request");
    let set_cookie = raw.headers()["set-cookie"].to_str().unwrap_or_default().to_string();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
}

async fn demo_profile_renders_on_the_server(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    for page in ["/", "/users/sign_in", "/carol", "/-/favicon.ico"] {
        let response = client().get(format!("{}{page}", server.base)).send().await.expect("page");
        assert_eq!(response.status(), 200, "{page}");
    }
    let html =
        client().get(format!("{}/carol", server.base)).send().await.expect("profile").text().await.expect("html");
    assert!(html.contains("Carol Developer"));
    assert!(html.contains("Contributor of the month"));
    assert!(html.contains("3x"), "three awards of one achievement show as 3x");
    assert!(html.contains("a private namespace"), "the private group is not named to anonymous viewers");
    // A private profile shows nothing to anonymous viewers.
    let frank = client().get(format!("{}/frank", server.base)).send().await.expect("profile");
    assert_eq!(frank.status(), 404);
}

async fn cross_site_posts_are_refused(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let cookie = sign_in_cookie(&server.base, "root", "root-password").await.expect("session cookie");
    let response = client()
        .post(format!("{}/-/sfn/sign_out", server.base))
        .header("Cookie", &cookie)
        .header("Origin", "https://evil.example")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 403);
    // Nor with credentials a browser attaches by itself: HTTP Basic, for a
    // proxy in front of the instance. It signs in no one here, so the request
    // would act with the cookie; only an API token, which no browser sends on
    // its own, exempts a request (and then acts instead of the cookie).
    let reactions = format!("{}/api/v4/projects/1/issues/1/award_emoji", server.base);
    for (path, body) in [(reactions.as_str(), "name=rocket"), (&*format!("{}/-/sfn/sign_out", server.base), "")] {
        let response = client()
            .post(path)
            .header("Cookie", &cookie)
            .header("Authorization", "Basic dXNlcjpwYXNz")
            .header("Origin", "https://evil.example")
            .header("Sec-Fetch-Site", "cross-site")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 403, "{path}");
    }
    let (_, awards) =
        common::call(&server.base, reqwest::Method::GET, "/projects/1/issues/1/award_emoji", Some(ROOT_TOKEN), None)
            .await;
    let rockets = awards.as_array().expect("awards").iter().filter(|a| a["name"] == "rocket").count();
    assert_eq!(rockets, 0, "no reaction was made: {awards}");
    let with_token = client()
        .post(&reactions)
        .header("Cookie", &cookie)
        .header("Authorization", format!("Bearer {ROOT_TOKEN}"))
        .header("Origin", "https://elsewhere.example")
        .form(&[("name", "tada")])
        .send()
        .await
        .expect("request");
    assert_eq!(with_token.status(), 201, "an API client with its token may be anywhere");
    // The session survived.
    let html = client().get(format!("{}/", server.base)).header("Cookie", &cookie).send().await.expect("home");
    assert!(html.text().await.expect("html").contains("Administrator"));
}

/// No cache keeps a signed-in caller's answer (the back button after signing
/// out, a shared computer, a proxy); nor may a shared cache keep anyone's page.
async fn what_a_signed_in_caller_is_answered_is_never_stored(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let cookie = sign_in_cookie(base, "alice", "laurel-demo").await.expect("session cookie");
    let cache_control = |response: &reqwest::Response| {
        response.headers().get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    };
    for path in ["/", "/-/profile", "/alice", "/api/v4/user", "/groups/heroes/-/achievements"] {
        let response = client().get(format!("{base}{path}")).header("Cookie", &cookie).send().await.expect("page");
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(cache_control(&response), "private, no-store", "{path}");
    }
    let api = client().get(format!("{base}/api/v4/user")).header("PRIVATE-TOKEN", ROOT_TOKEN).send().await;
    assert_eq!(cache_control(&api.expect("api")), "private, no-store");
    let graphql = client()
        .post(format!("{base}/api/graphql"))
        .bearer_auth(ROOT_TOKEN)
        .json(&serde_json::json!({ "query": "{ currentUser { username } }" }))
        .send()
        .await;
    assert_eq!(cache_control(&graphql.expect("graphql")), "private, no-store");
    // A visitor's page: the browser asks again each time; no shared cache keeps it.
    let visitor = client().get(format!("{base}/alice")).send().await.expect("page");
    assert_eq!(cache_control(&visitor), "max-age=0, private, must-revalidate");
    // Static files keep what they say of themselves (they are the same for everyone).
    let css = client().get(format!("{base}/pkg/laurel.css")).header("Cookie", &cookie).send().await.expect("css");
    assert_eq!(css.status(), 200);
    assert!(!cache_control(&css).contains("no-store"), "{}", cache_control(&css));
    // Nor does its 304, whose headers a browser merges into the copy it keeps.
    let modified = css.headers()["last-modified"].to_str().expect("last-modified").to_string();
    let again = client()
        .get(format!("{base}/pkg/laurel.css"))
        .header("Cookie", &cookie)
        .header("If-Modified-Since", modified)
        .send()
        .await
        .expect("css again");
    assert_eq!(again.status(), 304);
    assert!(!cache_control(&again).contains("no-store"), "{}", cache_control(&again));
}

async fn unknown_routes_are_clean_404s(backend: Backend) {
    let server = start(backend, &[]).await;
    let api = client().get(format!("{}/api/v4/nope", server.base)).send().await.expect("request");
    assert_eq!(api.status(), 404);
    let page = client().get(format!("{}/no/such/page/here", server.base)).send().await.expect("request");
    assert_eq!(page.status(), 404);
    let live = client().get(format!("{}/-/live/Bogus/1", server.base)).send().await.expect("request");
    assert_eq!(live.status(), 404);
}

#[tokio::test]
async fn bad_configuration_names_the_variable() {
    for (var, value) in
        [("DATABASE_URL", "mysql://nope"), ("LEPTOS_SITE_ADDR", "not-an-address"), ("DEMO_DATA", "maybe")]
    {
        let output =
            std::process::Command::new(env!("CARGO_BIN_EXE_server")).env(var, value).output().expect("run server");
        assert_eq!(output.status.code(), Some(2), "{var}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.lines().count() == 1 && stderr.contains(var), "{var}: {stderr}");
    }
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_server")).arg("--help").output().expect("help");
    let text = String::from_utf8_lossy(&help.stdout);
    for var in [
        "DATABASE_URL",
        "LEPTOS_SITE_ADDR",
        "EXTERNAL_URL",
        "DATA_DIR",
        "INITIAL_ROOT_PASSWORD",
        "INITIAL_ROOT_TOKEN",
        "SMTP_URL",
        "DEMO_DATA",
    ] {
        assert!(text.contains(var), "--help lists {var}");
    }
}

/// The server process as it runs: transparent huge pages off (`main.rs`: a
/// 2 MiB page zeroed on first touch stalled a reaction) and a listen queue of
/// `LISTEN_BACKLOG` (as far as the kernel's `somaxconn` allows; tokio's
/// default of 128 dropped connections when thousands of live streams opened at
/// once), both read back from the kernel (`/proc`, `ss`).
#[tokio::test]
async fn the_process_runs_without_huge_pages_and_with_a_deep_listen_queue() {
    let server = start(Backend::Sqlite, &[]).await;
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).expect("the process's status");
    assert!(status.lines().any(|l| l.split_whitespace().eq(["THP_enabled:", "0"])), "{status}");
    let port = server.base.rsplit(':').next().expect("a port");
    let listening = std::process::Command::new("ss")
        .args(["-Hltn", &format!("sport = :{port}")])
        .output()
        .expect("ss (iproute2, installed by .ci/install-tools.sh)");
    let listening = String::from_utf8_lossy(&listening.stdout);
    // State, Recv-Q, Send-Q (for a listening socket: its backlog), addresses.
    let backlog: u32 = listening.split_whitespace().nth(2).and_then(|n| n.parse().ok()).expect("the listener");
    let somaxconn: u32 = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .expect("somaxconn");
    assert_eq!(backlog, server::serve::LISTEN_BACKLOG.min(somaxconn), "{listening}");
    assert!(backlog > 128, "a queue deeper than tokio's default: {listening}");
}

/// Started with the soft limit on open files at 256, below its hard limit (a
/// login shell's 1,024 is the usual case), the server raises it to the hard
/// one, so its viewers are as many as the administrator allows; and its table
/// of descriptors is grown before it serves (`server::fds`: each growth while
/// serving stalled the accepting thread for an RCU grace period). Both read
/// back from the kernel (`/proc/<pid>/limits`, `/proc/<pid>/status`).
#[tokio::test]
async fn the_process_raises_its_open_files_limit_and_grows_its_descriptor_table_before_serving() {
    let database = common::database(Backend::Sqlite).await;
    let server = common::spawn_with_file_limits(&database.url, database.dir(), (256, None), &[]);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", server.pid())).expect("the process's limits");
    let open_files: Vec<u64> = limits
        .lines()
        .find_map(|l| l.strip_prefix("Max open files"))
        .map(|l| l.split_whitespace().take(2).filter_map(|n| n.parse().ok()).collect())
        .expect("a line for open files");
    let [soft, hard] = open_files[..] else { panic!("soft and hard limits: {limits}") };
    assert_eq!(soft, hard, "the soft limit raised to the hard one: {limits}");
    assert!(soft > 256, "{limits}");
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).expect("the process's status");
    let table: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("FDSize:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("FDSize in the status");
    let wanted = soft.min(server::fds::PRESIZED);
    assert!(table >= wanted, "a table for {wanted} descriptors, not {table} (the server has a few dozen open)");
    // And it serves.
    let health = common::client().get(format!("{}/-/health", server.base)).send().await.expect("health");
    assert_eq!(health.status(), 200);
}

/// A stranger who opens connections until the server would run out of file
/// descriptors does not get it there: with its limit at 256, the server takes
/// at most 256 - `fds::RESERVED` (at most half) = 128 connections and keeps
/// the rest of its descriptors for itself, so every stream it took is served
/// (at the limit itself its database could not be opened and they got 500s);
/// the others wait in the listen queue. Once they close, it serves again, the
/// health check and a new stream alike.
#[tokio::test]
async fn connections_stop_short_of_the_open_files_limit_and_are_served_again_once_others_close() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let database = common::database(Backend::Sqlite).await;
    let limits = (256, Some(256));
    let mut server = common::spawn_with_file_limits(&database.url, database.dir(), limits, &[("DEMO_DATA", "1")]);
    let address = server.base.trim_start_matches("http://").to_string();
    let request = "GET /-/live/Issue/1 HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n";
    let mut held = Vec::new();
    for _ in 0..200 {
        let mut stream = tokio::net::TcpStream::connect(&address).await.expect("the kernel queues the connection");
        stream.write_all(request.as_bytes()).await.expect("request sent");
        held.push(stream);
    }
    // Every stream read at once until 128 have answered (or 10 s), then one
    // more second for any beyond the cap.
    let (answered, mut answers) = (tokio::sync::mpsc::unbounded_channel::<String>(), Vec::new());
    let readers: Vec<_> = held
        .into_iter()
        .map(|mut stream| {
            let answered = answered.0.clone();
            tokio::spawn(async move {
                let mut buffer = [0u8; 512];
                if let Ok(n) = stream.read(&mut buffer).await {
                    let line = String::from_utf8_lossy(&buffer[..n]).lines().next().unwrap_or_default().to_string();
                    let _ = answered.send(line);
                }
                // Held open until the test lets go.
                std::future::pending::<()>().await;
            })
        })
        .collect();
    let mut rx = answered.1;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while answers.len() < 128 {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(line)) => answers.push(line),
            _ => break,
        }
    }
    while let Ok(Some(line)) = tokio::time::timeout(Duration::from_secs(1), rx.recv()).await {
        answers.push(line);
    }
    assert_eq!(answers.len(), 128, "as many answered as the server takes: {answers:?}");
    assert!(answers.iter().all(|a| a == "HTTP/1.1 200 OK"), "every one taken is served: {answers:?}");
    assert!(!server.exited_within(Duration::from_millis(100)), "the server is still running");
    for reader in readers {
        reader.abort();
    }
    let health = async {
        loop {
            match client().get(format!("{}/-/health", server.base)).send().await {
                Ok(answer) if answer.status() == 200 => return,
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), health).await.expect("healthy again once the streams closed");
    let (_stream, answer) = first_line(&address, request.as_bytes(), Duration::from_secs(5)).await;
    assert_eq!(answer.as_deref(), Some("HTTP/1.1 200 OK"), "a new stream is answered");
}

/// Connections hyper serves count against the cap too, for as long as they
/// stay open: with the cap at 128 (limit 256), 128 kept-alive connections
/// that each had their health check leave a live stream waiting, until one of
/// them closes (well within the client timeout, 30 s by default).
#[tokio::test]
async fn kept_alive_connections_hold_their_place_until_they_close() {
    use std::time::Duration;
    let database = common::database(Backend::Sqlite).await;
    let limits = (256, Some(256));
    let server = common::spawn_with_file_limits(&database.url, database.dir(), limits, &[("DEMO_DATA", "1")]);
    let address = server.base.trim_start_matches("http://").to_string();
    let mut kept = Vec::new();
    for _ in 0..128 {
        let health = b"GET /-/health HTTP/1.1\r\nHost: x\r\n\r\n";
        let (stream, answer) = first_line(&address, health, Duration::from_secs(5)).await;
        assert_eq!(answer.as_deref(), Some("HTTP/1.1 200 OK"), "a place for each of the first 128");
        kept.push(stream);
    }
    let live = b"GET /-/live/Issue/1 HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n";
    let (mut stream, early) = first_line(&address, live, Duration::from_secs(1)).await;
    assert_eq!(early, None, "no answer while 128 connections are open");
    drop(kept.pop());
    let answer = read_first_line(&mut stream, Duration::from_secs(5)).await;
    assert_eq!(answer.as_deref(), Some("HTTP/1.1 200 OK"), "answered once one closed");
}

/// A stranger's idle sockets cannot keep everyone else waiting: with the cap
/// at 128 (limit 256) and a client timeout of 2 s, every place taken by a
/// connection that sends nothing, or nothing more after its answer, leaves a
/// live stream waiting, never answered before the first of them times out,
/// and answered once they have; each of them was closed by the server.
#[tokio::test]
async fn idle_connections_are_closed_after_the_client_timeout_and_give_their_place_back() {
    use std::time::{Duration, Instant};
    use tokio::io::AsyncReadExt;
    let database = common::database(Backend::Sqlite).await;
    let env = [("DEMO_DATA", "1"), ("CLIENT_TIMEOUT_SECONDS", "2")];
    let server = common::spawn_with_file_limits(&database.url, database.dir(), (256, Some(256)), &env);
    let address = server.base.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let mut held = Vec::new();
    for i in 0..128 {
        if i % 2 == 0 {
            held.push(tokio::net::TcpStream::connect(&address).await.expect("the kernel queues the connection"));
        } else {
            let health = b"GET /-/health HTTP/1.1\r\nHost: x\r\n\r\n";
            let (stream, answer) = first_line(&address, health, Duration::from_secs(5)).await;
            assert_eq!(answer.as_deref(), Some("HTTP/1.1 200 OK"), "a place for each of the first 128");
            held.push(stream);
        }
    }
    let live = b"GET /-/live/Issue/1 HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n";
    let (_stream, answer) = first_line(&address, live, Duration::from_secs(15)).await;
    let waited = started.elapsed();
    assert_eq!(answer.as_deref(), Some("HTTP/1.1 200 OK"), "answered once the idle ones timed out");
    assert!(waited >= Duration::from_secs(2), "not before the first of them timed out: {waited:?}");
    for mut stream in held {
        let mut rest = Vec::new();
        let end = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest)).await;
        assert!(matches!(end, Ok(Ok(_))), "closed by the server: {end:?}");
    }
}

/// A client that stalls is cut off after the client timeout (2 s here),
/// wherever it stalls: in a request head (closed unanswered), in a request
/// body (408, in the REST API's own format where the API reads the body, and
/// the reaction it was sending is not made), or taking its responses (closed
/// before all 2,000 it asked for were sent). Every answer says how long an
/// idle connection is kept (`Keep-Alive`, a second short of the timeout).
#[tokio::test]
async fn a_client_that_stalls_is_cut_off_after_the_client_timeout() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (server, address) = impatient_server().await;
    let within = Duration::from_secs(8);
    let until_closed = |mut stream: tokio::net::TcpStream| async move {
        let mut got = Vec::new();
        let end = tokio::time::timeout(within, stream.read_to_end(&mut got)).await;
        assert!(matches!(end, Ok(Ok(_)) | Ok(Err(_))), "closed by the server within {within:?}");
        got
    };
    let health = client().get(format!("{}/-/health", server.base)).send().await.expect("health");
    assert_eq!(health.headers().get("keep-alive").and_then(|v| v.to_str().ok()), Some("timeout=1"));

    let head = b"GET /-/health HTTP/1.1\r\nHost: x\r\n";
    let (stream, early) = first_line(&address, head, Duration::from_millis(500)).await;
    assert_eq!(early, None, "a head still coming is waited for");
    assert_eq!(until_closed(stream).await, b"", "a head that stops coming is not answered");

    let reactions = format!("{}/api/v4/projects/1/issues/1/award_emoji", server.base);
    let count = || async {
        let list = client().get(&reactions).header("PRIVATE-TOKEN", ROOT_TOKEN).send().await.expect("list");
        list.json::<Vec<serde_json::Value>>().await.expect("a JSON list").len()
    };
    let before = count().await;
    let post = |content_type: &str, body: &str| {
        format!(
            "POST /api/v4/projects/1/issues/1/award_emoji HTTP/1.1\r\nHost: x\r\nPRIVATE-TOKEN: {ROOT_TOKEN}\r\n\
             Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{}",
            body.len(),
            &body[..8]
        )
    };
    // JSON: refused by the input guard, before the API reads it.
    let json = post("application/json", "{\"name\": \"tada\"}");
    let (stream, answer) = first_line(&address, json.as_bytes(), within).await;
    assert_eq!(answer.as_deref(), Some("HTTP/1.1 408 Request Timeout"), "a body that stops coming");
    until_closed(stream).await;
    // Multipart: the API reads it, and says so in its own format.
    let form = "--XX\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\ntada\r\n--XX--\r\n";
    let multipart = post("multipart/form-data; boundary=XX", form);
    let mut stream = tokio::net::TcpStream::connect(&address).await.expect("connected");
    stream.write_all(multipart.as_bytes()).await.expect("sent");
    let answer = String::from_utf8_lossy(&until_closed(stream).await).to_string();
    assert!(answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "a multipart body that stops coming: {answer}");
    assert!(answer.ends_with(r#"{"message":"408 Request Timeout"}"#), "{answer}");
    assert_eq!(count().await, before, "no reaction was made");

    let css = b"GET /pkg/laurel.css HTTP/1.1\r\nHost: x\r\n\r\n";
    let size = client().get(format!("{}/pkg/laurel.css", server.base)).send().await.expect("css").bytes().await;
    let size = size.expect("the stylesheet").len();
    let (mut reading, mut writing) = tokio::net::TcpStream::connect(&address).await.expect("connected").into_split();
    // Written on the side: the server stops reading them once its writes stall.
    let writer = tokio::spawn(async move {
        let _ = writing.write_all(&css.repeat(2000)).await;
        writing
    });
    // Not read for longer than the timeout: the server's writes stall.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mut got = Vec::new();
    let end = tokio::time::timeout(within, reading.read_to_end(&mut got)).await;
    assert!(matches!(end, Ok(Ok(_)) | Ok(Err(_))), "closed by the server within {within:?}");
    assert!(got.len() < 2000 * size, "cut off: {} bytes taken of {}", got.len(), 2000 * size);
    writer.abort();
}

/// A request body that keeps coming, a byte at a time, each pause shorter
/// than the client timeout (2 s), still has to arrive at 500 bytes a second
/// past its first 2 s (`body_deadline::MIN_RATE`): it is answered 408 soon
/// after, and its reaction is not made. A body that arrives at once is fine.
#[tokio::test]
async fn a_request_body_that_trickles_is_cut_off() {
    use std::time::{Duration, Instant};
    use tokio::io::AsyncWriteExt;
    let (server, address) = impatient_server().await;
    let reactions = format!("{}/api/v4/projects/1/issues/1/award_emoji", server.base);
    let body = format!("{{\"name\": \"tada\", \"padding\": \"{}\"}}", "x".repeat(2000));
    let head = format!(
        "POST /api/v4/projects/1/issues/1/award_emoji HTTP/1.1\r\nHost: x\r\nPRIVATE-TOKEN: {ROOT_TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let started = Instant::now();
    let (mut stream, _) = first_line(&address, head.as_bytes(), Duration::from_millis(10)).await;
    let trickled = async {
        for byte in body.as_bytes() {
            if stream.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            let answer = read_first_line(&mut stream, Duration::from_millis(1)).await;
            if answer.is_some() {
                return answer;
            }
        }
        None
    };
    let answer = tokio::time::timeout(Duration::from_secs(10), trickled).await.ok().flatten();
    assert_eq!(answer.as_deref(), Some("HTTP/1.1 408 Request Timeout"), "after {:?}", started.elapsed());
    let list = client().get(&reactions).header("PRIVATE-TOKEN", ROOT_TOKEN).send().await.expect("list");
    let list: Vec<serde_json::Value> = list.json().await.expect("a JSON list");
    assert!(!list.iter().any(|a| a["name"] == "tada" && a["user"]["username"] == "root"), "not made: {list:?}");
    let whole =
        client().post(&reactions).header("PRIVATE-TOKEN", ROOT_TOKEN).json(&serde_json::json!({"name": "tada"}));
    assert_eq!(whole.send().await.expect("a reaction").status(), 201, "a body sent at once is taken");
}

/// A server with the demo data and a client timeout of 2 s, and its address.
async fn impatient_server() -> (common::Server, String) {
    let server = start(Backend::Sqlite, &[("DEMO_DATA", "1"), ("CLIENT_TIMEOUT_SECONDS", "2")]).await;
    let address = server.base.trim_start_matches("http://").to_string();
    (server, address)
}

/// A connection of its own that sends `request`, and the first line of what
/// the server answers within `within` (`None`: nothing yet). The connection is
/// handed back open.
async fn first_line(
    address: &str,
    request: &[u8],
    within: std::time::Duration,
) -> (tokio::net::TcpStream, Option<String>) {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(address).await.expect("the kernel queues the connection");
    stream.write_all(request).await.expect("request sent");
    let line = read_first_line(&mut stream, within).await;
    (stream, line)
}

async fn read_first_line(stream: &mut tokio::net::TcpStream, within: std::time::Duration) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut buffer = [0u8; 512];
    let n = tokio::time::timeout(within, stream.read(&mut buffer)).await.ok()?.ok()?;
    Some(String::from_utf8_lossy(&buffer[..n]).lines().next().unwrap_or_default().to_string())
}
