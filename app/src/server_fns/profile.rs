//! A user's public profile.

use crate::model::{ProfileView, UiError};
use leptos::prelude::*;

#[server(endpoint = "profile")]
pub async fn get_profile(username: String) -> Result<ProfileView, UiError> {
    use super::ssr;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    views::profile(&app, &actor, &username).await.map_err(ssr::ui_error)
}

/// The signed-in user's settings and all their awards, for the profile editor.
#[server(endpoint = "profile_settings")]
pub async fn get_profile_settings() -> Result<crate::model::ProfileSettings, UiError> {
    use super::ssr;
    use crate::domain::tokens;
    use crate::model::{OwnToken, ProfileSettings};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let user = actor.require_user().map_err(ssr::ui_error)?.clone();
    let (awards, live_mark) = views::own_awards(&app, &actor).await.map_err(ssr::ui_error)?;
    let own = tokens::list_tokens(&app, &actor, tokens::ListTokens::default(), 100, 0).await.map_err(ssr::ui_error)?;
    Ok(ProfileSettings {
        web_url: app.instance.user_url(&user.username),
        username: user.username,
        achievements_enabled: user.achievements_enabled,
        private_profile: user.private_profile,
        awards,
        live_mark,
        tokens: own
            .into_iter()
            .map(|t| OwnToken {
                active: tokens::active(&t),
                id: t.id,
                scopes: t.scope_list().join(", "),
                name: t.name,
                created_at: t.created_at.format("%Y-%m-%d").to_string(),
                expires_at: t.expires_at.map(|d| d.to_string()),
            })
            .collect(),
    })
}

/// What the profile pages show, shared by their server functions and their
/// live streams (which compare the marks to tell a viewer what changed).
#[cfg(feature = "ssr")]
pub mod views {
    use crate::domain::listing::{self, Window};
    use crate::domain::{achievements, uploads, users, Actor, AppState, DomainResult};
    use crate::model::{ManagedAward, ProfileAchievement, ProfileAward, ProfileView};

    /// A user's profile as `actor` may see it.
    pub async fn profile(app: &AppState, actor: &Actor, username: &str) -> DomainResult<ProfileView> {
        let user = users::find_user(app, actor, username).await?;
        let awards = achievements::user_awards(app, actor, user.id, false, Window::first(listing::WHOLE)).await?;
        // Group by achievement, in the order of each achievement's first award.
        let mut grouped: Vec<ProfileAchievement> = Vec::new();
        for shown in awards.items {
            let award = ProfileAward {
                id: shown.award.id,
                awarded_at: shown.award.created_at.to_rfc3339(),
                message: shown.award.award_message.clone(),
            };
            match grouped.iter_mut().find(|a| a.achievement_id == shown.achievement.id) {
                Some(entry) => entry.awards.push(award),
                None => grouped.push(ProfileAchievement {
                    achievement_id: shown.achievement.id,
                    name: shown.achievement.name.clone(),
                    description: shown.achievement.description.clone(),
                    avatar_url: uploads::achievement_avatar_url(&app.instance, &shown.achievement),
                    group: shown.group.map(|g| g.full_path),
                    held: None,
                    awards: vec![award],
                }),
            }
        }
        let ids: Vec<i64> = grouped.iter().map(|a| a.achievement_id).collect();
        let held = achievements::held(app, actor, &ids).await?;
        for entry in &mut grouped {
            entry.held = held.get(&entry.achievement_id).copied().filter(|_| entry.group.is_some());
        }
        Ok(ProfileView {
            web_url: app.instance.user_url(&user.username),
            user_id: user.id,
            username: user.username,
            name: user.name,
            bio: user.bio,
            live_mark: crate::server_fns::live_mark(&grouped),
            achievements: grouped,
        })
    }

