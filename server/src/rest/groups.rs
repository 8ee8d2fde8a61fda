//! Groups and group members.

use super::params::Params;
use super::users::UserBasic;
use super::{time, ApiError, Caller, Created};
use crate::state::ServerState;
use app::domain::groups::{self, CreateGroup};
use app::domain::users;
use app::store::{MemberRow, NamespaceRow};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct GroupJson {
    id: i64,
    name: String,
    path: String,
    full_path: String,
    full_name: String,
    description: String,
    visibility: String,
    parent_id: Option<i64>,
    avatar_url: Option<String>,
    web_url: String,
    created_at: String,
}

impl GroupJson {
    fn of(group: &NamespaceRow, base: &str) -> Self {
        GroupJson {
            id: group.id,
            name: group.name.clone(),
            path: group.path.clone(),
            full_path: group.full_path.clone(),
            full_name: group.full_path.replace('/', " / "),
            description: group.description.clone(),
            visibility: group.visibility.clone(),
            parent_id: group.parent_id,
            avatar_url: None,
            web_url: format!("{base}/groups/{}", group.full_path),
            created_at: time(group.created_at),
        }
    }
}

/// A member as GitLab lists them: the user plus their level.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MemberJson {
    #[serde(flatten)]
    user: UserBasic,
    access_level: i64,
    created_at: String,
    expires_at: Option<String>,
}

/// Members with their users (one lookup for all of them).
pub async fn members_json(state: &ServerState, members: &[MemberRow]) -> Result<Vec<MemberJson>, ApiError> {
    let ids: Vec<i64> = members.iter().map(|m| m.user_id).collect();
    let people = users::users_by_ids(&state.app, &ids).await?;
    let base = &state.app.instance.external_url;
    Ok(members
        .iter()
        .filter_map(|m| {
            let user = people.iter().find(|u| u.id == m.user_id)?;
            Some(MemberJson {
                user: UserBasic::of(user, base),
                access_level: m.access_level,
                created_at: time(m.created_at),
                expires_at: None,
            })
        })
        .collect())
}

/// One member, as `POST`/`PUT` answer it.
async fn member_json(state: &ServerState, member: &MemberRow) -> Result<MemberJson, ApiError> {
    let found = members_json(state, std::slice::from_ref(member)).await?.into_iter().next();
    Ok(found.ok_or(app::domain::DomainError::NotFound("User"))?)
}

pub async fn list(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Json<Vec<GroupJson>>, ApiError> {
    let page = params.page()?;
    let search = params.str("search")?.unwrap_or_default();
    let found = groups::list_groups(&state.app, &actor, &search, page.per_page, page.offset()).await?;
    let base = &state.app.instance.external_url;
    Ok(Json(found.iter().map(|g| GroupJson::of(g, base)).collect()))
}

pub async fn show(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<GroupJson>, ApiError> {
    let (group, _) = groups::find_group(&state.app, &actor, &id).await?;
    Ok(Json(GroupJson::of(&group, &state.app.instance.external_url)))
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
        visibility: params.str("visibility")?,
        description: params.str("description")?,
    };
    let group = groups::create_group(&state.app, &actor, input).await?;
    Ok(Created(GroupJson::of(&group, &state.app.instance.external_url)).into_response())
}

pub async fn members(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<MemberJson>>, ApiError> {
    let rows = groups::list_members(&state.app, &actor, &id).await?;
    Ok(Json(members_json(&state, &rows).await?))
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
    Ok(Created(member_json(&state, &member).await?).into_response())
}

pub async fn update_member(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path((id, user_id)): Path<(String, i64)>,
    params: Params,
) -> Result<Json<MemberJson>, ApiError> {
    let level = params.i64("access_level")?.ok_or_else(|| ApiError::missing("access_level"))?;
    let member = groups::set_member(&state.app, &actor, &id, user_id, level).await?;
    Ok(Json(member_json(&state, &member).await?))
}

pub async fn remove_member(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path((id, user_id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    groups::remove_member(&state.app, &actor, &id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
