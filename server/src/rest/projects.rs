//! Projects, project members, issues, merge requests, notes and snippets.

use super::groups::members_json;
use super::params::Params;
use super::users::user_basic_json;
use super::{pagination, path_number, time, ApiError, Caller};
use crate::state::ServerState;
use app::domain::projects::{self, CreateProject};
use app::domain::{award_emoji, users};
use app::events::{AwardableKind, AwardableRef};
use app::store::{IssueRow, MergeRequestRow, NoteRow, ProjectRow, SnippetRow, UserRow};
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;

async fn project_json(state: &ServerState, project: &ProjectRow) -> Result<Value, ApiError> {
    let base = &state.app.instance.external_url;
    let ns = projects::namespace_of(&state.app, project).await?;
    Ok(json!({
        "id": project.id,
        "name": project.name,
        "path": project.path,
        "path_with_namespace": project.full_path,
        "name_with_namespace": format!("{} / {}", ns.name, project.name),
        "description": project.description,
        "visibility": project.visibility,
        "default_branch": "main",
        "namespace": { "id": ns.id, "name": ns.name, "path": ns.path, "kind": ns.kind, "full_path": ns.full_path },
        "web_url": format!("{base}/{}", project.full_path),
        "created_at": time(project.created_at),
    }))
}

/// Authors of the rows, for embedding.
async fn people(state: &ServerState, ids: impl Iterator<Item = Option<i64>>) -> Result<Vec<UserRow>, ApiError> {
    let ids: Vec<i64> = ids.flatten().collect();
    Ok(users::users_by_ids(&state.app, &ids).await?)
}

fn author(people: &[UserRow], id: Option<i64>, base: &str) -> Value {
    id.and_then(|id| people.iter().find(|u| u.id == id)).map(|u| user_basic_json(u, base)).unwrap_or(Value::Null)
}

async fn issue_json(state: &ServerState, project: &str, issues: &[IssueRow]) -> Result<Vec<Value>, ApiError> {
    let base = &state.app.instance.external_url;
    let people = people(state, issues.iter().map(|i| i.author_id)).await?;
    let mut out = Vec::with_capacity(issues.len());
    for issue in issues {
        let (up, down) =
            award_emoji::votes(&state.app, AwardableRef { kind: AwardableKind::Issue, id: issue.id }).await?;
        out.push(json!({
            "id": issue.id, "iid": issue.iid, "project_id": issue.project_id,
            "title": issue.title, "description": issue.description, "state": issue.state,
            "author": author(&people, issue.author_id, base), "confidential": issue.confidential,
            "labels": [], "assignees": [],
            "created_at": time(issue.created_at), "updated_at": time(issue.updated_at),
            "upvotes": up, "downvotes": down,
            "web_url": format!("{base}/{project}/-/issues/{}", issue.iid),
        }));
    }
    Ok(out)
}

async fn merge_request_json(
    state: &ServerState,
    project: &str,
    mrs: &[MergeRequestRow],
) -> Result<Vec<Value>, ApiError> {
    let base = &state.app.instance.external_url;
    let people = people(state, mrs.iter().map(|m| m.author_id)).await?;
    let mut out = Vec::with_capacity(mrs.len());
    for mr in mrs {
        let (up, down) =
            award_emoji::votes(&state.app, AwardableRef { kind: AwardableKind::MergeRequest, id: mr.id }).await?;
        out.push(json!({
            "id": mr.id, "iid": mr.iid, "project_id": mr.project_id,
            "title": mr.title, "description": mr.description, "state": mr.state,
            "author": author(&people, mr.author_id, base),
            "source_branch": mr.source_branch, "target_branch": mr.target_branch,
            "created_at": time(mr.created_at), "updated_at": time(mr.updated_at),
            "upvotes": up, "downvotes": down,
            "web_url": format!("{base}/{project}/-/merge_requests/{}", mr.iid),
        }));
    }
    Ok(out)
}

