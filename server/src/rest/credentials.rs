//! `GET /user_achievements/:id/credential` (the recipient): the award as a
//! signed Open Badges 3.0 credential (VC-JWT, `application/vc+jwt`), and
//! `POST /application/credential_keys/rotate` (admins).

use super::openapi::{Api, Op};
use super::{path_number, ApiError, Caller};
use crate::state::ServerState;
use app::domain::credentials;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use std::collections::HashMap;

pub fn document(api: Api) -> Api {
    api.get(
        "/user_achievements/{user_achievement_id}/credential",
        credential,
        Op::text("One's own award as a signed Open Badges 3.0 credential (VC-JWT)", "application/vc+jwt"),
    )
    .post(
        "/application/credential_keys/rotate",
        rotate,
        Op::one::<RotatedJson>("A new credential signing key (admins); the old ones still verify", 201),
    )
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RotatedJson {
    /// The new key's id (`did:web:...#key-N`), in every credential signed from now on.
    kid: String,
}

async fn credential(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let id = path_number(&path, "user_achievement_id")?;
    let jwt = credentials::credential(&state.app, &actor, id).await?;
    Ok(([(http::header::CONTENT_TYPE, "application/vc+jwt")], jwt).into_response())
}

async fn rotate(
    State(state): State<ServerState>,
    Caller(actor): Caller,
) -> Result<super::Created<RotatedJson>, ApiError> {
    actor.require_user()?;
    let kid = credentials::rotate_key(&state.app, &actor).await?;
    Ok(super::Created(RotatedJson { kid }))
}

/// `/-/credentials/status/:list`: a revocation status list (public, read
/// fresh each time, cached a few seconds at most).
pub async fn status_list(State(state): State<ServerState>, Path(list): Path<String>) -> Result<Response, ApiError> {
    let list: i64 = list.parse().map_err(|_| ApiError::invalid("list"))?;
    let jwt = credentials::status_list(&state.app, list).await?;
    let headers = [(http::header::CONTENT_TYPE, "application/vc+jwt"), (http::header::CACHE_CONTROL, "max-age=5")];
    Ok((headers, jwt).into_response())
}

/// `/.well-known/jwks.json` and `/.well-known/did.json`: public.
pub async fn jwks(State(state): State<ServerState>) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(credentials::jwks(&state.app).await?))
}

pub async fn did_document(State(state): State<ServerState>) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(credentials::did_document(&state.app).await?))
}
