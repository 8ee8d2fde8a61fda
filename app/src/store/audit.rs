//! The append-only audit log (the database refuses updates and deletes).

use super::{exec, now, on, AuditRow, StoreResult, Tx};

pub struct NewAudit<'a> {
    pub actor_id: Option<i64>,
    pub actor_name: Option<&'a str>,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: i64,
    pub details: serde_json::Value,
}

impl Tx {
    pub async fn insert_audit(&mut self, entry: NewAudit<'_>) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "INSERT INTO audit_events (actor_id, actor_name, action, target_type, target_id, details, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(entry.actor_id).bind(entry.actor_name).bind(entry.action).bind(entry.target_type)
            .bind(entry.target_id).bind(entry.details.to_string()).bind(now()).execute(c).await)?;
        Ok(())
    }

    /// The newest entries first.
    pub async fn recent_audit(&mut self, limit: i64) -> StoreResult<Vec<AuditRow>> {
        on!(self, c => sqlx::query_as::<_, AuditRow>(
            "SELECT id, actor_id, actor_name, action, target_type, target_id, details, created_at \
             FROM audit_events ORDER BY id DESC LIMIT $1")
            .bind(limit).fetch_all(c).await)
    }
}
