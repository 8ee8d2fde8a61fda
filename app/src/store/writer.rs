//! SQLite's one writing connection.
//!
//! Every write transaction of this process runs on the same connection, one at
//! a time, queued fairly on its lock (in order, instead of left to SQLite's
//! sleeping busy handler). SQLite keeps a page cache per connection and drops
//! it whenever another connection has written since. With writes spread over
//! the pool, each write began by reading its pages again from the files, a
//! system call each. On the connection that wrote them last they stay cached.
//! Readers keep the pool.
//!
//! A transaction is begun and ended by statements (`BEGIN IMMEDIATE`,
//! `COMMIT`, `ROLLBACK`): one round trip each to the connection's thread. (sqlx's
//! own transaction checks a custom `BEGIN` with a second one.) sqlx so counts no
//! transaction on this connection: nothing may begin one of sqlx's on it (it
//! would send `BEGIN`, not `SAVEPOINT`).

use super::{classify, StoreResult, Wal};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, SqliteConnection};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The writer's page cache, in KiB (SQLite's default is 2,000). A write reads
/// a few dozen pages (each table's and index's path from root to leaf), and
/// SQLite keeps those used last. The cache grows as new pages are written
/// (new rows), until it is full: a small one is full early, not in the middle
/// of a busy moment months later.
const CACHE_KIB: u32 = 512;

#[derive(Debug)]
pub struct Writer {
    options: SqliteConnectOptions,
    conn: SqliteConnection,
    /// A transaction may be open on `conn`: set before `BEGIN` is sent and
    /// cleared once `COMMIT` or `ROLLBACK` has returned, so a begin or commit
    /// cut short (its request gone) still counts as open.
    open: bool,
}

impl Writer {
    /// Opens the connection (after the migrations: it runs none).
    pub(super) async fn open(options: SqliteConnectOptions) -> StoreResult<Arc<Mutex<Writer>>> {
        let options = options.pragma("cache_size", format!("-{CACHE_KIB}"));
        let conn = options.connect().await?;
        Ok(Arc::new(Mutex::new(Writer { options, conn, open: false })))
    }

    /// At shutdown: ends whatever transaction is open and copies the log into
    /// the database file (what closing the last connection does; this one
    /// stays open until the process ends).
    pub(super) async fn close(&mut self) {
        if self.open {
            self.rollback().await;
        }
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut self.conn).await;
    }

    /// Ends whatever transaction is open. `ROLLBACK` ends it even when it
    /// reports an error; the usual one is that none was open (a `BEGIN` that
    /// failed, a `COMMIT` that ended it).
    async fn rollback(&mut self) {
        let _ = sqlx::query("ROLLBACK").execute(&mut self.conn).await;
        self.open = false;
    }
}

/// The writer, held from `BEGIN IMMEDIATE` until committed or dropped (then
/// rolled back before another transaction begins on it).
pub struct Writing {
    writer: OwnedMutexGuard<Writer>,
    /// The log and this commit's number in its count, from the moment the
    /// commit is sent until it is counted as returned.
    counting: Option<(Arc<Wal>, u64)>,
}

impl Writing {
    /// Waits for the writer and begins a write transaction (taking SQLite's
    /// write lock at once, so a writer of another process queues on it instead
    /// of failing on upgrade).
    pub(super) async fn begin(writer: &Arc<Mutex<Writer>>) -> StoreResult<Writing> {
        let mut writer = writer.clone().lock_owned().await;
        if writer.open {
            writer.rollback().await;
        }
        writer.open = true;
        // Dropped on failure: rolled back, harmlessly.
        let mut writing = Writing { writer, counting: None };
        let writer = &mut *writing.writer;
        match sqlx::query("BEGIN IMMEDIATE").execute(&mut writer.conn).await {
            // The connection's thread has ended: a new connection, once.
            Err(sqlx::Error::WorkerCrashed) => {
                writer.conn = writer.options.connect().await?;
                sqlx::query("BEGIN IMMEDIATE").execute(&mut writer.conn).await.map_err(classify)?;
            }
            begun => {
                begun.map_err(classify)?;
            }
        }
        Ok(writing)
    }

    pub(super) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.writer.conn
    }

    /// Commits, as commit `number` of the log's count ([`Wal::begin`]), and
    /// counts it as returned before letting the writer go, so commits are
    /// counted in the order they began. One cut short (its request gone) is
    /// counted by the task that rolls back after it: this connection runs its
    /// statements in order, so by then the commit has run, or never will.
    /// Uncounted, every answer would wait for the next write.
    pub(super) async fn commit(mut self, counting: Option<(Arc<Wal>, u64)>) -> StoreResult<()> {
        self.counting = counting;
        let committed = sqlx::query("COMMIT").execute(&mut self.writer.conn).await.map_err(classify);
        if committed.is_ok() {
            self.writer.open = false;
        }
        if let Some((wal, number)) = self.counting.take() {
            wal.returned(number);
        }
        committed.map(|_| ())
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        let counting = self.counting.take();
        if !self.writer.open && counting.is_none() {
            return;
        }
        // Whoever has the writer next ends the transaction first: this task,
        // or (with no runtime left to run it) the next `begin`.
        let writer = OwnedMutexGuard::mutex(&self.writer).clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let mut writer = writer.lock().await;
                if writer.open {
                    writer.rollback().await;
                }
                if let Some((wal, number)) = counting {
                    wal.returned(number);
                }
            });
        }
    }
}
