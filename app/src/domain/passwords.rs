//! Passwords: Argon2 hashes, computed off the async runtime on a few
//! low-priority threads of their own.
//!
//! Argon2 costs tens of milliseconds of CPU by design. At most one fewer
//! computation than the machine has cores runs at once (at least one), and those
//! threads run at a lower CPU priority (nice 10 on Linux), so a flood of
//! sign-ins queues here, cheaply, and takes only the CPU that request handling
//! leaves over.

use super::{DomainError, DomainResult};
use crate::store::UserRow;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::{mpsc, Arc, Mutex, OnceLock};

/// The niceness of the password threads: the scheduler gives a request handler
/// (nice 0) about nine times their share of a busy core.
#[cfg(target_os = "linux")]
const PASSWORD_NICE: libc::c_int = 10;

type Job = Box<dyn FnOnce() + Send>;

/// Hashes a new password (sign-up, admin-set, password change).
pub async fn hash_password(password: &str) -> DomainResult<String> {
    let password = password.to_string();
    on_password_thread(move || hash_password_now(&password))
        .await
        .unwrap_or_else(|| Err(DomainError::invalid("Password could not be hashed")))
}

/// Whether `password` is the user's (for sign-in and for changing it). A
/// missing user is checked against a decoy hash, so that a wrong username takes
/// as long as a wrong password.
pub(crate) async fn password_matches(user: Option<&UserRow>, password: &str) -> bool {
    let (password, hash) = (password.to_string(), user.and_then(|u| u.password_hash.clone()));
    on_password_thread(move || match hash {
        Some(hash) => verify_password_now(&password, &hash),
        None => {
            std::hint::black_box(verify_password_now(&password, decoy_hash()));
            false
        }
    })
    .await
    .unwrap_or(false)
}

fn hash_password_now(password: &str) -> DomainResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| DomainError::invalid("Password could not be hashed"))
}

fn verify_password_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password_now("decoy password").unwrap_or_default())
}

/// Runs `work` on a password thread; `None` if it could not run (no thread
/// could be started). Work whose caller has gone away (the request was
/// cancelled while it queued) is skipped.
async fn on_password_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        if !answer.is_closed() {
            let _ = answer.send(work());
        }
    });
    password_threads()?.send(job).ok()?;
    answered.await.ok()
}

/// The queue of the password threads, started on first use.
fn password_threads() -> Option<&'static mpsc::Sender<Job>> {
    static QUEUE: OnceLock<Option<mpsc::Sender<Job>>> = OnceLock::new();
    QUEUE
        .get_or_init(|| {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).saturating_sub(1).max(1);
            let (queue, jobs) = mpsc::channel::<Job>();
            let jobs = Arc::new(Mutex::new(jobs));
            let started = (0..threads)
                .filter(|n| {
                    let jobs = Arc::clone(&jobs);
                    let thread = std::thread::Builder::new().name(format!("password-{n}"));
                    thread.spawn(move || password_thread(&jobs)).is_ok()
                })
                .count();
            (started > 0).then_some(queue)
        })
        .as_ref()
}

fn password_thread(jobs: &Mutex<mpsc::Receiver<Job>>) {
    lower_priority();
    loop {
        let job = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        // Argon2 does not panic on any input; should it, this thread lives on.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    }
}

/// On Linux the niceness belongs to the calling thread, not the process.
#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: setpriority reads only its integer arguments; `who = 0` is the
    // calling thread. A failure leaves the thread at its current priority.
    let _ = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, PASSWORD_NICE) };
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}
