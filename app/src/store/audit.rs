//! The append-only audit log (the database refuses updates and deletes).

use super::{exec, now, on, AuditRow, StoreResult, Tx};
use chrono::{DateTime, Utc};

pub struct NewAudit<'a> {
    pub actor_id: Option<i64>,
    pub actor_name: Option<&'a str>,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: i64,
    pub details: serde_json::Value,
    pub concerns: Concerns,
}

/// What an entry concerns, for a group's audit log.
#[derive(Clone, Copy, Debug, Default)]
pub struct Concerns {
    pub group_id: Option<i64>,
    pub achievement_id: Option<i64>,
    /// The person it was done to (an award's recipient).
    pub subject_id: Option<i64>,
}

/// A group's audit log, filtered: by a person (who did it, or to whom), an
/// achievement, and a time range (`from` inclusive, `until` exclusive).
pub struct GroupAudit {
    pub group_id: i64,
    pub person: Option<i64>,
    pub achievement_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

const GROUP_AUDIT: &str = "group_id = $1 AND ($2 IS NULL OR actor_id = $2 OR subject_id = $2) \
     AND ($3 IS NULL OR achievement_id = $3) AND ($4 IS NULL OR created_at >= $4) AND ($5 IS NULL OR created_at < $5)";

impl Tx {
    pub async fn insert_audit(&mut self, entry: NewAudit<'_>) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "INSERT INTO audit_events (actor_id, actor_name, action, target_type, target_id, details, created_at, \
             group_id, achievement_id, subject_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(entry.actor_id).bind(entry.actor_name).bind(entry.action).bind(entry.target_type)
            .bind(entry.target_id).bind(entry.details.to_string()).bind(now())
            .bind(entry.concerns.group_id).bind(entry.concerns.achievement_id).bind(entry.concerns.subject_id)
            .execute(c).await)?;
        Ok(())
    }

    /// The newest entries first.
    pub async fn recent_audit(&mut self, limit: i64) -> StoreResult<Vec<AuditRow>> {
        on!(self, c => sqlx::query_as::<_, AuditRow>(
            "SELECT id, actor_id, actor_name, action, target_type, target_id, details, created_at, achievement_id, \
             subject_id FROM audit_events ORDER BY id DESC LIMIT $1")
            .bind(limit).fetch_all(c).await)
    }

    pub async fn count_group_audit(&mut self, q: &GroupAudit) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) FROM audit_events WHERE {GROUP_AUDIT}");
        on!(self, c => sqlx::query_scalar(&sql)
            .bind(q.group_id).bind(q.person).bind(q.achievement_id).bind(q.from).bind(q.until)
            .fetch_one(c).await)
    }

    /// A page of a group's entries, newest first.
    pub async fn group_audit(&mut self, q: &GroupAudit, limit: i64, offset: i64) -> StoreResult<Vec<AuditRow>> {
        let sql = format!(
            "SELECT id, actor_id, actor_name, action, target_type, target_id, details, created_at, achievement_id, \
             subject_id FROM audit_events WHERE {GROUP_AUDIT} ORDER BY id DESC LIMIT $6 OFFSET $7"
        );
        on!(self, c => sqlx::query_as::<_, AuditRow>(&sql)
            .bind(q.group_id).bind(q.person).bind(q.achievement_id).bind(q.from).bind(q.until)
            .bind(limit).bind(offset).fetch_all(c).await)
    }
}
