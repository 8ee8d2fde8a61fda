//! Projects, issues, merge requests and notes over GraphQL: what GitLab clients
//! read to show reactions (`awardEmoji`, `upvotes`, `downvotes`).

use super::award_emoji::AwardEmoji;
use super::ids::{gid, NoteId, Time};
use super::types::{required_user, user, MergeRequestAuthor, UserCore};
use super::{connection, ctx, top_level, AwardEmojiPage, Page};
use app::domain::award_emoji;
use app::domain::awardable;
use app::domain::projects::{self, NoteKinds};
use app::events::{AwardableKind, AwardableRef, WorkItemKind};
use app::store::{NoteRow, ProjectRow, WorkItemRow};
use async_graphql::{Context, Enum, Interface, MergedObject, Object, Result, ID};
use std::sync::Arc;

/// State of a GitLab issue.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "lowercase")]
pub enum IssueState {
    /// In open state.
    Opened,
    /// In closed state.
    Closed,
    /// Discussion has been locked.
    Locked,
    /// All available.
    All,
}

/// State of a GitLab merge request.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "lowercase")]
pub enum MergeRequestState {
    /// Merge request has been merged.
    Merged,
    /// In open state.
    Opened,
    /// In closed state.
    Closed,
    /// Discussion has been locked.
    Locked,
    /// All available.
    All,
}

/// Work item notes collection type.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum NotesFilterType {
    /// Show all activity.
    AllNotes,
    /// Show comments only.
    OnlyComments,
    /// Show history only.
    OnlyActivity,
}

/// The notes a filter asks for (all of them when none is given).
fn note_kinds(filter: Option<NotesFilterType>) -> NoteKinds {
    match filter {
        None | Some(NotesFilterType::AllNotes) => NoteKinds::All,
        Some(NotesFilterType::OnlyComments) => NoteKinds::Comments,
        Some(NotesFilterType::OnlyActivity) => NoteKinds::Activity,
    }
}

/// GitLab's `NoteableInterface`: things that hold notes.
// The lint mistakes the derive's repeated `ty = "..."` arguments for repeated attributes.
#[allow(clippy::duplicated_attributes)]
#[derive(Interface)]
#[graphql(
    name = "NoteableInterface",
    field(
        name = "notes",
        ty = "Page<Note>",
        desc = "All notes on this noteable.",
        arg(
            name = "filter",
            ty = "Option<NotesFilterType>",
            desc = "Type of notes collection: ALL_NOTES, ONLY_COMMENTS, ONLY_ACTIVITY."
        ),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "before", ty = "Option<String>"),
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "last", ty = "Option<i32>"),
    )
)]
pub enum NoteableInterface {
    Issue(Issue),
    MergeRequest(MergeRequest),
}

