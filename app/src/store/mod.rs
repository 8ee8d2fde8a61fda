//! The data layer: one API over SQLite and PostgreSQL.
//!
//! Every query is written once, in SQL both databases accept (`$n` parameters,
//! `RETURNING`, `ON CONFLICT`, `lower()` indexes), and run on whichever backend is
//! open. Typed rows decode from either. Work happens in a [`Tx`]: a read or a
//! write transaction; events recorded on a write transaction are published only
//! after it commits (and, on PostgreSQL, to other processes by `NOTIFY` inside it).

mod achievements;
mod audit;
mod award_emoji;
mod award_rules;
mod locks;
mod namespaces;
mod outbox;
mod projects;
mod reaction_sets;
mod rows;
mod secrets;
mod settings;
mod signing_keys;
mod users;
mod wal;
mod webhooks;
mod writer;

pub use achievements::{AchievementSearch, NewAward, ProfileAwards};
pub use audit::{Concerns, GroupAudit, NewAudit};
pub use award_rules::{AwardRuleRow, Measure, NewRule};
pub use namespaces::NewNamespace;
pub use outbox::NewMail;
pub use projects::{NewNote, NewProject, ProjectAccessRow, ProjectKey};
pub use reaction_sets::ReactionSetRow;
pub use rows::*;
pub use settings::InstanceCounts;
pub use signing_keys::SigningKeyRow;
pub use users::{NewToken, NewUser, TokenFilter, UserChanges, UserKey};
pub use wal::{Unsynced, Wal};
pub use webhooks::{AttemptRecord, HookDeliveryRow, HookFields, HookRow, NewDelivery};
pub use writer::{Writer, Writing};

use crate::events::Event;
use chrono::{DateTime, SubsecRound, Utc};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The PostgreSQL channel that carries events between server processes.
pub const EVENT_CHANNEL: &str = "laurel_events";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unique constraint violated: {0}")]
    Unique(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (use sqlite://... or postgres://...)")]
    UnsupportedUrl,
    /// Text the database cannot store (a NUL byte, on PostgreSQL).
    #[error("text the database cannot store")]
    InvalidText,
    /// The lock file that keeps two processes from migrating one SQLite file at once.
    #[error("cannot lock {path} for migrations: {source}")]
    MigrationLock { path: String, source: std::io::Error },
    /// A committed write could not be made durable (the disk refused).
    #[error("cannot sync {path}: {source}")]
    Sync { path: String, source: std::io::Error },
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Turns a unique-key violation into [`StoreError::Unique`], so callers can map it to
/// a validation message instead of a 500.
fn classify(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        if db.is_unique_violation() {
            return StoreError::Unique(db.constraint().unwrap_or_default().to_string());
        }
        // character_not_in_repertoire / untranslatable_character: e.g. a NUL byte.
        if matches!(db.code().as_deref(), Some("22021") | Some("22P05")) {
            return StoreError::InvalidText;
        }
    }
    StoreError::Database(err)
}

#[derive(Clone, Debug)]
pub enum Store {
    /// The readers' pool; the one connection writers take in turn
    /// ([`Writer`]); and the write-ahead log each write makes durable (none in
    /// memory).
    Sqlite(SqlitePool, Arc<tokio::sync::Mutex<Writer>>, Option<Arc<Wal>>),
    Postgres(PgPool),
}

pub enum Conn {
    Sqlite(Transaction<'static, Sqlite>),
    /// A write transaction on SQLite's writer.
    SqliteWrite(Writing),
    Postgres(Transaction<'static, Postgres>),
    /// A connection outside any transaction, for one statement ([`Store::one_statement`]).
    SqliteOne(PoolConnection<Sqlite>),
    PostgresOne(PoolConnection<Postgres>),
}

/// The connection a statement runs on, whichever backend and whether or not in a transaction.
pub enum Db<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl Conn {
    pub fn db(&mut self) -> Db<'_> {
        match self {
            Conn::Sqlite(t) => Db::Sqlite(t),
            Conn::SqliteWrite(w) => Db::Sqlite(w.conn()),
            Conn::Postgres(t) => Db::Postgres(t),
            Conn::SqliteOne(c) => Db::Sqlite(c),
            Conn::PostgresOne(c) => Db::Postgres(c),
        }
    }
}

/// A transaction, plus the events it will publish once committed.
pub struct Tx {
    conn: Conn,
    events: Vec<Event>,
    /// The log to sync once this transaction has committed (SQLite file writers only).
    wal: Option<Arc<Wal>>,
    /// It wrote webhook deliveries (`Tx::insert_delivery`).
    deliveries_queued: bool,
}

/// Runs `$body` with `$c` bound to the transaction's connection, whichever backend.
macro_rules! on {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx.conn.db() {
            $crate::store::Db::Sqlite($c) => $body.map_err($crate::store::classify),
            $crate::store::Db::Postgres($c) => $body.map_err($crate::store::classify),
        }
    };
}
pub(crate) use on;

/// Like [`on!`] for statements: yields the number of rows affected.
macro_rules! exec {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx.conn.db() {
            $crate::store::Db::Sqlite($c) => $body.map(|r| r.rows_affected()).map_err($crate::store::classify),
            $crate::store::Db::Postgres($c) => $body.map(|r| r.rows_affected()).map_err($crate::store::classify),
        }
    };
}
pub(crate) use exec;

