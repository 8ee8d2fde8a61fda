//! Instance settings, feature flags and the audit log: instance admins only.

use super::facts::ACHIEVEMENTS_FLAG;
use super::{audit, require_admin, Actor, AppState, DomainResult};
use crate::store::AuditRow;

#[derive(Clone, Debug)]
pub struct InstanceSettings {
    pub achievements_enabled: bool,
    pub auto_accept_awarded_achievements: bool,
    /// GitLab's `allow_local_requests_from_web_hooks_and_services`.
    pub allow_local_hook_requests: bool,
}

async fn read_settings(tx: &mut crate::store::Tx) -> DomainResult<InstanceSettings> {
    Ok(InstanceSettings {
        achievements_enabled: tx.feature_flag(ACHIEVEMENTS_FLAG, None).await?.unwrap_or(true),
        auto_accept_awarded_achievements: tx.auto_accept_awarded_achievements().await?,
        allow_local_hook_requests: tx.allow_local_hook_requests().await?,
    })
}

pub async fn instance_settings(app: &AppState, actor: &Actor) -> DomainResult<InstanceSettings> {
    require_admin(actor)?;
    let mut tx = app.store.read().await?;
    read_settings(&mut tx).await
}

/// Switches the `achievements` flag for the instance, or for one group (by id or
/// full path) and its subgroups.
pub async fn set_achievements_flag(
    app: &AppState,
    actor: &Actor,
    group: Option<&str>,
    enabled: bool,
) -> DomainResult<()> {
    require_admin(actor)?;
    let mut tx = app.store.write().await?;
    let group_id = match group {
        Some(g) => Some(super::groups::readable_group(&mut tx, actor, g).await?.0.id),
        None => None,
    };
    tx.set_feature_flag(ACHIEVEMENTS_FLAG, group_id, enabled).await?;
    audit(
        &mut tx,
        actor,
        "feature_flag_set",
        "FeatureFlag",
        group_id.unwrap_or(0),
        serde_json::json!({
            "name": ACHIEVEMENTS_FLAG, "enabled": enabled,
        }),
    )
    .await?;
    app.commit(tx).await
}

pub async fn set_auto_accept(app: &AppState, actor: &Actor, enabled: bool) -> DomainResult<()> {
    require_admin(actor)?;
    let mut tx = app.store.write().await?;
    tx.set_auto_accept_awarded_achievements(enabled).await?;
    audit(
        &mut tx,
        actor,
        "setting_changed",
        "ApplicationSetting",
        1,
        serde_json::json!({
            "auto_accept_awarded_achievements": enabled,
        }),
    )
    .await?;
    app.commit(tx).await
}

/// Whether webhooks may target loopback and private network addresses
/// (link-local ones never: see `webhooks::address_allowed`).
pub async fn set_allow_local_hook_requests(app: &AppState, actor: &Actor, allow: bool) -> DomainResult<()> {
    require_admin(actor)?;
    let mut tx = app.store.write().await?;
    tx.set_allow_local_hook_requests(allow).await?;
    let details = serde_json::json!({ "allow_local_requests_from_web_hooks_and_services": allow });
    audit(&mut tx, actor, "setting_changed", "ApplicationSetting", 1, details).await?;
    app.commit(tx).await
}

pub async fn recent_audit(app: &AppState, actor: &Actor, limit: i64) -> DomainResult<Vec<AuditRow>> {
    require_admin(actor)?;
    let mut tx = app.store.read().await?;
    Ok(tx.recent_audit(limit.clamp(1, 500)).await?)
}

/// Everything the admin dashboard shows, in one read.
#[derive(Clone, Debug)]
pub struct AdminOverview {
    pub counts: crate::store::InstanceCounts,
    /// Awards and reactions per day, oldest first, for the last `days` days.
    pub activity: Vec<(chrono::NaiveDate, i64, i64)>,
    pub settings: InstanceSettings,
    /// Every group with its effective `achievements` flag.
    pub groups: Vec<(crate::store::NamespaceRow, bool)>,
    pub users: Vec<crate::store::UserRow>,
    /// Users locked out by failed sign-ins right now.
    pub locked: Vec<i64>,
    pub limits: crate::store::AbuseLimits,
    pub audit: Vec<AuditRow>,
}

pub async fn admin_overview(app: &AppState, actor: &Actor, days: i64) -> DomainResult<AdminOverview> {
    require_admin(actor)?;
    let days = days.clamp(1, 365);
    let mut tx = app.store.read().await?;
    let today = chrono::Utc::now().date_naive();
    let first = today - chrono::Duration::days(days - 1);
    let since = first.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or_else(chrono::Utc::now);
    let (awards, reactions) = tx.activity_since(since).await?;
    let mut activity: Vec<(chrono::NaiveDate, i64, i64)> =
        (0..days).map(|d| (first + chrono::Duration::days(d), 0, 0)).collect();
    for (times, column) in [(awards, 0), (reactions, 1)] {
        for t in times {
            let day = (t.date_naive() - first).num_days();
            if let Some(slot) = usize::try_from(day).ok().and_then(|d| activity.get_mut(d)) {
                if column == 0 {
                    slot.1 += 1;
                } else {
                    slot.2 += 1;
                }
            }
        }
    }
    let mut groups = Vec::new();
    for group in tx.list_groups("", 500, 0).await? {
        let enabled = tx.feature_flag(ACHIEVEMENTS_FLAG, Some(group.id)).await?.unwrap_or(true);
        groups.push((group, enabled));
    }
    Ok(AdminOverview {
        counts: tx.instance_counts().await?,
        activity,
        settings: read_settings(&mut tx).await?,
        groups,
        users: tx.list_users("", 500, 0).await?,
        locked: tx.locked_user_ids().await?,
        limits: tx.abuse_limits().await?,
        audit: tx.recent_audit(30).await?,
    })
}
