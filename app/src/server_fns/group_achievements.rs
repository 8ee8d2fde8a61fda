//! The group achievements dashboard: list and search; for Maintainers and
//! Owners create, edit (with avatar upload), delete, award, revoke; for Owners
//! delete an award. Each action is a plain form post as well (no JavaScript
//! needed) and goes back to `next`; the domain decides every permission.

use crate::model::{GroupAchievementsView, UiError};
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

/// Achievements per dashboard page.
pub const PAGE_SIZE: i64 = 20;

#[server(endpoint = "group_achievements")]
pub async fn get_group_achievements(
    group: String,
    search: String,
    page: i64,
) -> Result<GroupAchievementsView, UiError> {
    use super::ssr;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    views::dashboard(&app, &actor, &group, &search, page).await.map_err(ssr::ui_error)
}

/// What the dashboard shows, shared by its server function and its live
/// stream (which compares the marks to tell a viewer what changed).
#[cfg(feature = "ssr")]
pub mod views {
    use super::PAGE_SIZE;
    use crate::domain::listing::{self, Window};
    use crate::domain::{achievements, groups, uploads, Actor, AppState, DomainResult};
    use crate::model::{AchievementCard, GroupAchievementsView, Held, Holder};

    /// The search and page as the dashboard reads them: at most 100
    /// characters, page 1 at least.
    pub fn dashboard_query(search: &str, page: i64) -> (String, i64) {
        (search.trim().chars().take(100).collect(), page.max(1))
    }

    /// The awards loaded per card for someone who does not manage them: enough
    /// for its five faces even when some hold it more than once.
    const FACES_LOADED: usize = 20;

    /// A page of `group`'s achievements whose names contain `search`, as `actor` may see them.
    pub async fn dashboard(
        app: &AppState,
        actor: &Actor,
        group: &str,
        search: &str,
        page: i64,
    ) -> DomainResult<GroupAchievementsView> {
        let (row, abilities) = achievements::group_abilities(app, actor, group).await?;
        let (search, page) = dashboard_query(search, page);
        let id = row.id.to_string();
        let offset = usize::try_from((page - 1).saturating_mul(PAGE_SIZE)).unwrap_or(usize::MAX);
        let window = Window::offset(offset, PAGE_SIZE as usize);
        let found = achievements::list_group_achievements(app, actor, &id, &search, None, window).await?;
        let has_next = found.has_next();
        let members = groups::member_count(app, actor, &id).await?;
        let ids: Vec<i64> = found.items.iter().map(|a| a.id).collect();
        // Whoever manages the awards gets each one (to revoke it); anyone
        // else sees a few faces and the counts, read for the whole page at once.
        let faces = if abilities.manage { 0 } else { FACES_LOADED };
        let mut glances = achievements::glance(app, actor, &ids, faces).await?;
        let mut cards = Vec::with_capacity(found.items.len());
        for achievement in found.items {
            let glance = glances.remove(&achievement.id);
            let (count, held, first) = match glance {
                Some(g) => (g.awards, g.held, g.first),
                None => (0, Held { holders: 0, members }, Vec::new()),
            };
            let awards = match abilities.manage {
                true => {
                    achievements::achievement_awards(app, actor, achievement.id, Window::first(listing::WHOLE))
                        .await?
                        .items
                }
                false => first,
            };
            let holders = awards
                .into_iter()
                .map(|held| Holder {
                    award_id: held.award.id,
                    username: held.holder.username,
                    name: held.holder.name,
                    awarded_at: held.award.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    message: held.award.award_message,
                })
                .collect();
            cards.push(AchievementCard {
                avatar_url: uploads::achievement_avatar_url(&app.instance, &achievement),
                id: achievement.id,
                name: achievement.name,
                description: achievement.description,
                holders,
                awards: count,
                held,
            });
        }
        let reaction_set = match abilities.delete_awards {
            true => {
                let (_, own, _) = crate::domain::reaction_sets::group_set(app, actor, &id).await?;
                let own = own.unwrap_or_default();
                let names = own.only.unwrap_or_default().into_iter().map(|(name, _)| name).collect::<Vec<_>>();
                Some((names.join(" "), own.downvotes))
            }
            false => None,
        };
        Ok(GroupAchievementsView {
            reaction_set,
            live_mark: crate::server_fns::live_mark(&(
                &cards,
                has_next,
                members,
                abilities.manage,
                abilities.delete_awards,
            )),
            group_id: row.id,
            full_path: row.full_path,
            members,
            name: row.name,
            can_manage: abilities.manage,
            can_delete_awards: abilities.delete_awards,
            search,
            page,
            has_next,
            achievements: cards,
        })
    }
}

