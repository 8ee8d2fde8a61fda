use super::ids::{IssueId, MergeRequestId, NoteId, UserId};
use super::projects::{Issue, MergeRequest, Note, Project};
use super::types::{CurrentUser, Group, Namespace, UserCore};
use super::{ctx, top_level};
use app::domain::{awardable, groups, projects, users, DomainError};
use app::events::WorkItemKind;
use async_graphql::{Context, Object, Result, ID};

pub struct Query;

/// Missing or unreadable things are `null`, as in GitLab.
pub fn found<T>(result: Result<T, DomainError>) -> Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(DomainError::NotFound(_) | DomainError::Forbidden | DomainError::Unauthorized) => Ok(None),
        Err(other) => Err(top_level(other)),
    }
}

#[Object]
impl Query {
    async fn current_user(&self, context: &Context<'_>) -> Option<CurrentUser> {
        ctx(context).actor.user().cloned().map(CurrentUser)
    }

    async fn user(
        &self,
        context: &Context<'_>,
        username: Option<String>,
        id: Option<UserId>,
    ) -> Result<Option<UserCore>> {
        let c = ctx(context);
        let username = match (username, id) {
            (Some(username), None) => username,
            (None, Some(id)) => match found(users::user_by_id(&c.app, id.0).await)? {
                Some(user) => user.username,
                None => return Ok(None),
            },
            _ => return Err("Provide either a username or an id".into()),
        };
        Ok(found(users::find_user(&c.app, &c.actor, &username).await)?.map(UserCore))
    }

    async fn group(&self, context: &Context<'_>, full_path: ID) -> Result<Option<Group>> {
        let c = ctx(context);
        Ok(found(groups::find_group(&c.app, &c.actor, &full_path).await)?.map(|(g, _)| Group(g)))
    }

    async fn namespace(&self, context: &Context<'_>, full_path: ID) -> Result<Option<Namespace>> {
        let c = ctx(context);
        Ok(found(groups::find_group(&c.app, &c.actor, &full_path).await)?.map(|(g, _)| Namespace(g)))
    }

    async fn project(&self, context: &Context<'_>, full_path: ID) -> Result<Option<Project>> {
        let c = ctx(context);
        Ok(found(projects::find_project(&c.app, &c.actor, &full_path).await)?.map(|(p, _)| Project(p)))
    }

    async fn issue(&self, context: &Context<'_>, id: IssueId) -> Result<Option<Issue>> {
        let c = ctx(context);
        Ok(found(awardable::work_item_by_id(&c.app, &c.actor, WorkItemKind::Issue, id.0).await)?.map(Issue::of))
    }

    async fn merge_request(&self, context: &Context<'_>, id: MergeRequestId) -> Result<Option<MergeRequest>> {
        let c = ctx(context);
        let found_item = awardable::work_item_by_id(&c.app, &c.actor, WorkItemKind::MergeRequest, id.0).await;
        Ok(found(found_item)?.map(MergeRequest::of))
    }

    async fn note(&self, context: &Context<'_>, id: NoteId) -> Result<Option<Note>> {
        let c = ctx(context);
        Ok(found(awardable::note_by_id(&c.app, &c.actor, id.0).await)?.map(Note))
    }
}
