//! `/user`: who the token belongs to.

use super::{ApiError, Caller};
use crate::state::ServerState;
use app::domain::DomainError;
use app::store::UserRow;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

/// GitLab's user representation for the authenticated user.
pub fn current_user_json(user: &UserRow, base: &str) -> Value {
    json!({
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "state": user.state,
        "locked": false,
        "avatar_url": user.avatar.as_ref().map(|a| format!("{base}/uploads/-/system/user/avatar/{}/{a}", user.id)),
        "web_url": format!("{base}/{}", user.username),
        "created_at": user.created_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        "bio": user.bio,
        "public_email": Value::Null,
        "email": user.email,
        "is_admin": user.admin,
        "private_profile": user.private_profile,
        "bot": false,
    })
}

pub async fn current_user(State(state): State<ServerState>, Caller(actor): Caller) -> Result<Json<Value>, ApiError> {
    let user = actor.user().ok_or(DomainError::Unauthorized)?;
    Ok(Json(current_user_json(user, &state.app.instance.external_url)))
}
