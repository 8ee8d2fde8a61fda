//! Test support shared by `app`'s and `server`'s tests: a fresh database per
//! test on SQLite or PostgreSQL (`TEST_POSTGRES_URL`, which `make test`
//! provides), removed when the test ends, and `on_both!` to run a test body on
//! both.

use sqlx::Connection;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A name no other test of this run, or of another run, is using.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{}_{}", std::process::id(), nanos, N.fetch_add(1, Ordering::Relaxed))
}

/// A fresh database (and a data folder beside it) for one test; both are
/// removed when it is dropped, PostgreSQL's with any connections still open.
pub struct TestDatabase {
    pub url: String,
    dir: PathBuf,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn new(backend: Backend) -> TestDatabase {
        let dir = std::env::temp_dir().join(unique("laurel-test"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        match backend {
            Backend::Sqlite => {
                TestDatabase { url: format!("sqlite://{}/laurel.db", dir.display()), dir, postgres: None }
            }
            Backend::Postgres => {
                let admin_url = std::env::var("TEST_POSTGRES_URL")
                    .expect("TEST_POSTGRES_URL must point at a PostgreSQL server (make test starts one)");
                let name = unique("laurel_test");
                let mut admin = sqlx::PgConnection::connect(&admin_url).await.expect("connect TEST_POSTGRES_URL");
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create database");
                let base = admin_url.rsplit_once('/').map(|(b, _)| b).expect("URL with a database");
                TestDatabase { url: format!("{base}/{name}"), dir, postgres: Some((admin_url, name)) }
            }
        }
    }

    /// The test's data folder (uploads, the mail outbox).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        let Some((admin_url, name)) = self.postgres.take() else { return };
        // Drop runs inside the test's runtime, which may not block: a thread of
        // its own with a small runtime drops the database.
        let dropped = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            runtime.block_on(async {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ =
                        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await;
                }
            });
        });
        let _ = dropped.join();
    }
}

/// Runs each named async test body once on SQLite and once on PostgreSQL.
/// `on_both!(a, b)` hands each body the [`Backend`]; `on_both!(with setup; a, b)`
/// makes a [`TestDatabase`], hands the body `setup(&database).await`, and
/// removes the database after the body.
#[macro_export]
macro_rules! on_both {
    (with $setup:ident; $($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let database = $crate::TestDatabase::new($crate::Backend::Sqlite).await;
                super::$name(super::$setup(&database).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let database = $crate::TestDatabase::new($crate::Backend::Postgres).await;
                super::$name(super::$setup(&database).await).await
            }
        }
    )*};
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { super::$name($crate::Backend::Sqlite).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { super::$name($crate::Backend::Postgres).await }
        }
    )*};
}
