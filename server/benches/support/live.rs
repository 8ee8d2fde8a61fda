//! Live fan-out (issue 11): many Server-Sent Events viewers on bare HTTP/1.1
//! connections, one reaction, and when it reaches each viewer of its issue;
//! with the server's memory and CPU time from /proc. Three scenes: every
//! viewer on one issue; the viewers spread over many issues (one event should
//! cost its issue's viewers, not everyone's); and 1% of the viewers stalled
//! (never reading, with a small receive buffer) while a burst of reactions
//! goes by. Each scene runs against Laurel and, when it is installed, against
//! nginx + nchan doing the same fan-out (`nchan.rs`), the server pinned to one
//! core and the viewers' thread to the other. Printed, not asserted, and at
//! the end side by side in the issue's table (`print_table`).

use super::load::shared_client;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Which server a scene measures.
#[derive(Clone)]
pub enum Peer {
    /// Laurel: viewers open `/-/live/Issue/:id`; a reaction through REST with this token.
    Laurel { token: String },
    /// nginx + nchan: viewers open `/sub/:channel`; a message is `POST /pub/:channel`.
    Nchan,
}

impl Peer {
    fn name(&self) -> &'static str {
        match self {
            Peer::Laurel { .. } => "Laurel",
            Peer::Nchan => "nginx+nchan",
        }
    }

    /// What a viewer's stream starts with once it is subscribed.
    fn ready_marker(&self) -> &'static str {
        match self {
            Peer::Laurel { .. } => "event: snapshot",
            Peer::Nchan => ": hi",
        }
    }
}

/// Where viewers subscribe, and where a change to it is published.
#[derive(Clone)]
pub struct Target {
    pub subscribe: String,
    pub publish: String,
}

impl Target {
    pub fn laurel(issue_id: i64, react_path: String) -> Target {
        Target { subscribe: format!("/-/live/Issue/{issue_id}"), publish: react_path }
    }

    pub fn nchan(channel: usize) -> Target {
        Target { subscribe: format!("/sub/c{channel}"), publish: format!("/pub/c{channel}") }
    }
}

/// The server's resident memory, from /proc (Linux), in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// How many times the server's threads have been switched out so far (waiting
/// or preempted), from /proc (Linux): each costs a core's caches.
fn context_switches(pid: u32) -> Option<u64> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let switches = |status: String| -> u64 {
        status
            .lines()
            .filter(|l| l.starts_with("voluntary_ctxt_switches:") || l.starts_with("nonvoluntary_ctxt_switches:"))
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .sum()
    };
    Some(
        tasks.flatten().filter_map(|task| std::fs::read_to_string(task.path().join("status")).ok()).map(switches).sum(),
    )
}

/// The CPU time the server has used so far (user + system), from /proc (Linux).
fn cpu_time(pid: u32) -> Option<Duration> {
    cpu_time_of(&format!("/proc/{pid}/stat"))
}

/// The same for a thread of this process.
fn thread_cpu_time(tid: i32) -> Option<Duration> {
    (tid > 0).then(|| cpu_time_of(&format!("/proc/self/task/{tid}/stat")))?
}

fn cpu_time_of(path: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the command name (which may hold spaces) start at field 3.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // The kernel reports in USER_HZ, 100 per second on Linux.
    Some(Duration::from_millis(ticks * 10))
}

/// Publishes a change named `name` on `target` (for Laurel, a reaction added as
/// the token's user, or award `remove_id` removed): the new award's id (0 for
/// nchan), `None` when refused, which is printed so a scene never fails silently.
/// nginx + nchan's message for `name`: as long as Laurel's frame data for the
/// same change (`data_bytes`), so both servers write the same bytes per viewer.
fn nchan_message(name: &str, data_bytes: usize) -> String {
    let bare = format!("{{\"name\":\"{name}\",\"pad\":\"\"}}");
    bare.replace("\"pad\":\"\"", &format!("\"pad\":\"{}\"", "x".repeat(data_bytes.saturating_sub(bare.len()))))
}

