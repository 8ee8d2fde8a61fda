//! The admin dashboard: counts, activity, the `achievements` flag, auto-accept,
//! users and the audit log. Instance admins only (the domain checks each call).

use crate::model::{AdminView, UiError};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
const ADMIN: &str = "/admin";

#[server(endpoint = "admin")]
pub async fn get_admin() -> Result<AdminView, UiError> {
    use super::ssr;
    use crate::domain::settings;
    use crate::model::{AdminGroup, AdminUser, AuditEntry};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let o = settings::admin_overview(&app, &actor, 30).await.map_err(ssr::ui_error)?;
    Ok(AdminView {
        counts: o.counts,
        activity: o.activity.iter().map(|(day, a, r)| (day.to_string(), *a, *r)).collect(),
        achievements_enabled: o.settings.achievements_enabled,
        auto_accept: o.settings.auto_accept_awarded_achievements,
        allow_local_hooks: o.settings.allow_local_hook_requests,
        groups: o
            .groups
            .into_iter()
            .map(|(g, enabled)| AdminGroup { full_path: g.full_path, name: g.name, achievements_enabled: enabled })
            .collect(),
        users: o
            .users
            .into_iter()
            .map(|u| AdminUser {
                blocked: u.is_blocked(),
                locked: o.locked.contains(&u.id),
                id: u.id,
                username: u.username,
                name: u.name,
                admin: u.admin,
            })
            .collect(),
        limits: o.limits,
        audit: o
            .audit
            .into_iter()
            .map(|e| AuditEntry {
                at: e.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                actor: e.actor_name.unwrap_or_default(),
                action: e.action,
                target: format!("{} {}", e.target_type, e.target_id),
            })
            .collect(),
    })
}

/// Back to the dashboard after a form post, with `?error=` when refused.
#[cfg(feature = "ssr")]
fn back<T>(result: &crate::domain::DomainResult<T>) {
    super::form::back(ADMIN, crate::model::Done::Saved, result)
}

/// The `achievements` feature flag for the instance (no `group`) or one group.
#[server(endpoint = "admin_set_flag")]
pub async fn set_flag(group: Option<String>, enabled: bool) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::settings;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let group = group.filter(|g| !g.is_empty());
    let result = settings::set_achievements_flag(&app, &actor, group.as_deref(), enabled).await;
    back(&result);
    result.map_err(ssr::ui_error)
}

#[server(endpoint = "admin_set_auto_accept")]
pub async fn set_auto_accept(enabled: bool) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::settings;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let result = settings::set_auto_accept(&app, &actor, enabled).await;
    back(&result);
    result.map_err(ssr::ui_error)
}

/// Whether webhooks may target loopback and private network addresses.
#[server(endpoint = "admin_set_allow_local_hooks")]
pub async fn set_allow_local_hooks(enabled: bool) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::settings;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let result = settings::set_allow_local_hook_requests(&app, &actor, enabled).await;
    back(&result);
    result.map_err(ssr::ui_error)
}

#[server(endpoint = "admin_create_user")]
pub async fn create_user(username: String, name: String, email: String, password: String) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::users::{self, CreateUser};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let input = CreateUser { username, name, email, password: Some(password), admin: false, private_profile: false };
    let result = users::create_user(&app, &actor, input).await;
    back(&result);
    result.map(|_| ()).map_err(ssr::ui_error)
}

/// Makes a user an admin or not, blocks or unblocks them.
#[server(endpoint = "admin_update_user")]
pub async fn update_user(id: i64, admin: Option<bool>, blocked: Option<bool>) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::users::{self, UpdateUser};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let input = UpdateUser {
        name: None,
        email: None,
        password: None,
        bio: None,
        private_profile: None,
        achievements_enabled: None,
        admin,
        blocked,
    };
    let result = users::update_user(&app, &actor, id, input).await;
    back(&result);
    result.map(|_| ()).map_err(ssr::ui_error)
}

/// Lifts the lock that failed sign-ins put on an account.
#[server(endpoint = "admin_unlock_user")]
pub async fn unlock_user(id: i64) -> Result<(), UiError> {
    use super::ssr;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let result = crate::domain::users::unlock_user(&app, &actor, id).await;
    back(&result);
    result.map(|_| ()).map_err(ssr::ui_error)
}

/// Sets every abuse limit at once (the dashboard's form; its fields are named
/// as `AbuseLimits::fields` names them).
#[server(endpoint = "admin_set_limits")]
pub async fn set_limits(
    max_login_attempts: i32,
    failed_login_attempts_unlock_period_in_minutes: i32,
    throttle_protected_paths_requests_per_period: i32,
    reactions_per_user_per_minute: i32,
    awards_per_group_per_hour: i32,
    award_emails_per_group_per_hour: i32,
    throttle_unauthenticated_api_requests_per_period: i32,
) -> Result<(), UiError> {
    use super::ssr;
    use crate::store::AbuseLimits;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let limits = AbuseLimits {
        max_login_attempts,
        failed_login_attempts_unlock_period_in_minutes,
        throttle_protected_paths_requests_per_period,
        reactions_per_user_per_minute,
        awards_per_group_per_hour,
        award_emails_per_group_per_hour,
        throttle_unauthenticated_api_requests_per_period,
    };
    let result = crate::domain::limits::set_abuse_limits(&app, &actor, limits).await;
    back(&result);
    result.map(|_| ()).map_err(ssr::ui_error)
}
