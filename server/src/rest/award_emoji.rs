//! Award emoji (spec §5): `/api/v4` with per-project iids and `/api/v3` with
//! global ids, on issues, merge requests, snippets and their notes.

use super::openapi::{Api, Kind, Op};
use super::params::Params;
use super::users::UserBasic;
use super::{pagination, path_number as number, ApiError, Caller, Created};
use crate::state::ServerState;
use app::domain::award_emoji::{self, INVALID_NAME, NAME_TAKEN};
use app::domain::awardable::{ItemId, Target};
use app::domain::{users, Actor, DomainError};
use app::events::AwardableKind;
use app::store::{AwardEmojiRow, UserRow};
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use std::collections::HashMap;

/// The awardable paths under a version prefix, each with `/award_emoji[/{award_id}]`.
fn parents(v3: bool) -> Vec<String> {
    let (issue, mr) = if v3 { ("{issue_id}", "{merge_request_id}") } else { ("{issue_iid}", "{merge_request_iid}") };
    let mut parents = vec![
        format!("/projects/{{id}}/issues/{issue}"),
        format!("/projects/{{id}}/merge_requests/{mr}"),
        format!("/projects/{{id}}/issues/{issue}/notes/{{note_id}}"),
        format!("/projects/{{id}}/merge_requests/{mr}/notes/{{note_id}}"),
    ];
    if !v3 {
        parents.push("/projects/{id}/snippets/{snippet_id}".into());
        parents.push("/projects/{id}/snippets/{snippet_id}/notes/{note_id}".into());
    }
    parents
}

/// v4's award emoji routes, described.
pub fn document(api: Api) -> Api {
    parents(false).into_iter().fold(api, |api, parent| {
        let one = format!("{parent}/award_emoji/{{award_id}}");
        api.get(&format!("{parent}/award_emoji"), list, Op::page::<AwardJson>("Award emoji"))
            .post(
                &format!("{parent}/award_emoji"),
                create,
                Op::one::<AwardJson>("Award an emoji", 201).field(
                    "name",
                    Kind::Str,
                    "The emoji's name, without colons.",
                ),
            )
            .get(&one, show, Op::one::<AwardJson>("One award emoji", 200))
            .delete(&one, delete, Op::nothing("Remove one's own award emoji (`If-Unmodified-Since` honoured)"))
    })
}

/// v3's award emoji routes (global ids; `DELETE` answers with the award).
pub fn routes_v3() -> Router<ServerState> {
    parents(true).into_iter().fold(Router::new(), |router, parent| {
        router
            .route(&format!("{parent}/award_emoji"), get(list).post(create))
            .route(&format!("{parent}/award_emoji/{{award_id}}"), get(show).delete(delete))
    })
}

fn is_v3(uri: &OriginalUri) -> bool {
    uri.path().starts_with("/api/v3/")
}

/// The awardable a path names (resolved, and checked, by the domain).
fn target(path: &HashMap<String, String>, v3: bool) -> Result<Target<'_>, ApiError> {
    let project = path.get("id").ok_or_else(|| ApiError::missing("id"))?;
    let (kind, param) = [
        (AwardableKind::Issue, "issue_iid"),
        (AwardableKind::Issue, "issue_id"),
        (AwardableKind::MergeRequest, "merge_request_iid"),
        (AwardableKind::MergeRequest, "merge_request_id"),
        (AwardableKind::Snippet, "snippet_id"),
    ]
    .into_iter()
    .find(|(_, name)| path.contains_key(*name))
    .ok_or_else(|| ApiError::missing("awardable"))?;
    let n = number(path, param)?;
    let item = if v3 || kind == AwardableKind::Snippet { ItemId::Global(n) } else { ItemId::Iid(n) };
    let note = path.get("note_id").map(|_| number(path, "note_id")).transpose()?;
    Ok(Target::InProject { project, kind, item, note })
}

