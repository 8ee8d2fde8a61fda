//! Projects and their content: issues, merge requests, snippets, notes.

use super::award_rules::{self, Activity};
use super::groups::parse_visibility;
use super::listing::{self, Listing, Window};
use super::users::{reserved_project_path, valid_path};
use super::{audit, facts, Actor, AppState, DomainError, DomainResult};
use crate::events::{AwardableKind, AwardableRef, Event};
use crate::policy::{self, AccessLevel, ProjectFacts, Visibility};
use crate::store::{MemberRow, NewNote, NewProject, NoteRow, ProjectKey, ProjectRow, SnippetRow, Tx, WorkItemRow};
use std::collections::HashMap;

pub struct CreateProject {
    pub name: String,
    pub path: Option<String>,
    pub namespace_id: Option<i64>,
    pub visibility: Option<String>,
    pub description: Option<String>,
}

/// Creates a project in a group (Developer+) or the actor's personal namespace.
pub async fn create_project(app: &AppState, actor: &Actor, input: CreateProject) -> DomainResult<ProjectRow> {
    let user = actor.require_user()?;
    let path = input.path.clone().unwrap_or_else(|| slug(&input.name));
    let mut errors = super::text::one_line_field("Name", &input.name, 255);
    errors.extend(super::text::too_long("Description", input.description.as_deref(), MAX_PROJECT_DESCRIPTION));
    if !valid_path(&path) {
        errors.push(format!("Path {}", super::text::PATH_RULE));
    } else if reserved_project_path(&path) {
        errors.push(format!("Path {path} is a reserved name"));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let visibility = parse_visibility(input.visibility.as_deref(), Visibility::Private)?;
    let mut tx = app.store.write().await?;
    let namespace = match input.namespace_id {
        Some(id) => tx.namespace_by_id(id).await?.ok_or(DomainError::NotFound("Namespace"))?,
        None => tx.personal_namespace(user.id).await?.ok_or(DomainError::NotFound("Namespace"))?,
    };
    let group_facts = facts::group_facts(&mut tx, actor, &namespace).await?;
    if !policy::create_project_in_group(&actor.viewer(), &group_facts) {
        return Err(if policy::read_group(&actor.viewer(), &group_facts) {
            DomainError::Forbidden
        } else {
            DomainError::NotFound("Namespace")
        });
    }
    if !policy::visibility_within(visibility, group_facts.visibility) {
        return Err(DomainError::invalid(format!(
            "Visibility level {} is not allowed in a {} group.",
            visibility.as_str(),
            group_facts.visibility.as_str()
        )));
    }
    let full_path = format!("{}/{}", namespace.full_path, path);
    if tx.project_by_full_path(&full_path).await?.is_some() {
        return Err(DomainError::Conflict("Path has already been taken".into()));
    }
    let project = tx
        .insert_project(NewProject {
            namespace_id: namespace.id,
            name: input.name.trim(),
            path: &path,
            full_path: &full_path,
            visibility: visibility.as_str(),
            description: input.description.as_deref().unwrap_or(""),
            creator_id: user.id,
        })
        .await
        .map_err(DomainError::path_taken)?;
    audit(&mut tx, actor, "project_created", "Project", project.id, serde_json::json!({ "full_path": full_path }))
        .await?;
    app.commit(tx).await?;
    Ok(project)
}

/// A URL-safe path from a name ("My Project" → "my-project").
fn slug(name: &str) -> String {
    let raw: String = name
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '.' { c.to_ascii_lowercase() } else { '-' })
        .collect();
    raw.split('-').filter(|part| !part.is_empty()).collect::<Vec<_>>().join("-")
}

/// Resolves a project by numeric id or full path, if the actor may read it.
pub(crate) async fn readable_project(
    tx: &mut Tx,
    actor: &Actor,
    id_or_path: &str,
) -> DomainResult<(ProjectRow, ProjectFacts)> {
    let key = match id_or_path.parse::<i64>() {
        Ok(id) => ProjectKey::Id(id),
        Err(_) => ProjectKey::FullPath(id_or_path),
    };
    let found = facts::project_and_facts(tx, actor, key).await?;
    let (project, facts) = found.ok_or(DomainError::NotFound("Project"))?;
    if !policy::read_project(&actor.viewer(), &facts) {
        return Err(DomainError::NotFound("Project"));
    }
    Ok((project, facts))
}

