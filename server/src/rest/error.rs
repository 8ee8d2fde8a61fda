//! Errors in GitLab's REST dialect, mapped once.

use app::domain::DomainError;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{header, StatusCode};
use serde::Serialize;

#[derive(Debug)]
pub enum ApiError {
    /// A use case said no.
    Domain(DomainError),
    /// A parameter is missing or malformed (Grape's `{"error": "... is missing"}`).
    BadRequest(String),
    /// A message under a given status, as some endpoints word it
    /// (`404 Award Emoji Name has already been taken Not Found`).
    Message(StatusCode, String),
    /// GitLab's `422 {"error": ...}` (a hook URL that is not one).
    Unprocessable(String),
    /// The token lacks a scope this request needs; the scopes that would do.
    InsufficientScope(&'static [&'static str]),
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        ApiError::Domain(err)
    }
}

impl ApiError {
    pub fn missing(param: &str) -> ApiError {
        ApiError::BadRequest(format!("{param} is missing"))
    }

    pub fn invalid(param: &str) -> ApiError {
        ApiError::BadRequest(format!("{param} is invalid"))
    }
}

/// GitLab's REST error bodies.
#[derive(Serialize)]
#[serde(untagged)]
pub enum ErrorBody {
    /// `{"message": ...}`: most refusals.
    Message { message: Message },
    /// `{"error": "..."}`: Grape's parameter errors and unknown routes.
    Error { error: String },
    /// OAuth's `{"error", "error_description"(, "scope")}`: token problems.
    OAuth {
        error: &'static str,
        error_description: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        scope: Option<String>,
    },
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum Message {
    Text(String),
    /// Validation messages, one per problem.
    List(Vec<String>),
    /// `{"error": "This endpoint has been requested too many times..."}`.
    Nested {
        error: &'static str,
    },
}

fn message(text: impl Into<String>) -> ErrorBody {
    ErrorBody::Message { message: Message::Text(text.into()) }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::InsufficientScope(scopes) => (
                StatusCode::FORBIDDEN,
                ErrorBody::OAuth {
                    error: "insufficient_scope",
                    error_description: "The request requires higher privileges than provided by the access token.",
                    scope: Some(scopes.join(" ")),
                },
            ),
            ApiError::Domain(DomainError::TokenExpired) => {
                return invalid_token("Token is expired. You can either do re-authorization or token refresh.")
            }
            ApiError::Domain(DomainError::TokenRevoked) => {
                return invalid_token("Token was revoked. You have to re-authorize from the user.")
            }
            ApiError::BadRequest(error) => (StatusCode::BAD_REQUEST, ErrorBody::Error { error }),
            ApiError::Unprocessable(error) => (StatusCode::UNPROCESSABLE_ENTITY, ErrorBody::Error { error }),
            ApiError::Message(status, text) => (status, message(text)),
            ApiError::Domain(err) => match err {
                DomainError::NotFound(what) => (StatusCode::NOT_FOUND, message(format!("404 {what} Not Found"))),
                DomainError::Forbidden => (StatusCode::FORBIDDEN, message("403 Forbidden")),
                DomainError::Unauthorized | DomainError::AccountLocked => {
                    (StatusCode::UNAUTHORIZED, message("401 Unauthorized"))
                }
                DomainError::Invalid(messages) => {
                    (StatusCode::BAD_REQUEST, ErrorBody::Message { message: Message::List(messages) })
                }
                DomainError::Conflict(text) => (StatusCode::CONFLICT, message(text)),
                DomainError::RateLimited { retry_after } => {
                    let body =
                        ErrorBody::Message { message: Message::Nested { error: app::domain::limits::RATE_LIMITED } };
                    let retry = retry_after.to_string();
                    return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry)], Json(body)).into_response();
                }
                DomainError::PreconditionFailed => {
                    (StatusCode::PRECONDITION_FAILED, message("412 Precondition Failed"))
                }
                busy if busy.is_overloaded() => {
                    tracing::warn!("REST request refused, overloaded: {busy}");
                    let body = message("503 Service Unavailable");
                    return (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "1")], Json(body)).into_response();
                }
                internal => {
                    tracing::error!("REST request failed: {internal}");
                    (StatusCode::INTERNAL_SERVER_ERROR, message("500 Internal Server Error"))
                }
            },
        };
        (status, Json(body)).into_response()
    }
}

/// GitLab's OAuth-style 401 for a token that no longer works.
fn invalid_token(description: &'static str) -> Response {
    let challenge = format!(
        "Bearer realm=\"Protected by OAuth 2.0\", error=\"invalid_token\", error_description=\"{description}\""
    );
    let body = ErrorBody::OAuth { error: "invalid_token", error_description: description, scope: None };
    (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, challenge)], Json(body)).into_response()
}

/// Unknown API routes answer like GitLab: `404 Not Found` in JSON.
pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(ErrorBody::Error { error: "404 Not Found".into() })).into_response()
}

/// A route that exists, asked with a method it does not take (Grape's words).
pub async fn not_allowed() -> Response {
    (StatusCode::METHOD_NOT_ALLOWED, Json(ErrorBody::Error { error: "405 Not Allowed".into() })).into_response()
}

/// The error bodies' schema: an object with `message` (a text, a list of texts
/// or `{"error": ...}`) or `error` (with OAuth's `error_description` and `scope`).
/// Written out because the variants overlap, which a derived `oneOf` forbids.
impl utoipa::PartialSchema for ErrorBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, ObjectBuilder, Type};
        let text = || ObjectBuilder::new().schema_type(Type::String);
        let message = AnyOfBuilder::new()
            .item(text())
            .item(ArrayBuilder::new().items(text()))
            .item(ObjectBuilder::new().property("error", text()).required("error"));
        ObjectBuilder::new()
            .property("message", message)
            .property("error", text())
            .property("error_description", text())
            .property("scope", text())
            .into()
    }
}

impl utoipa::ToSchema for ErrorBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "Error".into()
    }
}