/// Creates (no `id`) or updates an achievement from a multipart form: `group`,
/// `id`, `name`, `description`, an optional `avatar` file, `next`.
#[server(input = MultipartFormData, endpoint = "save_achievement")]
pub async fn save_achievement(data: MultipartData) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::achievements::{self, CreateAchievement, UpdateAchievement};
    use crate::domain::uploads::Upload;
    use crate::domain::{groups, DomainError};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let mut form = data.into_inner().ok_or(UiError::Internal)?;
    let (mut group, mut id, mut name, mut description, mut avatar, mut next) =
        (String::new(), None, String::new(), String::new(), None, None);
    // Fields are read whole: the server's request-size limit bounds them.
    while let Ok(Some(field)) = form.next_field().await {
        let field_name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|_| UiError::Invalid(vec!["The upload was interrupted.".into()]))?;
        let text = || String::from_utf8_lossy(&bytes).to_string();
        match field_name.as_str() {
            "group" => group = text(),
            "id" => id = text().trim().parse::<i64>().ok(),
            "name" => name = text(),
            "description" => description = text(),
            "next" => next = Some(text()),
            "avatar" => {
                if let Some(filename) = file_name.filter(|f| !f.is_empty() && !bytes.is_empty()) {
                    avatar = Some(Upload { filename, bytes: bytes.to_vec() });
                }
            }
            _ => {}
        }
    }
    let description = Some(description.trim().to_string()).filter(|d| !d.is_empty());
    let result = match id {
        None => {
            let namespace_id = match groups::find_group(&app, &actor, &group).await {
                Ok((g, _)) => g.id,
                Err(err) => return Err(ssr::ui_error(err)),
            };
            let input = CreateAchievement { namespace_id, name, description, avatar };
            achievements::create_achievement(&app, &actor, input).await.map(|_| ())
        }
        Some(id) => {
            let input = UpdateAchievement { name: Some(name), description: Some(description), avatar };
            achievements::update_achievement(&app, &actor, id, input).await.map(|_| ())
        }
    };
    let done = if id.is_some() { crate::model::Done::Updated } else { crate::model::Done::Created };
    super::form::back_if(next, done, &result);
    result.map_err(|err: DomainError| ssr::ui_error(err))
}

#[server(endpoint = "delete_achievement")]
pub async fn delete_achievement(id: i64, next: Option<String>) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::achievements;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let result = achievements::delete_achievement(&app, &actor, id).await.map(|_| ());
    super::form::back_if(next, crate::model::Done::Deleted, &result);
    result.map_err(ssr::ui_error)
}

/// Awards an achievement to each of `recipients` (usernames, separated by
/// commas or spaces), with an optional message. Stops at the first refusal.
#[server(endpoint = "award_achievement")]
pub async fn award_achievement(
    achievement_id: i64,
    recipients: String,
    message: Option<String>,
    next: Option<String>,
) -> Result<usize, UiError> {
    use super::ssr;
    use crate::domain::{achievements, users, DomainError};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let names: Vec<&str> = recipients
        .split([',', ' ', '\n'])
        .map(|n| n.trim().trim_start_matches('@'))
        .filter(|n| !n.is_empty())
        .collect();
    let message = message.map(|m| m.trim().to_string()).filter(|m| !m.is_empty());
    let result = async {
        if names.is_empty() {
            return Err(DomainError::invalid("Choose at least one user"));
        }
        let mut awarded = 0;
        for name in names.iter().take(50) {
            let user = users::user_by_username(&app, name).await?;
            achievements::award_achievement(&app, &actor, achievement_id, user.id, message.clone()).await?;
            awarded += 1;
        }
        Ok(awarded)
    }
    .await;
    super::form::back_if(next, crate::model::Done::Awarded, &result);
    result.map_err(ssr::ui_error)
}

#[server(endpoint = "revoke_award")]
pub async fn revoke_award(id: i64, next: Option<String>) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::achievements;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let result = achievements::revoke_award(&app, &actor, id).await.map(|_| ());
    super::form::back_if(next, crate::model::Done::Revoked, &result);
    result.map_err(ssr::ui_error)
}

#[server(endpoint = "delete_award")]
pub async fn delete_award(id: i64, next: Option<String>) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::achievements;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let result = achievements::delete_award(&app, &actor, id).await.map(|_| ());
    super::form::back_if(next, crate::model::Done::AwardDeleted, &result);
    result.map_err(ssr::ui_error)
}

/// People to award, for the type-ahead: username or name containing `query`.
#[server(endpoint = "search_users")]
pub async fn search_users(query: String) -> Result<Vec<(String, String)>, UiError> {
    use super::ssr;
    use crate::domain::users;
    let app = ssr::state()?;
    let query: String = query.chars().take(60).collect();
    let found = users::search_people(&app, &query, 8).await.map_err(ssr::ui_error)?;
    Ok(found.into_iter().map(|u| (u.username, u.name)).collect())
}

/// Sets the group's reaction set (Owners): `emoji`, names separated by spaces
/// or commas (empty: every emoji); `downvotes` when thumbsdown is allowed.
#[server(endpoint = "save_reaction_set")]
pub async fn save_reaction_set(
    group: String,
    emoji: String,
    downvotes: Option<String>,
    next: Option<String>,
) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::reaction_sets;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let names: Vec<String> = emoji.split([' ', ',', '\n']).map(str::to_string).collect();
    let result = reaction_sets::set_group_set(&app, &actor, &group, &names, downvotes.is_some()).await.map(|_| ());
    super::form::back_if(next, crate::model::Done::Saved, &result);
    result.map_err(ssr::ui_error)
}
