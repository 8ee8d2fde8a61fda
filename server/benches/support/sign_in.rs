//! `make bench`, sign-in rows: sign-in throughput with Argon2 off the async
//! runtime, next to the rate Argon2 itself allows on as many threads as the
//! server gives it; and the latency of other requests while a sign-in flood
//! runs, with the per-address throttle off and on, next to the same requests
//! on a quiet server (target: p99 at most 2x).

use super::{drive, shared_client, Figures, Mode, Request, Step};
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const FLOOD_CONNECTIONS: usize = 16;
/// The other requests' rate: well below what the server sustains, so their
/// latency shows the flood, not a queue of their own.
const OTHER_RATE: u64 = 200;
/// Quiet, throttle-off and throttle-on runs, in turn, this many times.
const ROUNDS: usize = 3;

pub async fn rows(base: &str, other_path: &str, token: &str) {
    let slots = std::thread::available_parallelism().map_or(1, |n| n.get()).saturating_sub(1).max(1);
    super::common::set_limits(base, serde_json::json!({ "throttle_protected_paths_requests_per_period": 0 })).await;

    // Throughput: successful sign-ins, closed loop, against raw Argon2 verifies.
    let sign_in = signer(base, "root", "root-password", 302);
    let real = drive(sign_in, Mode::Closed).await;
    let limit = argon2_rate(slots, super::RUN);
    println!(
        "{:<32} {:>8.0} {:>8.0} {:>5.0}% {:>13}   (Argon2 verifies/s on {slots} thread(s), the server's password slots)",
        "sign-in POST /-/sfn/sign_in",
        real.rate,
        limit,
        100.0 * real.rate / limit.max(1.0),
        format!("{:.1}/{:.1}", real.p50, real.p99),
    );

    // Other requests at OTHER_RATE: quiet, then under a flood of wrong sign-ins
    // with the throttle off and on; ROUNDS times in turn, each figure the round
    // with the median p99 (one run's p99 is its 6th-slowest request of 600).
    let other = getter(base, other_path, token);
    let (mut quiet, mut open, mut throttled) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        quiet.push((drive(other.clone(), Mode::OpenAt(OTHER_RATE)).await, "-".to_string()));
        open.push(under_flood(base, &other).await);
        super::common::set_limits(base, serde_json::json!({ "throttle_protected_paths_requests_per_period": 10 }))
            .await;
        throttled.push(under_flood(base, &other).await);
        super::common::set_limits(base, serde_json::json!({ "throttle_protected_paths_requests_per_period": 0 })).await;
    }
    let label = format!("GET award_emoji @{OTHER_RATE}/s");
    println!(
        "{label:<32} {:>17} {:>9} {:>16} {:>24}",
        "p50/p99 ms",
        "p99 x",
        format!("p99 of {ROUNDS} runs"),
        "flood (16 conn.) answers"
    );
    let quiet_p99 = median(&quiet).0.p99.max(0.001);
    for (name, runs) in
        [("  quiet server", &quiet), ("  flood, throttle off", &open), ("  flood, throttle on (10)", &throttled)]
    {
        let all = runs.iter().map(|(f, _)| format!("{:.1}", f.p99)).collect::<Vec<_>>().join(" ");
        let (figures, answers) = median(runs);
        println!(
            "{name:<32} {:>17} {:>9} {all:>16} {answers:>24}",
            format!("{:.2}/{:.2}", figures.p50, figures.p99),
            format!("{:.2}x", figures.p99 / quiet_p99),
        );
    }
    println!("  target: p99 under a flood at most 2x the quiet p99");
}