async fn publish(
    peer: &Peer,
    (base, target, data_bytes): (&str, &Target, usize),
    name: &str,
    remove_id: Option<i64>,
) -> Option<i64> {
    let client = shared_client();
    let path = &target.publish;
    let request = match (peer, remove_id) {
        (Peer::Laurel { token }, Some(id)) => {
            client.delete(format!("{base}{path}/{id}")).header("PRIVATE-TOKEN", token)
        }
        (Peer::Laurel { token }, None) => {
            client.post(format!("{base}{path}?name={name}")).header("PRIVATE-TOKEN", token)
        }
        (Peer::Nchan, _) => client.post(format!("{base}{path}")).body(nchan_message(name, data_bytes)),
    };
    let response = request.send().await.ok()?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if !status.is_success() {
        println!("  (publish refused: {status} {text})");
        return None;
    }
    match peer {
        Peer::Laurel { .. } => serde_json::from_str::<serde_json::Value>(&text).ok()?["id"].as_i64(),
        Peer::Nchan => Some(0),
    }
}

/// `LAUREL_BENCH_PERF=dir`: both CPUs (the server's and the load
/// generator's) profiled through one phase of a scene, into
/// `dir/<server>-<scene>-<phase>.data` (perf itself runs beside the latter).
fn perf_record(peer: &Peer, label: &str, phase: &str) -> Option<std::process::Child> {
    let dir = std::env::var("LAUREL_BENCH_PERF").ok()?;
    let file = format!("{dir}/{}-{}-{phase}.data", peer.name(), label.replace(' ', "-"));
    let cpus = format!("0,{}", cpus() - 1);
    let child = std::process::Command::new("perf")
        .args(["record", "-C", &cpus, "-g", "-F", "4999", "-o", &file])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    std::thread::sleep(Duration::from_millis(300));
    Some(child)
}

fn perf_stop(perf: Option<std::process::Child>) {
    if let Some(mut perf) = perf {
        // SAFETY: signals the child we started.
        unsafe { libc::kill(perf.id() as i32, libc::SIGINT) };
        let _ = perf.wait();
    }
}

/// `taskset -a` with these arguments: whether it did it.
fn taskset(args: &[&str]) -> bool {
    std::process::Command::new("taskset")
        .arg("-a")
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// While it lives, this process (the viewers and the publisher: the load
/// generator) runs on the last CPU only; dropped, it gets back the CPUs it
/// had (the next rows share them).
struct Pinned {
    /// This process's affinity mask before, as `taskset -p` prints it.
    mask: String,
}

impl Drop for Pinned {
    fn drop(&mut self) {
        taskset(&["-p", &self.mask, &std::process::id().to_string()]);
    }
}

/// Pins process `pid` (all its threads) to CPU 0 with `taskset`, where there
/// are two CPUs or more, then the load generator to the last one, so the
/// server has its core alone. `None`: nothing is pinned.
fn pin_server(pid: u32) -> Option<Pinned> {
    let cpus = cpus();
    // `taskset -a` fails when one of the threads it listed ends before it is
    // pinned (the database pool's come and go): try again.
    let server = || {
        std::thread::sleep(Duration::from_millis(20));
        taskset(&["-cp", "0", &pid.to_string()])
    };
    if cpus < 2 || !(0..5).any(|_| server()) {
        return None;
    }
    let own = std::process::id().to_string();
    let printed = std::process::Command::new("taskset").args(["-p", &own]).output().ok()?;
    // "pid 123's current affinity mask: 3"
    let mask = String::from_utf8_lossy(&printed.stdout).rsplit(':').next()?.trim().to_string();
    let pinned = Pinned { mask };
    taskset(&["-cp", &(cpus - 1).to_string(), &own]).then_some(pinned)
}

/// The machine's CPUs online (not the ones this process may run on, which
/// pinning narrows to one).
fn cpus() -> usize {
    // SAFETY: sysconf only reads a system value.
    usize::try_from(unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }).unwrap_or(1).max(1)
}

/// One scene: `viewers` spread round-robin over `targets`, `stalled` of the
/// first target's viewers never reading once subscribed; then
/// [`BURST_ROUNDS`] rounds of `burst` changes on the first target, then one change per name in `names` (each new there),
/// one after the other, whose arrivals are timed at every reading viewer of
/// that target.
pub struct Scene<'a> {
    pub label: &'a str,
    pub names: &'a [&'a str],
    pub targets: &'a [Target],
    pub viewers: usize,
    pub stalled: usize,
    pub burst: usize,
    /// Where changes are published, when not the viewers' server (another
    /// process on the same database).
    pub publish_via: Option<&'a str>,
    /// nchan's message for each timed event is padded to this many bytes of
    /// `data:` (Laurel's frame for the same change, measured by its run of
    /// the scene); its other messages to the first.
    pub data_bytes: &'a [usize],
}