pub async fn find_project(app: &AppState, actor: &Actor, id_or_path: &str) -> DomainResult<(ProjectRow, ProjectFacts)> {
    let mut tx = app.store.read().await?;
    readable_project(&mut tx, actor, id_or_path).await
}

/// Projects the actor may read, by id.
pub async fn list_projects(app: &AppState, actor: &Actor, limit: i64, offset: i64) -> DomainResult<Vec<ProjectRow>> {
    let mut tx = app.store.read().await?;
    let mut out = Vec::new();
    for project in tx.list_projects(limit, offset).await? {
        let facts = facts::project_facts(&mut tx, actor, &project).await?;
        if policy::read_project(&actor.viewer(), &facts) {
            out.push(project);
        }
    }
    Ok(out)
}

pub async fn set_project_member(
    app: &AppState,
    actor: &Actor,
    project: &str,
    user_id: i64,
    level: i64,
) -> DomainResult<()> {
    let level =
        AccessLevel::from_i64(level).ok_or_else(|| DomainError::invalid("Access level is not included in the list"))?;
    let mut tx = app.store.write().await?;
    let (project, facts) = readable_project(&mut tx, actor, project).await?;
    let current = tx.project_member(project.id, user_id).await?;
    let current_level = current.and_then(|m| AccessLevel::from_i64(m.access_level));
    if !policy::admin_project_member(&actor.viewer(), &facts, level.max(current_level.unwrap_or(level))) {
        return Err(DomainError::Forbidden);
    }
    tx.user_by_id(user_id).await?.ok_or(DomainError::NotFound("User"))?;
    tx.upsert_project_member(project.id, user_id, level as i64).await?;
    audit(
        &mut tx,
        actor,
        "member_set",
        "Project",
        project.id,
        serde_json::json!({ "user_id": user_id, "access_level": level as i64 }),
    )
    .await?;
    app.publish(&mut tx, Event::AccessChanged { user_id }).await?;
    app.commit(tx).await
}

pub async fn list_project_members(app: &AppState, actor: &Actor, project: &str) -> DomainResult<Vec<MemberRow>> {
    let mut tx = app.store.read().await?;
    let (project, _) = readable_project(&mut tx, actor, project).await?;
    Ok(tx.list_project_members(project.id).await?)
}

/// GitLab's limits on what people write (characters).
const MAX_DESCRIPTION: usize = 1_048_576;
const MAX_NOTE: usize = 1_000_000;
const MAX_PROJECT_DESCRIPTION: usize = 2_000;

