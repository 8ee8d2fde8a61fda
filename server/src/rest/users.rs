//! Users and their tokens: `/user`, `/users`, `/users/:id`,
//! `/users/:id/personal_access_tokens`.

use super::params::Params;
use super::{time, ApiError, Caller};
use crate::state::ServerState;
use app::domain::users::{self, CreateUser, UpdateUser};
use app::domain::DomainError;
use app::store::UserRow;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde_json::{json, Value};

fn avatar_url(user: &UserRow, base: &str) -> Value {
    user.avatar.as_ref().map(|a| format!("{base}/uploads/-/system/user/avatar/{}/{a}", user.id)).into()
}

/// The short user shape GitLab embeds everywhere.
pub fn user_basic_json(user: &UserRow, base: &str) -> Value {
    json!({
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "state": user.state,
        "locked": false,
        "avatar_url": avatar_url(user, base),
        "web_url": format!("{base}/{}", user.username),
    })
}

/// The full shape: for the user themself and for admins.
fn user_full_json(user: &UserRow, base: &str) -> Value {
    let mut value = user_basic_json(user, base);
    if let Value::Object(fields) = &mut value {
        fields.insert("created_at".into(), time(user.created_at).into());
        fields.insert("bio".into(), user.bio.clone().into());
        fields.insert("public_email".into(), Value::Null);
        fields.insert("email".into(), user.email.clone().into());
        fields.insert("is_admin".into(), user.admin.into());
        fields.insert("private_profile".into(), user.private_profile.into());
        fields.insert("bot".into(), false.into());
    }
    value
}

pub async fn current_user(State(state): State<ServerState>, Caller(actor): Caller) -> Result<Json<Value>, ApiError> {
    let user = actor.user().ok_or(DomainError::Unauthorized)?;
    Ok(Json(user_full_json(user, &state.app.instance.external_url)))
}

/// `GET /users?username=` (exact) or `?search=`.
pub async fn list(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ApiError> {
    let base = &state.app.instance.external_url;
    let page = params.page()?;
    let found = match params.str("username") {
        Some(username) => users::find_user(&state.app, &actor, &username).await.map(|u| vec![u]).unwrap_or_default(),
        None => {
            let search = params.str("search").unwrap_or_default();
            users::list_users(&state.app, &search, page.per_page, page.offset()).await?
        }
    };
    Ok(Json(found.iter().map(|u| user_basic_json(u, base)).collect::<Vec<_>>()).into_response())
}

pub async fn show(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: i64 = id.parse().map_err(|_| DomainError::NotFound("User"))?;
    let user = users::user_by_id(&state.app, id).await?;
    let user = users::find_user(&state.app, &actor, &user.username).await?;
    let base = &state.app.instance.external_url;
    let full = actor.user().is_some_and(|me| me.admin || me.id == user.id);
    Ok(Json(if full { user_full_json(&user, base) } else { user_basic_json(&user, base) }))
}

/// `POST /users` (admin).
pub async fn create(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ApiError> {
    let input = CreateUser {
        username: params.required("username")?,
        name: params.required("name")?,
        email: params.required("email")?,
        password: params.str("password"),
        admin: params.bool("admin")?.unwrap_or(false),
        private_profile: params.bool("private_profile")?.unwrap_or(false),
    };
    let user = users::create_user(&state.app, &actor, input).await?;
    Ok((StatusCode::CREATED, Json(user_full_json(&user, &state.app.instance.external_url))).into_response())
}

/// `PUT /users/:id`: admins only, as in GitLab (`403` for anyone else, even on
/// their own account).
pub async fn update(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let id: i64 = id.parse().map_err(|_| DomainError::NotFound("User"))?;
    let input = UpdateUser {
        name: params.str("name"),
        email: params.str("email"),
        password: params.str("password"),
        bio: params.str("bio"),
        private_profile: params.bool("private_profile")?,
        achievements_enabled: params.bool("achievements_enabled")?,
        admin: params.bool("admin")?,
        blocked: None,
    };
    let user = users::update_user(&state.app, &actor, id, input).await?;
    Ok(Json(user_full_json(&user, &state.app.instance.external_url)))
}
