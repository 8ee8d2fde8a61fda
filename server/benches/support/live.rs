//! Live fan-out (issue 11): many Server-Sent Events viewers on bare HTTP/1.1
//! connections, one reaction, and when it reaches each viewer of its issue;
//! with the server's memory and CPU time from /proc. Three scenes: every
//! viewer on one issue; the viewers spread over many issues (one event should
//! cost its issue's viewers, not everyone's); and 1% of the viewers stalled
//! (never reading, with a small receive buffer) while a burst of reactions
//! goes by. Printed, not asserted.

use super::load::shared_client;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// An issue viewers watch, and the REST path that reacts on it.
#[derive(Clone)]
pub struct Target {
    pub issue_id: i64,
    pub react_path: String,
}

/// The server's resident memory, from /proc (Linux), in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The CPU time the server has used so far (user + system), from /proc (Linux).
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at field 3.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // The kernel reports in USER_HZ, 100 per second on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// Adds `name` (or removes award `remove_id`) as the token's user: the new
/// award's id. A refusal is printed, so a scene never fails silently.
async fn react(base: &str, token: &str, path: &str, name: &str, remove_id: Option<i64>) -> Option<i64> {
    let client = shared_client();
    let request = match remove_id {
        Some(id) => client.delete(format!("{base}{path}/{id}")),
        None => client.post(format!("{base}{path}?name={name}")),
    };
    let response = request.header("PRIVATE-TOKEN", token).send().await.ok()?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    if !status.is_success() {
        println!("  (reaction refused: {status} {body})");
    }
    body["id"].as_i64()
}

/// One scene: `viewers` spread round-robin over `targets`, `stalled` of the
/// first target's viewers never reading after their snapshot; then `burst`
/// reactions on the first target, then one (`name`, new on that issue) whose
/// arrival is timed at every reading viewer of that target.
pub struct Scene<'a> {
    pub label: &'a str,
    pub name: &'a str,
    pub targets: &'a [Target],
    pub viewers: usize,
    pub stalled: usize,
    pub burst: usize,
}

