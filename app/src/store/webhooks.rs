//! Group webhooks and their deliveries: hooks as Owners set them, and each event
//! for each hook, written with the change that caused it and claimed one at a
//! time by a delivery worker (any process).

use super::{exec, now, on, AwardEmojiRow, StoreResult, Tx, UserAchievementRow};
use chrono::{DateTime, Utc};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct HookRow {
    pub id: i64,
    pub group_id: i64,
    pub url: String,
    pub name: String,
    pub description: String,
    pub token: Option<String>,
    pub signing_token: Option<String>,
    pub enable_ssl_verification: bool,
    /// The enabled event switches, separated by spaces.
    pub events: String,
    /// Consecutive deliveries that failed for good (reset by a success).
    pub recent_failures: i32,
    pub disabled_until: Option<DateTime<Utc>>,
    pub permanently_disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl HookRow {
    pub fn has_event(&self, switch: &str) -> bool {
        self.events.split_whitespace().any(|e| e == switch)
    }
}

/// A hook as written: every field but the failure record.
pub struct HookFields<'a> {
    pub url: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub token: Option<&'a str>,
    pub signing_token: Option<&'a str>,
    pub enable_ssl_verification: bool,
    pub events: &'a str,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct HookDeliveryRow {
    pub id: i64,
    pub hook_id: i64,
    /// `X-Gitlab-Event`: "Emoji Hook", "Achievement Hook".
    pub event_name: String,
    /// The event switch that sent it: `emoji_events`, `achievement_events`.
    pub trigger: String,
    pub idempotency_key: String,
    pub event_uuid: String,
    /// A test: tried once, even while its hook is disabled.
    pub is_test: bool,
    pub payload: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub claimed_until: Option<DateTime<Utc>>,
    pub response_status: Option<i32>,
    pub response_body: Option<String>,
    pub internal_error: Option<String>,
    /// Seconds the last attempt took.
    pub execution_duration: Option<f64>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub gave_up_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub struct NewDelivery<'a> {
    pub hook_id: i64,
    pub event_name: &'a str,
    pub trigger: &'a str,
    pub idempotency_key: &'a str,
    pub event_uuid: &'a str,
    pub is_test: bool,
    pub payload: &'a str,
    pub not_before: DateTime<Utc>,
}

/// What one attempt got back.
pub struct AttemptRecord<'a> {
    pub response_status: Option<i32>,
    pub response_body: Option<&'a str>,
    pub internal_error: Option<&'a str>,
    pub execution_duration: f64,
}

/// At most this many hooks hear one event (the nearest groups' first).
pub const MAX_FAN_OUT: i64 = 100;

const HOOK_COLUMNS: &str = "id, group_id, url, name, description, token, signing_token, enable_ssl_verification, \
     events, recent_failures, disabled_until, permanently_disabled, created_at, updated_at";

const DELIVERY_COLUMNS: &str =
    "id, hook_id, event_name, trigger, idempotency_key, event_uuid, is_test, payload, attempts, \
     next_attempt_at, claimed_until, response_status, response_body, internal_error, execution_duration, \
     delivered_at, gave_up_at, created_at, updated_at";