async fn note_json(state: &ServerState, notes: &[NoteRow], noteable_iid: Option<i64>) -> Result<Vec<Value>, ApiError> {
    let base = &state.app.instance.external_url;
    let people = people(state, notes.iter().map(|n| n.author_id)).await?;
    let mut out = Vec::with_capacity(notes.len());
    for note in notes {
        let (up, down) =
            award_emoji::votes(&state.app, AwardableRef { kind: AwardableKind::Note, id: note.id }).await?;
        out.push(json!({
            "id": note.id, "body": note.body, "author": author(&people, note.author_id, base),
            "created_at": time(note.created_at), "updated_at": time(note.updated_at),
            "system": note.system, "noteable_id": note.noteable_id, "noteable_type": note.noteable_type,
            "noteable_iid": noteable_iid, "confidential": note.confidential, "internal": note.confidential,
            "upvotes": up, "downvotes": down,
        }));
    }
    Ok(out)
}

async fn snippet_json(state: &ServerState, project: &str, snippets: &[SnippetRow]) -> Result<Vec<Value>, ApiError> {
    let base = &state.app.instance.external_url;
    let people = people(state, snippets.iter().map(|s| s.author_id)).await?;
    Ok(snippets
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "title": s.title, "file_name": s.file_name, "description": Value::Null,
                "visibility": s.visibility, "author": author(&people, s.author_id, base), "project_id": s.project_id,
                "created_at": time(s.created_at), "updated_at": time(s.updated_at),
                "web_url": format!("{base}/{project}/-/snippets/{}", s.id),
            })
        })
        .collect())
}

fn first(values: Vec<Value>) -> Value {
    values.into_iter().next().unwrap_or(Value::Null)
}

fn created(value: Value) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

pub async fn list(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let page = params.page()?;
    let found = projects::list_projects(&state.app, &actor, page.per_page, page.offset()).await?;
    let mut out = Vec::with_capacity(found.len());
    for project in &found {
        out.push(project_json(&state, project).await?);
    }
    Ok(Json(Value::Array(out)))
}

pub async fn show(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    Ok(Json(project_json(&state, &project).await?))
}

