//! Projects, project members, issues, merge requests, notes and snippets.

use super::groups::{members_json, MemberJson};
use super::params::Params;
use super::users::UserBasic;
use super::{pagination, path_number, time, ApiError, Caller, Created};
use crate::state::ServerState;
use app::domain::award_emoji::{self, Votes};
use app::domain::awardable::{self, ItemId};
use app::domain::projects::{self, CreateProject};
use app::domain::users;
use app::events::{AwardableKind, AwardableRef, WorkItemKind};
use app::store::{NamespaceRow, NoteRow, ProjectRow, SnippetRow, UserRow, WorkItemRow};
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Serialize, utoipa::ToSchema)]
struct NamespaceJson {
    id: i64,
    name: String,
    path: String,
    kind: String,
    full_path: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProjectJson {
    id: i64,
    name: String,
    path: String,
    path_with_namespace: String,
    name_with_namespace: String,
    description: String,
    visibility: String,
    default_branch: &'static str,
    namespace: NamespaceJson,
    web_url: String,
    created_at: String,
}

impl ProjectJson {
    fn of(project: &ProjectRow, ns: NamespaceRow, base: &str) -> Self {
        ProjectJson {
            id: project.id,
            name: project.name.clone(),
            path: project.path.clone(),
            path_with_namespace: project.full_path.clone(),
            name_with_namespace: format!("{} / {}", ns.name, project.name),
            description: project.description.clone(),
            visibility: project.visibility.clone(),
            default_branch: "main",
            namespace: NamespaceJson {
                id: ns.id,
                name: ns.name,
                path: ns.path,
                kind: ns.kind,
                full_path: ns.full_path,
            },
            web_url: format!("{base}/{}", project.full_path),
            created_at: time(project.created_at),
        }
    }
}

async fn project_json(state: &ServerState, project: &ProjectRow) -> Result<ProjectJson, ApiError> {
    let ns = projects::namespace_of(&state.app, project).await?;
    Ok(ProjectJson::of(project, ns, &state.app.instance.external_url))
}

/// The authors of a page of rows, loaded at once, each shown as GitLab embeds users.
struct Authors {
    people: Vec<UserRow>,
    base: String,
}

impl Authors {
    async fn of(state: &ServerState, ids: impl Iterator<Item = Option<i64>>) -> Result<Authors, ApiError> {
        let ids: Vec<i64> = ids.flatten().collect();
        let people = users::users_by_ids(&state.app, &ids).await?;
        Ok(Authors { people, base: state.app.instance.external_url.clone() })
    }
    fn get(&self, id: Option<i64>) -> Option<UserBasic> {
        id.and_then(|id| self.people.iter().find(|u| u.id == id)).map(|u| UserBasic::of(u, &self.base))
    }
}

/// An issue or a merge request, as GitLab's REST API shows them: the same
/// fields, plus those of its kind.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WorkItemJson {
    id: i64,
    iid: i64,
    project_id: i64,
    title: String,
    description: String,
    state: String,
    author: Option<UserBasic>,
    #[serde(flatten)]
    kind: KindFields,
    created_at: String,
    updated_at: String,
    upvotes: i64,
    downvotes: i64,
    web_url: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
enum KindFields {
    Issue { confidential: bool, labels: Vec<String>, assignees: Vec<UserBasic> },
    MergeRequest { source_branch: String, target_branch: String },
}

impl WorkItemJson {
    fn of(row: WorkItemRow, kind: WorkItemKind, author: Option<UserBasic>, votes: Votes, web_url: String) -> Self {
        let kind = match kind {
            WorkItemKind::Issue => {
                KindFields::Issue { confidential: row.confidential, labels: Vec::new(), assignees: Vec::new() }
            }
            WorkItemKind::MergeRequest => KindFields::MergeRequest {
                source_branch: row.source_branch.unwrap_or_default(),
                target_branch: row.target_branch.unwrap_or_default(),
            },
        };
        WorkItemJson {
            id: row.id,
            iid: row.iid,
            project_id: row.project_id,
            title: row.title,
            description: row.description,
            state: row.state,
            author,
            kind,
            created_at: time(row.created_at),
            updated_at: time(row.updated_at),
            upvotes: votes.up,
            downvotes: votes.down,
            web_url,
        }
    }
}

/// A page of issues or merge requests, with their authors and votes loaded
/// once for the page.
async fn work_items_json(
    state: &ServerState,
    project: &str,
    kind: WorkItemKind,
    rows: Vec<WorkItemRow>,
) -> Result<Vec<WorkItemJson>, ApiError> {
    let authors = Authors::of(state, rows.iter().map(|r| r.author_id)).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let votes = award_emoji::votes_of(&state.app, kind.awardable(), &ids).await?;
    let base = &state.app.instance.external_url;
    Ok(rows
        .into_iter()
        .map(|row| {
            let web_url = format!("{base}/{project}/-/{}/{}", kind.segment(), row.iid);
            let votes = votes.get(&row.id).copied().unwrap_or_default();
            let author = authors.get(row.author_id);
            WorkItemJson::of(row, kind, author, votes, web_url)
        })
        .collect())
}

async fn work_item_json(
    state: &ServerState,
    project: &str,
    kind: WorkItemKind,
    row: WorkItemRow,
) -> Result<WorkItemJson, ApiError> {
    let found = work_items_json(state, project, kind, vec![row]).await?.into_iter().next();
    Ok(found.ok_or(app::domain::DomainError::NotFound(kind.awardable().display_name()))?)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct NoteJson {
    id: i64,
    body: String,
    author: Option<UserBasic>,
    created_at: String,
    updated_at: String,
    system: bool,
    noteable_id: i64,
    noteable_type: String,
    noteable_iid: i64,
    confidential: bool,
    internal: bool,
    upvotes: i64,
    downvotes: i64,
}

async fn notes_json(state: &ServerState, notes: Vec<NoteRow>, noteable_iid: i64) -> Result<Vec<NoteJson>, ApiError> {
    let authors = Authors::of(state, notes.iter().map(|n| n.author_id)).await?;
    let ids: Vec<i64> = notes.iter().map(|n| n.id).collect();
    let votes = award_emoji::votes_of(&state.app, AwardableKind::Note, &ids).await?;
    Ok(notes
        .into_iter()
        .map(|note| {
            let v = votes.get(&note.id).copied().unwrap_or_default();
            NoteJson {
                id: note.id,
                author: authors.get(note.author_id),
                created_at: time(note.created_at),
                updated_at: time(note.updated_at),
                system: note.system,
                noteable_id: note.noteable_id,
                noteable_type: note.noteable_type,
                noteable_iid,
                confidential: note.confidential,
                internal: note.confidential,
                upvotes: v.up,
                downvotes: v.down,
                body: note.body,
            }
        })
        .collect())
}

async fn note_json(state: &ServerState, note: NoteRow, noteable_iid: i64) -> Result<NoteJson, ApiError> {
    let found = notes_json(state, vec![note], noteable_iid).await?.into_iter().next();
    Ok(found.ok_or(app::domain::DomainError::NotFound("Note"))?)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SnippetJson {
    id: i64,
    title: String,
    file_name: String,
    description: Option<String>,
    visibility: String,
    author: Option<UserBasic>,
    project_id: i64,
    created_at: String,
    updated_at: String,
    web_url: String,
}

async fn snippets_json(
    state: &ServerState,
    project: &str,
    rows: Vec<SnippetRow>,
) -> Result<Vec<SnippetJson>, ApiError> {
    let authors = Authors::of(state, rows.iter().map(|s| s.author_id)).await?;
    let base = &state.app.instance.external_url;
    Ok(rows
        .into_iter()
        .map(|s| SnippetJson {
            id: s.id,
            web_url: format!("{base}/{project}/-/snippets/{}", s.id),
            title: s.title,
            file_name: s.file_name,
            description: None,
            visibility: s.visibility,
            author: authors.get(s.author_id),
            project_id: s.project_id,
            created_at: time(s.created_at),
            updated_at: time(s.updated_at),
        })
        .collect())
}

pub async fn list(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Json<Vec<ProjectJson>>, ApiError> {
    let page = params.page()?;
    let found = projects::list_projects(&state.app, &actor, page.per_page, page.offset()).await?;
    let mut out = Vec::with_capacity(found.len());
    for project in &found {
        out.push(project_json(&state, project).await?);
    }
    Ok(Json(out))
}

pub async fn show(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<ProjectJson>, ApiError> {
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    Ok(Json(project_json(&state, &project).await?))
}

pub async fn create(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ApiError> {
    let path = params.str("path")?;
    let name = params.str("name")?.or_else(|| path.clone()).ok_or_else(|| ApiError::missing("name"))?;
    let input = CreateProject {
        name,
        path,
        namespace_id: params.i64("namespace_id")?,
        visibility: params.str("visibility")?,
        description: params.str("description")?,
    };
    let project = projects::create_project(&state.app, &actor, input).await?;
    Ok(Created(project_json(&state, &project).await?).into_response())
}

pub async fn members(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<MemberJson>>, ApiError> {
    let rows = projects::list_project_members(&state.app, &actor, &id).await?;
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
    projects::set_project_member(&state.app, &actor, &id, user_id, level).await?;
    let rows = projects::list_project_members(&state.app, &actor, &id).await?;
    let row: Vec<_> = rows.into_iter().filter(|m| m.user_id == user_id).collect();
    let member = members_json(&state, &row).await?.into_iter().next();
    Ok(Created(member.ok_or(app::domain::DomainError::NotFound("User"))?).into_response())
}

/// Which work items a route serves: `/issues/:issue_iid` or
/// `/merge_requests/:merge_request_iid`.
pub trait Kind {
    const KIND: WorkItemKind;
    /// The name of the iid in the route's path.
    const IID: &'static str;
}

pub struct Issues;
impl Kind for Issues {
    const KIND: WorkItemKind = WorkItemKind::Issue;
    const IID: &'static str = "issue_iid";
}

pub struct MergeRequests;
impl Kind for MergeRequests {
    const KIND: WorkItemKind = WorkItemKind::MergeRequest;
    const IID: &'static str = "merge_request_iid";
}

/// A page of a project's issues or merge requests, newest first.
pub async fn work_items<K: Kind>(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    uri: OriginalUri,
    params: Params,
) -> Result<Response, ApiError> {
    let page = params.page()?;
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    let rows = awardable::list_work_items(&state.app, &actor, &id, K::KIND, page.window()).await?;
    let items = work_items_json(&state, &project.full_path, K::KIND, rows.items).await?;
    let url = super::request_url(&state, &uri);
    Ok(pagination::paginated(items, page, rows.total as i64, &url))
}

/// One issue or merge request by its iid.
pub async fn work_item<K: Kind>(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<Json<WorkItemJson>, ApiError> {
    let (id, iid) = (path.get("id").cloned().unwrap_or_default(), path_number(&path, K::IID)?);
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    let row = awardable::find_work_item(&state.app, &actor, &id, K::KIND, iid).await?;
    Ok(Json(work_item_json(&state, &project.full_path, K::KIND, row).await?))
}

pub async fn create_issue(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let title = params.required("title")?;
    let description = params.str("description")?.unwrap_or_default();
    let confidential = params.bool("confidential")?.unwrap_or(false);
    let row = projects::create_issue(&state.app, &actor, &id, &title, &description, confidential).await?;
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    Ok(Created(work_item_json(&state, &project.full_path, WorkItemKind::Issue, row).await?).into_response())
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
    let description = params.str("description")?.unwrap_or_default();
    let row = projects::create_merge_request(&state.app, &actor, &id, &title, &description, &source, &target).await?;
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    Ok(Created(work_item_json(&state, &project.full_path, WorkItemKind::MergeRequest, row).await?).into_response())
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
    let item = awardable::find_awardable_in_project(&state.app, actor, id, kind, ItemId::Iid(iid), None).await?;
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
    let rows = projects::list_notes(&state.app, &actor, item, projects::NoteKinds::All, page.window()).await?;
    let url = super::request_url(&state, &uri);
    Ok(pagination::paginated(notes_json(&state, rows.items, iid).await?, page, rows.total as i64, &url))
}

pub async fn note(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<Json<NoteJson>, ApiError> {
    let (item, iid) = noteable(&state, &actor, &path).await?;
    let note_id = path_number(&path, "note_id")?;
    let note = awardable::note_by_id(&state.app, &actor, note_id).await?;
    if (note.noteable_type.as_str(), note.noteable_id) != (item.kind.as_str(), item.id) {
        return Err(app::domain::DomainError::NotFound("Note").into());
    }
    Ok(Json(note_json(&state, note, iid).await?))
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
    Ok(Created(note_json(&state, row, iid).await?).into_response())
}

pub async fn snippets(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<SnippetJson>>, ApiError> {
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    let rows = projects::list_snippets(&state.app, &actor, &id).await?;
    Ok(Json(snippets_json(&state, &project.full_path, rows).await?))
}

pub async fn create_snippet(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let title = params.required("title")?;
    let file_name = params.str("file_name")?.unwrap_or_default();
    let code = params.str("code")?;
    let content = params.str("content")?.or(code).unwrap_or_default();
    let visibility = params.str("visibility")?;
    let row =
        projects::create_snippet(&state.app, &actor, &id, &title, &file_name, &content, visibility.as_deref()).await?;
    let (project, _) = projects::find_project(&state.app, &actor, &id).await?;
    let found = snippets_json(&state, &project.full_path, vec![row]).await?.into_iter().next();
    Ok(Created(found.ok_or(app::domain::DomainError::NotFound("Snippet"))?).into_response())
}
