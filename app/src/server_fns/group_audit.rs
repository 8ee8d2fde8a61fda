//! A group's audit log page (Owners and admins): filtered by person,
//! achievement and dates, paged.

use crate::model::{GroupAuditView, UiError};
use leptos::prelude::*;

/// Entries per page.
pub const PAGE_SIZE: i64 = 50;

#[server(endpoint = "group_audit")]
pub async fn get_group_audit(
    group: String,
    person: String,
    achievement: Option<i64>,
    from: String,
    until: String,
    page: i64,
) -> Result<GroupAuditView, UiError> {
    use super::ssr;
    use crate::domain::audit_log::{self, AuditFilter};
    use crate::domain::listing::Window;
    use crate::domain::{achievements, DomainError};
    use crate::model::GroupAuditEntry;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let day = |text: &str| match text.trim() {
        "" => Ok(None),
        given => audit_log::parse_day(given)
            .map(Some)
            .ok_or_else(|| ssr::ui_error(DomainError::invalid("Dates are written YYYY-MM-DD"))),
    };
    let (from_day, until_day) = (day(&from)?, day(&until)?);
    let person: String = person.trim().chars().take(255).collect();
    let filter = AuditFilter {
        person: Some(person.clone()).filter(|p| !p.is_empty()),
        achievement_id: achievement,
        from: from_day.and_then(|d| audit_log::bound(&d.to_string(), false)),
        until: until_day.and_then(|d| audit_log::bound(&d.to_string(), true)),
    };
    let page = page.max(1);
    let offset = usize::try_from((page - 1).saturating_mul(PAGE_SIZE)).unwrap_or(usize::MAX);
    let found = audit_log::group_audit(&app, &actor, &group, &filter, Window::offset(offset, PAGE_SIZE as usize))
        .await
        .map_err(ssr::ui_error)?;
    let id = found.group.id.to_string();
    let listed = achievements::list_group_achievements(&app, &actor, &id, "", None, Window::first(200))
        .await
        .map_err(ssr::ui_error)?;
    let username =
        |id: Option<i64>| id.and_then(|id| found.people.iter().find(|u| u.id == id)).map(|u| u.username.clone());
    let has_next = found.entries.has_next();
    let entries = found
        .entries
        .items
        .into_iter()
        .map(|e| {
            let details: serde_json::Value = serde_json::from_str(&e.details).unwrap_or_default();
            GroupAuditEntry {
                at: e.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                actor: username(e.actor_id).or(e.actor_name),
                action: e.action,
                achievement: details["achievement"].as_str().map(str::to_string),
                subject: username(e.subject_id),
                rule: details["rule"].as_str().map(str::to_string),
            }
        })
        .collect();
    Ok(GroupAuditView {
        full_path: found.group.full_path,
        name: found.group.name,
        entries,
        achievements: listed.items.into_iter().map(|a| (a.id, a.name)).collect(),
        person,
        achievement,
        from: from_day.map(|d| d.to_string()).unwrap_or_default(),
        until: until_day.map(|d| d.to_string()).unwrap_or_default(),
        page,
        has_next,
    })
}
