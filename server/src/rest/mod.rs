//! The GitLab REST API (v4, and v3 for award emoji): thin adapters over the
//! domain, speaking GitLab's JSON shapes, status codes and `{"message": ...}` errors.

mod achievements;
mod award_emoji;
pub mod error;
mod groups;
mod pagination;
mod params;
mod projects;
mod settings;
mod tokens;
mod users;

pub use error::ApiError;

use crate::auth::{Auth, AuthRejection};
use crate::state::ServerState;
use app::domain::auth::Authenticated;
use app::domain::Actor;
use app::policy::{self, ApiUse};
use app::store::UserRow;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use http::request::Parts;
use projects::{Issues, MergeRequests};

pub fn routes() -> Router<ServerState> {
    let v4 = Router::new()
        .route("/user", get(users::current_user))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", get(users::show).put(users::update))
        .route("/users/{id}/personal_access_tokens", post(tokens::create))
        .route("/personal_access_tokens", get(tokens::list))
        .route("/personal_access_tokens/self", get(tokens::show_self).delete(tokens::revoke_self))
        .route("/personal_access_tokens/self/rotate", post(tokens::rotate_self))
        .route("/personal_access_tokens/{id}", get(tokens::show).delete(tokens::revoke))
        .route("/personal_access_tokens/{id}/rotate", post(tokens::rotate))
        .route("/version", get(version))
        .route("/application/settings", get(settings::show).put(settings::update))
        .route("/groups", get(groups::list).post(groups::create))
        .route("/groups/{id}", get(groups::show))
        .route("/groups/{id}/members", get(groups::members).post(groups::add_member))
        .route("/groups/{id}/members/{user_id}", put(groups::update_member).delete(groups::remove_member))
        .route("/projects", get(projects::list).post(projects::create))
        .route("/projects/{id}", get(projects::show))
        .route("/projects/{id}/members", get(projects::members).post(projects::add_member))
        .route("/projects/{id}/issues", get(projects::work_items::<Issues>).post(projects::create_issue))
        .route("/projects/{id}/issues/{issue_iid}", get(projects::work_item::<Issues>))
        .route(
            "/projects/{id}/merge_requests",
            get(projects::work_items::<MergeRequests>).post(projects::create_merge_request),
        )
        .route("/projects/{id}/merge_requests/{merge_request_iid}", get(projects::work_item::<MergeRequests>))
        .route("/projects/{id}/issues/{issue_iid}/notes", get(projects::notes).post(projects::create_note))
        .route(
            "/projects/{id}/merge_requests/{merge_request_iid}/notes",
            get(projects::notes).post(projects::create_note),
        )
        .route("/projects/{id}/issues/{issue_iid}/notes/{note_id}", get(projects::note))
        .route("/projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}", get(projects::note))
        .route("/projects/{id}/snippets", get(projects::snippets).post(projects::create_snippet))
        .merge(achievements::routes())
        .merge(award_emoji::routes(false));
    Router::new().nest("/v4", v4).nest("/v3", award_emoji::routes(true)).fallback(error::not_found)
}

/// `201 Created` with the new thing as JSON.
pub struct Created<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Created<T> {
    fn into_response(self) -> axum::response::Response {
        axum::response::IntoResponse::into_response((http::StatusCode::CREATED, Json(self.0)))
    }
}

/// `GET /version`.
#[derive(serde::Serialize)]
struct Version {
    version: &'static str,
    revision: &'static str,
}

/// A numeric path parameter; `400 {"error": "<name> is invalid"}` otherwise.
pub fn path_number(path: &std::collections::HashMap<String, String>, name: &str) -> Result<i64, ApiError> {
    path.get(name).ok_or_else(|| ApiError::missing(name))?.parse().map_err(|_| ApiError::invalid(name))
}

/// GitLab's time format: ISO 8601, milliseconds, UTC `Z`.
pub fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

async fn version(SignedIn(_): SignedIn) -> Json<Version> {
    Json(Version { version: "17.0.0-laurel", revision: env!("CARGO_PKG_VERSION") })
}

/// What a REST request does, for a token's scopes: GitLab keys `read_user` to
/// `/user`, `/users...` and `/version`, `read_api` to reads, `api` to the rest.
pub fn api_use(method: &http::Method, path: &str) -> ApiUse {
    let path = path.strip_prefix("/api").unwrap_or(path);
    let path = path.strip_prefix("/v4").or_else(|| path.strip_prefix("/v3")).unwrap_or(path);
    if path == "/personal_access_tokens/self" && matches!(*method, http::Method::GET | http::Method::DELETE) {
        return ApiUse::OwnToken;
    }
    if !matches!(*method, http::Method::GET | http::Method::HEAD) {
        return ApiUse::Write;
    }
    let users = ["/user", "/users", "/version"].iter().any(|p| path == *p || path.starts_with(&format!("{p}/")));
    if users {
        ApiUse::ReadUsers
    } else {
        ApiUse::Read
    }
}

/// The caller with how they authenticated, after the token's scopes were
/// checked against this request (`403 insufficient_scope` otherwise).
pub struct AuthorizedCaller(pub Authenticated);

impl FromRequestParts<ServerState> for AuthorizedCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Self::Rejection> {
        let auth = Auth::from_request_parts(parts, state).await.map_err(|AuthRejection(err)| ApiError::from(err))?;
        let path = parts.extensions.get::<OriginalUri>().map_or_else(|| parts.uri.path(), |u| u.0.path()).to_string();
        let usage = api_use(&parts.method, &path);
        if !auth.allows(usage) {
            return Err(ApiError::InsufficientScope(policy::scopes_allowing(usage)));
        }
        Ok(AuthorizedCaller(auth.0))
    }
}

/// The caller, from `PRIVATE-TOKEN` / `Authorization: Bearer` (or the browser
/// session). A bad token is a 401, a token without the scope a 403, before any
/// handler runs.
pub struct Caller(pub Actor);

impl FromRequestParts<ServerState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Self::Rejection> {
        let AuthorizedCaller(auth) = AuthorizedCaller::from_request_parts(parts, state).await?;
        Ok(Caller(auth.actor))
    }
}

/// A caller who signed in (a token or a session): anyone else gets GitLab's
/// `401 Unauthorized` before the handler runs.
pub struct SignedIn(pub UserRow);

impl FromRequestParts<ServerState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Self::Rejection> {
        let Caller(actor) = Caller::from_request_parts(parts, state).await?;
        Ok(SignedIn(actor.require_user()?.clone()))
    }
}
