//! GitLab's GraphQL object types, each a view over a store row.

use super::ids::{gid, AchievementId, Time, UserAchievementId, UserId};
use super::{connection, ctx, Page};
use app::domain::{achievements, uploads};
use app::store::{AchievementRow, NamespaceRow, UserAchievementRow, UserRow};
use async_graphql::{Context, Enum, Interface, Object, Result, ID};

/// Possible states of a user.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "snake_case")]
pub enum UserState {
    /// The user is active and can use the application.
    Active,
    /// The user has been banned and cannot use the application.
    Banned,
    /// The user has been blocked and cannot use the application.
    Blocked,
    /// The user is blocked, pending approval.
    BlockedPendingApproval,
    /// The user has been deactivated and cannot use the application.
    Deactivated,
    /// The user has been blocked by the LDAP provider.
    LdapBlocked,
}

impl UserState {
    fn of(user: &UserRow) -> Self {
        if user.is_blocked() {
            UserState::Blocked
        } else {
            UserState::Active
        }
    }
}

/// GitLab's `User` interface: the fields every user type shares.
// The lint mistakes the derive's repeated `ty = "..."` arguments for repeated attributes.
#[allow(clippy::duplicated_attributes)]
#[derive(Interface)]
#[graphql(
    name = "User",
    field(name = "id", ty = "UserId", desc = "Global ID of the user."),
    field(name = "username", ty = "String", desc = "Username of the user."),
    field(name = "name", ty = "String", desc = "Human-readable name of the user."),
    field(name = "state", ty = "UserState", desc = "State of the user."),
    field(name = "web_url", ty = "String", desc = "Web URL of the user."),
    field(name = "web_path", ty = "String", desc = "Web path of the user."),
    field(name = "avatar_url", ty = "Option<String>", desc = "URL of the user's avatar."),
    field(
        name = "user_achievements",
        ty = "Option<Page<UserAchievement>>",
        desc = "Achievements for the user.",
        arg(name = "include_hidden", ty = "Option<bool>", default_with = "Some(false)"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "before", ty = "Option<String>"),
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "last", ty = "Option<i32>"),
    )
)]
pub enum User {
    UserCore(UserCore),
    CurrentUser(CurrentUser),
    MergeRequestAuthor(MergeRequestAuthor),
}

/// One GitLab user type: the same fields over a user row, under GitLab's name.
macro_rules! user_type {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        pub struct $name(pub UserRow);

        #[Object]
        impl $name {
            async fn id(&self, _context: &Context<'_>) -> Result<UserId> {
                Ok(UserId(self.0.id))
            }
            async fn username(&self, _context: &Context<'_>) -> Result<String> {
                Ok(self.0.username.clone())
            }
            async fn name(&self, _context: &Context<'_>) -> Result<String> {
                Ok(self.0.name.clone())
            }
            async fn state(&self, _context: &Context<'_>) -> Result<UserState> {
                Ok(UserState::of(&self.0))
            }
            async fn web_url(&self, context: &Context<'_>) -> Result<String> {
                Ok(ctx(context).app.instance.user_url(&self.0.username))
            }
            async fn web_path(&self, _context: &Context<'_>) -> Result<String> {
                Ok(format!("/{}", self.0.username))
            }
            async fn avatar_url(&self, _context: &Context<'_>) -> Result<Option<String>> {
                Ok(None)
            }
            /// Awards in profile order (`priority` ascending, unprioritised last, then id).
            /// Hidden ones only when asked, and only for the recipient or the awarding
            /// group's Maintainers and Owners.
            #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
            async fn user_achievements(
                &self,
                context: &Context<'_>,
                #[graphql(default_with = "Some(false)")] include_hidden: Option<bool>,
                after: Option<String>,
                before: Option<String>,
                first: Option<i32>,
                last: Option<i32>,
            ) -> Result<Option<Page<UserAchievement>>> {
                let include_hidden = include_hidden.unwrap_or(false);
                user_achievements(context, &self.0, include_hidden, first, after, last, before).await.map(Some)
            }
        }
    };
}

user_type!(UserCore, "Core representation of a GitLab user.");
user_type!(CurrentUser, "The currently authenticated GitLab user.");
user_type!(MergeRequestAuthor, "The author of the merge request.");