    /// Every award of the signed-in user (hidden and pending included), in
    /// profile order, and its mark.
    pub async fn own_awards(app: &AppState, actor: &Actor) -> DomainResult<(Vec<ManagedAward>, String)> {
        let user = actor.require_user()?;
        let awards = achievements::user_awards(app, actor, user.id, true, Window::first(listing::WHOLE)).await?;
        let awards: Vec<ManagedAward> = awards
            .items
            .into_iter()
            .map(|d| ManagedAward {
                id: d.award.id,
                achievement_id: d.achievement.id,
                avatar_url: uploads::achievement_avatar_url(&app.instance, &d.achievement),
                name: d.achievement.name,
                description: d.achievement.description,
                group: d.group.map(|g| g.full_path),
                awarded_at: d.award.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                message: d.award.award_message,
                shown: d.award.show_on_profile,
                pending: d.award.accepted_at.is_none(),
            })
            .collect();
        let mark = crate::server_fns::live_mark(&awards);
        Ok((awards, mark))
    }
}

/// Revokes one of the signed-in user's own tokens (a plain form).
#[server(endpoint = "revoke_own_token")]
pub async fn revoke_own_token(id: i64) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::tokens;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let result = tokens::revoke_token(&app, &actor, id).await;
    leptos_axum::redirect(if result.is_ok() { "/-/profile?done=token_revoked#tokens" } else { "/-/profile?failed=1" });
    result.map(|_| ()).map_err(ssr::ui_error)
}

/// Changes the signed-in user's password, proven with the current one; every
/// other session ends (this one stays signed in).
#[server(endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::auth::Credentials;
    use crate::domain::users;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let headers = ssr::headers().await?;
    let session = Credentials::from_headers(&headers, app.instance.session_cookie()).session;
    let result = users::change_own_password(&app, &actor, &current_password, &new_password, session).await;
    leptos_axum::redirect(if result.is_ok() {
        "/-/profile?done=password_changed#password"
    } else {
        "/-/profile?password_failed=1#password"
    });
    result.map_err(ssr::ui_error)
}

/// "Display achievements on your profile" and "Private profile" (a plain form:
/// an unchecked box is simply absent).
#[server(endpoint = "save_profile_settings")]
pub async fn save_profile_settings(
    achievements_enabled: Option<String>,
    private_profile: Option<String>,
) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::users::{self, OwnSettings};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let settings = OwnSettings {
        private_profile: private_profile.is_some(),
        achievements_enabled: achievements_enabled.is_some(),
    };
    users::update_own_settings(&app, &actor, settings).await.map_err(ssr::ui_error)?;
    leptos_axum::redirect("/-/profile?done=saved");
    Ok(())
}

/// Shows or hides one of the user's awards on their profile.
#[server(endpoint = "set_award_shown")]
pub async fn set_award_shown(id: i64, shown: bool, next: Option<String>) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::achievements::{self, UpdateAward};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let input = UpdateAward { show_on_profile: Some(shown), award_message: None };
    let result = achievements::update_award(&app, &actor, id, input).await;
    super::form::back_if(next, if shown { crate::model::Done::Shown } else { crate::model::Done::Hidden }, &result);
    result.map(|_| ()).map_err(ssr::ui_error)
}

/// Saves the whole profile order at once (highest first).
#[server(endpoint = "reorder_awards")]
pub async fn reorder_awards(ids: Vec<i64>, next: Option<String>) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::achievements;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let result = achievements::set_priorities(&app, &actor, &ids).await;
    super::form::back_if(next, crate::model::Done::Reordered, &result);
    result.map(|_| ()).map_err(ssr::ui_error)
}

/// Accepts or declines a pending award.
#[server(endpoint = "respond_to_award")]
pub async fn respond_to_award(id: i64, accept: bool, next: Option<String>) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::achievements;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let result = if accept {
        achievements::accept_award(&app, &actor, id).await
    } else {
        achievements::decline_award(&app, &actor, id).await
    };
    super::form::back_if(
        next,
        if accept { crate::model::Done::Accepted } else { crate::model::Done::Declined },
        &result,
    );
    result.map(|_| ()).map_err(ssr::ui_error)
}
