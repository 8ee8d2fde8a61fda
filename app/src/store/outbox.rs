//! The mail outbox: messages written with the change that caused them, claimed
//! one at a time by a delivery worker (any process), marked sent or retried later.

use super::{exec, now, on, OutboxRow, StoreResult, Tx};
use chrono::{DateTime, Utc};

pub struct NewMail<'a> {
    pub message_id: &'a str,
    pub group_id: Option<i64>,
    pub to_name: &'a str,
    pub to_address: &'a str,
    pub subject: &'a str,
    pub text_body: &'a str,
    pub html_body: &'a str,
    /// Not before this time (a group over its hourly mail limit waits its turn).
    pub not_before: DateTime<Utc>,
}

const OUTBOX_COLUMNS: &str = "id, message_id, group_id, to_name, to_address, subject, text_body, html_body, \
     attempts, next_attempt_at, claimed_until, last_error, sent_at, gave_up_at, created_at";

impl Tx {
    pub async fn insert_mail(&mut self, mail: NewMail<'_>) -> StoreResult<i64> {
        on!(self, c => sqlx::query_scalar(
            "INSERT INTO mail_outbox (message_id, group_id, to_name, to_address, subject, text_body, html_body, \
             next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
            .bind(mail.message_id).bind(mail.group_id).bind(mail.to_name).bind(mail.to_address)
            .bind(mail.subject).bind(mail.text_body).bind(mail.html_body).bind(mail.not_before).bind(now())
            .fetch_one(c).await)
    }

    /// When the next message not in flight is due (none: nothing waits).
    pub async fn next_mail_due(&mut self) -> StoreResult<Option<DateTime<Utc>>> {
        on!(self, c => sqlx::query_scalar(
            "SELECT MIN(next_attempt_at) FROM mail_outbox WHERE sent_at IS NULL AND gave_up_at IS NULL \
             AND (claimed_until IS NULL OR claimed_until <= $1)")
            .bind(now()).fetch_one(c).await)
    }

    /// Claims the next due message until `lease_until`, counting the attempt.
    /// On PostgreSQL, `SKIP LOCKED` lets several processes claim side by side,
    /// never the same row; on SQLite the write lock does the same.
    pub async fn claim_mail(&mut self, lease_until: DateTime<Utc>) -> StoreResult<Option<OutboxRow>> {
        let lock = if self.is_postgres() { " FOR UPDATE SKIP LOCKED" } else { "" };
        let sql = format!(
            "UPDATE mail_outbox SET claimed_until = $2, attempts = attempts + 1 WHERE id = ( \
               SELECT id FROM mail_outbox WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= $1 \
               AND (claimed_until IS NULL OR claimed_until <= $1) ORDER BY next_attempt_at, id LIMIT 1{lock}) \
             RETURNING {OUTBOX_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, OutboxRow>(&sql).bind(now()).bind(lease_until).fetch_optional(c).await)
    }

    pub async fn mail_sent(&mut self, id: i64) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "UPDATE mail_outbox SET sent_at = $2, claimed_until = NULL, last_error = NULL WHERE id = $1")
            .bind(id).bind(now()).execute(c).await)?;
        Ok(())
    }

    /// Records a failed attempt: try again at `retry_at`, or never (`None`).
    pub async fn mail_failed(&mut self, id: i64, error: &str, retry_at: Option<DateTime<Utc>>) -> StoreResult<()> {
        let gave_up = retry_at.is_none().then(now);
        exec!(self, c => sqlx::query(
            "UPDATE mail_outbox SET claimed_until = NULL, last_error = $2, \
             next_attempt_at = COALESCE($3, next_attempt_at), gave_up_at = $4 WHERE id = $1")
            .bind(id).bind(error).bind(retry_at).bind(gave_up).execute(c).await)?;
        Ok(())
    }

    /// How many messages to `address` were queued since `since`.
    pub async fn mails_to_since(&mut self, address: &str, since: DateTime<Utc>) -> StoreResult<i64> {
        on!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM mail_outbox WHERE to_address = $1 AND created_at > $2")
            .bind(address).bind(since).fetch_one(c).await)
    }

    /// Due times of a group's mail after `since`.
    pub async fn group_mail_times(&mut self, group_id: i64, since: DateTime<Utc>) -> StoreResult<Vec<DateTime<Utc>>> {
        on!(self, c => sqlx::query_scalar(
            "SELECT next_attempt_at FROM mail_outbox WHERE group_id = $1 AND next_attempt_at > $2")
            .bind(group_id).bind(since).fetch_all(c).await)
    }
}