/// A title and a long text (a description, a snippet's content): GitLab's messages.
fn validate_text(title: &str, (field, text): (&str, &str)) -> DomainResult<()> {
    let mut errors = super::text::one_line_field("Title", title, 255);
    errors.extend(super::text::too_long(field, Some(text), MAX_DESCRIPTION));
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

pub async fn create_issue(
    app: &AppState,
    actor: &Actor,
    project: &str,
    title: &str,
    description: &str,
    confidential: bool,
) -> DomainResult<WorkItemRow> {
    let user = actor.require_user()?;
    super::limits::check_created(app, "issues", user)?;
    validate_text(title, ("Description", description))?;
    let mut tx = app.store.write().await?;
    let (project, facts) = readable_project(&mut tx, actor, project).await?;
    if !policy::create_issue(&actor.viewer(), &facts) {
        return Err(DomainError::Forbidden);
    }
    let issue = tx.insert_issue(project.id, title.trim(), description, user.id, confidential).await?;
    audit(&mut tx, actor, "issue_created", "Issue", issue.id, serde_json::json!({ "iid": issue.iid })).await?;
    let activity = Activity::Opened { kind: AwardableKind::Issue, author: user.id };
    award_rules::on_activity(app, &mut tx, project.namespace_id, activity).await?;
    app.commit(tx).await?;
    Ok(issue)
}

pub async fn create_merge_request(
    app: &AppState,
    actor: &Actor,
    project: &str,
    title: &str,
    description: &str,
    source_branch: &str,
    target_branch: &str,
) -> DomainResult<WorkItemRow> {
    let user = actor.require_user()?;
    validate_text(title, ("Description", description))?;
    if source_branch.trim().is_empty() || target_branch.trim().is_empty() {
        return Err(DomainError::invalid("Source branch and target branch can't be blank"));
    }
    let branches = [("Source branch", source_branch), ("Target branch", target_branch)];
    let errors: Vec<String> =
        branches.iter().filter_map(|(field, branch)| super::text::too_long(field, Some(branch), 255)).collect();
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    if source_branch == target_branch {
        return Err(DomainError::invalid("Validate branches You can't use same project/branch for source and target"));
    }
    let mut tx = app.store.write().await?;
    let (project, facts) = readable_project(&mut tx, actor, project).await?;
    if !policy::create_merge_request(&actor.viewer(), &facts) {
        return Err(DomainError::Forbidden);
    }
    let mr =
        tx.insert_merge_request(project.id, title.trim(), description, user.id, source_branch, target_branch).await?;
    audit(&mut tx, actor, "merge_request_created", "MergeRequest", mr.id, serde_json::json!({ "iid": mr.iid })).await?;
    let activity = Activity::Opened { kind: AwardableKind::MergeRequest, author: user.id };
    award_rules::on_activity(app, &mut tx, project.namespace_id, activity).await?;
    app.commit(tx).await?;
    Ok(mr)
}

pub async fn create_snippet(
    app: &AppState,
    actor: &Actor,
    project: &str,
    title: &str,
    file_name: &str,
    content: &str,
    visibility: Option<&str>,
) -> DomainResult<SnippetRow> {
    let user = actor.require_user()?;
    validate_text(title, ("Content", content))?;
    if let Some(problem) = super::text::too_long("File name", Some(file_name), 255) {
        return Err(DomainError::invalid(problem));
    }
    let mut tx = app.store.write().await?;
    let (project, facts) = readable_project(&mut tx, actor, project).await?;
    let visibility =
        parse_visibility(visibility, Visibility::parse(&project.visibility).unwrap_or(Visibility::Private))?;
    if !policy::create_snippet(&actor.viewer(), &facts) {
        return Err(DomainError::Forbidden);
    }
    let snippet = tx.insert_snippet(project.id, title.trim(), file_name, content, visibility.as_str(), user.id).await?;
    audit(&mut tx, actor, "snippet_created", "Snippet", snippet.id, serde_json::json!({})).await?;
    app.commit(tx).await?;
    Ok(snippet)
}

/// Comments on an issue, merge request or snippet.
pub async fn create_note(
    app: &AppState,
    actor: &Actor,
    on: AwardableRef,
    body: &str,
    confidential: bool,
) -> DomainResult<NoteRow> {
    let user = actor.require_user()?;
    super::limits::check_created(app, "notes", user)?;
    if body.trim().is_empty() {
        return Err(DomainError::invalid("Note can't be blank"));
    }
    if let Some(problem) = super::text::too_long("Note", Some(body), MAX_NOTE) {
        return Err(DomainError::invalid(problem));
    }
    if on.kind == AwardableKind::Note {
        return Err(DomainError::invalid("Noteable type is not included in the list"));
    }
    let mut tx = app.store.write().await?;
    let item = facts::awardable(&mut tx, actor, on).await?;
    if !policy::read_awardable(&actor.viewer(), &item.facts) {
        return Err(DomainError::NotFound(on.kind.display_name()));
    }
    if !policy::create_note(&actor.viewer(), &item.facts, confidential) {
        return Err(DomainError::Forbidden);
    }
    let note = tx
        .insert_note(NewNote {
            project_id: item.project.id,
            noteable_type: on.kind.as_str(),
            noteable_id: on.id,
            author_id: user.id,
            body,
            system: false,
            confidential,
        })
        .await?;
    audit(&mut tx, actor, "note_created", "Note", note.id, serde_json::json!({})).await?;
    let activity = Activity::Opened { kind: AwardableKind::Note, author: user.id };
    award_rules::on_activity(app, &mut tx, item.project.namespace_id, activity).await?;
    app.commit(tx).await?;
    Ok(note)
}

/// A page of the notes the actor may read on an awardable, oldest first
/// Which notes a listing shows: GitLab's `ALL_NOTES`, `ONLY_COMMENTS` (what
/// people wrote) and `ONLY_ACTIVITY` (system notes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NoteKinds {
    #[default]
    All,
    Comments,
    Activity,
}