/// What one scene measured on one server, for the summary table.
#[derive(Clone, Copy, Debug, Default)]
pub struct Figures {
    /// Seconds until every viewer had its first frame.
    pub connect: Option<f64>,
    pub kib_per_viewer: Option<f64>,
    /// Delivery of the timed events, in ms.
    pub p50: Option<f64>,
    pub p99: Option<f64>,
    /// The server's CPU per timed event, in ms.
    pub cpu_per_event: Option<f64>,
    /// How much the server grew over each burst after the first (the
    /// median), in KiB.
    pub burst_growth: Option<f64>,
}

/// What a scene gives back: each timed frame's `data:` length as the viewers
/// got it, and its figures.
pub struct Ran {
    pub data_len: Vec<usize>,
    pub figures: Figures,
}

/// As many changes at once as a PostgreSQL server's pool holds connections
/// (16; on SQLite, 7 readers and one writer), in a few rounds: the pool hands
/// out its connections in turn, so each has run the change's statements.
/// Each is an emoji added and (Laurel) taken back.
async fn warm_up(peer: &Peer, base: &str, (target, data_bytes): (&Target, usize)) {
    const AT_ONCE: &[&str] = &[
        "sunny",
        "cloud",
        "snowflake",
        "umbrella",
        "fire",
        "droplet",
        "ocean",
        "seedling",
        "herb",
        "cactus",
        "mushroom",
        "crescent_moon",
        "comet",
        "snowman",
        "sweat_drops",
        "dash",
    ];
    for _round in 0..4 {
        let changes = AT_ONCE.iter().map(|name| async move {
            let added = publish(peer, (base, target, data_bytes), name, None).await;
            if let (Some(id), Peer::Laurel { .. }) = (added, peer) {
                publish(peer, (base, target, data_bytes), "", Some(id)).await;
            }
        });
        futures::future::join_all(changes).await;
    }
}

