//! Reads straight from a test server's database (SQLite file or PostgreSQL).

/// The integers a query returns.
pub async fn ids(url: &str, sql: &str) -> Vec<i64> {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.expect("open SQLite");
        let ids = sqlx::query_scalar(sql).fetch_all(&pool).await.expect("query");
        pool.close().await;
        ids
    } else {
        let pool = sqlx::PgPool::connect(url).await.expect("open PostgreSQL");
        let ids = sqlx::query_scalar(sql).fetch_all(&pool).await.expect("query");
        pool.close().await;
        ids
    }
}

pub async fn strings(url: &str, sql: &str) -> Vec<String> {
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
