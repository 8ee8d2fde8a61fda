//! Instance settings and feature flags.

use super::{exec, now, on, StoreResult, Tx};

impl Tx {
    pub async fn auto_accept_awarded_achievements(&mut self) -> StoreResult<bool> {
        let value: Option<bool> = on!(self, c => sqlx::query_scalar(
            "SELECT auto_accept_awarded_achievements FROM application_settings WHERE id = 1")
            .fetch_optional(c).await)?;
        Ok(value.unwrap_or(true))
    }

    pub async fn set_auto_accept_awarded_achievements(&mut self, value: bool) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "INSERT INTO application_settings (id, auto_accept_awarded_achievements, updated_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET auto_accept_awarded_achievements = excluded.auto_accept_awarded_achievements, \
             updated_at = excluded.updated_at")
            .bind(value).bind(now()).execute(c).await)?;
        Ok(())
    }

    /// The flag's value for a group: the nearest group-level value on the group or
    /// its ancestors, else the instance value, else `None` (the caller's default).
    pub async fn feature_flag(&mut self, name: &str, group_id: Option<i64>) -> StoreResult<Option<bool>> {
        if let Some(group_id) = group_id {
            let for_group: Option<bool> = on!(self, c => sqlx::query_scalar(
                "WITH RECURSIVE ancestors (id, parent_id, depth) AS ( \
                   SELECT id, parent_id, 0 FROM namespaces WHERE id = $1 \
                   UNION ALL SELECT n.id, n.parent_id, a.depth + 1 FROM namespaces n JOIN ancestors a ON n.id = a.parent_id) \
                 SELECT f.enabled FROM feature_flags f JOIN ancestors a ON f.group_id = a.id \
                 WHERE f.name = $2 ORDER BY a.depth LIMIT 1")
                .bind(group_id).bind(name).fetch_optional(c).await)?;
            if for_group.is_some() {
                return Ok(for_group);
            }
        }
        on!(self, c => sqlx::query_scalar(
            "SELECT enabled FROM feature_flags WHERE name = $1 AND group_id IS NULL")
            .bind(name).fetch_optional(c).await)
    }

    /// Sets the flag for the instance (`group_id` None) or one group.
    pub async fn set_feature_flag(&mut self, name: &str, group_id: Option<i64>, enabled: bool) -> StoreResult<()> {
        let sql = if group_id.is_some() {
            "INSERT INTO feature_flags (name, group_id, enabled, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name, group_id) WHERE group_id IS NOT NULL \
             DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at"
        } else {
            "INSERT INTO feature_flags (name, group_id, enabled, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) WHERE group_id IS NULL \
             DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at"
        };
        exec!(self, c => sqlx::query(sql).bind(name).bind(group_id).bind(enabled).bind(now()).execute(c).await)?;
        Ok(())
    }
}

/// How much there is on the instance (the admin dashboard's counters).
#[derive(Clone, Debug, Default)]
pub struct InstanceCounts {
    pub users: i64,
    pub groups: i64,
    pub projects: i64,
    pub achievements: i64,
    pub awards: i64,
    pub reactions: i64,
}

impl Tx {
    async fn count(&mut self, sql: &'static str) -> StoreResult<i64> {
        on!(self, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await)
    }

    pub async fn instance_counts(&mut self) -> StoreResult<InstanceCounts> {
        Ok(InstanceCounts {
            users: self.count("SELECT COUNT(*) FROM users").await?,
            groups: self.count("SELECT COUNT(*) FROM namespaces WHERE kind = 'group'").await?,
            projects: self.count("SELECT COUNT(*) FROM projects").await?,
            achievements: self.count("SELECT COUNT(*) FROM achievements").await?,
            awards: self.count("SELECT COUNT(*) FROM user_achievements WHERE revoked_by_user_id IS NULL").await?,
            reactions: self.count("SELECT COUNT(*) FROM award_emoji").await?,
        })
    }

    /// When each award (revoked ones too) and each reaction still present was
    /// made, since `since`: the admin chart buckets them by day.
    pub async fn activity_since(
        &mut self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<(Vec<chrono::DateTime<chrono::Utc>>, Vec<chrono::DateTime<chrono::Utc>>)> {
        let awards = on!(self, c => sqlx::query_scalar(
            "SELECT created_at FROM user_achievements WHERE created_at >= $1")
            .bind(since).fetch_all(c).await)?;
        let reactions = on!(self, c => sqlx::query_scalar(
            "SELECT created_at FROM award_emoji WHERE created_at >= $1")
            .bind(since).fetch_all(c).await)?;
        Ok((awards, reactions))
    }
}
