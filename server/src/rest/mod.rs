//! The GitLab REST API (v4, and v3 for award emoji): thin adapters over the
//! domain, speaking GitLab's JSON shapes, status codes and `{"message": ...}` errors.

mod award_emoji;
mod error;
mod groups;
mod pagination;
mod params;
mod projects;
mod users;

pub use error::ApiError;

use crate::state::ServerState;
use app::domain::auth::{authenticate, Credentials};
use app::domain::Actor;
use axum::extract::FromRequestParts;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use http::request::Parts;

pub fn routes() -> Router<ServerState> {
    let v4 = Router::new()
        .route("/user", get(users::current_user))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", get(users::show).put(users::update))
        .route("/users/{id}/personal_access_tokens", post(users::create_token))
        .route("/version", get(version))
        .route("/groups", get(groups::list).post(groups::create))
        .route("/groups/{id}", get(groups::show))
        .route("/groups/{id}/members", get(groups::members).post(groups::add_member))
        .route("/groups/{id}/members/{user_id}", put(groups::update_member).delete(groups::remove_member))
        .route("/projects", get(projects::list).post(projects::create))
        .route("/projects/{id}", get(projects::show))
        .route("/projects/{id}/members", get(projects::members).post(projects::add_member))
        .route("/projects/{id}/issues", get(projects::issues).post(projects::create_issue))
        .route("/projects/{id}/issues/{issue_iid}", get(projects::issue))
        .route("/projects/{id}/merge_requests", get(projects::merge_requests).post(projects::create_merge_request))
        .route("/projects/{id}/merge_requests/{merge_request_iid}", get(projects::merge_request))
        .route("/projects/{id}/issues/{issue_iid}/notes", get(projects::notes).post(projects::create_note))
        .route(
            "/projects/{id}/merge_requests/{merge_request_iid}/notes",
            get(projects::notes).post(projects::create_note),
        )
        .route("/projects/{id}/issues/{issue_iid}/notes/{note_id}", get(projects::note))
        .route("/projects/{id}/merge_requests/{merge_request_iid}/notes/{note_id}", get(projects::note))
        .route("/projects/{id}/snippets", get(projects::snippets).post(projects::create_snippet))
        .merge(award_emoji::routes(false));
    Router::new().nest("/v4", v4).nest("/v3", award_emoji::routes(true)).fallback(error::not_found)
}

/// A numeric path parameter; `400 {"error": "<name> is invalid"}` otherwise.
pub fn path_number(path: &std::collections::HashMap<String, String>, name: &str) -> Result<i64, ApiError> {
    path.get(name).ok_or_else(|| ApiError::missing(name))?.parse().map_err(|_| ApiError::invalid(name))
}

/// GitLab's time format: ISO 8601, milliseconds, UTC `Z`.
pub fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

async fn version(Caller(actor): Caller) -> Result<Json<serde_json::Value>, ApiError> {
    actor.require_user()?;
    Ok(Json(serde_json::json!({ "version": "17.0.0-laurel", "revision": env!("CARGO_PKG_VERSION") })))
}

/// The caller, from `PRIVATE-TOKEN` / `Authorization: Bearer` (or the browser
/// session). A bad token is a 401 before any handler runs.
pub struct Caller(pub Actor);

impl FromRequestParts<ServerState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Self::Rejection> {
        let actor = authenticate(&state.app, Credentials::from_headers(&parts.headers)).await?;
        Ok(Caller(actor))
    }
}
