//! The live channel (`/-/live/:kind/:id`) over HTTP: snapshots and changes,
//! resuming with `Last-Event-ID` under a steady stream of reactions, viewers
//! that fell too far behind, the per-user and per-address caps, and several
//! processes on one PostgreSQL database.

use crate::common;

use common::{call, client, set_limits, sign_in_cookie, start, token_for, Backend, Setup, Stage, ROOT_TOKEN};
use futures::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

on_both!(
    reactions_arrive_live,
    open_streams_are_capped_per_user_and_per_address,
    a_connection_opening_with_a_live_request_is_served_and_checked,
    pages_opened_together_each_get_what_their_viewer_may_see,
);

// Also on two processes: pages watched on one, changes made through the other.
on_every_setup!(
    reconnecting_viewers_end_with_the_exact_tallies,
    a_viewer_too_far_behind_gets_each_changed_tally,
    a_stream_ends_at_once_when_its_session_signs_out,
    a_stalled_viewer_gets_whole_frames_and_the_exact_tallies,
);

/// Demo issue 1 (project 1, iid 1): public, three thumbs up, one comment.
const ISSUE: &str = "/projects/1/issues/1/award_emoji";

type Body = std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

/// What a browser shows of one page: each awardable's tallies, and the id of
/// the last frame it had (which `EventSource` sends back when it reconnects).
#[derive(Default)]
struct Browser {
    tallies: HashMap<String, BTreeMap<String, i64>>,
    last_id: Option<String>,
    /// The event names of every frame, in order.
    events: Vec<String>,
    pending: String,
}

impl Browser {
    /// Opens the page's stream, resuming from the last id if there is one.
    async fn open(&self, base: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = client().get(format!("{base}/-/live/Issue/1"));
        if let Some(id) = &self.last_id {
            request = request.header("Last-Event-ID", id);
        }
        if let Some(token) = token {
            request = request.header("PRIVATE-TOKEN", token);
        }
        request.send().await.expect("live")
    }

    /// Applies every whole frame in `chunk` as the page's script does.
    fn take(&mut self, chunk: &[u8]) {
        self.pending.push_str(&String::from_utf8_lossy(chunk));
        while let Some(end) = self.pending.find("\n\n") {
            let frame: String = self.pending.drain(..end + 2).collect();
            let field = |name: &str| frame.lines().find_map(|l| l.strip_prefix(name)).map(str::to_string);
            let (Some(event), Some(data)) = (field("event: "), field("data: ")) else { continue };
            if let Some(id) = field("id: ") {
                self.last_id = Some(id);
            }
            let data: Value = serde_json::from_str(&data).expect("frame data is JSON");
            let item = format!("{}/{}", data["awardable"]["kind"].as_str().unwrap_or(""), data["awardable"]["id"]);
            let counts = data["counts"].as_array().expect("counts");
            let counts =
                counts.iter().map(|c| (c["name"].as_str().unwrap_or("").to_string(), c["count"].as_i64().unwrap_or(0)));
            self.tallies.insert(item, counts.collect());
            self.events.push(event);
        }
    }

    /// Reads frames for `time` (or until the stream ends).
    async fn read_for(&mut self, stream: &mut Body, time: Duration) {
        let until = tokio::time::Instant::now() + time;
        while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(until, stream.next()).await {
            self.take(&chunk);
        }
    }

    /// Reads frames until the issue shows `want`, for at most ten seconds.
    async fn read_until(&mut self, stream: &mut Body, want: &BTreeMap<String, i64>) {
        let until = tokio::time::Instant::now() + Duration::from_secs(10);
        while self.tallies.get("Issue/1") != Some(want) {
            match tokio::time::timeout_at(until, stream.next()).await {
                Ok(Some(Ok(chunk))) => self.take(&chunk),
                _ => break,
            }
        }
        assert_eq!(self.tallies.get("Issue/1"), Some(want), "frames: {:?}", self.events);
    }
}

fn body(response: reqwest::Response) -> Body {
    assert_eq!(response.status(), 200);
    Box::pin(response.bytes_stream())
}

/// The issue's tallies as REST lists its award emoji: the truth to compare with.
pub(crate) async fn truth(base: &str) -> BTreeMap<String, i64> {
    let (status, awards) = call(base, Method::GET, &format!("{ISSUE}?per_page=100"), Some(ROOT_TOKEN), None).await;
    assert_eq!(status, 200);
    let mut tallies = BTreeMap::new();
    for award in awards.as_array().expect("awards") {
        *tallies.entry(award["name"].as_str().unwrap_or("").to_string()).or_insert(0) += 1;
    }
    tallies
}

/// Adds `name` as root; its id, or `None` when root already gave it.
async fn react(base: &str, name: &str) -> Option<i64> {
    let (status, award) = call(base, Method::POST, ISSUE, Some(ROOT_TOKEN), Some(json!({ "name": name }))).await;
    assert!(status == 201 || status == 404, "{status} {award}");
    award["id"].as_i64()
}

async fn unreact(base: &str, id: i64) {
    let (status, _) = call(base, Method::DELETE, &format!("{ISSUE}/{id}"), Some(ROOT_TOKEN), None).await;
    assert_eq!(status, 204);
}

/// Toggles a reaction through the server function with a browser session.
async fn toggle(base: &str, cookie: &str, issue_id: i64, name: &str) -> serde_json::Value {
    let response = client()
        .post(format!("{base}/-/sfn/toggle_reaction"))
        .header("Cookie", cookie)
        .form(&[("kind", "Issue"), ("id", &issue_id.to_string()), ("name", name)])
        .send()
        .await
        .expect("toggle");
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

/// Reads SSE events from a live stream until `want` arrives or time runs out.
pub(crate) async fn next_event(
    stream: &mut (impl futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    want: &str,
) -> String {
    let mut buffer = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("event in time")
            .expect("open")
            .expect("chunk");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            if frame.contains(&format!("event: {want}")) {
                return frame;
            }
        }
    }
}

