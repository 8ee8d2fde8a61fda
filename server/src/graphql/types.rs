//! GitLab's GraphQL object types, each a view over a store row.

use super::ids::{AchievementId, GroupId, NamespaceId, Time, UserAchievementId, UserId};
use super::{connection, ctx, window, Page};
use app::domain::{achievements, uploads};
use app::store::{AchievementRow, NamespaceRow, UserAchievementRow, UserRow};
use async_graphql::{Context, Object, Result};

pub struct UserCore(pub UserRow);

#[Object]
impl UserCore {
    async fn id(&self) -> UserId {
        UserId(self.0.id)
    }
    async fn username(&self) -> &str {
        &self.0.username
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn state(&self) -> &str {
        &self.0.state
    }
    async fn web_url(&self, context: &Context<'_>) -> String {
        format!("{}/{}", ctx(context).app.instance.external_url, self.0.username)
    }
    async fn avatar_url(&self) -> Option<String> {
        None
    }
    /// Awards in profile order (`priority` ascending, unprioritised last, then id).
    /// Hidden ones only when asked, and only for the recipient or the awarding
    /// group's Maintainers and Owners.
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn user_achievements(
        &self,
        context: &Context<'_>,
        #[graphql(default = false)] include_hidden: bool,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<UserAchievement>> {
        let c = ctx(context);
        c.check_budget()?;
        let window = window(first, after, last, before)?;
        let awards = achievements::user_awards(&c.app, &c.actor, self.0.id, include_hidden, window)
            .await
            .map_err(super::top_level)?;
        connection(
            context,
            awards.map(|d| {
                c.remember(&d);
                UserAchievement(d.award)
            }),
        )
    }
}

pub struct Achievement(pub AchievementRow);

#[Object]
impl Achievement {
    async fn id(&self) -> AchievementId {
        AchievementId(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn avatar_url(&self, context: &Context<'_>) -> Option<String> {
        let app = &ctx(context).app;
        self.0.avatar.as_deref().map(|file| uploads::avatar_url(&app.instance, self.0.id, file))
    }
    async fn created_at(&self) -> Time {
        Time(self.0.created_at)
    }
    async fn updated_at(&self) -> Time {
        Time(self.0.updated_at)
    }
    /// The awarding group, or null when the viewer may not see it.
    async fn namespace(&self, context: &Context<'_>) -> Result<Option<Namespace>> {
        Ok(ctx(context).visible_group(&self.0).await?.map(Namespace))
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn user_achievements(
        &self,
        context: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<UserAchievement>> {
        let c = ctx(context);
        c.check_budget()?;
        let window = window(first, after, last, before)?;
        let awards =
            achievements::achievement_awards(&c.app, &c.actor, self.0.id, window).await.map_err(super::top_level)?;
        connection(context, awards.map(|held| UserAchievement(held.award)))
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn unique_users(
        &self,
        context: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<UserCore>> {
        let c = ctx(context);
        c.check_budget()?;
        let window = window(first, after, last, before)?;
        let people =
            achievements::achievement_holders(&c.app, &c.actor, self.0.id, window).await.map_err(super::top_level)?;
        connection(context, people.map(UserCore))
    }
}

pub struct UserAchievement(pub UserAchievementRow);

/// A user by optional id, through the request's memo.
pub async fn user(context: &Context<'_>, id: Option<i64>) -> Result<Option<UserCore>> {
    let Some(id) = id else { return Ok(None) };
    Ok(ctx(context).user(id).await?.map(UserCore))
}

#[Object]
impl UserAchievement {
    async fn id(&self) -> UserAchievementId {
        UserAchievementId(self.0.id)
    }
    async fn achievement(&self, context: &Context<'_>) -> Result<Option<Achievement>> {
        Ok(ctx(context).achievement(self.0.achievement_id).await?.map(Achievement))
    }
    async fn user(&self, context: &Context<'_>) -> Result<Option<UserCore>> {
        user(context, Some(self.0.user_id)).await
    }
    async fn awarded_by_user(&self, context: &Context<'_>) -> Result<Option<UserCore>> {
        user(context, self.0.awarded_by_user_id).await
    }
    async fn revoked_by_user(&self, context: &Context<'_>) -> Result<Option<UserCore>> {
        user(context, self.0.revoked_by_user_id).await
    }
    async fn created_at(&self) -> Time {
        Time(self.0.created_at)
    }
    async fn updated_at(&self) -> Time {
        Time(self.0.updated_at)
    }
    async fn revoked_at(&self) -> Option<Time> {
        self.0.revoked_at.map(Time)
    }
    async fn priority(&self) -> Option<i64> {
        self.0.priority
    }
    async fn show_on_profile(&self) -> bool {
        self.0.show_on_profile
    }
    async fn award_message(&self) -> Option<&str> {
        self.0.award_message.as_deref()
    }
    /// The message as safe HTML (plain text, escaped, line breaks kept).
    async fn award_message_html(&self) -> Option<String> {
        self.0.award_message.as_deref().map(app::domain::text::message_html)
    }
}

/// Fields shared by `Group` and `Namespace`.
async fn group_achievements(
    context: &Context<'_>,
    group: &NamespaceRow,
    ids: Option<Vec<AchievementId>>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<Page<Achievement>> {
    let c = ctx(context);
    c.check_budget()?;
    let window = window(first, after, last, before)?;
    let wanted: Option<Vec<i64>> = ids.map(|ids| ids.into_iter().map(|id| id.0).collect());
    let found =
        achievements::list_group_achievements(&c.app, &c.actor, &group.id.to_string(), "", wanted.as_deref(), window)
            .await
            .map_err(super::top_level)?;
    connection(context, found.map(Achievement))
}

pub struct Group(pub NamespaceRow);

#[Object]
impl Group {
    async fn id(&self) -> GroupId {
        GroupId(self.0.id)
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
        format!("{}/groups/{}", ctx(context).app.instance.external_url, self.0.full_path)
    }
    async fn achievements_path(&self) -> String {
        format!("/groups/{}/-/achievements", self.0.full_path)
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn achievements(
        &self,
        context: &Context<'_>,
        ids: Option<Vec<AchievementId>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Achievement>> {
        group_achievements(context, &self.0, ids, first, after, last, before).await
    }
}

pub struct Namespace(pub NamespaceRow);

#[Object]
impl Namespace {
    async fn id(&self) -> NamespaceId {
        NamespaceId(self.0.id)
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
    async fn achievements_path(&self) -> String {
        format!("/groups/{}/-/achievements", self.0.full_path)
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn achievements(
        &self,
        context: &Context<'_>,
        ids: Option<Vec<AchievementId>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Page<Achievement>> {
        group_achievements(context, &self.0, ids, first, after, last, before).await
    }
}
