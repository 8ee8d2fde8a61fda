//! Instance settings, feature flags and the audit log: instance admins only.

use super::facts::ACHIEVEMENTS_FLAG;
use super::{audit, Actor, AppState, DomainError, DomainResult};
use crate::policy;
use crate::store::AuditRow;

fn require_admin(actor: &Actor) -> DomainResult<()> {
    if policy::admin_all_resources(&actor.viewer()) {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

#[derive(Clone, Debug)]
pub struct InstanceSettings {
    pub achievements_enabled: bool,
    pub auto_accept_awarded_achievements: bool,
}

pub async fn instance_settings(app: &AppState, actor: &Actor) -> DomainResult<InstanceSettings> {
    require_admin(actor)?;
    let mut tx = app.store.read().await?;
    Ok(InstanceSettings {
        achievements_enabled: tx.feature_flag(ACHIEVEMENTS_FLAG, None).await?.unwrap_or(true),
        auto_accept_awarded_achievements: tx.auto_accept_awarded_achievements().await?,
    })
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

pub async fn recent_audit(app: &AppState, actor: &Actor, limit: i64) -> DomainResult<Vec<AuditRow>> {
    require_admin(actor)?;
    let mut tx = app.store.read().await?;
    Ok(tx.recent_audit(limit.clamp(1, 500)).await?)
}