async fn reactions_arrive_live(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    // Issue 1 of the demo data is public and has three thumbs up.
    let live = client().get(format!("{}/-/live/Issue/1", server.base)).send().await.expect("live");
    assert_eq!(live.status(), 200);
    let mut stream = live.bytes_stream();
    // Two snapshot frames: the issue's tally, then its one comment's (read for
    // all comments at once), which carol gave a heart.
    let mut snapshot = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while snapshot.matches("event: snapshot").count() < 2 {
        let chunk = tokio::time::timeout_at(deadline, stream.next()).await.expect("snapshot in time");
        snapshot.push_str(&String::from_utf8_lossy(&chunk.expect("open").expect("chunk")));
    }
    assert!(snapshot.contains(r#""name":"thumbsup","count":3"#), "{snapshot}");
    assert!(snapshot.contains(r#""name":"heart","count":1"#), "the comment's tally: {snapshot}");
    // A tally alone, not a reaction with empty names standing for "nobody".
    assert!(snapshot.contains(r#""type":"tally""#) && !snapshot.contains(r#""user_id""#), "{snapshot}");
    let cookie = sign_in_cookie(&server.base, "root", "root-password").await.expect("session cookie");
    let result = toggle(&server.base, &cookie, 1, "tada").await;
    assert_eq!(result["toggled_on"], true);
    let event = next_event(&mut stream, "reaction").await;
    assert!(event.contains(r#""name":"tada","count":1"#), "{event}");
    // Private items are not streamed to anonymous viewers.
    let denied = client().get(format!("{}/-/live/Issue/4", server.base)).send().await.expect("live");
    assert_eq!(denied.status(), 404);
    // An id that is not a number names nothing: missing too, in the same words.
    for path in ["/-/live/Issue/abc", "/-/live/awards/profile/nobody", "/-/live/awards/group/1x"] {
        let response = client().get(format!("{}{path}", server.base)).send().await.expect("live");
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(response.text().await.expect("text"), "404 Not Found", "{path}");
    }
}

/// The demo data with root's reaction limit lifted, and someone who stays on
/// issue 1's page all along (so its topic stays), past their snapshot.
async fn watched_demo(setup: Setup) -> (Stage, Browser, Body) {
    watched_demo_with(setup, &[]).await
}

async fn watched_demo_with(setup: Setup, env: &[(&str, &str)]) -> (Stage, Browser, Body) {
    let stage = Stage::start(setup, &[&[("DEMO_DATA", "1")], env].concat()).await;
    set_limits(stage.writers(), json!({ "reactions_per_user_per_minute": 10000 })).await;
    let mut anchor = Browser::default();
    let mut stream = body(anchor.open(stage.viewers(), None).await);
    anchor.read_for(&mut stream, Duration::from_millis(200)).await;
    assert!(anchor.events.iter().all(|e| e == "snapshot") && !anchor.events.is_empty(), "{:?}", anchor.events);
    (stage, anchor, stream)
}

/// `steps` changes one after the other, through each of `bases` in turn: two
/// reactions added for each one taken back.
async fn steady_reactions(bases: Vec<String>, steps: usize) {
    let names = ["tada", "rocket", "eyes", "heart", "fire", "star", "zap", "sparkles"];
    let mut given: Vec<i64> = Vec::new();
    for step in 0..steps {
        let base = &bases[step % bases.len()];
        if step % 3 == 2 && !given.is_empty() {
            let id = given.remove(step % given.len());
            unreact(base, id).await;
        } else if let Some(id) = react(base, names[step % names.len()]).await {
            given.push(id);
        }
    }
}

/// The issue's acceptance test: browsers whose connections drop and come back
/// (with `Last-Event-ID`, as `EventSource` does) while reactions keep coming
/// all end with exactly the tallies the database holds, and each reconnect
/// resumed (no snapshot again) because the page still had viewers.
async fn reconnecting_viewers_end_with_the_exact_tallies(setup: Setup) {
    let (stage, mut anchor, mut anchor_stream) = watched_demo(setup).await;
    let (base, writers) = (stage.viewers().to_string(), stage.writers().to_string());
    let writer = tokio::spawn(steady_reactions(vec![writers.clone()], 90));
    let mut browsers = Vec::new();
    for b in 0..4u64 {
        let base = base.clone();
        browsers.push(tokio::spawn(async move {
            let mut browser = Browser::default();
            let mut resumed = 0;
            for round in 0..8u64 {
                let had = browser.events.len();
                let mut stream = body(browser.open(&base, None).await);
                browser.read_for(&mut stream, Duration::from_millis(40 + (b * 37 + round * 53) % 160)).await;
                if round > 0 && browser.events[had..].iter().all(|e| e != "snapshot") {
                    resumed += 1;
                }
                // The connection drops; the browser is away a moment.
                drop(stream);
                tokio::time::sleep(Duration::from_millis(20 + (b * 17 + round * 29) % 90)).await;
            }
            (browser, resumed)
        }));
    }
    writer.await.expect("writer");
    let want = truth(&writers).await;
    anchor.read_until(&mut anchor_stream, &want).await;
    for browser in browsers {
        let (mut browser, resumed) = browser.await.expect("browser");
        assert_eq!(resumed, 7, "every reconnect resumed: {:?}", browser.events);
        let mut stream = body(browser.open(&base, None).await);
        let had = browser.events.len();
        browser.read_until(&mut stream, &want).await;
        assert!(browser.events[had..].iter().all(|e| e != "snapshot"), "{:?}", &browser.events[had..]);
    }
}

/// Behind a load balancer a browser may come back on the other process, whose
/// page numbers its frames on its own: the id it brings resumes nothing there
/// and is answered with a snapshot, never taken for a place in the wrong
/// sequence (a silent gap). Back on a process it had left, the id it had from
/// there resumes again. While reactions keep coming through both processes,
/// every browser ends with the exact tallies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_that_come_back_on_the_other_process_end_with_the_exact_tallies() {
    let (stage, mut anchor, mut anchor_stream) = watched_demo(Setup::TwoProcesses).await;
    let bases = [stage.writers().to_string(), stage.viewers().to_string()];
    // Someone stays on the page on each process, so both keep its numbering.
    let mut other_anchor = Browser::default();
    let mut other_stream = body(other_anchor.open(&bases[0], None).await);
    other_anchor.read_for(&mut other_stream, Duration::from_millis(200)).await;
    let writer = tokio::spawn(steady_reactions(bases.to_vec(), 60));
    let mut browsers = Vec::new();
    for b in 0..3usize {
        let bases = bases.clone();
        browsers.push(tokio::spawn(async move {
            let mut browser = Browser::default();
            // Each connection's first event, after the first connection.
            let mut came_back_with = Vec::new();
            for round in 0..6usize {
                let had = browser.events.len();
                let mut stream = body(browser.open(&bases[(b + round) % 2], None).await);
                browser.read_for(&mut stream, Duration::from_millis(60 + ((b * 37 + round * 53) % 140) as u64)).await;
                if round > 0 {
                    came_back_with.push(browser.events.get(had).cloned().unwrap_or_default());
                }
                drop(stream);
                tokio::time::sleep(Duration::from_millis(20 + ((b * 17 + round * 29) % 90) as u64)).await;
            }
            (browser, came_back_with, (b + 5) % 2)
        }));
    }
    writer.await.expect("writer");
    let want = truth(&bases[0]).await;
    anchor.read_until(&mut anchor_stream, &want).await;
    other_anchor.read_until(&mut other_stream, &want).await;
    for browser in browsers {
        let (mut browser, came_back_with, last_on) = browser.await.expect("browser");
        assert!(
            came_back_with.iter().all(|e| e == "snapshot"),
            "each came back on the other process with a snapshot: {came_back_with:?} ({:?})",
            browser.events
        );
        // Once more on the process it was on last: its id resumes there.
        let mut stream = body(browser.open(&bases[last_on], None).await);
        let had = browser.events.len();
        browser.read_until(&mut stream, &want).await;
        assert!(browser.events[had..].iter().all(|e| e != "snapshot"), "{:?}", &browser.events[had..]);
    }
}

/// A viewer that missed more changes than the topic keeps gets each changed
/// item's latest tally once (`resync`), not the changes one by one; an id the
/// server never gave, or from a page nobody watches any more, gets a snapshot.
async fn a_viewer_too_far_behind_gets_each_changed_tally(setup: Setup) {
    let (stage, mut anchor, mut anchor_stream) = watched_demo(setup).await;
    let (base, writers) = (stage.viewers(), stage.writers());
    let mut away = Browser::default();
    let mut stream = body(away.open(base, None).await);
    away.read_for(&mut stream, Duration::from_millis(200)).await;
    drop(stream);
    // 100 changes on the issue while it is away: more than the topic keeps.
    for _ in 0..50 {
        let id = react(writers, "tada").await.expect("added");
        unreact(writers, id).await;
    }
    react(writers, "rocket").await.expect("added");
    let want = truth(writers).await;
    // The topic has taken in every change (on PostgreSQL they arrive through
    // LISTEN, a moment after the writes): a viewer kept open has seen them.
    anchor.read_until(&mut anchor_stream, &want).await;
    let mut stream = body(away.open(base, None).await);
    let had = away.events.len();
    away.read_until(&mut stream, &want).await;
    let caught_up = &away.events[had..];
    assert_eq!(caught_up, ["resync"], "one tally for the one changed item: {caught_up:?}");
    // Ids that do not resume here: each answered with a snapshot.
    for id in ["junk", "ffffffffffffffff-1", "0-999999999", &"9".repeat(400)] {
        let mut fresh = Browser { last_id: Some(id.to_string()), ..Browser::default() };
        let mut stream = body(fresh.open(base, None).await);
        fresh.read_until(&mut stream, &want).await;
        assert_eq!(fresh.events.first().map(String::as_str), Some("snapshot"), "{id}: {:?}", fresh.events);
    }
    // Once nobody watches, the page's topic is gone: an old id gets a snapshot.
    anchor.read_until(&mut anchor_stream, &want).await;
    let old = anchor.last_id.clone();
    drop((anchor_stream, stream));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut late = Browser { last_id: old, ..Browser::default() };
    let mut stream = body(late.open(base, None).await);
    late.read_until(&mut stream, &want).await;
    assert_eq!(late.events.first().map(String::as_str), Some("snapshot"), "{:?}", late.events);
}

/// Past `LIVE_STREAMS_PER_USER` or `LIVE_STREAMS_PER_ADDRESS` open streams a
/// new one is refused with 429 and a line saying which cap; the open ones go
/// on as before, and a closed one frees its place.
async fn open_streams_are_capped_per_user_and_per_address(backend: Backend) {
    let server =
        start(backend, &[("DEMO_DATA", "1"), ("LIVE_STREAMS_PER_USER", "2"), ("LIVE_STREAMS_PER_ADDRESS", "4")]).await;
    let base = server.base.clone();
    let open = |token: Option<&'static str>| {
        let base = base.clone();
        async move { Browser::default().open(&base, token).await }
    };
    let mut streams = vec![body(open(Some(ROOT_TOKEN)).await), body(open(Some(ROOT_TOKEN)).await)];
    let refused = open(Some(ROOT_TOKEN)).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.text().await.expect("text").contains("per user"));
    streams.push(body(open(None).await));
    streams.push(body(open(None).await));
    let refused = open(None).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.text().await.expect("text").contains("per address"));
    // The four open streams still get changes.
    react(&base, "rocket").await.expect("added");
    let want = truth(&base).await;
    for stream in &mut streams {
        Browser::default().read_until(stream, &want).await;
    }
    // A closed stream gives its place back (once the server sees it closed).
    drop(streams.remove(0));
    let mut again = None;
    for _ in 0..50 {
        let response = open(Some(ROOT_TOKEN)).await;
        if response.status() == 200 {
            again = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(again.is_some(), "a closed stream's place was given back");
}

/// Two server processes on one PostgreSQL database behave as one: a reaction
/// made through one reaches a live viewer of the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_events_over_postgres() {
    let db = common::database(Backend::Postgres).await;
    let (url, dir) = (db.url.clone(), db.dir().to_path_buf());
    let first = common::spawn(&url, &dir, &[("DEMO_DATA", "1")]);
    let second = common::spawn(&url, &dir, &[]);
    let live = client().get(format!("{}/-/live/Issue/1", first.base)).send().await.expect("live");
    let mut stream = live.bytes_stream();
    next_event(&mut stream, "snapshot").await;
    let cookie = sign_in_cookie(&second.base, "root", "root-password").await.expect("session cookie");
    toggle(&second.base, &cookie, 1, "rocket").await;
    let event = next_event(&mut stream, "reaction").await;
    assert!(event.contains(r#""name":"rocket","count":1"#), "{event}");
}

/// Sends `request` on a connection of its own (as `EventSource` opens one) and
/// returns what the server answers within `time` (or until it closes).
async fn raw(base: &str, request: &[u8], time: Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(base.trim_start_matches("http://")).await.expect("connect");
    socket.write_all(request).await.expect("send");
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    let until = tokio::time::Instant::now() + time;
    while let Ok(Ok(n)) = tokio::time::timeout_at(until, socket.read(&mut chunk)).await {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// A connection whose first request is a live stream is served on the
/// stream's own lean path (`server/src/live/http1.rs`): through the layers a
/// bodiless GET passes (input guard, request id, security headers: the same
/// headers as on a connection hyper serves), close-delimited; and a request
/// head it cannot take is refused with a clear status, never a hang or a 500.
async fn a_connection_opening_with_a_live_request_is_served_and_checked(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    let short = Duration::from_millis(500);
    let ok = raw(base, b"GET /-/live/Issue/1 HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n", short).await;
    assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
    let head = ok.split("\r\n\r\n").next().unwrap_or("").to_ascii_lowercase();
    for header in [
        "content-type: text/event-stream",
        "connection: close",
        "x-request-id: ",
        "x-content-type-options: nosniff",
        "date: ",
    ] {
        assert!(head.contains(header), "{header}: {head}");
    }
    assert!(ok.contains("event: snapshot\nid: "), "{ok}");
    // The same stream opened on a connection hyper already serves (after
    // another request) gets the same security headers and a request id.
    let kept =
        raw(base, b"GET /-/health HTTP/1.1\r\nHost: x\r\n\r\nGET /-/live/Issue/1 HTTP/1.1\r\nHost: x\r\n\r\n", short)
            .await;
    let second = kept.match_indices("HTTP/1.1 200 OK\r\n").nth(1).map(|(at, _)| &kept[at..]).unwrap_or("");
    let hyper_head = second.split("\r\n\r\n").next().unwrap_or("").to_ascii_lowercase();
    assert!(hyper_head.contains("content-type: text/event-stream"), "{kept}");
    let security = |head: &str| -> Vec<String> {
        let names = ["x-content-type-options", "x-frame-options", "referrer-policy", "cross-origin-opener-policy"];
        let mut lines: Vec<String> = head
            .lines()
            .filter(|l| names.iter().chain(&["content-security-policy"]).any(|n| l.starts_with(&format!("{n}:"))))
            .map(str::to_string)
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(security(&head).len(), 5, "{head}");
    assert_eq!(security(&head), security(&hyper_head), "the lean path's security headers are hyper's");
    // One sequence of request ids in the process, whichever path served:
    // `<process start>-<n>`, the same start on both.
    let id_start = |head: &str| -> String {
        let id = head.lines().find_map(|l| l.strip_prefix("x-request-id: ")).unwrap_or("");
        id.split('-').next().unwrap_or("").to_string()
    };
    assert!(!id_start(&head).is_empty() && id_start(&head) == id_start(&hyper_head), "{head}\n{hyper_head}");
    // The input guard stands on the lean path too: a NUL in the query (which
    // the handler itself would ignore) is refused before it.
    let nul = raw(base, b"GET /-/live/Issue/1?x=%00 HTTP/1.1\r\nHost: x\r\n\r\n", short).await;
    assert!(nul.starts_with("HTTP/1.1 400 Bad Request\r\n") && nul.ends_with("\r\n\r\nBad Request"), "{nul}");
    // Lines ending in a bare LF are accepted too, as hyper accepts them.
    let bare = raw(base, b"GET /-/live/Issue/1 HTTP/1.1\nHost: x\n\n", short).await;
    assert!(bare.starts_with("HTTP/1.1 200 OK\r\n") && bare.contains("event: snapshot\nid: "), "{bare}");
    let missing = raw(base, b"GET /-/live/Issue/999999 HTTP/1.1\r\nHost: x\r\n\r\n", short).await;
    assert!(
        missing.starts_with("HTTP/1.1 404 Not Found\r\n") && missing.ends_with("\r\n\r\n404 Not Found"),
        "{missing}"
    );
    assert!(missing.to_ascii_lowercase().contains("content-length: 13"), "{missing}");
    // A path no route takes: the app's whole 404 page, as on any other path.
    let page = raw(base, b"GET /-/live/nothing-here HTTP/1.1\r\nHost: x\r\n\r\n", Duration::from_secs(5)).await;
    assert!(page.starts_with("HTTP/1.1 404 Not Found\r\n"), "{page}");
    assert!(page.contains("This page could not be found.</p>") && page.contains("</html>"), "{page}");
    // ... through the app's own layers, once (one request id, not two).
    let page_head = page.split("\r\n\r\n").next().unwrap_or("").to_ascii_lowercase();
    assert_eq!(page_head.matches("x-request-id: ").count(), 1, "{page_head}");
    let huge = format!("GET /-/live/Issue/1 HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\n\r\n", "a".repeat(40_000));
    let many: String = (0..80).map(|i| format!("X-{i}: y\r\n")).collect();
    let many = format!("GET /-/live/Issue/1 HTTP/1.1\r\nHost: x\r\n{many}\r\n");
    for (request, status) in [
        (huge.as_bytes(), "431"),
        (many.as_bytes(), "431"),
        (b"GET /-/live/Issue/1 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello".as_slice(), "400"),
        (b"GET /-/live/Issue/1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".as_slice(), "400"),
        (b"GET /-/live/Issue/1 HTTP/2.0\r\n\r\n".as_slice(), "400"),
        (b"GET /-/live/\x00\xff HTTP/1.1\r\n\r\n".as_slice(), "400"),
        (b"GET /-/live/Issue/1\r\n\r\n".as_slice(), "400"),
    ] {
        let answer = raw(base, request, Duration::from_secs(5)).await;
        assert!(answer.starts_with(&format!("HTTP/1.1 {status} ")), "{status}: {answer}");
    }
    // A connection that opens with anything else is hyper's, as before.
    let health =
        raw(base, b"GET /-/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", Duration::from_secs(5)).await;
    assert!(health.starts_with("HTTP/1.1 200 OK\r\n") && health.ends_with("ok"), "{health}");
    // A request that arrives a few bytes at a time is told apart all the same.
    for (parts, wants) in [
        (["GET /-/li", "ve/Issue/1 HTTP/1.1\r\nHost: x\r\n\r\n"], "event: snapshot"),
        (["GET /-/he", "alth HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"], "\r\n\r\nok"),
    ] {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut socket = tokio::net::TcpStream::connect(base.trim_start_matches("http://")).await.expect("connect");
        for part in parts {
            socket.write_all(part.as_bytes()).await.expect("send");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let mut answer = vec![0u8; 8192];
        let n = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut answer)).await.expect("answer in time");
        let answer = String::from_utf8_lossy(&answer[..n.expect("read")]).into_owned();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n") && answer.contains(wants), "{answer}");
    }
    // And the server still serves live streams after all that, seconds later,
    // with the current date (formatted once a second, never left stale).
    let again = raw(base, b"GET /-/live/Issue/1 HTTP/1.1\r\nHost: x\r\n\r\n", short).await;
    assert!(again.starts_with("HTTP/1.1 200 OK\r\n"), "{again}");
    let date = again.lines().find_map(|l| l.strip_prefix("date: ")).expect("a Date header");
    let date = chrono::DateTime::parse_from_rfc2822(date).expect("an HTTP date");
    let off = (chrono::Utc::now() - date.with_timezone(&chrono::Utc)).num_seconds().abs();
    assert!(off <= 2, "Date is {off} s off: {date}");
}

/// Signing out ends the streams opened with that session at once (not at the
/// next once-a-minute re-check); the same user's stream with another session
/// goes on.
async fn a_stream_ends_at_once_when_its_session_signs_out(setup: Setup) {
    let stage = Stage::start(setup, &[("DEMO_DATA", "1")]).await;
    let (base, writers) = (stage.viewers(), stage.writers());
    let leaving = sign_in_cookie(writers, "carol", "laurel-demo").await.expect("session cookie");
    let staying = sign_in_cookie(writers, "carol", "laurel-demo").await.expect("session cookie");
    let open = |cookie: String| async move {
        let response = client().get(format!("{base}/-/live/Issue/1")).header("Cookie", cookie).send().await;
        let mut stream = body(response.expect("live"));
        Browser::default().read_for(&mut stream, Duration::from_millis(200)).await;
        stream
    };
    let (mut ending, mut going_on) = (open(leaving.clone()).await, open(staying).await);
    let signed_out =
        client().post(format!("{writers}/-/sfn/sign_out")).header("Cookie", &leaving).send().await.expect("sign out");
    assert!(signed_out.status().is_success() || signed_out.status().is_redirection(), "{}", signed_out.status());
    let ended = tokio::time::timeout(Duration::from_secs(10), async { while let Some(Ok(_)) = ending.next().await {} });
    assert!(ended.await.is_ok(), "the signed-out session's stream ended within 10 s");
    react(writers, "rocket").await.expect("added");
    Browser::default().read_until(&mut going_on, &truth(writers).await).await;
}

/// A process whose PostgreSQL listener is cut off listens again and reads back
/// what it may have missed meanwhile: a reaction written with no notification
/// at all (standing for one sent while the listener was away) reaches the
/// viewer once the listener is cut and comes back, and later changes made
/// through the other process reach it as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_that_lost_its_listener_catches_up() {
    let db = common::database(Backend::Postgres).await;
    let (url, dir) = (db.url.clone(), db.dir().to_path_buf());
    let first = common::spawn(&url, &dir, &[("DEMO_DATA", "1")]);
    let second = common::spawn(&url, &dir, &[]);
    let mut viewer = Browser::default();
    let mut stream = body(viewer.open(&first.base, None).await);
    viewer.read_for(&mut stream, Duration::from_millis(200)).await;
    // Someone on another page (issue 2), whose catch-up is read together with the first's.
    let other = client().get(format!("{}/-/live/Issue/2", first.base)).send().await.expect("live");
    let mut other = body(other);
    next_event(&mut other, "snapshot").await;
    let pool = sqlx::PgPool::connect(&url).await.expect("PostgreSQL");
    // Changes nobody is told of (no notification at all), as if their
    // notifications had been sent while the listeners were away...
    sqlx::query(
        "INSERT INTO award_emoji (name, user_id, awardable_type, awardable_id, created_at, updated_at) \
         VALUES ('rocket', 1, 'Issue', 1, now(), now()), ('eyes', 1, 'Issue', 2, now(), now())",
    )
    .execute(&pool)
    .await
    .expect("reactions nobody is told of");
    // ...then the listeners' connections are cut: only the catch-up after
    // listening again can bring it.
    assert_eq!(cut_listeners(&pool).await, 2, "both processes' listeners were cut");
    let want = truth(&second.base).await;
    assert_eq!(want.get("rocket"), Some(&1));
    viewer.read_until(&mut stream, &want).await;
    assert_eq!(viewer.events.last().map(String::as_str), Some("resync"), "{:?}", viewer.events);
    // Issue 2's page gets issue 2's tally, with its new reaction.
    let resync = next_event(&mut other, "resync").await;
    let data: Value = resync
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .map_or(Value::Null, |d| serde_json::from_str(d).expect("JSON"));
    assert_eq!(data["awardable"], json!({ "kind": "Issue", "id": 2 }), "{resync}");
    let names: Vec<&str> =
        data["counts"].as_array().expect("counts").iter().filter_map(|c| c["name"].as_str()).collect();
    assert!(names.contains(&"eyes") && !names.contains(&"rocket"), "{resync}");
    react(&second.base, "zap").await.expect("added");
    viewer.read_until(&mut stream, &truth(&second.base).await).await;
    assert_eq!(viewer.events.last().map(String::as_str), Some("reaction"), "{:?}", viewer.events);
    pool.close().await;
}

/// Cuts every process's PostgreSQL listening connection: how many were cut.
async fn cut_listeners(pool: &sqlx::PgPool) -> usize {
    let cut: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
    )
    .fetch_all(pool)
    .await
    .expect("terminate the listeners");
    cut.into_iter().filter(|cut| *cut).count()
}

/// A viewer of demo issue 1 on a PostgreSQL server, a reaction put in the
/// database that nobody was told of, and then the reactions' table taken
/// away: every read of a tally fails until [`TableAway::back`].
struct TableAway {
    _db: common::TestDatabase,
    _server: common::Server,
    viewer: Browser,
    stream: Body,
    pool: sqlx::PgPool,
    /// The issue's tallies with that reaction.
    want: BTreeMap<String, i64>,
}

impl TableAway {
    async fn take() -> TableAway {
        let db = common::database(Backend::Postgres).await;
        let server = common::spawn(&db.url, db.dir(), &[("DEMO_DATA", "1")]);
        let mut viewer = Browser::default();
        let mut stream = body(viewer.open(&server.base, None).await);
        viewer.read_for(&mut stream, Duration::from_millis(200)).await;
        let pool = sqlx::PgPool::connect(&db.url).await.expect("PostgreSQL");
        sqlx::query(
            "INSERT INTO award_emoji (name, user_id, awardable_type, awardable_id, created_at, updated_at) \
             VALUES ('rocket', 1, 'Issue', 1, now(), now())",
        )
        .execute(&pool)
        .await
        .expect("a reaction nobody is told of");
        let want = truth(&server.base).await;
        assert_eq!(want.get("rocket"), Some(&1));
        sqlx::query("ALTER TABLE award_emoji RENAME TO award_emoji_away").execute(&pool).await.expect("rename");
        TableAway { _db: db, _server: server, viewer, stream, pool, want }
    }

    /// The table back: the viewer ends with the exact tallies, read again whole.
    async fn back(mut self) {
        let rename = "ALTER TABLE award_emoji_away RENAME TO award_emoji";
        sqlx::query(rename).execute(&self.pool).await.expect("rename back");
        self.viewer.read_until(&mut self.stream, &self.want).await;
        assert_eq!(self.viewer.events.last().map(String::as_str), Some("resync"), "{:?}", self.viewer.events);
        self.pool.close().await;
    }
}

/// A catch-up read that fails (the database is often not back yet when the
/// listener is) is tried again until it succeeds: the page does not keep what
/// it missed. The read is made to fail by taking the reactions' table away
/// while the listener comes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catch_up_read_that_fails_is_tried_again() {
    let mut away = TableAway::take().await;
    let listening =
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'";
    assert_eq!(cut_listeners(&away.pool).await, 1, "the listener was cut");
    // Listening again, it reads back at once, and that read fails.
    let until = tokio::time::Instant::now() + Duration::from_secs(10);
    while sqlx::query_scalar::<_, i64>(listening).fetch_one(&away.pool).await.expect("listeners") == 0 {
        assert!(tokio::time::Instant::now() < until, "the listener came back within 10 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    away.viewer.read_for(&mut away.stream, Duration::from_millis(1_000)).await;
    let rocket = away.viewer.tallies.get("Issue/1").and_then(|t| t.get("rocket"));
    assert_eq!(rocket, None, "{:?}", away.viewer.events);
    away.back().await;
}

/// Another process's reaction arrives with ids only; when its tally cannot be
/// read here (the database fails that read), the page is neither sent an empty
/// or stale tally nor left behind: every page is read again once the database
/// answers.
#[tokio::test]
async fn a_relayed_reaction_whose_tally_cannot_be_read_is_read_again_later() {
    use app::events::{AwardableKind, AwardableRef, Envelope, Event};
    let mut away = TableAway::take().await;
    // What another process tells the others of that reaction, as `Store` sends it.
    let told = Envelope {
        origin: "another process".into(),
        event: Event::ReactionChanged {
            awardable: AwardableRef { kind: AwardableKind::Issue, id: 1 },
            name: "rocket".into(),
            user_id: 1,
            username: "root".into(),
            added: true,
            counts: Vec::new(),
        },
    };
    sqlx::query("SELECT pg_notify('laurel_events', $1)")
        .bind(serde_json::to_string(&told).expect("json"))
        .execute(&away.pool)
        .await
        .expect("notify");
    let seen = away.viewer.events.len();
    away.viewer.read_for(&mut away.stream, Duration::from_millis(1_000)).await;
    assert_eq!(away.viewer.events.len(), seen, "nothing sent while the tally is unread: {:?}", away.viewer.events);
    away.back().await;
}

/// A viewer keeps no copy of its page: neither the snapshot it was sent nor
/// its own list of what it watches. 200 viewers of a page with 1,000 comments
/// cost the server a few KiB each; each kept its 90 KB snapshot, written
/// whole, for as long as it watched (some 270 KiB a viewer).
#[tokio::test]
async fn viewers_of_a_long_page_keep_no_copy_of_it() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = common::database(Backend::Sqlite).await;
    let (url, dir) = (db.url.clone(), db.dir().to_path_buf());
    let server = common::spawn(&url, &dir, &[("DEMO_DATA", "1"), ("LIVE_STREAMS_PER_ADDRESS", "1000")]);
    common::db::execute(
        &url,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) \
         INSERT INTO notes (project_id, noteable_type, noteable_id, author_id, body, created_at, updated_at) \
         SELECT 1, 'Issue', 1, 4, 'Comment ' || i, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM n",
    )
    .await;
    let port = server.base.rsplit(':').next().expect("port").to_string();
    let open = || async {
        let mut socket = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await.expect("connect");
        let request = "GET /-/live/Issue/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
        socket.write_all(request.as_bytes()).await.expect("request");
        let (mut read, mut frames, mut buffer) = (Vec::new(), 0, vec![0u8; 1 << 16]);
        // The issue and its 1,000 new comments (and any it had).
        while frames < 1_001 {
            let n = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut buffer))
                .await
                .unwrap_or_else(|_| panic!("the snapshot comes: {frames} frames"))
                .expect("read");
            assert!(n > 0, "the stream ended");
            read.extend_from_slice(&buffer[..n]);
            frames = String::from_utf8_lossy(&read).matches("event: snapshot").count();
            if !read.ends_with(b"\n\n") {
                frames = frames.saturating_sub(1);
            }
        }
        socket
    };
    let rss = || {
        let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).expect("status");
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS").to_string();
        line.split_whitespace().nth(1).and_then(|kib| kib.parse::<i64>().ok()).expect("KiB")
    };
    let mut held = vec![open().await];
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss();
    for _ in 0..200 {
        held.push(open().await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let each = (rss() - before) / 200;
    assert!(each < 64, "{each} KiB of server memory per viewer of a page with 1,000 comments");
    drop(held);
}

/// The frames in `text` (what follows the response head), checked the way a
/// strict `EventSource` parser would: every line a known field or a comment,
/// one event and one JSON `data:` each, nothing cut short; and in order (each
/// id further on than the one before).
fn whole_frames(text: &str) -> Vec<String> {
    let (_, body) = text.split_once("\r\n\r\n").expect("a response head");
    let mut frames = Vec::new();
    let mut last_seq: Option<u64> = None;
    let mut rest = body;
    while let Some(end) = rest.find("\n\n") {
        let frame = &rest[..end];
        rest = &rest[end + 2..];
        if frame.lines().all(|l| l.starts_with(':')) {
            continue;
        }
        for line in frame.lines() {
            assert!(
                ["event: ", "id: ", "data: "].iter().any(|field| line.starts_with(field)),
                "a broken line {line:?} in {frame:?}"
            );
        }
        assert_eq!(frame.matches("event: ").count(), 1, "{frame:?}");
        let data = frame.lines().find_map(|l| l.strip_prefix("data: ")).expect("data");
        serde_json::from_str::<Value>(data).unwrap_or_else(|err| panic!("{err}: {frame:?}"));
        if let Some(id) = frame.lines().find_map(|l| l.strip_prefix("id: ")) {
            let seq: u64 = id.split_once('-').and_then(|(_, seq)| seq.parse().ok()).expect("an id");
            assert!(last_seq.is_none_or(|last| seq > last), "frame {id} after {last_seq:?}: out of order");
            last_seq = Some(seq);
        }
        frames.push(format!("{frame}\n\n"));
    }
    assert!(rest.is_empty(), "a frame cut short: {rest:?}");
    frames
}

/// A viewer that stops reading while reactions keep coming fills its socket
/// (a small send buffer, `LIVE_SEND_BUFFER_BYTES`), so the topic stops writing
/// to it and leaves it to its own task; then it reads slowly, so the two take
/// turns. When it reads again it gets whole
/// frames in order, each changed tally once it fell behind what the topic
/// keeps, and ends with the exact tallies; a viewer that kept reading had
/// every change as it came, held up by nothing.
async fn a_stalled_viewer_gets_whole_frames_and_the_exact_tallies(setup: Setup) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (stage, anchor, anchor_stream) = watched_demo_with(setup, &[("LIVE_SEND_BUFFER_BYTES", "4096")]).await;
    // The reading viewer reads all along, as a browser does (left unread
    // through the bursts, it would fall behind too on a slow machine, and be
    // caught up with tallies instead of every change).
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let reading = tokio::spawn(async move {
        let (mut anchor, mut anchor_stream) = (anchor, anchor_stream);
        while stopped.try_recv().is_err() {
            anchor.read_for(&mut anchor_stream, Duration::from_millis(20)).await;
        }
        (anchor, anchor_stream)
    });
    let base = stage.writers().to_string();
    let address = stage.viewers().trim_start_matches("http://").parse().expect("address");
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("small receive buffer");
    let mut socket = socket.connect(address).await.expect("connect");
    let request = "GET /-/live/Issue/1 HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n";
    socket.write_all(request.as_bytes()).await.expect("send");
    let mut text = String::new();
    let mut chunk = vec![0u8; 65536];
    while text.matches("event: snapshot").count() < 2 {
        let n = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut chunk)).await;
        let n = n.expect("snapshot in time").expect("read");
        assert!(n > 0, "closed: {text}");
        text.push_str(&String::from_utf8_lossy(&chunk[..n]));
    }
    // 241 changes (each frame a few hundred bytes) while it reads nothing:
    // far more than both sockets' buffers (a few KiB each) and the topic's
    // 64-frame backlog hold together, so it falls behind whatever the kernel
    // buffers (121 was borderline: one run in several fitted); then 121 while
    // it reads a little at a time (its socket fills and drains while frames
    // come: the topic and its task take turns).
    let burst = |base: String, pairs: usize, last: &'static str| async move {
        for _ in 0..pairs {
            let id = react(&base, "tada").await.expect("added");
            unreact(&base, id).await;
        }
        react(&base, last).await.expect("added");
    };
    burst(base.clone(), 120, "rocket").await;
    let second = tokio::spawn(burst(base.clone(), 60, "eyes"));
    while !second.is_finished() {
        let mut sip = [0u8; 256];
        if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(5), socket.read(&mut sip)).await {
            text.push_str(&String::from_utf8_lossy(&sip[..n]));
        }
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    second.await.expect("second burst");
    let want = truth(&base).await;
    let _ = stop.send(());
    let (mut anchor, mut anchor_stream) = reading.await.expect("the reading viewer");
    anchor.read_until(&mut anchor_stream, &want).await;
    // Across processes a frame carries the tally as read when it went out,
    // which may already hold the next change: the tallies can be whole a
    // frame or two before the last frames are in.
    let every = 2 + 241 + 121;
    let until = tokio::time::Instant::now() + Duration::from_secs(10);
    while anchor.events.len() < every && tokio::time::Instant::now() < until {
        anchor.read_for(&mut anchor_stream, Duration::from_millis(100)).await;
    }
    assert!(
        anchor.events.iter().all(|e| e == "snapshot" || e == "reaction") && anchor.events.len() >= every,
        "the reading viewer had every change as it came: {:?}",
        anchor.events
    );
    // It reads again (what its sips took may already hold everything: frames
    // go out before the reaction's answer, so before the burst ends).
    let until = tokio::time::Instant::now() + Duration::from_secs(10);
    let stalled = loop {
        let mut stalled = Browser::default();
        if let Some(cut) = text.rfind("\n\n") {
            for frame in whole_frames(&text[..cut + 2]) {
                stalled.take(frame.as_bytes());
            }
        }
        if stalled.tallies.get("Issue/1") == Some(&want) {
            break stalled;
        }
        match tokio::time::timeout_at(until, socket.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => text.push_str(&String::from_utf8_lossy(&chunk[..n])),
            _ => break stalled,
        }
    };
    assert_eq!(stalled.tallies.get("Issue/1"), Some(&want), "frames: {:?}", stalled.events);
    assert!(
        stalled.events.iter().any(|e| e == "resync"),
        "it fell behind and was caught up with tallies: {:?}",
        stalled.events
    );
}

/// The awardables of a stream's whole snapshot, or the status it was refused with.
type Opened = Result<BTreeSet<String>, u16>;

/// Each awardable of a stream's whole snapshot with its tallies, or the
/// status it was refused with.
type Snapshot = Result<HashMap<String, BTreeMap<String, i64>>, u16>;

/// What a viewer's stream of issue `issue` opens with.
async fn opened(base: &str, token: Option<&str>, page: &str) -> Snapshot {
    let mut request = client().get(format!("{base}/-/live/{page}"));
    if let Some(token) = token {
        request = request.header("PRIVATE-TOKEN", token);
    }
    let response = request.send().await.expect("live");
    if response.status() != 200 {
        return Err(response.status().as_u16());
    }
    let mut stream = body(response);
    let mut browser = Browser::default();
    // The snapshot's last frame carries its id.
    let until = tokio::time::Instant::now() + Duration::from_secs(10);
    while browser.last_id.is_none() {
        match tokio::time::timeout_at(until, stream.next()).await {
            Ok(Some(Ok(chunk))) => browser.take(&chunk),
            _ => break,
        }
    }
    assert!(browser.last_id.is_some(), "a whole snapshot of {page}: {:?}", browser.events);
    Ok(browser.tallies)
}

/// Pages opened at the same moment are read together, whoever opens them
/// (`live::page_reads`: the items of a batch in one statement per kind, their
/// comments in one per kind and listing rule): visitors, members of different
/// groups and an admin, on public, confidential and private issues, a merge
/// request and an issue that does not exist, each asked five times at once.
/// Each viewer gets exactly what it may see: the item or a 404, and only the
/// comments it may read.
async fn pages_opened_together_each_get_what_their_viewer_may_see(backend: Backend) {
    let server = start(backend, &[("DEMO_DATA", "1")]).await;
    let base = &server.base;
    // An internal comment on issue 1, for its project's reporters and up.
    let alice = token_for(base, "alice").await;
    let body = json!({ "body": "Internal only.", "internal": true });
    let (status, internal) = call(base, Method::POST, "/projects/1/issues/1/notes", Some(&alice), Some(body)).await;
    assert_eq!(status, 201, "{internal}");
    let internal = format!("Note/{}", internal["id"]);
    let (status, public) = call(base, Method::GET, "/projects/1/issues/1/notes", None, None).await;
    assert_eq!(status, 200);
    let public: Vec<String> = public.as_array().expect("notes").iter().map(|n| format!("Note/{}", n["id"])).collect();
    assert_eq!(public.len(), 1, "{public:?}");
    let set = |items: &[&str]| -> Opened { Ok(items.iter().map(|i| i.to_string()).collect()) };
    let (issue_1, issue_2, issue_3, issue_4, mr_1) = ("Issue/1", "Issue/2", "Issue/3", "Issue/4", "MergeRequest/1");
    // A comment on the merge request, internal: the admin reads it, a visitor not.
    let body = json!({ "body": "Internal too.", "internal": true });
    let (status, mr_note) =
        call(base, Method::POST, "/projects/1/merge_requests/1/notes", Some(ROOT_TOKEN), Some(body)).await;
    assert_eq!(status, 201, "{mr_note}");
    let mr_note = format!("Note/{}", mr_note["id"]);
    let (status, mr_public) = call(base, Method::GET, "/projects/1/merge_requests/1/notes", None, None).await;
    assert_eq!(status, 200);
    let mr_public: Vec<String> =
        mr_public.as_array().expect("notes").iter().map(|n| format!("Note/{}", n["id"])).collect();
    assert_eq!(mr_public.len(), 1, "{mr_public:?}");
    // erin is a guest of the public project's group, dave a reporter there;
    // frank develops in the private group only.
    let (erin, dave, frank) =
        (token_for(base, "erin").await, token_for(base, "dave").await, token_for(base, "frank").await);
    let expected: Vec<(Option<&str>, &str, Opened)> = vec![
        (None, issue_1, set(&[issue_1, &public[0]])),
        (None, issue_2, set(&[issue_2])),
        (None, issue_3, Err(404)),
        (None, issue_4, Err(404)),
        (None, "Issue/999999", Err(404)),
        (None, mr_1, set(&[mr_1, &mr_public[0]])),
        (Some(&erin), issue_1, set(&[issue_1, &public[0]])),
        (Some(&erin), issue_3, Err(404)),
        (Some(&erin), issue_4, Err(404)),
        (Some(&dave), issue_1, set(&[issue_1, &public[0], &internal])),
        (Some(&dave), issue_3, set(&[issue_3])),
        (Some(&dave), issue_4, Err(404)),
        (Some(&frank), issue_1, set(&[issue_1, &public[0]])),
        (Some(&frank), issue_3, Err(404)),
        (Some(&frank), issue_4, set(&[issue_4])),
        (Some(ROOT_TOKEN), issue_1, set(&[issue_1, &public[0], &internal])),
        (Some(ROOT_TOKEN), issue_4, set(&[issue_4])),
        (Some(ROOT_TOKEN), mr_1, set(&[mr_1, &mr_public[0], &mr_note])),
    ];
    let opening = expected.iter().cycle().take(expected.len() * 5).map(|(token, page, _)| opened(base, *token, page));
    let got = futures::future::join_all(opening).await;
    // Issue 1's tallies as REST lists them: each snapshot that shows it must
    // carry these (the tallies read together, each asker given its own).
    let issue_1_tallies = truth(base).await;
    assert!(!issue_1_tallies.is_empty());
    for ((token, page, want), got) in expected.iter().cycle().zip(got) {
        let root = ROOT_TOKEN.to_string();
        let who = [(&erin, "erin"), (&dave, "dave"), (&frank, "frank"), (&root, "root")]
            .iter()
            .find(|(t, _)| Some(t.as_str()) == *token)
            .map_or("a visitor", |(_, name)| name);
        let items: Opened = got.as_ref().map(|tallies| tallies.keys().cloned().collect()).map_err(|status| *status);
        assert_eq!(&items, want, "{who} on {page}");
        if let Ok(tallies) = &got {
            if let Some(shown) = tallies.get(issue_1) {
                assert_eq!(shown, &issue_1_tallies, "{who}: issue 1's tallies");
            }
        }
    }
}

/// Viewers that connect in the same moment do not all get their keep-alive
/// in the same moment: each first comes at its own point in the second half
/// of the 15 s period (ten thousand at once was a burst of work, and of
/// memory, in front of whatever event came then).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alives_of_viewers_that_connected_together_are_spread_out() {
    let server = start(Backend::Sqlite, &[("DEMO_DATA", "1")]).await;
    let opened = tokio::time::Instant::now();
    let viewers = futures::future::join_all((0..24).map(|_| async {
        let mut stream = body(client().get(format!("{}/-/live/Issue/1", server.base)).send().await.expect("live"));
        // The first keep-alive comment (a frame of its own), if it comes within 16 s.
        let first = async {
            while let Some(Ok(chunk)) = stream.next().await {
                if chunk.starts_with(b":\n\n") || chunk.windows(5).any(|w| w == b"\n\n:\n\n") {
                    return Some(opened.elapsed());
                }
            }
            None
        };
        tokio::time::timeout(Duration::from_secs(16), first).await.ok().flatten()
    }))
    .await;
    let mut at: Vec<Duration> = viewers.into_iter().map(|v| v.expect("a keep-alive within 16 s")).collect();
    at.sort();
    let (earliest, latest) = (at[0], at[at.len() - 1]);
    assert!(earliest >= Duration::from_secs(7), "none before half the period: {at:?}");
    assert!(latest - earliest >= Duration::from_secs(4), "spread over the second half: {at:?}");
}
