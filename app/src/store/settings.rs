//! Instance settings and feature flags.

use super::{exec, now, on, AbuseLimits, StoreResult, Tx};
use chrono::{DateTime, Utc};

const LIMIT_COLUMNS: &str = "max_login_attempts, failed_login_attempts_unlock_period_in_minutes, \
     throttle_protected_paths_requests_per_period, reactions_per_user_per_minute, awards_per_group_per_hour, \
     award_emails_per_group_per_hour, throttle_unauthenticated_api_requests_per_period";

impl Tx {
    pub async fn auto_accept_awarded_achievements(&mut self) -> StoreResult<bool> {
        let value: Option<bool> = on!(self, c => sqlx::query_scalar(
            "SELECT auto_accept_awarded_achievements FROM application_settings WHERE id = 1")
            .fetch_optional(c).await)?;
        Ok(value.unwrap_or(true))
    }

    pub async fn abuse_limits(&mut self) -> StoreResult<AbuseLimits> {
        let sql = format!("SELECT {LIMIT_COLUMNS} FROM application_settings WHERE id = 1");
        let row = on!(self, c => sqlx::query_as::<_, AbuseLimits>(&sql).fetch_optional(c).await)?;
        Ok(row.unwrap_or_default())
    }

    pub async fn set_abuse_limits(&mut self, l: &AbuseLimits) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO application_settings (id, updated_at, {LIMIT_COLUMNS}) VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, \
             max_login_attempts = excluded.max_login_attempts, \
             failed_login_attempts_unlock_period_in_minutes = excluded.failed_login_attempts_unlock_period_in_minutes, \
             throttle_protected_paths_requests_per_period = excluded.throttle_protected_paths_requests_per_period, \
             reactions_per_user_per_minute = excluded.reactions_per_user_per_minute, \
             awards_per_group_per_hour = excluded.awards_per_group_per_hour, \
             award_emails_per_group_per_hour = excluded.award_emails_per_group_per_hour, \
             throttle_unauthenticated_api_requests_per_period = \
             excluded.throttle_unauthenticated_api_requests_per_period"
        );
        exec!(self, c => sqlx::query(&sql)
            .bind(now()).bind(l.max_login_attempts).bind(l.failed_login_attempts_unlock_period_in_minutes)
            .bind(l.throttle_protected_paths_requests_per_period).bind(l.reactions_per_user_per_minute)
            .bind(l.awards_per_group_per_hour).bind(l.award_emails_per_group_per_hour)
            .bind(l.throttle_unauthenticated_api_requests_per_period)
            .execute(c).await)?;
        Ok(())
    }

    /// When the user's account is locked until (if it is), after failed sign-ins.
    pub async fn locked_until(&mut self, user_id: i64) -> StoreResult<Option<DateTime<Utc>>> {
        let until: Option<Option<DateTime<Utc>>> = on!(self, c => sqlx::query_scalar(
            "SELECT locked_until FROM sign_in_failures WHERE user_id = $1")
            .bind(user_id).fetch_optional(c).await)?;
        Ok(until.flatten().filter(|at| *at > now()))
    }

    /// Counts a sign-in attempt before its password is checked, so that
    /// attempts made at the same moment cannot all pass one look at the lock:
    /// whether this one may be checked (the account is not locked, and fewer
    /// than `max` attempts are counted; 0 counts without a limit).
    pub async fn begin_sign_in_attempt(&mut self, user_id: i64, max: i32) -> StoreResult<bool> {
        // One statement: the lock is read on the row it counts on (a lock set
        // by a transaction still committing is waited for, not missed).
        let counted: Option<i32> = on!(self, c => sqlx::query_scalar(
            "INSERT INTO sign_in_failures (user_id, failed_attempts) VALUES ($1, 1) \
             ON CONFLICT (user_id) DO UPDATE SET failed_attempts = sign_in_failures.failed_attempts + 1 \
             WHERE sign_in_failures.locked_until IS NULL OR sign_in_failures.locked_until <= $2 \
             RETURNING failed_attempts")
            .bind(user_id).bind(now()).fetch_optional(c).await)?;
        Ok(counted.is_some_and(|counted| max == 0 || counted <= max))
    }

    /// After a failed attempt (counted when it began): once `max` are
    /// counted, locks the account until `lock_until` and starts the count
    /// again. Whether this one locked it.
    pub async fn lock_after_failures(
        &mut self,
        user_id: i64,
        max: i32,
        lock_until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        if max == 0 {
            return Ok(false);
        }
        let locked = exec!(self, c => sqlx::query(
            "UPDATE sign_in_failures SET failed_attempts = 0, locked_until = $2 \
             WHERE user_id = $1 AND failed_attempts >= $3")
            .bind(user_id).bind(lock_until).bind(max).execute(c).await)?;
        Ok(locked > 0)
    }

    /// Users locked out right now, for the admin dashboard.
    pub async fn locked_user_ids(&mut self) -> StoreResult<Vec<i64>> {
        on!(self, c => sqlx::query_scalar(
            "SELECT user_id FROM sign_in_failures WHERE locked_until > $1 ORDER BY user_id")
            .bind(now()).fetch_all(c).await)
    }

    /// A successful sign-in, or an admin's unlock: the count and the lock go.
    pub async fn clear_sign_in_failures(&mut self, user_id: i64) -> StoreResult<bool> {
        let n = exec!(self, c => sqlx::query("DELETE FROM sign_in_failures WHERE user_id = $1")
            .bind(user_id).execute(c).await)?;
        Ok(n > 0)
    }

    /// Awards made in the group's achievements since `since` (revoked ones too),
    /// and when the oldest of them was made.
    pub async fn group_awards_since(
        &mut self,
        group_id: i64,
        since: DateTime<Utc>,
    ) -> StoreResult<(i64, Option<DateTime<Utc>>)> {
        on!(self, c => sqlx::query_as(
            "SELECT COUNT(*), MIN(ua.created_at) FROM user_achievements ua \
             JOIN achievements a ON a.id = ua.achievement_id WHERE a.namespace_id = $1 AND ua.created_at > $2")
            .bind(group_id).bind(since).fetch_one(c).await)
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

pub use crate::model::InstanceCounts;

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
