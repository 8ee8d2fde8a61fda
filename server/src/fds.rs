//! The process's file descriptors: every connection (a live stream's too) is
//! one, so a server that is to hold thousands of viewers must be allowed that
//! many and should not grow its table of them while it serves.
//!
//! - The soft limit is raised to the hard one, as Go's runtime does: the usual
//!   soft limit of 1,024 would refuse the 1,025th viewer, however much the
//!   administrator allowed.
//! - The kernel's table of descriptors grows by doubling when a new one does
//!   not fit, and in a process with several threads each growth waits for an
//!   RCU grace period (`expand_files`, `synchronize_rcu`): 10 to 50 ms on a
//!   virtual machine, during which the thread accepting connections (with one
//!   tokio worker, the whole server) stands still. Measured with
//!   `perf record -e sched:sched_switch -g` while 10,000 viewers connected:
//!   every idle gap of both CPUs was one of these. The table is grown once,
//!   before any thread starts (no grace period to wait for then), to what the
//!   server may come to use.
//! - Connections are capped below the limit ([`connections_allowed`]), so
//!   the server always has descriptors of its own: a database connection it
//!   opens, a mail or webhook it sends. Past the cap, new connections wait in
//!   the kernel's listen queue until others close, as nginx's
//!   `worker_connections` does; at the limit itself the database could not be
//!   opened and requests would fail.

/// The table is grown up front to this many descriptors at most (its kernel
/// memory: 8 bytes each, 512 KiB for these). Beyond it, it grows as it needs.
pub const PRESIZED: u64 = 65_536;

/// Descriptors kept for the server's own use, never taken by connections
/// (at most half the limit): its database connections (three files each on
/// SQLite), the PostgreSQL listener, mail, webhook deliveries, its own files.
pub const RESERVED: u64 = 256;

/// What [`prepare`] did, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prepared {
    /// The soft limit on open files, after raising it.
    pub limit: u64,
    /// How many descriptors the table holds without growing.
    pub table: u64,
}

/// Raises the soft limit and grows the table. Called before any thread
/// starts, the growth waits for no grace period (later it waits for one,
/// once). Best effort: what the system refuses stays as it was.
pub fn prepare() -> Prepared {
    let limit = raise_soft_limit();
    let table = presize_table(limit.min(PRESIZED));
    Prepared { limit, table }
}

/// How many client connections may be open at once: the limit on open files
/// less [`RESERVED`] (see the module's doc), or all a semaphore can count
/// where the limit is unknown.
pub fn connections_allowed() -> usize {
    let most = tokio::sync::Semaphore::MAX_PERMITS;
    match soft_limit() {
        Some(limit) if limit > 0 => usize::try_from(limit - RESERVED.min(limit / 2)).map_or(most, |n| n.min(most)),
        _ => most,
    }
}

#[cfg(unix)]
fn soft_limit() -> Option<u64> {
    limits().map(|limits| limits.rlim_cur)
}

#[cfg(not(unix))]
fn soft_limit() -> Option<u64> {
    None
}

/// The limits on open files now in force.
#[cfg(unix)]
fn limits() -> Option<libc::rlimit> {
    let mut limits = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes one `rlimit`, which we own, and nothing else.
    (unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limits) } == 0).then_some(limits)
}

/// The soft limit on open files raised to the hard one, or as near as the
/// kernel allows; the limit now in force.
#[cfg(unix)]
fn raise_soft_limit() -> u64 {
    let Some(limits) = limits() else { return 0 };
    highest_soft_limit(limits.rlim_cur, limits.rlim_max, |target| {
        let raised = libc::rlimit { rlim_cur: target, rlim_max: limits.rlim_max };
        // SAFETY: setrlimit reads one `rlimit`, which we own. It fails (and
        // changes nothing) above what the kernel allows a process.
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 }
    })
}

/// Raises the soft limit from `soft` towards `hard` with `set` (true: the
/// kernel took it), and returns the highest it took. The hard limit itself
/// first; where the kernel refuses that (an unlimited hard limit: macOS's
/// usual, where the most a process may open is `kern.maxfilesperproc`, as on
/// Linux `fs.nr_open`), the highest it takes below 2^24, found by halving
/// (two dozen calls at most). Each limit taken is higher than the one before,
/// so the last one taken is the one in force.
pub fn highest_soft_limit(soft: u64, hard: u64, mut set: impl FnMut(u64) -> bool) -> u64 {
    if soft >= hard {
        return soft;
    }
    if set(hard) {
        return hard;
    }
    // Above `soft`: a soft limit already past 2^24 is searched no further.
    let (mut taken, mut refused) = (soft, hard.min(1 << 24).max(soft + 1));
    while refused - taken > 1 {
        let mid = taken + (refused - taken) / 2;
        if set(mid) {
            taken = mid;
        } else {
            refused = mid;
        }
    }
    taken
}

#[cfg(not(unix))]
fn raise_soft_limit() -> u64 {
    0
}

/// Grows the table to hold `wanted` descriptors by opening one with the
/// highest number wanted and closing it again (the table never shrinks);
/// how many it now holds without growing, as far as this process knows.
#[cfg(target_os = "linux")]
fn presize_table(wanted: u64) -> u64 {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    let Some(highest) = wanted.checked_sub(1).and_then(|n| libc::c_int::try_from(n).ok()) else { return 0 };
    let Ok(null) = std::fs::File::open("/dev/null") else { return 0 };
    // SAFETY: F_DUPFD_CLOEXEC duplicates a descriptor we hold open into the
    // lowest free number at or above `highest`; it takes plain integers.
    let copy = unsafe { libc::fcntl(null.as_raw_fd(), libc::F_DUPFD_CLOEXEC, highest) };
    if copy < 0 {
        return 0;
    }
    // SAFETY: `copy` was just opened by us and is owned by nothing else; the
    // `OwnedFd` closes it.
    drop(unsafe { OwnedFd::from_raw_fd(copy) });
    wanted
}

#[cfg(not(target_os = "linux"))]
fn presize_table(_wanted: u64) -> u64 {
    0
}
