//! Loads what the policy needs to know about a subject, for one actor.

use super::{Actor, DomainError, DomainResult};
use crate::events::{AwardableKind, AwardableRef};
use crate::policy::{AccessLevel, AwardableFacts, GroupFacts, ProfileFacts, ProjectFacts, Visibility};
use crate::store::{
    NamespaceRow, NoteRow, ProjectAccessRow, ProjectKey, ProjectRow, SnippetRow, Tx, UserRow, WorkItemRow,
};

pub const ACHIEVEMENTS_FLAG: &str = "achievements";

fn visibility(s: &str) -> Visibility {
    Visibility::parse(s).unwrap_or(Visibility::Private)
}

/// The actor's effective level in a namespace: inherited group membership, or
/// Owner of their own personal namespace.
pub(crate) async fn namespace_access(
    tx: &mut Tx,
    actor: &Actor,
    ns: &NamespaceRow,
) -> DomainResult<Option<AccessLevel>> {
    let Some(user_id) = actor.id() else { return Ok(None) };
    if let Some(access) = user_namespace_access(&ns.kind, ns.owner_id, user_id) {
        return Ok(access);
    }
    Ok(tx.group_access_level(ns.id, user_id).await?.and_then(AccessLevel::from_i64))
}

/// A user's namespace gives its owner `Owner` and nobody else anything.
/// `None` for a group's, where their memberships decide.
fn user_namespace_access(kind: &str, owner_id: Option<i64>, user_id: i64) -> Option<Option<AccessLevel>> {
    (kind == "user").then(|| (owner_id == Some(user_id)).then_some(AccessLevel::Owner))
}

pub(crate) async fn group_facts(tx: &mut Tx, actor: &Actor, ns: &NamespaceRow) -> DomainResult<GroupFacts> {
    Ok(GroupFacts {
        visibility: visibility(&ns.visibility),
        access: namespace_access(tx, actor, ns).await?,
        achievements_enabled: achievements_enabled(tx, ns).await?,
    })
}

/// The `achievements` feature flag for a group (product decision: on unless
/// an admin switched it off).
pub(crate) async fn achievements_enabled(tx: &mut Tx, ns: &NamespaceRow) -> DomainResult<bool> {
    Ok(tx.feature_flag(ACHIEVEMENTS_FLAG, Some(ns.id)).await?.unwrap_or(true))
}

pub(crate) fn profile_facts(user: &UserRow) -> ProfileFacts {
    ProfileFacts {
        user_id: user.id,
        private_profile: user.private_profile,
        blocked: user.is_blocked(),
        achievements_enabled: user.achievements_enabled,
    }
}

pub(crate) async fn project_facts(tx: &mut Tx, actor: &Actor, project: &ProjectRow) -> DomainResult<ProjectFacts> {
    let access = match actor.id() {
        Some(user_id) => {
            let row = tx.project_with_access(ProjectKey::Id(project.id), user_id).await?;
            row.and_then(|(_, row)| project_access(&row, user_id))
        }
        None => None,
    };
    Ok(ProjectFacts { visibility: visibility(&project.visibility), access })
}

/// A project found by `key`, and the actor's facts about it, in one statement.
pub(crate) async fn project_and_facts(
    tx: &mut Tx,
    actor: &Actor,
    key: ProjectKey<'_>,
) -> DomainResult<Option<(ProjectRow, ProjectFacts)>> {
    let found = match actor.id() {
        Some(user_id) => {
            tx.project_with_access(key, user_id).await?.map(|(project, row)| (project, project_access(&row, user_id)))
        }
        None => tx.project(key).await?.map(|project| (project, None)),
    };
    Ok(found.map(|(project, access)| {
        let facts = ProjectFacts { visibility: visibility(&project.visibility), access };
        (project, facts)
    }))
}

/// A user's level in a project: their own membership, or what its namespace
/// gives (as [`namespace_access`]), whichever is higher.
fn project_access(row: &ProjectAccessRow, user_id: i64) -> Option<AccessLevel> {
    let direct = row.direct.and_then(AccessLevel::from_i64);
    let inherited = row.namespace_kind.as_deref().and_then(|kind| {
        user_namespace_access(kind, row.namespace_owner_id, user_id)
            .unwrap_or_else(|| row.group_level.and_then(AccessLevel::from_i64))
    });
    direct.max(inherited)
}

/// An awardable, resolved: its project and what the policy needs about it.
pub(crate) struct Awardable {
    pub project: ProjectRow,
    pub facts: AwardableFacts,
}

/// An awardable's own row, once loaded.
pub(crate) enum Subject {
    WorkItem(WorkItemRow),
    Snippet(SnippetRow),
    Note(NoteRow),
}