impl NoteKinds {
    /// The `system` flag the listed notes have, if only one kind is listed.
    fn system(self) -> Option<bool> {
        match self {
            NoteKinds::All => None,
            NoteKinds::Comments => Some(false),
            NoteKinds::Activity => Some(true),
        }
    }
}

/// (internal ones need Reporter+ or authorship).
pub async fn list_notes(
    app: &AppState,
    actor: &Actor,
    on: AwardableRef,
    kinds: NoteKinds,
    window: Window,
) -> DomainResult<Listing<NoteRow>> {
    let mut tx = app.store.read().await?;
    let item = facts::readable_awardable(&mut tx, actor, on).await?;
    let rule = policy::confidential_listing(&actor.viewer(), &item.facts.project);
    let system = kinds.system();
    let total = listing::count(tx.count_notes(on.kind.as_str(), on.id, &rule, system).await?);
    let range = window.range(total);
    let (limit, offset) = listing::limit_offset(&range);
    let items = tx.list_notes(on.kind.as_str(), on.id, &rule, system, limit, offset).await?;
    Ok(Listing { total, start: range.start, items })
}

/// What a live viewer of `item`'s page may watch: the item (or its refusal,
/// as for reading it), then, on an issue or merge request, each comment the
/// actor may read, in one read transaction and without the comments' text.
pub async fn watchable(app: &AppState, actor: &Actor, item: AwardableRef) -> DomainResult<Vec<AwardableRef>> {
    let mut tx = app.store.read().await?;
    watchable_in(&mut tx, actor, item, &mut None).await
}

/// [`watchable`] for each of `asked` (pages that viewers, whoever they are,
/// open at the same moment), in one read transaction: the issues and merge
/// requests in one statement per kind, their comments in one per kind and
/// listing rule. A viewer's facts on a project are read once for a run of that
/// viewer's items in it, and never serve another viewer. Each answer, in
/// order; `Err` only when the read itself failed.
pub async fn watchable_each(
    app: &AppState,
    asked: &[(Actor, AwardableRef)],
) -> DomainResult<Vec<DomainResult<Vec<AwardableRef>>>> {
    let mut tx = app.store.read().await?;
    let rows = work_items_of(&mut tx, asked).await?;
    // Per viewer: the project of their last item, and their facts on it.
    let mut known: Vec<(policy::Viewer, Option<(ProjectRow, ProjectFacts)>)> = Vec::new();
    let mut answers: Vec<DomainResult<Vec<AwardableRef>>> = Vec::with_capacity(asked.len());
    // The readable issues and merge requests, by kind and the rule their
    // comments are listed by: each one's answer (by place) and id.
    type Answered = Vec<(usize, i64)>;
    let mut commented: Vec<((AwardableKind, policy::ConfidentialListing), Answered)> = Vec::new();
    for (actor, item) in asked {
        let viewer = actor.viewer();
        let at = known.iter().position(|(v, _)| *v == viewer).unwrap_or_else(|| {
            known.push((viewer, None));
            known.len() - 1
        });
        let reuse = known[at].1.as_ref().map(|(project, facts)| (project, *facts));
        let loaded = match (item.kind.work_item(), rows.get(item)) {
            (Some(_), Some(row)) => {
                facts::readable_subject(&mut tx, actor, (*item, facts::Subject::WorkItem(row.clone())), reuse).await
            }
            (Some(_), None) => Err(DomainError::NotFound(item.kind.display_name())),
            (None, _) => facts::readable_awardable_in(&mut tx, actor, *item, reuse).await,
        };
        match loaded {
            Err(failed) if failed.is_internal() => return Err(failed),
            Err(refused) => answers.push(Err(refused)),
            Ok(loaded) => {
                if item.kind.work_item().is_some() {
                    let key = (item.kind, policy::confidential_listing(&viewer, &loaded.facts.project));
                    let answer = (answers.len(), item.id);
                    match commented.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, answered)) => answered.push(answer),
                        None => commented.push((key, vec![answer])),
                    }
                }
                known[at].1 = Some((loaded.project, loaded.facts.project));
                answers.push(Ok(vec![*item]));
            }
        }
    }
    // Their comments: one read for each kind and rule.
    for ((kind, rule), answered) in commented {
        let mut ids: Vec<i64> = answered.iter().map(|&(_, id)| id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut notes: HashMap<i64, Vec<AwardableRef>> = HashMap::new();
        for (on, id) in tx.note_ids_of_each(kind.as_str(), &ids, &rule, listing::WHOLE as i64).await? {
            notes.entry(on).or_default().push(AwardableRef { kind: AwardableKind::Note, id });
        }
        for (at, id) in answered {
            if let (Some(Ok(answer)), Some(on)) = (answers.get_mut(at), notes.get(&id)) {
                answer.extend(on.iter().copied());
            }
        }
    }
    Ok(answers)
}