/// GitLab's time format in its APIs and webhooks: ISO 8601, milliseconds, UTC `Z`.
pub fn gitlab_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The current time at the precision both databases keep (milliseconds, as GitLab shows).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

/// The SQLite pool's connections, for readers (writers take turns on one more).
const SQLITE_READERS: u32 = 7;

/// A read of [`Store::read_one`], borrowing its transaction and key.
pub type Read<'t, T> = std::pin::Pin<Box<dyn std::future::Future<Output = StoreResult<T>> + Send + 't>>;

/// The PostgreSQL pool's connections.
const POSTGRES_CONNECTIONS: u32 = 16;

/// How long a PostgreSQL connection may lie idle in the pool and still be
/// handed out without a ping first. One that broke meanwhile (the database
/// restarted, a proxy dropped it) is found by its ping, or, within this
/// time, by the first statement sent on it, which is then tried again on
/// another ([`connection_lost`]).
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// Whether a statement failed because its PostgreSQL connection was already
/// gone: the socket failed, or the server said it was shutting down or cut
/// the connection (SQLSTATE class 57P). sqlx closes such a connection as it
/// is put back (its ping fails).
fn connection_lost(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| code.starts_with("57P")),
        _ => false,
    }
}

/// `attempt`, made again each time it fails with its PostgreSQL connection
/// lost: for a first statement that changes nothing (`BEGIN`, a read), so
/// sending it again on another connection is safe. At most once per
/// connection the pool holds (each lost one is closed), and once more.
async fn again_if_lost<T, F>(attempt: impl Fn() -> F) -> StoreResult<T>
where
    F: std::future::Future<Output = StoreResult<T>>,
{
    let mut lost = 0;
    loop {
        match attempt().await {
            Err(StoreError::Database(err)) if connection_lost(&err) && lost < POSTGRES_CONNECTIONS => lost += 1,
            done => return done,
        }
    }
}

/// Begins a PostgreSQL transaction ([`again_if_lost`]).
async fn begin_postgres(pool: &PgPool) -> StoreResult<Transaction<'static, Postgres>> {
    again_if_lost(|| async { Ok(pool.begin().await?) }).await
}

