//! The load generator: closed-loop and open-loop drivers, one request at a
//! time's fate, and the figures (rate, p50, p99) a run yields.

use super::common::client;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const CONNECTIONS: usize = 16;
pub const RUN: Duration = Duration::from_secs(3);
pub const RATE: u64 = 1_000;
/// Open-loop request k is sent as user k % REACTORS.
pub const REACTORS: usize = 40;

thread_local! {
    static CLIENT: reqwest::Client = client();
}

/// One keep-alive connection pool per load-generator thread.
pub fn shared_client() -> reqwest::Client {
    CLIENT.with(|c| c.clone())
}

/// One request's fate; `Exhausted` ends a worker (nothing left to delete).
#[derive(PartialEq)]
pub enum Step {
    Ok,
    Failed,
    Exhausted,
}

impl From<Option<()>> for Step {
    fn from(done: Option<()>) -> Step {
        if done.is_some() {
            Step::Ok
        } else {
            Step::Failed
        }
    }
}

pub type Request = Arc<dyn Fn(usize, usize) -> std::pin::Pin<Box<dyn Future<Output = Step> + Send>> + Send + Sync>;

#[derive(Clone, Copy)]
pub enum Mode {
    /// `CONNECTIONS` clients, each sending its next request when answered.
    Closed,
    /// One client, one request at a time: the latency of the work itself.
    Serial,
    /// `RATE` requests per second, whatever the answers.
    Open,
    /// As `Open`, at this many requests per second.
    OpenAt(u64),
}

pub struct Figures {
    pub rate: f64,
    pub p50: f64,
    pub p99: f64,
    pub failed: usize,
}

/// Closed loop: CONNECTIONS workers back to back for RUN. Open loop: one request
/// every 1/RATE s for RUN, whatever the answers do.
pub async fn drive(request: Request, mode: Mode) -> Figures {
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let failed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    match mode {
        Mode::Closed | Mode::Serial => {
            let workers = if matches!(mode, Mode::Serial) { 1 } else { CONNECTIONS };
            for worker in 0..workers {
                let (request, latencies, failed) = (request.clone(), latencies.clone(), failed.clone());
                tasks.push(tokio::spawn(async move {
                    let mut n = 0;
                    while started.elapsed() < RUN {
                        let sent = Instant::now();
                        let step = request(worker, n).await;
                        if step == Step::Exhausted {
                            break;
                        }
                        record(&latencies, &failed, sent.elapsed(), step);
                        n += 1;
                    }
                }));
            }
        }
        Mode::Open | Mode::OpenAt(_) => {
            let rate = if let Mode::OpenAt(rate) = mode { rate.max(1) } else { RATE };
            let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            for k in 0..(rate * RUN.as_secs()) as usize {
                let scheduled = ticker.tick().await;
                let (request, latencies, failed) = (request.clone(), latencies.clone(), failed.clone());
                // Request k is user k % REACTORS with that user's (k / REACTORS)-th emoji.
                tasks.push(tokio::spawn(async move {
                    let step = request(k % REACTORS, k / REACTORS).await;
                    record(&latencies, &failed, scheduled.elapsed(), step);
                }));
            }
        }
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut all = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    all.sort_unstable();
    let at = |q: f64| {
        let i = ((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1));
        all.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Figures { rate: all.len() as f64 / elapsed, p50: at(0.50), p99: at(0.99), failed: failed.load(Ordering::Relaxed) }
}

pub fn record(latencies: &Mutex<Vec<Duration>>, failed: &AtomicUsize, took: Duration, step: Step) {
    match step {
        Step::Ok => {
            if let Ok(mut l) = latencies.lock() {
                l.push(took);
            }
        }
        Step::Failed => {
            failed.fetch_add(1, Ordering::Relaxed);
        }
        Step::Exhausted => {}
    }
}
