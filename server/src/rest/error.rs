//! Domain errors in GitLab's REST dialect, mapped once.

use app::domain::DomainError;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError(pub DomainError);

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        ApiError(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match &self.0 {
            DomainError::NotFound(what) => (StatusCode::NOT_FOUND, json!(format!("404 {what} Not Found"))),
            DomainError::Forbidden => (StatusCode::FORBIDDEN, json!("403 Forbidden")),
            DomainError::Unauthorized => (StatusCode::UNAUTHORIZED, json!("401 Unauthorized")),
            DomainError::Invalid(messages) => (StatusCode::BAD_REQUEST, json!(messages)),
            DomainError::Conflict(message) => (StatusCode::CONFLICT, json!(message)),
            DomainError::PreconditionFailed => (StatusCode::PRECONDITION_FAILED, json!("412 Precondition Failed")),
            internal => {
                tracing::error!("REST request failed: {internal}");
                (StatusCode::INTERNAL_SERVER_ERROR, json!("500 Internal Server Error"))
            }
        };
        (status, Json(json!({ "message": message }))).into_response()
    }
}

/// Unknown API routes answer like GitLab: `404 Not Found` in JSON.
pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": "404 Not Found" }))).into_response()
}
