//! Groups and group members.

use super::params::Params;
use super::users::user_basic_json;
use super::{time, ApiError, Caller};
use crate::state::ServerState;
use app::domain::groups::{self, CreateGroup};
use app::domain::users;
use app::store::{MemberRow, NamespaceRow};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde_json::{json, Value};

pub fn group_json(group: &NamespaceRow, base: &str) -> Value {
    json!({
        "id": group.id,
        "name": group.name,
        "path": group.path,
        "full_path": group.full_path,
        "full_name": group.full_path.replace('/', " / "),
        "description": group.description,
        "visibility": group.visibility,
        "parent_id": group.parent_id,
        "avatar_url": Value::Null,
        "web_url": format!("{base}/groups/{}", group.full_path),
        "created_at": time(group.created_at),
    })
}

/// Members as GitLab lists them: the user plus their level.
pub async fn members_json(state: &ServerState, members: &[MemberRow]) -> Result<Vec<Value>, ApiError> {
    let ids: Vec<i64> = members.iter().map(|m| m.user_id).collect();
    let people = users::users_by_ids(&state.app, &ids).await?;
    let base = &state.app.instance.external_url;
    Ok(members
        .iter()
        .filter_map(|m| {
            let user = people.iter().find(|u| u.id == m.user_id)?;
            let mut value = user_basic_json(user, base);
            if let Value::Object(fields) = &mut value {
                fields.insert("access_level".into(), m.access_level.into());
                fields.insert("created_at".into(), time(m.created_at).into());
                fields.insert("expires_at".into(), Value::Null);
            }
            Some(value)
        })
        .collect())
}

pub async fn list(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let page = params.page()?;
    let search = params.str("search").unwrap_or_default();
    let found = groups::list_groups(&state.app, &actor, &search, page.per_page, page.offset()).await?;
    let base = &state.app.instance.external_url;
    Ok(Json(found.iter().map(|g| group_json(g, base)).collect()))
}

pub async fn show(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (group, _) = groups::find_group(&state.app, &actor, &id).await?;
    Ok(Json(group_json(&group, &state.app.instance.external_url)))
}

pub async fn create(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ApiError> {
    let input = CreateGroup {
        name: params.required("name")?,
        path: params.required("path")?,
        parent_id: params.i64("parent_id")?,
        visibility: params.str("visibility"),
        description: params.str("description"),
    };
    let group = groups::create_group(&state.app, &actor, input).await?;
    Ok((StatusCode::CREATED, Json(group_json(&group, &state.app.instance.external_url))).into_response())
}

pub async fn members(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let rows = groups::list_members(&state.app, &actor, &id).await?;
    Ok(Json(Value::Array(members_json(&state, &rows).await?)))
}

pub async fn add_member(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let user_id = params.i64("user_id")?.ok_or_else(|| ApiError::missing("user_id"))?;
    let level = params.i64("access_level")?.ok_or_else(|| ApiError::missing("access_level"))?;
    let member = groups::set_member(&state.app, &actor, &id, user_id, level).await?;
    let body = members_json(&state, std::slice::from_ref(&member)).await?.into_iter().next().unwrap_or(Value::Null);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

pub async fn update_member(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path((id, user_id)): Path<(String, i64)>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let level = params.i64("access_level")?.ok_or_else(|| ApiError::missing("access_level"))?;
    let member = groups::set_member(&state.app, &actor, &id, user_id, level).await?;
    let body = members_json(&state, std::slice::from_ref(&member)).await?.into_iter().next().unwrap_or(Value::Null);
    Ok(Json(body))
}

pub async fn remove_member(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path((id, user_id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    groups::remove_member(&state.app, &actor, &id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