async fn award_emoji_page(
    context: &Context<'_>,
    item: AwardableRef,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<Option<AwardEmojiPage>> {
    let c = ctx(context);
    let window = c.window(first, after, last, before)?;
    let rows = award_emoji::list_award_emoji(&c.app, &c.actor, item, window).await.map_err(top_level)?;
    Ok(Some(AwardEmojiPage(connection(context, rows.map(AwardEmoji))?)))
}

async fn votes(context: &Context<'_>, item: AwardableRef) -> Result<award_emoji::Votes> {
    ctx(context).votes(item).await
}

#[allow(clippy::too_many_arguments)]
async fn notes_page(
    context: &Context<'_>,
    item: AwardableRef,
    filter: Option<NotesFilterType>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<Page<Note>> {
    let c = ctx(context);
    let window = c.window(first, after, last, before)?;
    let notes = projects::list_notes(&c.app, &c.actor, item, note_kinds(filter), window).await.map_err(top_level)?;
    connection(context, notes.map(Note))
}

/// Whether a connection's items ask for `upvotes` or `downvotes` (then their
/// votes are loaded for the whole page at once, else not at all).
fn wants_votes(context: &Context<'_>) -> bool {
    let look = context.look_ahead();
    [look.field("nodes"), look.field("edges").field("node")]
        .iter()
        .any(|item| item.field("upvotes").exists() || item.field("downvotes").exists())
}

fn parse_iid(iid: &str) -> Result<i64> {
    iid.parse().map_err(|_| format!("\"{iid}\" is not a valid iid").into())
}

pub struct Project(pub ProjectRow);

#[Object]
impl Project {
    async fn id(&self) -> ID {
        gid("Project", self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn path(&self) -> &str {
        &self.0.path
    }
    async fn full_path(&self) -> ID {
        ID(self.0.full_path.clone())
    }
    async fn visibility(&self) -> Option<&str> {
        Some(&self.0.visibility)
    }
    async fn web_url(&self, context: &Context<'_>) -> Option<String> {
        Some(format!("{}/{}", ctx(context).app.instance.external_url, self.0.full_path))
    }
    async fn web_path(&self) -> String {
        format!("/{}", self.0.full_path)
    }
    /// The issue with this IID, or null.
    async fn issue(&self, context: &Context<'_>, iid: Option<String>) -> Result<Option<Issue>> {
        let Some(iid) = iid else { return Ok(None) };
        self.work_item(context, WorkItemKind::Issue, &iid, Issue::of).await
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn issues(
        &self,
        context: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Option<Page<Issue>>> {
        let window = ctx(context).window(first, after, last, before)?;
        self.work_items(context, WorkItemKind::Issue, window, Issue::of).await
    }
    async fn merge_request(&self, context: &Context<'_>, iid: String) -> Result<Option<MergeRequest>> {
        self.work_item(context, WorkItemKind::MergeRequest, &iid, MergeRequest::of).await
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn merge_requests(
        &self,
        context: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Option<Page<MergeRequest>>> {
        let window = ctx(context).window(first, after, last, before)?;
        self.work_items(context, WorkItemKind::MergeRequest, window, MergeRequest::of).await
    }
}

impl Project {
    /// One of this project's issues or merge requests by iid, or null.
    async fn work_item<T>(
        &self,
        context: &Context<'_>,
        kind: WorkItemKind,
        iid: &str,
        wrap: fn(WorkItemRow) -> T,
    ) -> Result<Option<T>> {
        let c = ctx(context);
        c.check_budget()?;
        let found = awardable::find_work_item(&c.app, &c.actor, &self.0.id.to_string(), kind, parse_iid(iid)?).await;
        Ok(super::query::found(found)?.map(wrap))
    }

    /// A page of this project's issues or merge requests; their votes are read
    /// for the whole page at once when the query asks for them.
    async fn work_items<T>(
        &self,
        context: &Context<'_>,
        kind: WorkItemKind,
        window: app::domain::listing::Window,
        wrap: fn(WorkItemRow) -> T,
    ) -> Result<Option<Page<T>>> {
        let c = ctx(context);
        let rows = awardable::list_work_items(&c.app, &c.actor, &self.0.id.to_string(), kind, window)
            .await
            .map_err(top_level)?;
        if wants_votes(context) {
            let ids: Vec<i64> = rows.items.iter().map(|i| i.id).collect();
            c.prefetch_votes(kind.awardable(), &ids).await?;
        }
        connection(context, rows.map(wrap)).map(Some)
    }
}

// GitLab's `Issue` and `MergeRequest`: the fields every work item has, and
// those of its kind. (Plain comments: a doc comment would become the type's
// description in the schema.)
#[derive(MergedObject)]
pub struct Issue(WorkItemFields, IssueFields);

#[derive(MergedObject)]
pub struct MergeRequest(WorkItemFields, MergeRequestFields);

impl Issue {
    pub fn of(row: WorkItemRow) -> Self {
        let row = Arc::new(row);
        Issue(WorkItemFields { row: row.clone(), kind: WorkItemKind::Issue }, IssueFields(row))
    }
}

impl MergeRequest {
    pub fn of(row: WorkItemRow) -> Self {
        let row = Arc::new(row);
        MergeRequest(WorkItemFields { row: row.clone(), kind: WorkItemKind::MergeRequest }, MergeRequestFields(row))
    }
}

/// How `NoteableInterface` reaches `notes` on an issue or a merge request.
trait WorkItemNotes {
    fn fields(&self) -> &WorkItemFields;

    async fn notes(
        &self,
        context: &Context<'_>,
        filter: Option<NotesFilterType>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Page<Note>> {
        self.fields().notes(context, filter, after, before, first, last).await
    }
}

impl WorkItemNotes for Issue {
    fn fields(&self) -> &WorkItemFields {
        &self.0
    }
}

impl WorkItemNotes for MergeRequest {
    fn fields(&self) -> &WorkItemFields {
        &self.0
    }
}

/// What issues and merge requests share over GraphQL (merged into both types).
pub struct WorkItemFields {
    row: Arc<WorkItemRow>,
    kind: WorkItemKind,
}

impl WorkItemFields {
    fn item(&self) -> AwardableRef {
        AwardableRef { kind: self.kind.awardable(), id: self.row.id }
    }
}

#[Object]
impl WorkItemFields {
    async fn id(&self) -> ID {
        gid(self.kind.awardable().as_str(), self.row.id)
    }
    async fn iid(&self) -> String {
        self.row.iid.to_string()
    }
    async fn title(&self) -> &str {
        &self.row.title
    }
    async fn description(&self) -> Option<&str> {
        Some(&self.row.description)
    }
    async fn created_at(&self) -> Time {
        Time(self.row.created_at)
    }
    async fn updated_at(&self) -> Time {
        Time(self.row.updated_at)
    }
    /// Thumbs up.
    async fn upvotes(&self, context: &Context<'_>) -> Result<i64> {
        Ok(votes(context, self.item()).await?.up)
    }
    /// Thumbs down.
    async fn downvotes(&self, context: &Context<'_>) -> Result<i64> {
        Ok(votes(context, self.item()).await?.down)
    }
    /// The emoji awarded (on issues, Laurel's addition: GitLab shows an
    /// issue's emoji through work items).
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn award_emoji(
        &self,
        context: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Option<AwardEmojiPage>> {
        award_emoji_page(context, self.item(), first, after, last, before).await
    }
    /// All notes on this noteable.
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn notes(
        &self,
        context: &Context<'_>,
        filter: Option<NotesFilterType>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Page<Note>> {
        notes_page(context, self.item(), filter, first, after, last, before).await
    }
}

/// An issue's own fields.
pub struct IssueFields(Arc<WorkItemRow>);

#[Object]
impl IssueFields {
    async fn state(&self) -> IssueState {
        match self.0.state.as_str() {
            "closed" => IssueState::Closed,
            "locked" => IssueState::Locked,
            _ => IssueState::Opened,
        }
    }
    async fn confidential(&self) -> bool {
        self.0.confidential
    }
    async fn author(&self, context: &Context<'_>) -> Result<UserCore> {
        required_user(context, self.0.author_id).await.map(UserCore)
    }
}

/// A merge request's own fields.
pub struct MergeRequestFields(Arc<WorkItemRow>);

#[Object]
impl MergeRequestFields {
    async fn state(&self) -> MergeRequestState {
        match self.0.state.as_str() {
            "merged" => MergeRequestState::Merged,
            "closed" => MergeRequestState::Closed,
            "locked" => MergeRequestState::Locked,
            _ => MergeRequestState::Opened,
        }
    }
    async fn source_branch(&self) -> &str {
        self.0.source_branch.as_deref().unwrap_or_default()
    }
    async fn target_branch(&self) -> &str {
        self.0.target_branch.as_deref().unwrap_or_default()
    }
    async fn author(&self, context: &Context<'_>) -> Result<Option<MergeRequestAuthor>> {
        Ok(user(context, self.0.author_id).await?.map(MergeRequestAuthor))
    }
}

pub struct Note(pub NoteRow);

#[Object]
impl Note {
    async fn id(&self) -> NoteId {
        NoteId(self.0.id)
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn system(&self) -> bool {
        self.0.system
    }
    async fn internal(&self) -> Option<bool> {
        Some(self.0.confidential)
    }
    async fn author(&self, context: &Context<'_>) -> Result<Option<UserCore>> {
        Ok(user(context, self.0.author_id).await?.map(UserCore))
    }
    async fn created_at(&self) -> Time {
        Time(self.0.created_at)
    }
    async fn updated_at(&self) -> Time {
        Time(self.0.updated_at)
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn award_emoji(
        &self,
        context: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Option<AwardEmojiPage>> {
        let item = AwardableRef { kind: AwardableKind::Note, id: self.0.id };
        award_emoji_page(context, item, first, after, last, before).await
    }
}
