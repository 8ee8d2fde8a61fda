//! Awardables: what a reaction can sit on (issues, merge requests, snippets,
//! notes), how each surface names one, and loading one the actor may read.
//! Issues and merge requests share one shape, `WorkItemRow`, told apart by
//! their `WorkItemKind`.

use super::facts::{self, Subject};
use super::listing::{self, Listing, Window};
use super::projects::readable_project;
use super::{Actor, AppState, DomainError, DomainResult};
use crate::events::{AwardableKind, AwardableRef, WorkItemKind};
use crate::policy;
use crate::store::{NoteRow, Tx, WorkItemRow};

/// How a path names an issue or merge request: REST v4 uses the per-project iid,
/// v3 the global id. Snippets and notes are always named by global id.
#[derive(Clone, Copy, Debug)]
pub enum ItemId {
    Iid(i64),
    Global(i64),
}

/// Where an awardable is named: by global id (GraphQL, the web app), or as REST
/// names it, by project (id or full path), kind, id or iid, and optional note.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    Global(AwardableRef),
    InProject { project: &'a str, kind: AwardableKind, item: ItemId, note: Option<i64> },
}

impl From<AwardableRef> for Target<'_> {
    fn from(item: AwardableRef) -> Self {
        Target::Global(item)
    }
}

/// Resolves a target the actor may read, inside the caller's transaction.
pub(crate) async fn resolve(
    tx: &mut Tx,
    actor: &Actor,
    target: Target<'_>,
) -> DomainResult<(AwardableRef, facts::Awardable)> {
    let (project, kind, item, note_id) = match target {
        Target::Global(item) => return Ok((item, facts::readable_awardable(tx, actor, item).await?)),
        Target::InProject { project, kind, item, note } => (project, kind, item, note),
    };
    let (project, project_facts) = readable_project(tx, actor, project).await?;
    let in_project = |project_id: i64| project_id == project.id;
    let subject = match (kind.work_item(), kind, item) {
        (Some(work_item), _, ItemId::Iid(iid)) => {
            tx.work_item_by_iid(work_item, project.id, iid).await?.map(Subject::WorkItem)
        }
        (Some(work_item), _, ItemId::Global(id)) => {
            tx.work_item_by_id(work_item, id).await?.filter(|i| in_project(i.project_id)).map(Subject::WorkItem)
        }
        (None, AwardableKind::Snippet, ItemId::Iid(id) | ItemId::Global(id)) => {
            tx.snippet_by_id(id).await?.filter(|s| in_project(s.project_id)).map(Subject::Snippet)
        }
        // A note.
        (None, _, ItemId::Iid(id) | ItemId::Global(id)) => {
            tx.note_by_id(id).await?.filter(|n| in_project(n.project_id)).map(Subject::Note)
        }
    };
    let mut subject = subject.ok_or(DomainError::NotFound(kind.display_name()))?;
    let mut found = AwardableRef { kind, id: subject.id() };
    if let Some(note_id) = note_id {
        let note = tx.note_by_id(note_id).await?;
        let on_item = note.filter(|n| n.noteable_type == kind.as_str() && n.noteable_id == found.id);
        let note = on_item.ok_or(DomainError::NotFound("Note"))?;
        found = AwardableRef { kind: AwardableKind::Note, id: note.id };
        subject = Subject::Note(note);
    }
    // The row is read once: the policy's facts come from it.
    let loaded = facts::readable_subject(tx, actor, (found, subject), Some((&project, project_facts))).await?;
    Ok((found, loaded))
}

/// Resolves an issue, merge request or snippet of a project, and optionally one
/// of its notes, if the actor may read it.
pub async fn find_awardable_in_project(
    app: &AppState,
    actor: &Actor,
    project: &str,
    kind: AwardableKind,
    item: ItemId,
    note: Option<i64>,
) -> DomainResult<AwardableRef> {
    let mut tx = app.store.read().await?;
    Ok(resolve(&mut tx, actor, Target::InProject { project, kind, item, note }).await?.0)
}

/// An issue or merge request by its per-project iid, if the actor may read it.
pub async fn find_work_item(
    app: &AppState,
    actor: &Actor,
    project: &str,
    kind: WorkItemKind,
    iid: i64,
) -> DomainResult<WorkItemRow> {
    let mut tx = app.store.read().await?;
    let target = Target::InProject { project, kind: kind.awardable(), item: ItemId::Iid(iid), note: None };
    let (item, _) = resolve(&mut tx, actor, target).await?;
    tx.work_item_by_id(kind, item.id).await?.ok_or(DomainError::NotFound(item.kind.display_name()))
}

/// An issue or merge request by its global id, if the actor may read it.
pub async fn work_item_by_id(app: &AppState, actor: &Actor, kind: WorkItemKind, id: i64) -> DomainResult<WorkItemRow> {
    let mut tx = app.store.read().await?;
    let item = AwardableRef { kind: kind.awardable(), id };
    facts::readable_awardable(&mut tx, actor, item).await?;
    tx.work_item_by_id(kind, id).await?.ok_or(DomainError::NotFound(item.kind.display_name()))
}

/// A page of a project's issues or merge requests the actor may read, newest
/// first (confidential issues only to those who may see them).
pub async fn list_work_items(
    app: &AppState,
    actor: &Actor,
    project: &str,
    kind: WorkItemKind,
    window: Window,
) -> DomainResult<Listing<WorkItemRow>> {
    let mut tx = app.store.read().await?;
    let (project, facts) = readable_project(&mut tx, actor, project).await?;
    let rule = policy::confidential_listing(&actor.viewer(), &facts);
    let total = listing::count(tx.count_work_items(kind, project.id, &rule).await?);
    let range = window.range(total);
    let (limit, offset) = listing::limit_offset(&range);
    let items = tx.list_work_items(kind, project.id, &rule, limit, offset).await?;
    Ok(Listing { total, start: range.start, items })
}

/// A note by its global id, if the actor may read it (and what it sits on).
pub async fn note_by_id(app: &AppState, actor: &Actor, id: i64) -> DomainResult<NoteRow> {
    let mut tx = app.store.read().await?;
    facts::readable_awardable(&mut tx, actor, AwardableRef { kind: AwardableKind::Note, id }).await?;
    tx.note_by_id(id).await?.ok_or(DomainError::NotFound("Note"))
}
