//! The web app's budgets (issue 4), on the server the API bench already filled:
//! the profile page of the user with 100 awards, server-rendered; and one
//! reaction reaching many live viewers of an issue over Server-Sent Events,
//! with the server's memory while it holds them. Printed, not asserted.

use super::{drive, shared_client, Mode, Request, Step, CONNECTIONS};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

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

pub async fn profile_page(base: &str, username: &str) {
    let url = format!("{base}/{username}");
    let page: Request = Arc::new(move |_, _| {
        let url = url.clone();
        Box::pin(async move {
            let run = async {
                let response = shared_client().get(&url).send().await.ok()?;
                let ok = response.status() == 200;
                let body = response.text().await.ok()?;
                (ok && body.contains("achievement-list")).then_some(())
            };
            Step::from(run.await)
        })
    });
    let failed = |n: usize| if n > 0 { format!(" ({n} failed)") } else { String::new() };
    let one = drive(page.clone(), Mode::Serial).await;
    println!(
        "Profile page with 100 awards, server-rendered, one request at a time: p50 {:.2} ms, p99 {:.2} ms (budget p99 < 20 ms){}",
        one.p50,
        one.p99,
        failed(one.failed)
    );
    let busy = drive(page, Mode::Closed).await;
    println!(
        "  and under {CONNECTIONS} connections: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms{}",
        busy.rate,
        busy.p50,
        busy.p99,
        failed(busy.failed)
    );
}

/// Opens `viewers` live streams on an issue, then adds one reaction through the
/// REST API and times its arrival in every stream.
pub async fn sse_fan_out(base: &str, pid: u32, issue_id: i64, react_path: &str, token: &str, viewers: usize) {
    let idle = rss_kib(pid);
    let ready = Arc::new(AtomicUsize::new(0));
    let sent_at: Arc<OnceLock<Instant>> = Arc::new(OnceLock::new());
    let arrivals: Arc<Mutex<Vec<Duration>>> = Arc::default();
    // Connect a few hundred at a time, as browsers arriving would.
    let gate = Arc::new(tokio::sync::Semaphore::new(256));
    let host = base.trim_start_matches("http://").to_string();
    let request =
        Arc::new(format!("GET /-/live/Issue/{issue_id} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n"));
    let started = Instant::now();
    // The viewers run on one thread of their own (one core's worth, at most),
    // leaving the other to the server rather than contending for both.
    let done = Arc::new(tokio::sync::Notify::new());
    {
        let (ready, sent_at, arrivals, done) = (ready.clone(), sent_at.clone(), arrivals.clone(), done.clone());
        std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            runtime.block_on(async move {
                let mut tasks = Vec::with_capacity(viewers);
                for _ in 0..viewers {
                    let (host, request, ready, sent_at, arrivals, gate) =
                        (host.clone(), request.clone(), ready.clone(), sent_at.clone(), arrivals.clone(), gate.clone());
                    tasks.push(tokio::spawn(async move {
                        let permit = gate.acquire_owned().await.ok()?;
                        watch(&host, &request, permit, &ready, &sent_at, &arrivals).await
                    }));
                }
                // Until the measurement is over; dropping the runtime closes every stream.
                done.notified().await;
            });
        });
    }
    let deadline = Instant::now() + Duration::from_secs(180);
    while ready.load(Ordering::Relaxed) < viewers && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let connected = ready.load(Ordering::Relaxed);
    let connect_time = started.elapsed();
    let holding = rss_kib(pid);
    let cpu_before = cpu_time(pid);
    let _ = sent_at.set(Instant::now());
    let response = shared_client()
        .post(format!("{base}{react_path}?name=trophy"))
        .header("PRIVATE-TOKEN", token)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(30);
    while arrivals.lock().map(|a| a.len()).unwrap_or(0) < connected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let cpu = match (cpu_before, cpu_time(pid)) {
        (Some(a), Some(b)) if connected > 0 => {
            let used = b.saturating_sub(a);
            format!("{} ms ({:.0} µs per viewer)", used.as_millis(), used.as_secs_f64() * 1e6 / connected as f64)
        }
        _ => "?".into(),
    };
    let mut times = arrivals.lock().map(|a| a.clone()).unwrap_or_default();
    times.sort_unstable();
    let at = |q: f64| {
        let i = ((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1));
        times.get(i).map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    let mib = |k: Option<u64>| k.map_or("?".to_string(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    let per_viewer = match (idle, holding) {
        (Some(a), Some(b)) if connected > 0 => format!("{:.1} KiB", b.saturating_sub(a) as f64 / connected as f64),
        _ => "?".into(),
    };
    println!(
        "Live reactions: {connected}/{viewers} SSE viewers connected in {:.1} s; one reaction (REST answered {response}) reached {} of them: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (budget p99 < 100 ms)",
        connect_time.as_secs_f64(),
        times.len(),
        at(0.50),
        at(0.99),
        times.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
    );
    println!("  server CPU for that reaction and its delivery: {cpu}; the load generator shares the same cores");
    println!("Server memory: {} before, {} holding {connected} viewers ({per_viewer} each)", mib(idle), mib(holding));
    done.notify_one();
}

/// One viewer: a bare HTTP/1.1 client on its own TCP connection (one read per
/// event). Counts itself ready at the snapshot, and records when the reaction
/// named `trophy` arrives.
async fn watch(
    host: &str,
    request: &str,
    permit: tokio::sync::OwnedSemaphorePermit,
    ready: &AtomicUsize,
    sent_at: &OnceLock<Instant>,
    arrivals: &Mutex<Vec<Duration>>,
) -> Option<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(host).await.ok()?;
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
        }
        if seen.contains("event: reaction") && seen.contains("\"name\":\"trophy\"") {
            let at = sent_at.get()?.elapsed();
            arrivals.lock().ok()?.push(at);
            return Some(());
        }
    }
}