/// The issues and merge requests among `asked`, one read per kind.
async fn work_items_of(
    tx: &mut Tx,
    asked: &[(Actor, AwardableRef)],
) -> DomainResult<HashMap<AwardableRef, WorkItemRow>> {
    let mut rows = HashMap::new();
    for kind in [AwardableKind::Issue, AwardableKind::MergeRequest] {
        let Some(work_item) = kind.work_item() else { continue };
        let mut ids: Vec<i64> = asked.iter().filter(|(_, i)| i.kind == kind).map(|(_, i)| i.id).collect();
        ids.sort_unstable();
        ids.dedup();
        for row in tx.work_items_by_ids(work_item, &ids).await? {
            rows.insert(AwardableRef { kind, id: row.id }, row);
        }
    }
    Ok(rows)
}

/// [`watchable`] within `tx`, reusing `known` (the project last loaded, and
/// the actor's facts on it) and leaving this item's there.
async fn watchable_in(
    tx: &mut Tx,
    actor: &Actor,
    item: AwardableRef,
    known: &mut Option<(ProjectRow, ProjectFacts)>,
) -> DomainResult<Vec<AwardableRef>> {
    let reuse = known.as_ref().map(|(project, facts)| (project, *facts));
    let loaded = facts::readable_awardable_in(tx, actor, item, reuse).await?;
    let mut out = vec![item];
    if item.kind.work_item().is_some() {
        let rule = policy::confidential_listing(&actor.viewer(), &loaded.facts.project);
        let notes = tx.list_note_ids(item.kind.as_str(), item.id, &rule, listing::WHOLE as i64).await?;
        out.extend(notes.into_iter().map(|id| AwardableRef { kind: AwardableKind::Note, id }));
    }
    *known = Some((loaded.project, loaded.facts.project));
    Ok(out)
}

/// Snippets of a project the actor may read.
pub async fn list_snippets(app: &AppState, actor: &Actor, project: &str) -> DomainResult<Vec<SnippetRow>> {
    let mut tx = app.store.read().await?;
    let (project, facts) = readable_project(&mut tx, actor, project).await?;
    let snippets = tx.list_snippets(project.id).await?;
    Ok(snippets
        .into_iter()
        .filter(|s| {
            let item = policy::AwardableFacts {
                project: facts,
                author_id: s.author_id,
                confidential: false,
                snippet_visibility: Visibility::parse(&s.visibility),
                system_note: false,
            };
            policy::read_awardable(&actor.viewer(), &item)
        })
        .collect())
}

/// The namespace a (readable) project lives in.
pub async fn namespace_of(app: &AppState, project: &ProjectRow) -> DomainResult<crate::store::NamespaceRow> {
    let mut tx = app.store.read().await?;
    tx.namespace_by_id(project.namespace_id).await?.ok_or(DomainError::NotFound("Namespace"))
}