impl Subject {
    /// Loads an issue, merge request, snippet or note by global id. `NotFound`
    /// names the kind as GitLab does ("Issue", "Merge Request", "Snippet", "Note").
    async fn load(tx: &mut Tx, item: AwardableRef) -> DomainResult<Subject> {
        let found = match (item.kind, item.kind.work_item()) {
            (_, Some(kind)) => tx.work_item_by_id(kind, item.id).await?.map(Subject::WorkItem),
            (AwardableKind::Snippet, None) => tx.snippet_by_id(item.id).await?.map(Subject::Snippet),
            (_, None) => tx.note_by_id(item.id).await?.map(Subject::Note),
        };
        found.ok_or(DomainError::NotFound(item.kind.display_name()))
    }

    pub fn id(&self) -> i64 {
        match self {
            Subject::WorkItem(row) => row.id,
            Subject::Snippet(row) => row.id,
            Subject::Note(row) => row.id,
        }
    }
}

/// Loads an issue, merge request, snippet or note by global id (see [`Subject::load`]).
pub(crate) async fn awardable(tx: &mut Tx, actor: &Actor, item: AwardableRef) -> DomainResult<Awardable> {
    awardable_in(tx, actor, item, None).await
}

/// As [`awardable`], reusing a project (and the actor's facts on it) the caller
/// has already loaded when the item turns out to live there.
pub(crate) async fn awardable_in(
    tx: &mut Tx,
    actor: &Actor,
    item: AwardableRef,
    known: Option<(&ProjectRow, ProjectFacts)>,
) -> DomainResult<Awardable> {
    let subject = Subject::load(tx, item).await?;
    awardable_of(tx, actor, subject, known).await
}

/// What the policy needs about an awardable whose row is already loaded.
async fn awardable_of(
    tx: &mut Tx,
    actor: &Actor,
    subject: Subject,
    known: Option<(&ProjectRow, ProjectFacts)>,
) -> DomainResult<Awardable> {
    let (project_id, author_id, confidential, snippet_visibility, system_note) = match subject {
        Subject::WorkItem(row) => (row.project_id, row.author_id, row.confidential, None, false),
        Subject::Snippet(snippet) => {
            (snippet.project_id, snippet.author_id, false, Some(visibility(&snippet.visibility)), false)
        }
        Subject::Note(note) => {
            // A note is as visible as what it sits on, and may be internal itself.
            let parent = AwardableRef {
                kind: AwardableKind::parse(&note.noteable_type).unwrap_or(AwardableKind::Issue),
                id: note.noteable_id,
            };
            let parent =
                Box::pin(awardable_in(tx, actor, parent, known)).await.map_err(|_| DomainError::NotFound("Note"))?;
            let facts = note_facts(&parent, &note);
            return Ok(Awardable { project: parent.project, facts });
        }
    };
    let (project, project_facts) = match known {
        Some((project, facts)) if project.id == project_id => (project.clone(), facts),
        _ => project_and_facts(tx, actor, ProjectKey::Id(project_id)).await?.ok_or(DomainError::NotFound("Project"))?,
    };
    Ok(Awardable {
        project,
        facts: AwardableFacts { project: project_facts, author_id, confidential, snippet_visibility, system_note },
    })
}

/// What decides access to `note`, a comment on `parent`: as visible as what
/// it sits on, and it may be internal itself.
pub(crate) fn note_facts(parent: &Awardable, note: &NoteRow) -> AwardableFacts {
    AwardableFacts {
        author_id: note.author_id,
        confidential: parent.facts.confidential || note.confidential,
        system_note: note.system,
        ..parent.facts
    }
}

/// Loads an awardable and checks the actor may read it; unreadable reads as missing.
pub(crate) async fn readable_awardable(tx: &mut Tx, actor: &Actor, item: AwardableRef) -> DomainResult<Awardable> {
    readable_awardable_in(tx, actor, item, None).await
}

/// As [`readable_awardable`], reusing a project (and the actor's facts on it)
/// the caller has already loaded, as [`awardable_in`] does.
pub(crate) async fn readable_awardable_in(
    tx: &mut Tx,
    actor: &Actor,
    item: AwardableRef,
    known: Option<(&ProjectRow, ProjectFacts)>,
) -> DomainResult<Awardable> {
    let subject = Subject::load(tx, item).await?;
    readable_subject(tx, actor, (item, subject), known).await
}

/// As [`readable_awardable`], for an awardable whose row the caller has
/// loaded (`item` names it), reusing a project as [`awardable_in`] does.
pub(crate) async fn readable_subject(
    tx: &mut Tx,
    actor: &Actor,
    (item, subject): (AwardableRef, Subject),
    known: Option<(&ProjectRow, ProjectFacts)>,
) -> DomainResult<Awardable> {
    let loaded = awardable_of(tx, actor, subject, known).await?;
    if !crate::policy::read_awardable(&actor.viewer(), &loaded.facts) {
        return Err(DomainError::NotFound(item.kind.display_name()));
    }
    Ok(loaded)
}