pub async fn create(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ApiError> {
    let name = params.str("name").or_else(|| params.str("path")).ok_or_else(|| ApiError::missing("name"))?;
    let input = CreateProject {
        name,
        path: params.str("path"),
        namespace_id: params.i64("namespace_id")?,
        visibility: params.str("visibility"),
        description: params.str("description"),
    };
    let project = projects::create_project(&state.app, &actor, input).await?;
    Ok(created(project_json(&state, &project).await?))
}

pub async fn members(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let rows = projects::list_project_members(&state.app, &actor, &id).await?;
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
    projects::set_project_member(&state.app, &actor, &id, user_id, level).await?;
    let rows = projects::list_project_members(&state.app, &actor, &id).await?;
    let row: Vec<_> = rows.into_iter().filter(|m| m.user_id == user_id).collect();
    Ok(created(first(members_json(&state, &row).await?)))
}

pub async fn issues(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let page = params.page()?;
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    let rows = projects::list_issues(&state.app, &actor, &id, page.window()).await?.items;
    Ok(Json(Value::Array(issue_json(&state, &project.full_path, &rows).await?)))
}

pub async fn issue(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let (id, iid) = (path.get("id").cloned().unwrap_or_default(), path_number(&path, "issue_iid")?);
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    let row = projects::find_issue(&state.app, &actor, &id, iid).await?;
    Ok(Json(first(issue_json(&state, &project.full_path, &[row]).await?)))
}

pub async fn create_issue(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let title = params.required("title")?;
    let description = params.str("description").unwrap_or_default();
    let confidential = params.bool("confidential")?.unwrap_or(false);
    let row = projects::create_issue(&state.app, &actor, &id, &title, &description, confidential).await?;
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    Ok(created(first(issue_json(&state, &project.full_path, &[row]).await?)))
}

pub async fn merge_requests(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let page = params.page()?;
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    let rows = projects::list_merge_requests(&state.app, &actor, &id, page.window()).await?.items;
    Ok(Json(Value::Array(merge_request_json(&state, &project.full_path, &rows).await?)))
}

pub async fn merge_request(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let (id, iid) = (path.get("id").cloned().unwrap_or_default(), path_number(&path, "merge_request_iid")?);
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    let row = projects::find_merge_request(&state.app, &actor, &id, iid).await?;
    Ok(Json(first(merge_request_json(&state, &project.full_path, &[row]).await?)))
}

pub async fn create_merge_request(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let title = params.required("title")?;
    let source = params.required("source_branch")?;
    let target = params.required("target_branch")?;
    let description = params.str("description").unwrap_or_default();
    let row = projects::create_merge_request(&state.app, &actor, &id, &title, &description, &source, &target).await?;
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    Ok(created(first(merge_request_json(&state, &project.full_path, &[row]).await?)))
}

/// The issue or merge request a notes path names, with its iid.
async fn noteable(
    state: &ServerState,
    actor: &app::domain::Actor,
    path: &HashMap<String, String>,
) -> Result<(AwardableRef, i64), ApiError> {
    let id = path.get("id").ok_or_else(|| ApiError::missing("id"))?;
    let (kind, iid) = match path.contains_key("issue_iid") {
        true => (AwardableKind::Issue, path_number(path, "issue_iid")?),
        false => (AwardableKind::MergeRequest, path_number(path, "merge_request_iid")?),
    };
    let item =
        projects::find_awardable_in_project(&state.app, actor, id, kind, projects::ItemId::Iid(iid), None).await?;
    Ok((item, iid))
}

pub async fn notes(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    uri: OriginalUri,
    params: Params,
) -> Result<Response, ApiError> {
    let page = params.page()?;
    let (item, iid) = noteable(&state, &actor, &path).await?;
    let rows = projects::list_notes(&state.app, &actor, item, page.window()).await?;
    let url = format!("{}{}", state.app.instance.external_url, uri.path());
    Ok(pagination::paginated(note_json(&state, &rows.items, Some(iid)).await?, page, rows.total as i64, &url))
}

pub async fn note(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let (item, iid) = noteable(&state, &actor, &path).await?;
    let note_id = path_number(&path, "note_id")?;
    let note = projects::note_by_id(&state.app, &actor, note_id).await?;
    if (note.noteable_type.as_str(), note.noteable_id) != (item.kind.as_str(), item.id) {
        return Err(app::domain::DomainError::NotFound("Note").into());
    }
    Ok(Json(first(note_json(&state, &[note], Some(iid)).await?)))
}

pub async fn create_note(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    params: Params,
) -> Result<Response, ApiError> {
    let (item, iid) = noteable(&state, &actor, &path).await?;
    let body = params.required("body")?;
    let internal = params.bool("internal")?.or(params.bool("confidential")?).unwrap_or(false);
    let row = projects::create_note(&state.app, &actor, item, &body, internal).await?;
    Ok(created(first(note_json(&state, &[row], Some(iid)).await?)))
}

pub async fn snippets(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    let rows = projects::list_snippets(&state.app, &actor, &id).await?;
    Ok(Json(Value::Array(snippet_json(&state, &project.full_path, &rows).await?)))
}

pub async fn create_snippet(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let title = params.required("title")?;
    let file_name = params.str("file_name").unwrap_or_default();
    let content = params.str("content").or_else(|| params.str("code")).unwrap_or_default();
    let visibility = params.str("visibility");
    let row =
        projects::create_snippet(&state.app, &actor, &id, &title, &file_name, &content, visibility.as_deref()).await?;
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    Ok(created(first(snippet_json(&state, &project.full_path, &[row]).await?)))
}