pub async fn run(base: &str, pid: u32, token: &str, scene: Scene<'_>) {
    let Scene { label, name, targets, viewers, stalled, burst } = scene;
    let marker = Arc::new(format!("\"name\":\"{name}\""));
    let Some(first) = targets.first() else { return };
    let idle = rss_kib(pid);
    let ready = Arc::new(AtomicUsize::new(0));
    let sent_at: Arc<OnceLock<Instant>> = Arc::new(OnceLock::new());
    let arrivals: Arc<Mutex<Vec<Duration>>> = Arc::default();
    // Connect a few hundred at a time, as browsers arriving would.
    let gate = Arc::new(tokio::sync::Semaphore::new(256));
    let host = base.trim_start_matches("http://").to_string();
    let started = Instant::now();
    // The viewers run on one thread of their own (one core's worth, at most).
    let done = Arc::new(tokio::sync::Notify::new());
    {
        let (ready, sent_at, arrivals, done, marker) =
            (ready.clone(), sent_at.clone(), arrivals.clone(), done.clone(), marker.clone());
        let requests: Vec<Arc<String>> = targets
            .iter()
            .map(|t| {
                Arc::new(format!(
                    "GET /-/live/Issue/{} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n",
                    t.issue_id
                ))
            })
            .collect();
        let host = host.clone();
        std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            runtime.block_on(async move {
                let mut tasks = Vec::with_capacity(viewers);
                for v in 0..viewers {
                    let target = v % requests.len();
                    // Only the first target's viewers are timed; the first `stalled` of them stall.
                    let role = match (target, v / requests.len()) {
                        (0, k) if k < stalled => Role::Stalled,
                        (0, _) => Role::Timed,
                        _ => Role::Idle,
                    };
                    let (host, request, ready, sent_at, arrivals, gate, marker) = (
                        host.clone(),
                        requests[target].clone(),
                        ready.clone(),
                        sent_at.clone(),
                        arrivals.clone(),
                        gate.clone(),
                        marker.clone(),
                    );
                    tasks.push(tokio::spawn(async move {
                        let permit = gate.acquire_owned().await.ok()?;
                        let timing = Timing { marker: &marker, sent_at: &sent_at, arrivals: &arrivals };
                        watch(&host, &request, role, permit, &ready, timing).await
                    }));
                }
                // Until the measurement is over; dropping the runtime closes every stream.
                done.notified().await;
            });
        });
    }
    let deadline = Instant::now() + Duration::from_secs(180);
    while ready.load(Ordering::Relaxed) < viewers && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let connected = ready.load(Ordering::Relaxed);
    let connect_time = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let holding = rss_kib(pid);
    // The burst: add and remove one emoji, `burst` changes in all.
    let mut given = None;
    for _ in 0..burst {
        given = match given.take() {
            Some(id) => {
                react(base, token, &first.react_path, "", Some(id)).await;
                None
            }
            None => react(base, token, &first.react_path, "zap", None).await,
        };
    }
    let after_burst = rss_kib(pid);
    let timed = (0..viewers).filter(|v| v % targets.len() == 0).count().saturating_sub(stalled);
    let cpu_before = cpu_time(pid);
    let _ = sent_at.set(Instant::now());
    let answered = react(base, token, &first.react_path, name, None).await.is_some();
    let deadline = Instant::now() + Duration::from_secs(30);
    while arrivals.lock().map(|a| a.len()).unwrap_or(0) < timed && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let cpu = cpu_before.zip(cpu_time(pid)).map(|(a, b)| b.saturating_sub(a));
    let mut times = arrivals.lock().map(|a| a.clone()).unwrap_or_default();
    times.sort_unstable();
    let at = |q: f64| {
        let i = ((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1));
        times.get(i).map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    let kib = |a: Option<u64>, b: Option<u64>, n: usize| match (a, b) {
        (Some(a), Some(b)) if n > 0 => format!("{:.1} KiB", b.saturating_sub(a) as f64 / n as f64),
        _ => "?".into(),
    };
    println!(
        "Live, {label}: {connected}/{viewers} viewers over {} issue(s) connected in {:.2} s; server memory {} per viewer",
        targets.len(),
        connect_time.as_secs_f64(),
        kib(idle, holding, connected),
    );
    if burst > 0 {
        println!(
            "  after {burst} reactions with {stalled} viewers stalled: server memory grew {} in all",
            kib(holding, after_burst, 1)
        );
    }
    println!(
        "  one reaction (REST {}) reached {} of its issue's {timed} reading viewers: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; server CPU for it {}",
        if answered { "ok" } else { "failed" },
        times.len(),
        at(0.50),
        at(0.99),
        times.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
        cpu.map_or("?".into(), |c| format!("{} ms", c.as_millis())),
    );
    done.notify_one();
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    /// Reads everything; its arrival of the scene's reaction is timed.
    Timed,
    /// Reads everything; watches another issue (not timed).
    Idle,
    /// Reads its snapshot, then never again, on a small receive buffer.
    Stalled,
}

/// What a timed viewer looks for, and where it records its arrival.
struct Timing<'a> {
    marker: &'a str,
    sent_at: &'a OnceLock<Instant>,
    arrivals: &'a Mutex<Vec<Duration>>,
}

/// One viewer: a bare HTTP/1.1 client on its own TCP connection.
async fn watch(
    host: &str,
    request: &str,
    role: Role,
    permit: tokio::sync::OwnedSemaphorePermit,
    ready: &AtomicUsize,
    timing: Timing<'_>,
) -> Option<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = tokio::net::lookup_host(host).await.ok()?.next()?;
    let socket =
        if address.is_ipv4() { tokio::net::TcpSocket::new_v4() } else { tokio::net::TcpSocket::new_v6() }.ok()?;
    if role == Role::Stalled {
        socket.set_recv_buffer_size(4096).ok()?;
    }
    let mut socket = socket.connect(address).await.ok()?;
    socket.write_all(request.as_bytes()).await.ok()?;
    let mut buffer = [0u8; 2048];
    let mut seen = String::new();
    let mut permit = Some(permit);
    loop {
        let n = socket.read(&mut buffer).await.ok()?;
        if n == 0 {
            return None;
        }
        seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
        if permit.is_some() && seen.contains("event: snapshot") {
            permit = None;
            ready.fetch_add(1, Ordering::Relaxed);
            seen.clear();
            if role == Role::Stalled {
                // Holds the connection open and never reads again.
                std::future::pending::<()>().await;
            }
        }
        if let Some(end) = seen.rfind("\n\n") {
            if role == Role::Timed && seen[..end].contains(timing.marker) {
                let at = timing.sent_at.get()?.elapsed();
                timing.arrivals.lock().ok()?.push(at);
                return Some(());
            }
            seen.drain(..end + 2);
        }
    }
}
