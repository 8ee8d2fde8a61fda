//! `GET /user_achievements/:id/credential` (the recipient): the award as a
//! signed Open Badges 3.0 credential (VC-JWT, `application/vc+jwt`), and baked
//! into its image (`credential.png`, `credential.svg`);
//! `POST /application/credential_keys/rotate` (admins); and the verification
//! page's upload (`POST /-/verify/upload`, public).

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
    .get(
        "/user_achievements/{user_achievement_id}/credential.png",
        baked_png,
        Op::text("One's own award as a baked badge: its image as a PNG with the credential inside", "image/png"),
    )
    .get(
        "/user_achievements/{user_achievement_id}/credential.svg",
        baked_svg,
        Op::text("One's own award as a baked badge: an SVG with the credential inside", "image/svg+xml"),
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

async fn baked(
    state: &ServerState,
    actor: &app::domain::Actor,
    path: &HashMap<String, String>,
    svg: bool,
) -> Result<Response, ApiError> {
    let id = path_number(path, "user_achievement_id")?;
    let file = credentials::baked(&state.app, actor, id, svg).await?;
    // The name is made of safe characters only (`safe_file_name`).
    let disposition = format!("attachment; filename=\"{}\"", file.file_name);
    let headers = [
        (http::header::CONTENT_TYPE, file.content_type.to_string()),
        (http::header::CONTENT_DISPOSITION, disposition),
        (http::header::CACHE_CONTROL, "private, no-store".to_string()),
    ];
    Ok((headers, file.bytes).into_response())
}

async fn baked_png(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    baked(&state, &actor, &path, false).await
}

async fn baked_svg(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    baked(&state, &actor, &path, true).await
}

/// `/-/credentials/<award>` (public): the link inside every credential (its
/// `id`), which leads to the verification page's record of the award.
pub async fn credential_link(Path(award): Path<String>) -> Result<Response, ApiError> {
    let award: i64 = award.parse().map_err(|_| ApiError::Domain(app::domain::DomainError::NotFound("Credential")))?;
    Ok(axum::response::Redirect::to(&format!("/-/verify?award={award}")).into_response())
}

/// `POST /-/verify/upload` (public; a form on the verification page): the
/// credential pasted (`credential`) or baked into an uploaded image
/// (`image`, PNG or SVG), sent on to the page (`/-/verify?credential=...`)
/// to be checked; a file with none in it goes back with `?unreadable=1`.
/// Nothing is stored.
pub async fn verify_upload(params: Result<super::params::Params, ApiError>) -> Response {
    let found = params.ok().and_then(|params| {
        // A credential that is not text is none: the page says it found none.
        let pasted = params.str("credential").ok()?.map(|text| text.trim().to_string()).filter(|t| !t.is_empty());
        let baked = || params.file("image").and_then(|file| app::domain::baking::credential_in(&file.bytes));
        pasted.or_else(baked).filter(|jwt| jwt.len() <= credentials::MAX_CREDENTIAL_BYTES)
    });
    let to = match found {
        Some(jwt) => {
            format!("/-/verify?credential={}", form_urlencoded::byte_serialize(jwt.as_bytes()).collect::<String>())
        }
        None => "/-/verify?unreadable=1".to_string(),
    };
    axum::response::Redirect::to(&to).into_response()
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