/// Runs the open-loop requests while FLOOD_CONNECTIONS clients sign in with a
/// wrong password for a login that does not exist, back to back.
///
/// The flood runs on a thread of its own, with its own runtime and connections,
/// at a lower CPU priority (nice 10): it stands for an attacker on another
/// machine. It still sends as fast as the machine lets it, but it cannot take
/// the CPU of the client that measures the other requests, which shares the
/// same two cores here and would otherwise be measured as the server's delay.
async fn under_flood(base: &str, other: &Request) -> (Figures, String) {
    let stop = Arc::new(AtomicBool::new(false));
    let counts: Arc<[AtomicUsize; 3]> = Arc::default();
    let flood = {
        let (stop, counts, url) = (stop.clone(), counts.clone(), format!("{base}/-/sfn/sign_in"));
        std::thread::spawn(move || flood(&url, &stop, &counts))
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let figures = drive(other.clone(), Mode::OpenAt(OTHER_RATE)).await;
    let seconds = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let _ = tokio::task::spawn_blocking(move || flood.join()).await;
    let per_s = |n: &AtomicUsize| n.load(Ordering::Relaxed) as f64 / seconds;
    let summary =
        format!("{:.0}/s refused, {:.0}/s 429, {:.0}/s other", per_s(&counts[0]), per_s(&counts[1]), per_s(&counts[2]));
    (figures, summary)
}

/// The flood's thread: until `stop`, FLOOD_CONNECTIONS wrong sign-ins at a
/// time, counting the answers (302 refused, 429 throttled, anything else).
fn flood(url: &str, stop: &Arc<AtomicBool>, counts: &Arc<[AtomicUsize; 3]>) {
    // SAFETY: setpriority reads only its integer arguments; `who = 0` is this
    // thread (Linux keeps a niceness per thread).
    let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("flood runtime");
    runtime.block_on(async {
        let client = super::common::client();
        let tasks: Vec<_> = (0..FLOOD_CONNECTIONS)
            .map(|_| {
                let (client, url, stop, counts) = (client.clone(), url.to_string(), stop.clone(), counts.clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        let form = [("login", "nobody-floods"), ("password", "wrong-password"), ("next", "/")];
                        let status = client.post(&url).header("Accept", "text/html").form(&form).send().await;
                        let slot = match status.map(|r| r.status().as_u16()) {
                            Ok(302) => 0,
                            Ok(429) => 1,
                            _ => 2,
                        };
                        counts[slot].fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for task in tasks {
            let _ = task.await;
        }
    });
}

/// The run with the median p99 (the runs keep the order they ran in, for printing).
fn median(runs: &[(Figures, String)]) -> &(Figures, String) {
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| runs[a].0.p99.total_cmp(&runs[b].0.p99));
    &runs[order[order.len() / 2]]
}

fn signer(base: &str, login: &str, password: &str, want: u16) -> Request {
    let (url, login, password) = (format!("{base}/-/sfn/sign_in"), login.to_string(), password.to_string());
    Arc::new(move |_, _| {
        let (url, login, password) = (url.clone(), login.clone(), password.clone());
        Box::pin(async move {
            let form = [("login", login.as_str()), ("password", password.as_str()), ("next", "/")];
            let response = shared_client().post(url).header("Accept", "text/html").form(&form).send().await;
            Step::from(response.ok().filter(|r| r.status().as_u16() == want).map(|_| ()))
        })
    })
}

fn getter(base: &str, path: &str, token: &str) -> Request {
    let (url, token) = (format!("{base}{path}"), token.to_string());
    Arc::new(move |_, _| {
        let (url, token) = (url.clone(), token.clone());
        Box::pin(async move {
            let response = shared_client().get(url).header("PRIVATE-TOKEN", token).send().await;
            Step::from(response.ok().filter(|r| r.status() == 200).map(|_| ()))
        })
    })
}

/// Argon2 verifies per second (the server's parameters: `Argon2::default()`)
/// on `threads` threads for `run`.
fn argon2_rate(threads: usize, run: Duration) -> f64 {
    let salt = SaltString::encode_b64(b"laurel-bench-salt").expect("salt");
    let hash = Argon2::default().hash_password(b"root-password", &salt).expect("hash").to_string();
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (hash, done) = (hash.clone(), done.clone());
            std::thread::spawn(move || {
                let parsed = PasswordHash::new(&hash).expect("parse");
                while started.elapsed() < run {
                    if Argon2::default().verify_password(b"root-password", &parsed).is_ok() {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}
