//! A group's webhooks page (Owners and admins): the hooks, their recent
//! deliveries, and plain form posts to add, change, test, delete and resend.

use crate::model::{GroupHooksView, UiError};
use leptos::prelude::*;

/// Deliveries shown per hook (the REST API pages through them all).
#[cfg(feature = "ssr")]
const RECENT: usize = 10;

#[server(endpoint = "group_hooks")]
pub async fn get_group_hooks(group: String) -> Result<GroupHooksView, UiError> {
    use super::ssr;
    use crate::domain::listing::Window;
    use crate::domain::webhooks;
    use crate::model::{DeliveryView, HookView};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let (group, hooks) = webhooks::list_hooks(&app, &actor, &group).await.map_err(ssr::ui_error)?;
    let mut views = Vec::new();
    for hook in hooks {
        let id = group.id.to_string();
        let (hook, found) =
            webhooks::deliveries(&app, &actor, &id, hook.id, Window::first(RECENT)).await.map_err(ssr::ui_error)?;
        let deliveries = found
            .items
            .into_iter()
            .map(|d| DeliveryView {
                id: d.id,
                at: d.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                event: d.event_name,
                state: if d.delivered_at.is_some() {
                    "delivered"
                } else if d.gave_up_at.is_some() {
                    "failed"
                } else {
                    "pending"
                }
                .into(),
                response_status: d.response_status,
                error: d.internal_error,
                attempts: d.attempts,
                duration_ms: d.execution_duration.map(|s| (s * 1000.0).round() as i64),
            })
            .collect();
        views.push(HookView {
            id: hook.id,
            status: webhooks::alert_status(&hook).into(),
            disabled_until: hook
                .disabled_until
                .filter(|_| webhooks::alert_status(&hook) == "temporarily_disabled")
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            confidential_events: hook.has_event("confidential_issues_events")
                && hook.has_event("confidential_note_events"),
            has_token: hook.token.is_some(),
            has_signing_token: hook.signing_token.is_some(),
            enable_ssl_verification: hook.enable_ssl_verification,
            emoji_events: hook.has_event("emoji_events"),
            achievement_events: hook.has_event("achievement_events"),
            url: hook.url,
            name: hook.name,
            deliveries,
        });
    }
    Ok(GroupHooksView { full_path: group.full_path, name: group.name, hooks: views })
}

/// Adds a hook (no `hook_id`) or changes one. Unchecked boxes are off; an
/// empty token field keeps the token there is (`clear_token` removes it).
#[server(endpoint = "save_group_hook")]
#[allow(clippy::too_many_arguments)]
pub async fn save_hook(
    group: String,
    hook_id: Option<i64>,
    url: String,
    name: String,
    token: String,
    signing_token: String,
    clear_token: Option<String>,
    emoji_events: Option<String>,
    achievement_events: Option<String>,
    confidential_events: Option<String>,
    enable_ssl_verification: Option<String>,
    next: String,
) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::webhooks::{self, HookInput};
    use crate::model::Done;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let given = |text: String| Some(text.trim().to_string()).filter(|t| !t.is_empty());
    let input = HookInput {
        url: Some(url),
        name: Some(name),
        description: None,
        token: if clear_token.is_some() { Some(String::new()) } else { given(token) },
        signing_token: given(signing_token),
        enable_ssl_verification: Some(enable_ssl_verification.is_some()),
        events: vec![
            ("emoji_events".into(), emoji_events.is_some()),
            ("achievement_events".into(), achievement_events.is_some()),
            ("confidential_issues_events".into(), confidential_events.is_some()),
            ("confidential_note_events".into(), confidential_events.is_some()),
        ],
    };
    let (result, done) = match hook_id {
        Some(id) => (webhooks::update_hook(&app, &actor, &group, id, input).await.map(|_| ()), Done::Saved),
        None => (webhooks::create_hook(&app, &actor, &group, input).await.map(|_| ()), Done::Saved),
    };
    super::form::back(&next, done, &result);
    result.map_err(ssr::ui_error)
}

#[server(endpoint = "delete_group_hook")]
pub async fn delete_hook(group: String, hook_id: i64, next: String) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::webhooks;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let result = webhooks::delete_hook(&app, &actor, &group, hook_id, None).await;
    super::form::back(&next, crate::model::Done::Deleted, &result);
    result.map_err(ssr::ui_error)
}

/// Sends a test event (`emoji_events` or `achievement_events`).
#[server(endpoint = "test_group_hook")]
pub async fn test_hook(group: String, hook_id: i64, trigger: String, next: String) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::webhooks;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let result = webhooks::test_hook(&app, &actor, &group, hook_id, &trigger).await;
    super::form::back(&next, crate::model::Done::Sent, &result);
    result.map_err(ssr::ui_error)
}

/// Sends a delivery again, with its Idempotency-Key.
#[server(endpoint = "resend_group_hook_delivery")]
pub async fn resend_delivery(group: String, hook_id: i64, delivery_id: i64, next: String) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::webhooks;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let result = webhooks::resend(&app, &actor, &group, hook_id, delivery_id).await.map(|_| ());
    super::form::back(&next, crate::model::Done::Sent, &result);
    result.map_err(ssr::ui_error)
}
