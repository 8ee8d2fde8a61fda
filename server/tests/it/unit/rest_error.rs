//! The unit tests of `server/src/rest/error.rs`.

use app::domain::DomainError;
use app::store::StoreError;
use axum::response::{IntoResponse, Response};
use http::{header, StatusCode};
use server::rest::error::*;

#[test]
fn an_exhausted_pool_is_503_with_retry_after_and_a_broken_database_500() {
    let busy: Response =
        ApiError::Domain(DomainError::Store(StoreError::Database(sqlx::Error::PoolTimedOut))).into_response();
    assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(busy.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("1"));
    let broken: Response =
        ApiError::Domain(DomainError::Store(StoreError::Database(sqlx::Error::PoolClosed))).into_response();
    assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