async fn user_achievements(
    context: &Context<'_>,
    user: &UserRow,
    include_hidden: bool,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<Page<UserAchievement>> {
    let window = super::window(first, after, last, before)?;
    let awards = ctx(context).user_awards(user.id, include_hidden, window).await?;
    connection(context, awards.map(|d| UserAchievement(d.award)))
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
        uploads::achievement_avatar_url(&ctx(context).app.instance, &self.0)
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
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Option<Page<UserAchievement>>> {
        let window = super::window(first, after, last, before)?;
        let awards = ctx(context).achievement_awards(self.0.id, window).await?;
        connection(context, awards.map(|held| UserAchievement(held.award))).map(Some)
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn unique_users(
        &self,
        context: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Page<UserCore>> {
        let window = super::window(first, after, last, before)?;
        let people = ctx(context).achievement_holders(self.0.id, window).await?;
        connection(context, people.map(UserCore))
    }
}

pub struct UserAchievement(pub UserAchievementRow);

/// A user by optional id, through the request's memo.
pub async fn user(context: &Context<'_>, id: Option<i64>) -> Result<Option<UserRow>> {
    let Some(id) = id else { return Ok(None) };
    ctx(context).user(id).await
}

/// A user GitLab's schema promises (`UserCore!`): one that is gone (deleted)
/// is an error on that field, as GitLab's own non-null fields would be.
pub async fn required_user(context: &Context<'_>, id: Option<i64>) -> Result<UserRow> {
    user(context, id).await?.ok_or_else(|| "User not found".into())
}

#[Object]
impl UserAchievement {
    async fn id(&self) -> UserAchievementId {
        UserAchievementId(self.0.id)
    }
    /// The achievement awarded. Awards are only listed where their achievement
    /// is readable, so it is always there.
    async fn achievement(&self, context: &Context<'_>) -> Result<Achievement> {
        let found = ctx(context).achievement(self.0.achievement_id).await?;
        found.map(Achievement).ok_or_else(|| super::NOT_AVAILABLE.into())
    }
    async fn user(&self, context: &Context<'_>) -> Result<UserCore> {
        required_user(context, Some(self.0.user_id)).await.map(UserCore)
    }
    async fn awarded_by_user(&self, context: &Context<'_>) -> Result<UserCore> {
        required_user(context, self.0.awarded_by_user_id).await.map(UserCore)
    }
    async fn revoked_by_user(&self, context: &Context<'_>) -> Result<Option<UserCore>> {
        Ok(user(context, self.0.revoked_by_user_id).await?.map(UserCore))
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
) -> Result<Option<Page<Achievement>>> {
    let c = ctx(context);
    let window = c.window(first, after, last, before)?;
    let wanted: Option<Vec<i64>> = ids.map(|ids| ids.into_iter().map(|id| id.0).collect());
    let found =
        achievements::list_group_achievements(&c.app, &c.actor, &group.id.to_string(), "", wanted.as_deref(), window)
            .await
            .map_err(super::top_level)?;
    connection(context, found.map(Achievement)).map(Some)
}

fn achievements_path(group: &NamespaceRow) -> String {
    format!("/groups/{}/-/achievements", group.full_path)
}

/// GitLab's `GroupInterface`: what every group type shares.
// The lint mistakes the derive's repeated `ty = "..."` arguments for repeated attributes.
#[allow(clippy::duplicated_attributes)]
#[derive(Interface)]
#[graphql(
    name = "GroupInterface",
    field(name = "id", ty = "Option<ID>", desc = "ID of the group."),
    field(name = "name", ty = "Option<String>", desc = "Name of the group."),
    field(name = "full_path", ty = "ID", desc = "Full path of the group."),
    field(name = "web_url", ty = "Option<String>", desc = "Web URL of the group.")
)]
pub enum GroupInterface {
    Group(Group),
}

pub struct Group(pub NamespaceRow);

#[Object]
impl Group {
    async fn id(&self, _context: &Context<'_>) -> Result<Option<ID>> {
        Ok(Some(gid("Group", self.0.id)))
    }
    async fn name(&self, _context: &Context<'_>) -> Result<Option<String>> {
        Ok(Some(self.0.name.clone()))
    }
    async fn path(&self) -> &str {
        &self.0.path
    }
    async fn full_path(&self, _context: &Context<'_>) -> Result<ID> {
        Ok(ID(self.0.full_path.clone()))
    }
    async fn visibility(&self) -> Option<&str> {
        Some(&self.0.visibility)
    }
    async fn web_url(&self, context: &Context<'_>) -> Result<String> {
        Ok(format!("{}/groups/{}", ctx(context).app.instance.external_url, self.0.full_path))
    }
    async fn web_path(&self) -> String {
        format!("/groups/{}", self.0.full_path)
    }
    async fn achievements_path(&self) -> Option<String> {
        Some(achievements_path(&self.0))
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn achievements(
        &self,
        context: &Context<'_>,
        ids: Option<Vec<AchievementId>>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Option<Page<Achievement>>> {
        group_achievements(context, &self.0, ids, first, after, last, before).await
    }
}

pub struct Namespace(pub NamespaceRow);

#[Object]
impl Namespace {
    async fn id(&self) -> ID {
        gid("Namespace", self.0.id)
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
        Some(format!("{}/groups/{}", ctx(context).app.instance.external_url, self.0.full_path))
    }
    async fn achievements_path(&self) -> Option<String> {
        Some(achievements_path(&self.0))
    }
    #[graphql(complexity = "super::connection_cost(child_complexity, first, last)")]
    async fn achievements(
        &self,
        context: &Context<'_>,
        ids: Option<Vec<AchievementId>>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Option<Page<Achievement>>> {
        group_achievements(context, &self.0, ids, first, after, last, before).await
    }
}
