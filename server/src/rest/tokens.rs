//! Personal access tokens: `POST /users/:id/personal_access_tokens` (admins),
//! and GitLab's `/personal_access_tokens` API: list, show, revoke and rotate,
//! by id or `self` (the token the request carries).

use super::params::Params;
use super::{time, ApiError, AuthorizedCaller, Caller};
use crate::state::ServerState;
use app::domain::tokens::{self, CreateToken, ListTokens};
use app::domain::DomainError;
use app::store::TokenRow;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use http::StatusCode;
use serde::Serialize;

/// GitLab's token object, fields in its order; `token` only right after
/// creation or rotation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenJson {
    id: i64,
    name: String,
    revoked: bool,
    created_at: String,
    description: Option<String>,
    scopes: Vec<String>,
    user_id: i64,
    last_used_at: Option<String>,
    active: bool,
    expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
}

impl TokenJson {
    fn new(row: TokenRow, secret: Option<String>) -> TokenJson {
        TokenJson {
            active: tokens::active(&row),
            scopes: row.scope_list(),
            id: row.id,
            name: row.name,
            revoked: row.revoked,
            created_at: time(row.created_at),
            description: row.description,
            user_id: row.user_id,
            last_used_at: row.last_used_at.map(time),
            expires_at: row.expires_at.map(|d| d.to_string()),
            token: secret,
        }
    }
}

/// GitLab words a missing token `404 Not found` (lower-case f).
fn not_found(err: DomainError) -> ApiError {
    match err {
        DomainError::NotFound(_) => ApiError::Message(StatusCode::NOT_FOUND, "404 Not found".into()),
        DomainError::Invalid(messages) => {
            ApiError::Message(StatusCode::BAD_REQUEST, format!("400 Bad request - {}", messages.join(", ")))
        }
        other => other.into(),
    }
}

fn token_id(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| ApiError::Message(StatusCode::NOT_FOUND, "404 Not found".into()))
}

fn date(params: &Params, name: &str) -> Result<Option<NaiveDate>, ApiError> {
    match params.str(name)? {
        Some(date) if !date.is_empty() => {
            NaiveDate::parse_from_str(&date, "%Y-%m-%d").map(Some).map_err(|_| ApiError::invalid(name))
        }
        _ => Ok(None),
    }
}

/// `POST /users/:id/personal_access_tokens` (admin). The token is in the answer once.
pub async fn create(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| DomainError::NotFound("User"))?;
    let input = CreateToken {
        name: params.required("name")?,
        description: params.str("description")?,
        scopes: params.list("scopes"),
        expires_at: date(&params, "expires_at")?,
        secret: None,
    };
    if input.scopes.is_empty() {
        return Err(ApiError::missing("scopes"));
    }
    let (row, secret) = tokens::create_token(&state.app, &actor, id, input).await?;
    Ok((StatusCode::CREATED, Json(TokenJson::new(row, Some(secret)))).into_response())
}

/// `GET /personal_access_tokens`: one's own; admins everyone's (`user_id=`).
pub async fn list(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Json<Vec<TokenJson>>, ApiError> {
    let page = params.page()?;
    let query = ListTokens {
        user_id: params.i64("user_id")?,
        revoked: params.bool("revoked")?,
        state: params.str("state")?,
        search: params.str("search")?.unwrap_or_default(),
    };
    let found = tokens::list_tokens(&state.app, &actor, query, page.per_page, page.offset()).await?;
    Ok(Json(found.into_iter().map(|t| TokenJson::new(t, None)).collect()))
}

pub async fn show(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<TokenJson>, ApiError> {
    let row = tokens::find_token(&state.app, &actor, token_id(&id)?).await.map_err(not_found)?;
    Ok(Json(TokenJson::new(row, None)))
}

pub async fn show_self(
    State(state): State<ServerState>,
    AuthorizedCaller(auth): AuthorizedCaller,
) -> Result<Json<TokenJson>, ApiError> {
    let id = tokens::own_token_id(&auth.grant)?;
    let row = tokens::find_token(&state.app, &auth.actor, id).await.map_err(not_found)?;
    Ok(Json(TokenJson::new(row, None)))
}

pub async fn revoke(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    tokens::revoke_token(&state.app, &actor, token_id(&id)?).await.map_err(not_found)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn revoke_self(
    State(state): State<ServerState>,
    AuthorizedCaller(auth): AuthorizedCaller,
) -> Result<StatusCode, ApiError> {
    let id = tokens::own_token_id(&auth.grant)?;
    tokens::revoke_token(&state.app, &auth.actor, id).await.map_err(not_found)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /personal_access_tokens/:id/rotate`: `200` with the new token.
pub async fn rotate(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<TokenJson>, ApiError> {
    let expires_at = date(&params, "expires_at")?;
    let (row, secret) =
        tokens::rotate_token(&state.app, &actor, token_id(&id)?, expires_at).await.map_err(not_found)?;
    Ok(Json(TokenJson::new(row, Some(secret))))
}

pub async fn rotate_self(
    State(state): State<ServerState>,
    AuthorizedCaller(auth): AuthorizedCaller,
    params: Params,
) -> Result<Json<TokenJson>, ApiError> {
    let id = tokens::own_token_id(&auth.grant)?;
    let expires_at = date(&params, "expires_at")?;
    let (row, secret) = tokens::rotate_token(&state.app, &auth.actor, id, expires_at).await.map_err(not_found)?;
    Ok(Json(TokenJson::new(row, Some(secret))))
}
