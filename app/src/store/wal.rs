//! Making SQLite's committed writes durable, outside the write lock.
//!
//! The database runs with `synchronous = NORMAL`: a commit writes its frames to
//! the write-ahead log without waiting for the disk, so the change is visible
//! (and shown live) at once. Each write transaction then waits here until the
//! log is synced, before anything is acknowledged: what `synchronous = FULL`
//! does inside the commit, while holding the write lock. Every other answer
//! the server gives waits too, for every commit begun before it was ready
//! ([`Wal::durable`]; counted as it begins, since readers may see the change
//! before the commit returns), so no answer tells of a change a power cut
//! could undo. Only the live streams' frames go out before.
//!
//! One sync runs at a time, and a sync covers every commit that returned
//! before it started: writers that commit while one runs share the next (group
//! commit), so a burst of writes costs a few syncs and one thread, not one each.
//!
//! A sync that fails is final, as in PostgreSQL: the kernel may have dropped
//! the pages it could not write, so a later sync that succeeds proves nothing.
//! From then on every write and every answer fails until the server restarts
//! and SQLite recovers from what the disk holds.

use super::{StoreError, StoreResult};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

#[derive(Debug)]
pub struct Wal {
    path: PathBuf,
    /// Commits counted as they begin: a change may be visible to readers from
    /// then on.
    begun: AtomicU64,
    /// The last of them that has returned. They return in the order they
    /// began (one writer at a time, each holding SQLite's writer until counted;
    /// one cut short is counted after, by the task that ends it).
    returned: AtomicU64,
    /// How many of them the last sync covers. Held by the sync running.
    synced: tokio::sync::Mutex<u64>,
    /// The same, readable without waiting for a sync that runs.
    synced_now: AtomicU64,
    /// Why a sync failed, once one has.
    failed: OnceLock<String>,
}

/// A committed write that every reader already sees but that, on SQLite, may
/// not be on disk yet: [`Unsynced::sync`] waits until it is. Nothing may be
/// acknowledged before.
#[must_use = "a write is durable only once synced"]
pub struct Unsynced(pub(super) Option<(Arc<Wal>, u64)>);

impl Wal {
    /// The log of the SQLite database file `database`, as SQLite names it:
    /// beside the file a symbolic link leads to (`database` is resolved).
    pub fn of(database: &Path) -> std::io::Result<Wal> {
        let mut path = std::fs::canonicalize(database)?.into_os_string();
        path.push("-wal");
        Ok(Wal {
            path: PathBuf::from(path),
            begun: AtomicU64::new(0),
            returned: AtomicU64::new(0),
            synced: tokio::sync::Mutex::new(0),
            synced_now: AtomicU64::new(0),
            failed: OnceLock::new(),
        })
    }

    /// Counts a commit about to begin (the caller holds SQLite's writer); its
    /// number, for [`Wal::returned`] and [`Unsynced`].
    pub(super) fn begin(&self) -> u64 {
        self.begun.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Commit `number` has returned, done or failed. Never backwards: the
    /// commits run one after the other on SQLite's one writer, so a later one
    /// returned means this one's commit has run.
    pub(super) fn returned(&self, number: u64) {
        self.returned.fetch_max(number, Ordering::SeqCst);
    }

    /// What commit `number`, returned, needs synced.
    pub(super) fn unsynced(self: &Arc<Wal>, number: u64) -> Unsynced {
        Unsynced(Some((self.clone(), number)))
    }

    /// Waits until every commit begun by now (whose change a reader may have
    /// seen) is on disk.
    pub async fn durable(&self) -> StoreResult<()> {
        let upto = self.begun.load(Ordering::SeqCst);
        if self.synced_now.load(Ordering::SeqCst) >= upto && self.failed.get().is_none() {
            return Ok(());
        }
        self.sync(upto).await
    }

    /// Syncs the log unless a sync that started after commit `number`
    /// returned has ended since.
    async fn sync(&self, number: u64) -> StoreResult<()> {
        let mut synced = self.synced.lock().await;
        loop {
            if let Some(why) = self.failed.get() {
                return Err(self.error(std::io::Error::other(format!("an earlier sync failed: {why}"))));
            }
            if *synced >= number {
                return Ok(());
            }
            // Every commit up to this one has returned: its frames are in the file.
            let covers = self.returned.load(Ordering::SeqCst);
            if covers < number {
                // Commit `number` is still returning (an answer that may have
                // seen it waits for it): a commit takes a moment, not longer.
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                continue;
            }
            let path = self.path.clone();
            let done = tokio::task::spawn_blocking(move || sync_file(&path))
                .await
                .unwrap_or_else(|join| Err(std::io::Error::other(join.to_string())));
            if let Err(err) = done {
                let _ = self.failed.set(err.to_string());
                tracing::error!("{}: writes and answers fail until the server restarts", self.error_text(&err));
                return Err(self.error(err));
            }
            *synced = covers;
            self.synced_now.store(covers, Ordering::SeqCst);
        }
    }

    fn error(&self, source: std::io::Error) -> StoreError {
        StoreError::Sync { path: self.path.display().to_string(), source }
    }

    fn error_text(&self, source: &std::io::Error) -> String {
        format!("cannot sync {}: {source}", self.path.display())
    }
}

/// The file is opened afresh each time: SQLite removes the log and makes it
/// again when its last connection closes, and a handle kept from before would
/// sync the old one. No file means SQLite has copied everything into the
/// database file, synced, and removed the log.
fn sync_file(path: &Path) -> std::io::Result<()> {
    match std::fs::File::open(path) {
        Ok(file) => file.sync_data(),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err),
    }
}

impl Unsynced {
    /// Nothing to sync (a read, or a database that syncs in its commit).
    pub(super) fn none() -> Unsynced {
        Unsynced(None)
    }

    /// Waits until the write is on disk.
    pub async fn sync(self) -> StoreResult<()> {
        match self.0 {
            Some((wal, number)) => wal.sync(number).await,
            None => Ok(()),
        }
    }
}