/// GitLab's award emoji representation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AwardJson {
    id: i64,
    name: String,
    user: Option<UserBasic>,
    created_at: String,
    updated_at: String,
    awardable_id: i64,
    awardable_type: String,
    url: Option<String>,
}

impl AwardJson {
    fn of(award: &AwardEmojiRow, user: Option<&UserRow>, base: &str) -> Self {
        AwardJson {
            id: award.id,
            name: award.name.clone(),
            user: user.map(|u| UserBasic::of(u, base)),
            created_at: super::time(award.created_at),
            updated_at: super::time(award.updated_at),
            awardable_id: award.awardable_id,
            awardable_type: award.awardable_type.clone(),
            url: None,
        }
    }
}

/// One award with its user.
async fn render_one(state: &ServerState, actor: &Actor, award: &AwardEmojiRow) -> Result<AwardJson, ApiError> {
    let found = render(state, actor, std::slice::from_ref(award)).await?.into_iter().next();
    Ok(found.ok_or(DomainError::NotFound("Award Emoji"))?)
}

/// Awards with their users; the caller's own row is at hand, others are loaded.
async fn render(state: &ServerState, actor: &Actor, awards: &[AwardEmojiRow]) -> Result<Vec<AwardJson>, ApiError> {
    let mut people: Vec<UserRow> = actor.user().cloned().into_iter().collect();
    let missing: Vec<i64> = awards.iter().map(|a| a.user_id).filter(|id| Some(*id) != actor.id()).collect();
    if !missing.is_empty() {
        people.extend(users::users_by_ids(&state.app, &missing).await?);
    }
    let base = &state.app.instance.external_url;
    Ok(awards.iter().map(|a| AwardJson::of(a, people.iter().find(|u| u.id == a.user_id), base)).collect())
}

async fn list(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    uri: OriginalUri,
    params: Params,
) -> Result<Response, ApiError> {
    let item = target(&path, is_v3(&uri))?;
    let page = params.page()?;
    let rows = award_emoji::list_award_emoji(&state.app, &actor, item, page.window()).await?;
    let url = super::request_url(&state, &uri);
    Ok(pagination::paginated(render(&state, &actor, &rows.items).await?, page, rows.total as i64, &url))
}

async fn show(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    uri: OriginalUri,
) -> Result<Json<AwardJson>, ApiError> {
    let item = target(&path, is_v3(&uri))?;
    let award = award_emoji::get_award_emoji(&state.app, &actor, item, number(&path, "award_id")?).await?;
    Ok(Json(render_one(&state, &actor, &award).await?))
}

async fn create(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    uri: OriginalUri,
    params: Params,
) -> Result<Response, ApiError> {
    let item = target(&path, is_v3(&uri))?;
    let name = params.required("name")?;
    // GitLab words every refusal here as a 404 about the award.
    let not_found = |what: &str| ApiError::Message(StatusCode::NOT_FOUND, format!("404 Award Emoji {what}Not Found"));
    let change = match award_emoji::add_award_emoji(&state.app, &actor, item, &name).await {
        Ok(change) => change,
        Err(DomainError::Invalid(_)) => return Err(not_found(&format!("{INVALID_NAME} "))),
        Err(DomainError::Conflict(_)) => return Err(not_found(&format!("{NAME_TAKEN} "))),
        Err(DomainError::Forbidden | DomainError::Unauthorized) => return Err(not_found("")),
        Err(other) => return Err(other.into()),
    };
    Ok(Created(render_one(&state, &actor, &change.award).await?).into_response())
}

async fn delete(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let v3 = is_v3(&uri);
    let item = target(&path, v3)?;
    let since = super::unmodified_since(&headers);
    let change = award_emoji::remove_award_emoji(&state.app, &actor, item, number(&path, "award_id")?, since).await?;
    if v3 {
        // v3 answers with the deleted award, as the seed document shows.
        return Ok(Json(render_one(&state, &actor, &change.award).await?).into_response());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