/// Runs the scene and prints its figures.
pub async fn run(peer: &Peer, base: &str, pid: u32, scene: Scene<'_>) -> Ran {
    let Scene { label, names, targets, viewers, stalled, burst, publish_via, data_bytes } = scene;
    let viewers_base = base;
    let base = publish_via.unwrap_or(base);
    let Some(first) = targets.first() else { return Ran { data_len: Vec::new(), figures: Figures::default() } };
    let pinning = pin_server(pid);
    let pinned = pinning.is_some();
    let ready_marker = peer.ready_marker();
    let markers: Arc<Vec<String>> = Arc::new(names.iter().map(|name| format!("\"name\":\"{name}\"")).collect());
    let pad = |k: usize| data_bytes.get(k).or(data_bytes.first()).copied().unwrap_or(0);
    // Changes before the viewers arrive, as a server that has been up a
    // while has seen: the first on a database connection prepares every
    // statement on its path there, so every connection of the pool is used.
    warm_up(peer, base, (first, pad(0))).await;
    let idle = rss_kib(pid);
    let ready = Arc::new(AtomicUsize::new(0));
    let sent_at: Arc<Vec<OnceLock<Instant>>> = Arc::new(names.iter().map(|_| OnceLock::new()).collect());
    let arrivals: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let data_len: Arc<Vec<AtomicUsize>> = Arc::new(names.iter().map(|_| AtomicUsize::new(0)).collect());
    let timed_ready = Arc::new(AtomicUsize::new(0));
    // Connect a few hundred at a time, as browsers arriving would.
    let gate = Arc::new(tokio::sync::Semaphore::new(256));
    let host = viewers_base.trim_start_matches("http://").to_string();
    let perf = perf_record(peer, label, "connect");
    let cpu_at_start = cpu_time(pid);
    let switches_at_start = context_switches(pid);
    let started = Instant::now();
    // The viewers run on one thread of their own (one core's worth, at most).
    let done = Arc::new(tokio::sync::Notify::new());
    let viewers_tid = Arc::new(AtomicI32::new(0));
    {
        let (ready, sent_at, arrivals, done, markers, data_len) =
            (ready.clone(), sent_at.clone(), arrivals.clone(), done.clone(), markers.clone(), data_len.clone());
        let timed_ready = timed_ready.clone();
        let viewers_tid = viewers_tid.clone();
        let requests: Vec<Arc<String>> = targets
            .iter()
            .map(|t| {
                Arc::new(format!("GET {} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n", t.subscribe))
            })
            .collect();
        let host = host.clone();
        std::thread::spawn(move || {
            // Pinned with the whole process (`pin_server`) when `pinned`.
            // SAFETY: gettid has no preconditions.
            viewers_tid.store(unsafe { libc::gettid() }, Ordering::Relaxed);
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
                    let (host, request, ready, sent_at, arrivals, gate, markers, data_len, timed_ready) = (
                        host.clone(),
                        requests[target].clone(),
                        ready.clone(),
                        sent_at.clone(),
                        arrivals.clone(),
                        gate.clone(),
                        markers.clone(),
                        data_len.clone(),
                        timed_ready.clone(),
                    );
                    tasks.push(tokio::spawn(async move {
                        let permit = gate.acquire_owned().await.ok()?;
                        let timing = Timing {
                            markers: &markers,
                            sent_at: &sent_at,
                            arrivals: &arrivals,
                            data_len: &data_len,
                            ready: &timed_ready,
                        };
                        watch(&host, &request, role, (permit, ready_marker), &ready, timing).await
                    }));
                }
                // Until the measurement is over; dropping the runtime closes every stream.
                done.notified().await;
            });
        });
    }
    let deadline = Instant::now() + Duration::from_secs(180);
    // When each tenth of the viewers had its first frame: over many topics
    // the first tenth is (about) every topic's first viewer, which waits for
    // its topic's first reads.
    let mut tenths = Vec::with_capacity(10);
    while ready.load(Ordering::Relaxed) < viewers && Instant::now() < deadline {
        let now = ready.load(Ordering::Relaxed);
        while tenths.len() < 10 && now * 10 >= viewers * (tenths.len() + 1) {
            tenths.push(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let connected = ready.load(Ordering::Relaxed);
    let connect_time = started.elapsed();
    // Which side set the pace: the server's CPU, and the viewers' thread's
    // (all of which went into connecting so far).
    let connect_cpu = cpu_at_start.zip(cpu_time(pid)).map(|(a, b)| b.saturating_sub(a));
    let connect_switches = switches_at_start.zip(context_switches(pid)).map(|(a, b)| b.saturating_sub(a));
    let viewers_connect_cpu = thread_cpu_time(viewers_tid.load(Ordering::Relaxed));
    perf_stop(perf);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let holding = rss_kib(pid);
    // The bursts: add and remove one emoji, `burst` changes in each round.
    // Laurel adds and removes one reaction in turn; nchan just takes messages.
    // The first round fills what fills once (buffers); memory that grows
    // with every event grows again in every round after it, while what fills
    // a little at a time (the database's page cache, one connection's at a
    // time, growing with its file) grows in one round and not the next: the
    // median of the later rounds tells them apart.
    // How much the server's resident memory grew between two readings, in KiB.
    let grew = |a: Option<u64>, b: Option<u64>| a.zip(b).map(|(a, b)| b.saturating_sub(a) as f64);
    let mut grown = [None; BURST_ROUNDS];
    let mut given = None;
    for round in &mut grown {
        if burst == 0 {
            break;
        }
        let before = rss_kib(pid);
        for _ in 0..burst {
            given = match (given.take(), peer) {
                (Some(id), Peer::Laurel { .. }) => {
                    publish(peer, (base, first, pad(0)), "", Some(id)).await;
                    None
                }
                _ => publish(peer, (base, first, pad(0)), "zap", None)
                    .await
                    .filter(|_| matches!(peer, Peer::Laurel { .. })),
            };
        }
        // Laurel answers a reaction once it is written, before its frames
        // are out; nginx + nchan answers a publish once it has sent it. So
        // "one more after the burst" finds both servers done with it.
        tokio::time::sleep(Duration::from_secs(1)).await;
        *round = grew(before, rss_kib(pid));
    }
    // The timed viewers that did connect.
    let timed = timed_ready.load(Ordering::Relaxed);
    let perf = perf_record(peer, label, "events");
    let cpu_before = cpu_time(pid);
    let viewers_tid = viewers_tid.load(Ordering::Relaxed);
    let viewers_before = thread_cpu_time(viewers_tid);
    // The publish requests themselves (for Laurel a reaction written to the
    // database: their part of the delivery times below).
    let mut requests = Vec::with_capacity(names.len());
    let mut answered = 0;
    for (k, name) in names.iter().enumerate() {
        if k > 0 {
            // The next one once the last is out, as events come one at a time.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let at = Instant::now();
        let _ = sent_at[k].set(at);
        let published = publish(peer, (base, first, pad(k)), name, None).await.is_some();
        requests.push(at.elapsed().as_secs_f64() * 1000.0);
        if !published {
            // Printed by `publish`; the rest would wait for frames that never come.
            break;
        }
        answered += 1;
        let deadline = Instant::now() + Duration::from_secs(30);
        while arrivals.lock().map(|a| a.len()).unwrap_or(0) < timed * (k + 1) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    requests.sort_by(f64::total_cmp);
    let request_took = requests.get(requests.len() / 2).copied();
    // For all the timed events together (/proc counts in 10 ms ticks).
    let cpu = cpu_before.zip(cpu_time(pid)).map(|(a, b)| b.saturating_sub(a));
    perf_stop(perf);
    let viewers_cpu = viewers_before.zip(thread_cpu_time(viewers_tid)).map(|(a, b)| b.saturating_sub(a));
    let mut times = arrivals.lock().map(|a| a.clone()).unwrap_or_default();
    times.sort_unstable();
    let at = |q: f64| {
        let i = ((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1));
        times.get(i).map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    let spread = [0.10, 0.25, 0.75, 0.90].map(|q| format!("{:.1}", at(q))).join("/");
    let per_viewer = grew(idle, holding).filter(|_| connected > 0).map(|k| k / connected as f64);
    println!(
        "Live [{}{}], {label}: {connected}/{viewers} viewers over {} topic(s) connected in {:.2} s (each tenth by {} s; server CPU {}, its threads switched out {} times; the viewers' thread's CPU {}); server memory {} per viewer",
        peer.name(),
        if pinned { ", pinned" } else { "" },
        targets.len(),
        connect_time.as_secs_f64(),
        tenths.iter().map(|t| format!("{:.2}", t.as_secs_f64())).collect::<Vec<_>>().join("/"),
        connect_cpu.map_or("?".into(), |c| format!("{} ms", c.as_millis())),
        connect_switches.map_or("?".into(), |n| n.to_string()),
        viewers_connect_cpu.map_or("?".into(), |c| format!("{} ms", c.as_millis())),
        per_viewer.map_or("?".into(), |k| format!("{k:.1} KiB")),
    );
    // Every round after the first read: their median (the upper one of two).
    let later: Option<Vec<f64>> = grown.get(1..).and_then(|later| later.iter().copied().collect());
    let burst_growth = later.filter(|l| !l.is_empty()).map(|mut later| {
        later.sort_by(f64::total_cmp);
        later[later.len() / 2]
    });
    if burst > 0 {
        let kib = |k: Option<f64>| k.map_or("?".into(), |k| format!("{k:.0}"));
        println!(
            "  {BURST_ROUNDS} bursts of {burst} events with {stalled} viewers stalled: server memory grew {} KiB; \
             the median after the first, {} KiB",
            grown.iter().map(|k| kib(*k)).collect::<Vec<_>>().join(" / "),
            kib(burst_growth)
        );
    }
    let data_len: Vec<usize> = data_len.iter().map(|n| n.load(Ordering::Relaxed)).collect();
    let sizes = match (data_len.iter().min(), data_len.iter().max()) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        (Some(a), _) => a.to_string(),
        _ => "?".into(),
    };
    // A scene that times nothing (the no-viewer baseline) prints no arrivals.
    if !names.is_empty() {
        println!(
            "  {} event(s) one after the other ({answered} published, the publish request answered in {:.1} ms (median), {sizes} bytes of data per frame) gave {} arrivals at the topic's {timed} reading viewers: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (p10/p25/p75/p90 {spread} ms); server CPU for them {}; the viewers' thread's CPU {}",
            names.len(),
            request_took.unwrap_or(f64::NAN),
            times.len(),
            at(0.50),
            at(0.99),
            times.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
            cpu.map_or("?".into(), |c| format!("{} ms", c.as_millis())),
            viewers_cpu.map_or("?".into(), |c| format!("{} ms", c.as_millis())),
        );
    }
    done.notify_one();
    drop(pinning);
    let all_arrived = answered == names.len() && times.len() == timed * answered && timed > 0;
    let figures = Figures {
        // A viewer that never connected, or a frame that never came, counts
        // against the server: its figure is infinite.
        connect: (viewers > 0).then_some(if connected == viewers { connect_time.as_secs_f64() } else { f64::INFINITY }),
        kib_per_viewer: per_viewer,
        p50: (!names.is_empty()).then(|| if all_arrived { at(0.50) } else { f64::INFINITY }),
        p99: (!names.is_empty()).then(|| if all_arrived { at(0.99) } else { f64::INFINITY }),
        cpu_per_event: cpu.filter(|_| answered > 0).map(|c| c.as_secs_f64() * 1000.0 / answered as f64),
        burst_growth,
    };
    Ran { data_len, figures }
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

/// What a timed viewer looks for (each event's name, in order), and where it
/// records their arrivals.
struct Timing<'a> {
    /// Counts the timed viewers that are subscribed.
    ready: &'a AtomicUsize,
    markers: &'a [String],
    sent_at: &'a [OnceLock<Instant>],
    arrivals: &'a Mutex<Vec<Duration>>,
    /// Each timed frame's `data:` line, in bytes.
    data_len: &'a [AtomicUsize],
}

/// One viewer: a bare HTTP/1.1 client on its own TCP connection.
async fn watch(
    host: &str,
    request: &str,
    role: Role,
    (permit, ready_marker): (tokio::sync::OwnedSemaphorePermit, &str),
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
    // The next timed event this viewer waits for.
    let mut next = 0;
    loop {
        let n = socket.read(&mut buffer).await.ok()?;
        if n == 0 {
            return None;
        }
        seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
        if permit.is_some() && seen.contains(ready_marker) {
            permit = None;
            ready.fetch_add(1, Ordering::Relaxed);
            if role == Role::Timed {
                timing.ready.fetch_add(1, Ordering::Relaxed);
            }
            seen.clear();
            if role == Role::Stalled {
                // Holds the connection open and never reads again.
                std::future::pending::<()>().await;
            }
        }
        if let Some(end) = seen.rfind("\n\n") {
            let marker = timing.markers.get(next).filter(|m| role == Role::Timed && seen[..end].contains(m.as_str()));
            if let Some(marker) = marker {
                let at = timing.sent_at.get(next)?.get()?.elapsed();
                timing.arrivals.lock().ok()?.push(at);
                let frame = &seen[..end];
                let data = frame.lines().filter(|l| l.contains(marker.as_str())).find_map(|l| l.strip_prefix("data: "));
                if let Some(len) = timing.data_len.get(next) {
                    len.store(data.map_or(0, str::len), Ordering::Relaxed);
                }
                next += 1;
                if next == timing.markers.len() {
                    // Stays connected, as a browser does, until the scene is
                    // over: closing here would put the viewers' own teardown
                    // (a third of their thread's time) between the arrivals
                    // still to be read, and time the load generator, not the
                    // server.
                    std::future::pending::<()>().await;
                }
            }
            seen.drain(..end + 2);
        }
    }
}

/// One row of the summary: what it shows, which scenes' figures, and which
/// figure of each, in its unit.
struct Row {
    what: &'static str,
    scenes: &'static [&'static str],
    pick: fn(&Figures) -> Vec<Option<f64>>,
    unit: &'static str,
    digits: usize,
    /// Laurel's figure counts as at most the reference's within this much.
    slack: f64,
}

/// How many bursts a burst scene makes: the first fills what fills once, the
/// others are compared.
pub const BURST_ROUNDS: usize = 4;

const ROWS: &[Row] = &[
    Row {
        what: "10,000 on one page, one event: delivery p50 / p99",
        scenes: &["all on one topic"],
        pick: |f| vec![f.p50, f.p99],
        unit: "ms",
        digits: 1,
        slack: 0.0,
    },
    Row {
        what: "server CPU for that event (within one 10 ms tick)",
        scenes: &["all on one topic"],
        pick: |f| vec![f.cpu_per_event],
        unit: "ms",
        digits: 0,
        // One tick of /proc's (10 ms): the figures move in them.
        slack: 10.0,
    },
    Row {
        what: "server memory per idle viewer",
        scenes: &["all on one topic"],
        pick: |f| vec![f.kib_per_viewer],
        unit: "KiB",
        digits: 1,
        slack: 0.0,
    },
    Row {
        what: "time to connect 10,000 to one page",
        scenes: &["all on one topic"],
        pick: |f| vec![f.connect],
        unit: "s",
        digits: 2,
        slack: 0.0,
    },
    Row {
        what: "time to connect 10,000 over 1,000 pages",
        scenes: &["spread over 1,000 topics"],
        pick: |f| vec![f.connect],
        unit: "s",
        digits: 2,
        slack: 0.0,
    },
    Row {
        what: "spread over 1,000 pages, ten events on one: p50 / p99 to its 10 viewers",
        scenes: &["spread over 1,000 topics"],
        pick: |f| vec![f.p50, f.p99],
        unit: "ms",
        digits: 1,
        slack: 0.0,
    },
    Row {
        what: "server CPU per event on one of 1,000 pages (10 ms ticks over ten events; within one)",
        scenes: &["spread over 1,000 topics"],
        pick: |f| vec![f.cpu_per_event],
        unit: "ms",
        digits: 0,
        // One tick of /proc's (10 ms) over the ten events.
        slack: 1.0,
    },
    Row {
        what: "1,000 on one page, ten events: p50 / p99",
        scenes: &["a tenth as many, all on one topic"],
        pick: |f| vec![f.p50, f.p99],
        unit: "ms",
        digits: 1,
        slack: 0.0,
    },
    Row {
        what: "10,000 on one page after four 250-event bursts: p50 / p99",
        scenes: &["a burst, none stalled"],
        pick: |f| vec![f.p50, f.p99],
        unit: "ms",
        digits: 1,
        slack: 0.0,
    },
    Row {
        what: "the same with 1% of the viewers stalled: p50 / p99",
        scenes: &["a burst, 1% stalled"],
        pick: |f| vec![f.p50, f.p99],
        unit: "ms",
        digits: 1,
        slack: 0.0,
    },
    Row {
        what: "memory growth per 250-event burst after a first (median of three): no viewer / none stalled / 1% stalled (within 64 KiB)",
        scenes: &["a burst, no viewer", "a burst, none stalled", "a burst, 1% stalled"],
        pick: |f| vec![f.burst_growth],
        unit: "KiB",
        digits: 0,
        // The resident size moves in steps (the allocator's 64 KiB pages,
        // the database's page cache) whatever the viewers do.
        slack: 64.0,
    },
];

/// The issue's table, from this run's scenes: `scenes` holds each scene's
/// label and its figures for Laurel and for the reference (when measured).
/// The last column says whether Laurel's every figure in the row is at most
/// the reference's (lower is better in all of them).
pub fn print_table(scenes: &[(&str, Figures, Option<Figures>)], viewers: usize) {
    println!();
    println!("| The scenes above, side by side (10,000 viewers unless said) | nginx + nchan | Laurel | Laurel at least as good |");
    println!("|---|---|---|---|");
    for row in ROWS {
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for wanted in row.scenes {
            let Some((_, laurel, reference)) = scenes.iter().find(|(label, ..)| label == wanted) else { continue };
            let picked = (row.pick)(laurel);
            theirs.extend(reference.as_ref().map_or_else(|| vec![None; picked.len()], row.pick));
            ours.extend(picked);
        }
        if ours.is_empty() {
            continue;
        }
        let shown = |values: &[Option<f64>]| {
            let numbers: Vec<String> = values
                .iter()
                .map(|v| match v {
                    None => "?".to_string(),
                    Some(v) if v.is_infinite() => "incomplete".to_string(),
                    Some(v) => format!("{v:.*}", row.digits),
                })
                .collect();
            format!("{} {}", numbers.join(" / "), row.unit)
        };
        let verdict = match ours
            .iter()
            .zip(&theirs)
            .map(|(a, b)| a.zip(*b).map(|(a, b)| a <= b + row.slack))
            .collect::<Option<Vec<bool>>>()
        {
            Some(each) if each.iter().all(|ok| *ok) => "yes",
            Some(_) => "**no**",
            None => "?",
        };
        println!("| {} | {} | {} | {verdict} |", row.what, shown(&theirs), shown(&ours));
    }
    if viewers != 10_000 {
        println!(
            "(This run had {viewers} viewers: read 10,000 in the rows as {viewers}, and 1,000 as {}.)",
            viewers / 10
        );
    }
    println!();
}
