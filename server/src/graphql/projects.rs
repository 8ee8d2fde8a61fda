//! Projects, issues, merge requests and notes over GraphQL: what GitLab clients
//! read to show reactions (`awardEmoji`, `upvotes`, `downvotes`).

use super::award_emoji::AwardEmoji;
use super::ids::{IssueId, MergeRequestId, NoteId, ProjectId, Time};
use super::types::{user, UserCore};
use super::{connection, ctx, top_level, window, Page};
use app::domain::{award_emoji, projects};
use app::events::{AwardableKind, AwardableRef};
use app::store::{IssueRow, MergeRequestRow, NoteRow, ProjectRow};
use async_graphql::{Context, Object, Result};

async fn award_emoji_page(
    context: &Context<'_>,
    item: AwardableRef,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<Page<AwardEmoji>> {
    let c = ctx(context);
    c.check_budget()?;
    let window = window(first, after, last, before)?;
    let rows = award_emoji::list_award_emoji(&c.app, &c.actor, item, window).await.map_err(top_level)?;
    connection(context, rows.map(AwardEmoji))
}

async fn votes(context: &Context<'_>, item: AwardableRef) -> Result<(i64, i64)> {
    award_emoji::votes(&ctx(context).app, item).await.map_err(top_level)
}

async fn notes_page(
    context: &Context<'_>,
    item: AwardableRef,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<Page<Note>> {
    let c = ctx(context);
    c.check_budget()?;
    let window = window(first, after, last, before)?;
    let notes = projects::list_notes(&c.app, &c.actor, item, window).await.map_err(top_level)?;
    connection(context, notes.map(Note))
}

fn parse_iid(iid: &str) -> Result<i64> {
    iid.parse().map_err(|_| format!("\"{iid}\" is not a valid iid").into())
}

pub struct Project(pub ProjectRow);

#[Object]
impl Project {
    async fn id(&self) -> ProjectId {
        ProjectId(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn path(&self) -> &str {
        &self.0.path
    }
    async fn full_path(&self) -> &str {
        &self.0.full_path
    }
    async fn visibility(&self) -> &str {
        &self.0.visibility
    }
    async fn web_url(&self, context: &Context<'_>) -> String {
        format!("{}/{}", ctx(context).app.instance.external_url, self.0.full_path)
    }
    async fn issue(&self, context: &Context<'_>, iid: String) -> Result<Option<Issue>> {
        let c = ctx(context);
        c.check_budget()?;
        let found = projects::find_issue(&c.app, &c.actor, &self.0.id.to_string(), parse_iid(&iid)?).await;
        Ok(super::query::found(found)?.map(Issue))
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn issues(
        &self,
        context: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Issue>> {
        let c = ctx(context);
        c.check_budget()?;
        let window = window(first, after, last, before)?;
        let rows = projects::list_issues(&c.app, &c.actor, &self.0.id.to_string(), window).await.map_err(top_level)?;
        connection(context, rows.map(Issue))
    }
    async fn merge_request(&self, context: &Context<'_>, iid: String) -> Result<Option<MergeRequest>> {
        let c = ctx(context);
        c.check_budget()?;
        let found = projects::find_merge_request(&c.app, &c.actor, &self.0.id.to_string(), parse_iid(&iid)?).await;
        Ok(super::query::found(found)?.map(MergeRequest))
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn merge_requests(
        &self,
        context: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<MergeRequest>> {
        let c = ctx(context);
        c.check_budget()?;
        let window = window(first, after, last, before)?;
        let rows =
            projects::list_merge_requests(&c.app, &c.actor, &self.0.id.to_string(), window).await.map_err(top_level)?;
        connection(context, rows.map(MergeRequest))
    }
}

pub struct Issue(pub IssueRow);

impl Issue {
    fn item(&self) -> AwardableRef {
        AwardableRef { kind: AwardableKind::Issue, id: self.0.id }
    }
}

#[Object]
impl Issue {
    async fn id(&self) -> IssueId {
        IssueId(self.0.id)
    }
    async fn iid(&self) -> String {
        self.0.iid.to_string()
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn state(&self) -> &str {
        &self.0.state
    }
    async fn confidential(&self) -> bool {
        self.0.confidential
    }
    async fn author(&self, context: &Context<'_>) -> Result<Option<UserCore>> {
        user(context, self.0.author_id).await
    }
    async fn created_at(&self) -> Time {
        Time(self.0.created_at)
    }
    async fn updated_at(&self) -> Time {
        Time(self.0.updated_at)
    }
    /// Thumbs up on the issue.
    async fn upvotes(&self, context: &Context<'_>) -> Result<i64> {
        Ok(votes(context, self.item()).await?.0)
    }
    /// Thumbs down on the issue.
    async fn downvotes(&self, context: &Context<'_>) -> Result<i64> {
        Ok(votes(context, self.item()).await?.1)
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn award_emoji(
        &self,
        context: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<AwardEmoji>> {
        award_emoji_page(context, self.item(), first, after, last, before).await
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn notes(
        &self,
        context: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Note>> {
        notes_page(context, self.item(), first, after, last, before).await
    }
}

pub struct MergeRequest(pub MergeRequestRow);

impl MergeRequest {
    fn item(&self) -> AwardableRef {
        AwardableRef { kind: AwardableKind::MergeRequest, id: self.0.id }
    }
}

#[Object]
impl MergeRequest {
    async fn id(&self) -> MergeRequestId {
        MergeRequestId(self.0.id)
    }
    async fn iid(&self) -> String {
        self.0.iid.to_string()
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn state(&self) -> &str {
        &self.0.state
    }
    async fn source_branch(&self) -> &str {
        &self.0.source_branch
    }
    async fn target_branch(&self) -> &str {
        &self.0.target_branch
    }
    async fn author(&self, context: &Context<'_>) -> Result<Option<UserCore>> {
        user(context, self.0.author_id).await
    }
    async fn created_at(&self) -> Time {
        Time(self.0.created_at)
    }
    async fn updated_at(&self) -> Time {
        Time(self.0.updated_at)
    }
    /// Thumbs up on the merge request.
    async fn upvotes(&self, context: &Context<'_>) -> Result<i64> {
        Ok(votes(context, self.item()).await?.0)
    }
    /// Thumbs down on the merge request.
    async fn downvotes(&self, context: &Context<'_>) -> Result<i64> {
        Ok(votes(context, self.item()).await?.1)
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn award_emoji(
        &self,
        context: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<AwardEmoji>> {
        award_emoji_page(context, self.item(), first, after, last, before).await
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn notes(
        &self,
        context: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Note>> {
        notes_page(context, self.item(), first, after, last, before).await
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
    async fn internal(&self) -> bool {
        self.0.confidential
    }
    async fn author(&self, context: &Context<'_>) -> Result<Option<UserCore>> {
        user(context, self.0.author_id).await
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
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<AwardEmoji>> {
        let item = AwardableRef { kind: AwardableKind::Note, id: self.0.id };
        award_emoji_page(context, item, first, after, last, before).await
    }
}
