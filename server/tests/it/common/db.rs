//! Reads straight from a test server's database (SQLite file or PostgreSQL).

use sqlx::{Decode, Postgres, Sqlite, Type};

/// The first column of every row a query returns, from either database.
pub async fn column<T>(url: &str, sql: &str) -> Vec<T>
where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> + Send + Unpin,
{
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.expect("open SQLite");
        let rows = sqlx::query_scalar(sql).fetch_all(&pool).await.expect("query");
        pool.close().await;
        rows
    } else {
        let pool = sqlx::PgPool::connect(url).await.expect("open PostgreSQL");
        let rows = sqlx::query_scalar(sql).fetch_all(&pool).await.expect("query");
        pool.close().await;
        rows
    }
}

pub async fn ids(url: &str, sql: &str) -> Vec<i64> {
    column(url, sql).await
}

pub async fn strings(url: &str, sql: &str) -> Vec<String> {
    column(url, sql).await
}

/// Runs one statement on either database.
pub async fn execute(url: &str, sql: &str) {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.expect("open SQLite");
        sqlx::query(sql).execute(&pool).await.expect("statement");
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.expect("open PostgreSQL");
        sqlx::query(sql).execute(&pool).await.expect("statement");
        pool.close().await;
    }
}
