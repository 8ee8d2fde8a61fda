//! The GitLab REST API (v4): thin adapters over the domain, speaking GitLab's
//! JSON shapes, status codes and `{"message": ...}` errors.

mod error;
mod user;

pub use error::ApiError;

use crate::state::ServerState;
use app::domain::auth::{authenticate, Credentials};
use app::domain::Actor;
use axum::extract::FromRequestParts;
use axum::routing::get;
use axum::Router;
use http::request::Parts;

pub fn routes() -> Router<ServerState> {
    Router::new().route("/v4/user", get(user::current_user)).fallback(error::not_found)
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