impl Tx {
    pub async fn insert_hook(&mut self, group_id: i64, h: &HookFields<'_>) -> StoreResult<HookRow> {
        let sql = format!(
            "INSERT INTO group_hooks (group_id, url, name, description, token, signing_token, \
             enable_ssl_verification, events, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
             RETURNING {HOOK_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, HookRow>(&sql)
            .bind(group_id).bind(h.url).bind(h.name).bind(h.description).bind(h.token).bind(h.signing_token)
            .bind(h.enable_ssl_verification).bind(h.events).bind(now()).fetch_one(c).await)
    }

    /// Rewrites a hook's fields. A changed URL starts a clean failure record.
    pub async fn update_hook(&mut self, id: i64, h: &HookFields<'_>, url_changed: bool) -> StoreResult<HookRow> {
        let reset =
            if url_changed { ", recent_failures = 0, disabled_until = NULL, permanently_disabled = FALSE" } else { "" };
        let sql = format!(
            "UPDATE group_hooks SET url = $2, name = $3, description = $4, token = $5, signing_token = $6, \
             enable_ssl_verification = $7, events = $8, updated_at = $9{reset} WHERE id = $1 RETURNING {HOOK_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, HookRow>(&sql)
            .bind(id).bind(h.url).bind(h.name).bind(h.description).bind(h.token).bind(h.signing_token)
            .bind(h.enable_ssl_verification).bind(h.events).bind(now()).fetch_one(c).await)
    }

    pub async fn delete_hook(&mut self, id: i64) -> StoreResult<()> {
        exec!(self, c => sqlx::query("DELETE FROM hook_deliveries WHERE hook_id = $1").bind(id).execute(c).await)?;
        exec!(self, c => sqlx::query("DELETE FROM group_hooks WHERE id = $1").bind(id).execute(c).await)?;
        Ok(())
    }

    pub async fn hook_by_id(&mut self, id: i64) -> StoreResult<Option<HookRow>> {
        let sql = format!("SELECT {HOOK_COLUMNS} FROM group_hooks WHERE id = $1");
        on!(self, c => sqlx::query_as::<_, HookRow>(&sql).bind(id).fetch_optional(c).await)
    }

    pub async fn hooks_of_group(&mut self, group_id: i64) -> StoreResult<Vec<HookRow>> {
        let sql = format!("SELECT {HOOK_COLUMNS} FROM group_hooks WHERE group_id = $1 ORDER BY id");
        on!(self, c => sqlx::query_as::<_, HookRow>(&sql).bind(group_id).fetch_all(c).await)
    }

    pub async fn count_group_hooks(&mut self, group_id: i64) -> StoreResult<i64> {
        on!(self, c => sqlx::query_scalar("SELECT COUNT(*) FROM group_hooks WHERE group_id = $1")
            .bind(group_id).fetch_one(c).await)
    }

    /// The hooks of a namespace and of every group above it that are not
    /// disabled for good (group hooks hear their subgroups' events), in one query.
    pub async fn hooks_above(&mut self, namespace_id: i64) -> StoreResult<Vec<HookRow>> {
        let columns = HOOK_COLUMNS.split(", ").map(|c| format!("h.{c}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "WITH RECURSIVE chain (id, parent_id, depth) AS ( \
               SELECT id, parent_id, 0 FROM namespaces WHERE id = $1 AND kind = 'group' \
               UNION ALL SELECT n.id, n.parent_id, chain.depth + 1 FROM namespaces n \
                 JOIN chain ON n.id = chain.parent_id WHERE chain.depth < 20) \
             SELECT {columns} FROM group_hooks h JOIN chain ON h.group_id = chain.id \
             WHERE NOT h.permanently_disabled ORDER BY chain.depth, h.id LIMIT {MAX_FAN_OUT}"
        );
        on!(self, c => sqlx::query_as::<_, HookRow>(&sql).bind(namespace_id).fetch_all(c).await)
    }

    /// A hook's deliveries not yet delivered or given up.
    pub async fn count_pending_deliveries(&mut self, hook_id: i64) -> StoreResult<i64> {
        on!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM hook_deliveries WHERE hook_id = $1 AND delivered_at IS NULL AND gave_up_at IS NULL")
            .bind(hook_id).fetch_one(c).await)
    }

    pub async fn insert_delivery(&mut self, d: &NewDelivery<'_>) -> StoreResult<i64> {
        on!(self, c => sqlx::query_scalar(
            "INSERT INTO hook_deliveries (hook_id, event_name, trigger, idempotency_key, event_uuid, is_test, payload, \
             next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id")
            .bind(d.hook_id).bind(d.event_name).bind(d.trigger).bind(d.idempotency_key).bind(d.event_uuid)
            .bind(d.is_test).bind(d.payload).bind(d.not_before).bind(now()).fetch_one(c).await)
        .inspect(|_| self.deliveries_queued = true)
    }

    /// Claims the next due delivery until `lease_until`, counting the attempt:
    /// never one of a hook that has another in flight (a slow receiver holds
    /// one sender, not all), nor of a group with `per_group` in flight (its
    /// hooks hold no more than that many senders, however many it has); a
    /// group with none in flight goes first, so one group's backlog delays no
    /// other group's deliveries. Claims take turns, across processes: on
    /// PostgreSQL by `lock_delivery_claims` (and `SKIP LOCKED` never waits on
    /// a row), on SQLite by the write lock.
    pub async fn claim_delivery(
        &mut self,
        lease_until: DateTime<Utc>,
        per_group: i64,
    ) -> StoreResult<Option<HookDeliveryRow>> {
        self.lock_delivery_claims().await?;
        // First among groups with nothing in flight, then among the others
        // below their share: each in the order deliveries fell due.
        for busy in [1, per_group.max(1)] {
            if let Some(claimed) = self.claim_delivery_outside(lease_until, busy).await? {
                return Ok(Some(claimed));
            }
        }
        Ok(None)
    }

    /// [`Self::claim_delivery`] among the groups with fewer than `busy` in flight.
    async fn claim_delivery_outside(
        &mut self,
        lease_until: DateTime<Utc>,
        busy: i64,
    ) -> StoreResult<Option<HookDeliveryRow>> {
        let lock = if self.is_postgres() { " FOR UPDATE OF d SKIP LOCKED" } else { "" };
        let sql = format!(
            "WITH flying AS ( \
               SELECT h.group_id, COUNT(*) AS n FROM hook_deliveries f JOIN group_hooks h ON h.id = f.hook_id \
               WHERE f.claimed_until > $1 AND f.delivered_at IS NULL AND f.gave_up_at IS NULL GROUP BY h.group_id) \
             UPDATE hook_deliveries SET claimed_until = $2, attempts = attempts + 1 WHERE id = ( \
               SELECT d.id FROM hook_deliveries d JOIN group_hooks g ON g.id = d.hook_id \
               WHERE d.delivered_at IS NULL AND d.gave_up_at IS NULL \
               AND d.next_attempt_at <= $1 AND (d.claimed_until IS NULL OR d.claimed_until <= $1) \
               AND g.group_id NOT IN (SELECT group_id FROM flying WHERE n >= $3) \
               AND NOT EXISTS (SELECT 1 FROM hook_deliveries other WHERE other.hook_id = d.hook_id \
                 AND other.claimed_until > $1 AND other.delivered_at IS NULL AND other.gave_up_at IS NULL) \
               ORDER BY d.next_attempt_at, d.id LIMIT 1{lock}) \
             RETURNING {DELIVERY_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, HookDeliveryRow>(&sql)
            .bind(now()).bind(lease_until).bind(busy).fetch_optional(c).await)
    }

    /// Records an attempt made under the claim that ended `claimed_until`:
    /// delivered (`outcome` = `Ok`), to be tried again at the given time
    /// (`Err(Some(at))`), or given up (`Err(None)`). Whether the claim still
    /// held (a send that outlived its lease was claimed again elsewhere, and
    /// that attempt's record stands).
    pub async fn record_attempt(
        &mut self,
        (id, claimed_until): (i64, Option<DateTime<Utc>>),
        attempt: &AttemptRecord<'_>,
        outcome: Result<(), Option<DateTime<Utc>>>,
    ) -> StoreResult<bool> {
        let at = now();
        let (delivered, retry_at, gave_up) = match outcome {
            Ok(()) => (Some(at), None, None),
            Err(Some(retry)) => (None, Some(retry), None),
            Err(None) => (None, None, Some(at)),
        };
        let changed = exec!(self, c => sqlx::query(
            "UPDATE hook_deliveries SET claimed_until = NULL, response_status = $2, response_body = $3, \
             internal_error = $4, execution_duration = $5, delivered_at = $6, \
             next_attempt_at = COALESCE($7, next_attempt_at), gave_up_at = $8, updated_at = $9 \
             WHERE id = $1 AND claimed_until = $10")
            .bind(id).bind(attempt.response_status).bind(attempt.response_body).bind(attempt.internal_error)
            .bind(attempt.execution_duration).bind(delivered).bind(retry_at).bind(gave_up).bind(at)
            .bind(claimed_until).execute(c).await)?;
        Ok(changed == 1)
    }

    /// When the next delivery not in flight is due (none: nothing waits).
    pub async fn next_delivery_due(&mut self) -> StoreResult<Option<DateTime<Utc>>> {
        on!(self, c => sqlx::query_scalar(
            "SELECT MIN(next_attempt_at) FROM hook_deliveries WHERE delivered_at IS NULL AND gave_up_at IS NULL \
             AND (claimed_until IS NULL OR claimed_until <= $1)")
            .bind(now()).fetch_one(c).await)
    }

    /// Puts a claimed delivery back untried until `at` (its hook is disabled for now).
    pub async fn postpone_delivery(&mut self, id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "UPDATE hook_deliveries SET claimed_until = NULL, attempts = attempts - 1, next_attempt_at = $2 \
             WHERE id = $1")
            .bind(id).bind(at).execute(c).await)?;
        Ok(())
    }

    /// A delivery reached its receiver: the hook's failure record starts over.
    pub async fn hook_succeeded(&mut self, hook_id: i64) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "UPDATE group_hooks SET recent_failures = 0, disabled_until = NULL, permanently_disabled = FALSE \
             WHERE id = $1")
            .bind(hook_id).execute(c).await)?;
        Ok(())
    }

    /// One more delivery failed for good: the hook's count of failures in a row.
    pub async fn count_hook_failure(&mut self, hook_id: i64) -> StoreResult<Option<i32>> {
        on!(self, c => sqlx::query_scalar(
            "UPDATE group_hooks SET recent_failures = recent_failures + 1 WHERE id = $1 RETURNING recent_failures")
            .bind(hook_id).fetch_optional(c).await)
    }

    /// The hook's failure record as given.
    pub async fn set_hook_failures(
        &mut self,
        hook_id: i64,
        recent_failures: i32,
        disabled_until: Option<DateTime<Utc>>,
        permanently_disabled: bool,
    ) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "UPDATE group_hooks SET recent_failures = $2, disabled_until = $3, permanently_disabled = $4 \
             WHERE id = $1")
            .bind(hook_id).bind(recent_failures).bind(disabled_until).bind(permanently_disabled).execute(c).await)?;
        Ok(())
    }

    pub async fn delivery_by_id(&mut self, id: i64) -> StoreResult<Option<HookDeliveryRow>> {
        let sql = format!("SELECT {DELIVERY_COLUMNS} FROM hook_deliveries WHERE id = $1");
        on!(self, c => sqlx::query_as::<_, HookDeliveryRow>(&sql).bind(id).fetch_optional(c).await)
    }

    /// A hook's deliveries, newest first.
    pub async fn deliveries_of_hook(
        &mut self,
        hook_id: i64,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<HookDeliveryRow>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM hook_deliveries WHERE hook_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"
        );
        on!(self, c => sqlx::query_as::<_, HookDeliveryRow>(&sql).bind(hook_id).bind(limit).bind(offset)
            .fetch_all(c).await)
    }

    pub async fn count_deliveries_of_hook(&mut self, hook_id: i64) -> StoreResult<i64> {
        on!(self, c => sqlx::query_scalar("SELECT COUNT(*) FROM hook_deliveries WHERE hook_id = $1")
            .bind(hook_id).fetch_one(c).await)
    }

    /// Forgets finished deliveries older than `before` (GitLab keeps a week of logs).
    pub async fn prune_deliveries(&mut self, before: DateTime<Utc>) -> StoreResult<u64> {
        exec!(self, c => sqlx::query(
            "DELETE FROM hook_deliveries WHERE created_at < $1 AND (delivered_at IS NOT NULL OR gave_up_at IS NOT NULL)")
            .bind(before).execute(c).await)
    }

    pub async fn allow_local_hook_requests(&mut self) -> StoreResult<bool> {
        let value: Option<bool> = on!(self, c => sqlx::query_scalar(
            "SELECT allow_local_requests_from_web_hooks_and_services FROM application_settings WHERE id = 1")
            .fetch_optional(c).await)?;
        Ok(value.unwrap_or(false))
    }

    pub async fn set_allow_local_hook_requests(&mut self, value: bool) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "INSERT INTO application_settings (id, allow_local_requests_from_web_hooks_and_services, updated_at) \
             VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET allow_local_requests_from_web_hooks_and_services = \
             excluded.allow_local_requests_from_web_hooks_and_services, updated_at = excluded.updated_at")
            .bind(value).bind(now()).execute(c).await)?;
        Ok(())
    }

    /// The newest reaction on an issue of the group's own projects (a hook
    /// test's sample); on a confidential issue only when `confidential` (the
    /// hook takes confidential issues' events).
    pub async fn latest_issue_reaction_in_group(
        &mut self,
        group_id: i64,
        confidential: bool,
    ) -> StoreResult<Option<AwardEmojiRow>> {
        let columns = super::award_emoji::AWARD_EMOJI_COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>();
        let sql = format!(
            "SELECT {} FROM award_emoji a JOIN issues i ON a.awardable_type = 'Issue' AND a.awardable_id = i.id \
             JOIN projects p ON p.id = i.project_id WHERE p.namespace_id = $1 AND (NOT i.confidential OR $2) \
             ORDER BY a.id DESC LIMIT 1",
            columns.join(", ")
        );
        on!(self, c => sqlx::query_as::<_, AwardEmojiRow>(&sql).bind(group_id).bind(confidential).fetch_optional(c).await)
    }

    /// The newest award of the group's achievements (a hook test's sample).
    pub async fn latest_award_in_group(&mut self, group_id: i64) -> StoreResult<Option<UserAchievementRow>> {
        let columns = super::achievements::AWARD_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>();
        let sql = format!(
            "SELECT {} FROM user_achievements u JOIN achievements a ON a.id = u.achievement_id \
             JOIN users r ON r.id = u.user_id WHERE a.namespace_id = $1 AND u.revoked_at IS NULL \
             AND NOT r.private_profile AND r.state <> 'blocked' ORDER BY u.id DESC LIMIT 1",
            columns.join(", ")
        );
        on!(self, c => sqlx::query_as::<_, UserAchievementRow>(&sql).bind(group_id).fetch_optional(c).await)
    }
}