impl Store {
    /// Opens the database named by `url` and applies pending migrations.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        let store = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // NORMAL: a commit writes the log without waiting for the disk,
                // so the change is visible (and shown live) at once. Each write
                // transaction then syncs the log itself before anything is
                // acknowledged (`wal.rs`), which is what FULL does inside the
                // commit: a committed write survives power loss, not only a crash.
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let file = on_disk(options.get_filename()).map(Path::to_path_buf);
            let lock = migration_lock(file.as_deref()).await?;
            // A SQLite connection is a file handle: it cannot go stale as a
            // network one can, so it is not pinged (a round trip to its worker
            // thread) each time a transaction starts, and none is closed for
            // being idle or old.
            let migrating = migrate_sqlite(&options).await?;
            let pool = SqlitePoolOptions::new()
                .max_connections(SQLITE_READERS)
                .idle_timeout(None)
                .max_lifetime(None)
                .test_before_acquire(false)
                .connect_with(options.clone())
                .await?;
            // Closed once the pool holds the database (in memory, it lives
            // only while a connection to it is open).
            sqlx::Connection::close(migrating).await?;
            // All of them are opened now, one after the other (a new file's
            // first connections, opened at once, can find it locked while one
            // turns on its log). Each is a thread with its own heap and page
            // cache (up to 2 MiB), which would otherwise be made the first
            // time requests come at once: a step in the server's memory in the
            // middle of a busy moment.
            let mut opened = Vec::new();
            for _ in 0..SQLITE_READERS {
                opened.push(pool.acquire().await?);
            }
            drop(opened);
            let writer = Writer::open(options).await?;
            drop(lock);
            // Once the file exists (its path is resolved as SQLite resolves it).
            let wal = match file {
                Some(db) => Some(Arc::new(
                    Wal::of(&db).map_err(|source| StoreError::Sync { path: db.display().to_string(), source })?,
                )),
                None => None,
            };
            Store::Sqlite(pool, writer, wal)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(POSTGRES_CONNECTIONS)
                .acquire_timeout(Duration::from_secs(10))
                // A connection is pinged (a round trip to the database) before
                // it is handed out only when it has lain idle for a while: sqlx
                // pings each one as it is put back, so one put back a moment
                // ago needs no second ping, and a request takes two or three
                // (who is asking, then its transaction).
                .test_before_acquire(false)
                .before_acquire(|conn, held| {
                    Box::pin(async move {
                        if held.idle_for >= PING_AFTER_IDLE {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
                .connect_with(options)
                .await?;
            sqlx::migrate!("../migrations/postgres").run(&pool).await?;
            Store::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        Ok(store)
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Store::Postgres(_))
    }

    /// A transaction for reading.
    pub async fn read(&self) -> StoreResult<Tx> {
        let conn = match self {
            Store::Sqlite(pool, ..) => Conn::Sqlite(pool.begin().await?),
            Store::Postgres(pool) => Conn::Postgres(begin_postgres(pool).await?),
        };
        Ok(Tx { conn, events: Vec::new(), wal: None, deliveries_queued: false })
    }

    /// A connection for a read of one statement, outside any transaction: a
    /// statement sees one state of the database by itself, and `BEGIN` and
    /// `COMMIT` would be two more round trips (on SQLite, to its connection's
    /// thread). For what every request reads first, who is asking. A caller
    /// that reads twice takes [`Store::read`] instead, whose reads agree.
    pub async fn one_statement(&self) -> StoreResult<Tx> {
        let conn = match self {
            Store::Sqlite(pool, ..) => Conn::SqliteOne(pool.acquire().await?),
            Store::Postgres(pool) => Conn::PostgresOne(pool.acquire().await?),
        };
        Ok(Tx { conn, events: Vec::new(), wal: None, deliveries_queued: false })
    }

    /// `read` of `key`, one statement on [`Store::one_statement`]'s connection;
    /// on PostgreSQL made again on another when that one turns out lost
    /// ([`again_if_lost`]).
    pub async fn read_one<T>(
        &self,
        key: &str,
        read: impl for<'t> Fn(&'t mut Tx, &'t str) -> Read<'t, T>,
    ) -> StoreResult<T> {
        let once = || async {
            let mut tx = self.one_statement().await?;
            read(&mut tx, key).await
        };
        if self.is_postgres() {
            again_if_lost(once).await
        } else {
            once().await
        }
    }

    /// A transaction for writing. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so two writers queue instead of failing on upgrade.
    pub async fn write(&self) -> StoreResult<Tx> {
        let (conn, wal) = match self {
            Store::Sqlite(_, writer, wal) => (Conn::SqliteWrite(Writing::begin(writer).await?), wal.clone()),
            Store::Postgres(pool) => (Conn::Postgres(begin_postgres(pool).await?), None),
        };
        Ok(Tx { conn, events: Vec::new(), wal, deliveries_queued: false })
    }

    /// Waits until every write committed by now is on disk (at once on
    /// PostgreSQL, whose commits wait for it): what each answer waits for.
    pub async fn durable(&self) -> StoreResult<()> {
        match self {
            Store::Sqlite(_, _, Some(wal)) => wal.durable().await,
            _ => Ok(()),
        }
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(pool, writer, _) => {
                pool.close().await;
                writer.lock().await.close().await;
            }
            Store::Postgres(pool) => pool.close().await,
        }
    }
}

/// Applies SQLite's pending migrations on a connection of their own, with
/// foreign keys off: SQLite changes a table by building it anew and dropping
/// the old one, and with foreign keys on, dropping it would first delete every
/// row that refers to it. A migration that rebuilds tables ends by checking
/// every reference still holds, in its own transaction (0013 shows how).
async fn migrate_sqlite(options: &SqliteConnectOptions) -> StoreResult<SqliteConnection> {
    let mut conn = sqlx::ConnectOptions::connect(&options.clone().foreign_keys(false)).await?;
    sqlx::migrate!("../migrations/sqlite").run(&mut conn).await?;
    Ok(conn)
}

/// SQLite's migrator takes no lock (PostgreSQL's takes an advisory one), so
/// processes started at once on one file would each run the first migration:
/// they queue on an exclusive lock of a file beside the database instead.
/// Nothing to lock for an in-memory database.
async fn migration_lock(database: Option<&Path>) -> StoreResult<Option<std::fs::File>> {
    let Some(database) = database else { return Ok(None) };
    let mut path = database.as_os_str().to_owned();
    path.push(".migrate-lock");
    let path = std::path::PathBuf::from(path);
    let failed = |source| StoreError::MigrationLock { path: path.display().to_string(), source };
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(failed)?;
    // Blocks until the other process's migrations are done: off the async workers.
    let locked = tokio::task::spawn_blocking(move || file.lock().map(|()| file)).await;
    match locked {
        Ok(result) => result.map(Some).map_err(failed),
        Err(join) => Err(failed(std::io::Error::other(join.to_string()))),
    }
}

/// The SQLite database's file, unless it lives in memory (`sqlite::memory:`
/// is named `file:sqlx-in-memory-<n>` by sqlx).
fn on_disk(database: &Path) -> Option<&Path> {
    let name = database.as_os_str();
    let in_memory =
        name.is_empty() || name == ":memory:" || database.to_string_lossy().starts_with("file:sqlx-in-memory-");
    (!in_memory).then_some(database)
}

impl Tx {
    /// Queues this transaction behind any other process setting up the
    /// instance (the first start's `root`, settings and demo data), so
    /// processes started at once on an empty database set it up once. SQLite's
    /// write transactions are already exclusive across processes.
    pub async fn lock_instance_setup(&mut self) -> StoreResult<()> {
        if let Conn::Postgres(t) = &mut self.conn {
            // Any constant key will do, as long as it is this one everywhere ("Laurel").
            sqlx::query("SELECT pg_advisory_xact_lock(83981465970028)").execute(&mut **t).await.map_err(classify)?;
        }
        Ok(())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.conn, Conn::Postgres(_) | Conn::PostgresOne(_))
    }

    /// Records an event to publish when this transaction commits. On PostgreSQL the
    /// `NOTIFY` is part of the transaction: other processes hear it if and only if
    /// the change is committed.
    pub async fn publish(&mut self, event: Event, origin: &str) -> StoreResult<()> {
        if let Conn::Postgres(t) = &mut self.conn {
            let payload = serde_json::to_string(&crate::events::Envelope {
                origin: origin.to_string(),
                event: event.without_tally(),
            })
            .unwrap_or_default();
            sqlx::query("SELECT pg_notify($1, $2)").bind(EVENT_CHANNEL).bind(payload).execute(&mut **t).await?;
        }
        self.events.push(event);
        Ok(())
    }

    /// Commits and waits until the change is durable, returning the events to
    /// publish in this process.
    pub async fn commit(self) -> StoreResult<Vec<Event>> {
        let committed = self.commit_visible().await?;
        committed.unsynced.sync().await?;
        Ok(committed.events)
    }

    /// Commits, returning the events to publish in this process once every
    /// reader sees the change, and what is left to make it durable. (A
    /// PostgreSQL commit returns once durable, so nothing is left there.)
    pub async fn commit_visible(self) -> StoreResult<Committed> {
        // Counted before it begins: readers may see the change before it returns.
        let number = self.wal.as_ref().map(|wal| wal.begin());
        let committed = match self.conn {
            // Counted as returned by the writer, even when cut short (only
            // SQLite's write transactions have a log to sync).
            Conn::SqliteWrite(w) => w.commit(self.wal.clone().zip(number)).await,
            Conn::Sqlite(t) => t.commit().await.map_err(StoreError::from),
            Conn::Postgres(t) => t.commit().await.map_err(StoreError::from),
            Conn::SqliteOne(_) | Conn::PostgresOne(_) => Ok(()),
        };
        committed?;
        let unsynced = match (&self.wal, number) {
            (Some(wal), Some(number)) => wal.unsynced(number),
            _ => Unsynced::none(),
        };
        Ok(Committed { events: self.events, unsynced, deliveries_queued: self.deliveries_queued })
    }
}

/// A committed transaction, as [`Tx::commit_visible`] leaves it.
pub struct Committed {
    /// To publish in this process.
    pub events: Vec<Event>,
    /// What is left to make it durable.
    pub unsynced: Unsynced,
    /// It wrote webhook deliveries: the delivery worker has work.
    pub deliveries_queued: bool,
}

/// A case-insensitive "contains" pattern for `lower(col) LIKE $n ESCAPE '\'`, with
/// `%`, `_` and `\` in the input taken literally (same on both databases).
/// Of a longer search, its first [`MAX_SEARCH_CHARS`] characters: no value
/// searched is that long, so the answer is the same (nothing), and SQLite
/// refuses a pattern past 50,000 bytes.
/// Longer than any value a search looks in (names and paths of at most 255
/// characters, a group's full path of at most 20 of them), and short
/// enough that its pattern stays within SQLite's 50,000 bytes (at most 4
/// bytes a character, 2 for an escaped one).
pub const MAX_SEARCH_CHARS: usize = 6_000;

/// `$from, $from+1, ...`: `n` numbered parameters, for an `IN (...)` list;
/// `NULL` when there are none (`IN (NULL)` matches nothing, as an empty list).
pub(crate) fn numbered_params(from: usize, n: usize) -> String {
    match n {
        0 => "NULL".to_string(),
        _ => (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", "),
    }
}

pub(crate) fn like_escape_pattern(search: &str) -> String {
    let mut out = String::from("%");
    for c in search.to_lowercase().chars().take(MAX_SEARCH_CHARS) {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}
