//! Delivering webhooks: a worker (in every server process) claims one due
//! delivery at a time (`SKIP LOCKED` on PostgreSQL: never the same one twice at
//! once), POSTs it with GitLab's headers, and records what came back. A failed
//! attempt is tried again with backoff; a delivery that fails every attempt
//! counts toward GitLab's auto-disable rule (4 in a row: disabled for a minute,
//! doubling up to a day; 40: disabled until edited or tested). The HTTP client
//! is the server's ([`HookSender`]); which addresses it may reach is decided by
//! [`super::webhooks::address_allowed`].

use super::secrets::Column;
use super::webhooks::signature;
use super::{AppState, DomainResult};
use crate::store::{now, AttemptRecord, HookDeliveryRow, HookRow};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// Attempts per delivery before it counts as one failure of its hook.
pub const ATTEMPTS: i32 = 4;
/// Failed deliveries in a row that disable a hook for a while, and for good.
pub const TEMPORARY_DISABLE_AFTER: i32 = 4;
pub const PERMANENT_DISABLE_AFTER: i32 = 40;
/// What is kept of a receiver's answer for the deliveries list.
pub const KEPT_RESPONSE_BYTES: usize = 2048;
/// How long finished deliveries are kept (GitLab keeps a week of hook logs).
const KEPT_FOR: chrono::Duration = chrono::Duration::days(7);
const POLL: Duration = Duration::from_secs(2);

/// Wakes this process's delivery worker.
#[derive(Clone, Default)]
pub struct HookSignal(Arc<Notify>);

impl HookSignal {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// One POST to a receiver.
#[derive(Clone, Debug)]
pub struct HookRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub verify_tls: bool,
    /// The admin's setting: may the address be loopback or private?
    pub allow_local: bool,
}

/// What the receiver answered (its body cut to [`KEPT_RESPONSE_BYTES`]).
#[derive(Clone, Debug)]
pub struct HookResponse {
    pub status: u16,
    pub body: String,
}

/// Sends a webhook request: `Err` when no answer came (refused address,
/// connection, timeout), with why.
pub trait HookSender: Send + Sync {
    fn send(&self, request: HookRequest) -> Pin<Box<dyn Future<Output = Result<HookResponse, String>> + Send + '_>>;
}

pub type SharedHookSender = Arc<dyn HookSender>;

#[derive(Clone, Debug)]
pub struct DeliveryConfig {
    /// The wait after a first failed attempt; each next wait is three times longer.
    pub retry_base: Duration,
    /// A claim lasts this long (longer than one attempt can take).
    pub lease: Duration,
    /// `User-Agent` and `X-Gitlab-Instance`.
    pub user_agent: String,
}

/// The wait after the `attempts`-th failed attempt: base, 3×, 9×, ...
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    base.saturating_mul(3u32.saturating_pow(u32::try_from(attempts.clamp(1, 10) - 1).unwrap_or(0)))
}

/// How long a hook is disabled after its `failures`-th failed delivery in a
/// row: a minute at the 4th, doubling, at most a day; `None`: not disabled.
pub fn disabled_for(failures: i32) -> Option<chrono::Duration> {
    let over = u32::try_from(failures.checked_sub(TEMPORARY_DISABLE_AFTER)?).ok()?;
    let minutes = 1i64 << over.min(20);
    Some(chrono::Duration::minutes(minutes.min(24 * 60)))
}

/// GitLab's headers for one attempt, with Standard Webhooks signing when the
/// hook has a signing key.
pub fn headers(
    (token, signing): (Option<&str>, Option<&str>),
    delivery: &HookDeliveryRow,
    config: &DeliveryConfig,
    instance: &str,
) -> Vec<(String, String)> {
    let mut headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        ("User-Agent".to_string(), config.user_agent.clone()),
        ("Idempotency-Key".to_string(), delivery.idempotency_key.clone()),
        ("X-Gitlab-Event".to_string(), delivery.event_name.clone()),
        ("X-Gitlab-Webhook-UUID".to_string(), super::webhooks::uuid_v4()),
        ("X-Gitlab-Event-UUID".to_string(), delivery.event_uuid.clone()),
        ("X-Gitlab-Instance".to_string(), instance.to_string()),
    ];
    if let Some(token) = token {
        headers.push(("X-Gitlab-Token".to_string(), token.to_string()));
    }
    if let Some(signing) = signing {
        let timestamp = chrono::Utc::now().timestamp();
        if let Some(sig) = signature(signing, &delivery.idempotency_key, timestamp, &delivery.payload) {
            headers.push(("webhook-id".to_string(), delivery.idempotency_key.clone()));
            headers.push(("webhook-timestamp".to_string(), timestamp.to_string()));
            headers.push(("webhook-signature".to_string(), sig));
        }
    }
    headers
}

/// Deliveries sent at once by one process (each hook has one in flight at
/// most: a receiver that never answers holds one sender, for 10 s a try).
pub const SENDERS: usize = 8;

/// Deliveries of one group's hooks in flight at once, across processes: a
/// group with many slow hooks holds half the senders, never all of them.
pub const PER_GROUP: i64 = SENDERS as i64 / 2;

/// What one attempt did.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    Delivered,
    Failed,
    Postponed,
}

/// A claimed delivery with what sending it needs.
pub struct Claimed {
    delivery: HookDeliveryRow,
    hook: HookRow,
    allow_local: bool,
}

/// Claims the next due delivery (none: nothing is due).
pub async fn claim(app: &AppState, config: &DeliveryConfig) -> DomainResult<Option<Claimed>> {
    let lease = chrono::Duration::from_std(config.lease).unwrap_or(chrono::Duration::minutes(1));
    let mut tx = app.store.write().await?;
    let Some(delivery) = tx.claim_delivery(now() + lease, PER_GROUP).await? else {
        tx.commit().await?;
        return Ok(None);
    };
    let hook = tx.hook_by_id(delivery.hook_id).await?;
    let allow_local = tx.allow_local_hook_requests().await?;
    tx.commit().await?;
    // Deleted with its hook meanwhile: its deliveries went with it.
    Ok(hook.map(|hook| Claimed { delivery, hook, allow_local }))
}

/// Tries a claimed delivery once and records what came of it.
pub async fn attempt(
    app: &AppState,
    sender: &dyn HookSender,
    config: &DeliveryConfig,
    claimed: Claimed,
) -> DomainResult<Step> {
    let Claimed { delivery, hook, allow_local } = claimed;
    let claim = (delivery.id, delivery.claimed_until);
    // Given up without a try, recorded as a failed attempt.
    let give_up = |why: &'static str| async move {
        let mut tx = app.store.write().await?;
        let record = AttemptRecord {
            response_status: None,
            response_body: None,
            internal_error: Some(why),
            execution_duration: 0.0,
        };
        tx.record_attempt(claim, &record, Err(None)).await?;
        tx.commit().await?;
        DomainResult::Ok(Step::Failed)
    };
    // Tests go out even to a disabled hook; events wait, or are given up.
    if hook.permanently_disabled && !delivery.is_test {
        return give_up("The hook is disabled").await;
    }
    if let Some(until) = hook.disabled_until.filter(|until| *until > now() && !delivery.is_test) {
        let mut tx = app.store.write().await?;
        tx.postpone_delivery(delivery.id, until).await?;
        tx.commit().await?;
        return Ok(Step::Postponed);
    }
    // The hook's secrets, opened only to be sent.
    let sealer = &app.instance.sealer;
    let opened = sealer
        .open_optional(Column::HookToken, hook.token.as_deref())
        .and_then(|token| Ok((token, sealer.open_optional(Column::HookSigningToken, hook.signing_token.as_deref())?)));
    let Ok((token, signing)) = opened else {
        // Sealed with a key this process does not have: no retry can help.
        return give_up("The hook's secrets do not open with this server's SECRETS_KEY").await;
    };
    let request = HookRequest {
        url: hook.url.clone(),
        headers: headers((token.as_deref(), signing.as_deref()), &delivery, config, &app.instance.external_url),
        body: delivery.payload.clone(),
        verify_tls: hook.enable_ssl_verification,
        allow_local,
    };
    let started = std::time::Instant::now();
    let answer = sender.send(request).await;
    let execution_duration = started.elapsed().as_secs_f64();
    let delivered = matches!(&answer, Ok(response) if (200..300).contains(&response.status));
    let (response_status, response_body, internal_error) = match &answer {
        Ok(response) => (Some(i32::from(response.status)), Some(response.body.as_str()), None),
        Err(why) => (None, None, Some(why.as_str())),
    };
    let record = AttemptRecord { response_status, response_body, internal_error, execution_duration };
    let mut tx = app.store.write().await?;
    let step = if delivered {
        // A delivered test or event ends the failure record (GitLab: a 2xx
        // test enables a disabled hook again).
        if tx.record_attempt(claim, &record, Ok(())).await?
            && (hook.recent_failures > 0 || hook.disabled_until.is_some() || hook.permanently_disabled)
        {
            tx.hook_succeeded(hook.id).await?;
        }
        Step::Delivered
    } else if delivery.attempts < ATTEMPTS && !delivery.is_test {
        let wait = chrono::Duration::from_std(backoff(config.retry_base, delivery.attempts))
            .unwrap_or(chrono::Duration::hours(1));
        tx.record_attempt(claim, &record, Err(Some(now() + wait))).await?;
        Step::Failed
    } else {
        // A failed test is said in its log; it does not count against the hook.
        if tx.record_attempt(claim, &record, Err(None)).await? && !delivery.is_test {
            if let Some(failures) = tx.count_hook_failure(hook.id).await? {
                let permanently = failures >= PERMANENT_DISABLE_AFTER;
                let until = if permanently { None } else { disabled_for(failures).map(|d| now() + d) };
                tx.set_hook_failures(hook.id, failures, until, permanently).await?;
                tracing::warn!("webhook {} failed {failures} deliveries in a row", hook.id);
            }
        }
        Step::Failed
    };
    tx.commit().await?;
    Ok(step)
}

/// Delivers until `stop` turns true, up to [`SENDERS`] at once; the
/// deliveries in progress then finish before this returns.
pub async fn run(app: AppState, sender: SharedHookSender, config: DeliveryConfig, mut stop: watch::Receiver<bool>) {
    let signal = app.hooks.clone();
    let senders = Arc::new(tokio::sync::Semaphore::new(SENDERS));
    let mut pruned_at: Option<std::time::Instant> = None;
    loop {
        if *stop.borrow() {
            break;
        }
        if pruned_at.is_none_or(|at| at.elapsed() >= Duration::from_secs(3600)) {
            pruned_at = Some(std::time::Instant::now());
            if let Err(err) = prune(&app).await {
                tracing::warn!("webhook deliveries: pruning: {err}");
            }
        }
        let permit = tokio::select! {
            permit = senders.clone().acquire_owned() => permit,
            _ = stop.changed() => continue,
        };
        let Ok(permit) = permit else { break };
        // Read first (a cheap read; a claim is a write): is anything due?
        let due = match next_due(&app).await {
            Ok(due) => due,
            Err(err) => {
                tracing::warn!("webhook deliveries: {err}");
                Some(now() + chrono::Duration::seconds(2))
            }
        };
        let until_due = due.map(|at| (at - now()).to_std().unwrap_or(Duration::ZERO));
        let wait = if until_due.is_none_or(|d| d > Duration::ZERO) {
            until_due.unwrap_or(POLL).min(POLL)
        } else {
            match claim(&app, &config).await {
                Ok(Some(claimed)) => {
                    let (app, sender, config) = (app.clone(), sender.clone(), config.clone());
                    tokio::spawn(async move {
                        if let Err(err) = attempt(&app, sender.as_ref(), &config, claimed).await {
                            tracing::warn!("webhook delivery: {err}");
                        }
                        drop(permit);
                        // A retry or the hook's next delivery may be due now.
                        app.hooks.wake();
                    });
                    continue;
                }
                // Due, but its hook has one in flight: that one wakes us when done.
                Ok(None) => POLL,
                Err(err) => {
                    tracing::warn!("webhook deliveries: {err}");
                    POLL
                }
            }
        };
        drop(permit);
        tokio::select! {
            _ = signal.0.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
    }
    // Let the deliveries in flight finish (each within its 10 s timeout).
    let _ = senders.acquire_many(SENDERS as u32).await;
}

async fn next_due(app: &AppState) -> DomainResult<Option<chrono::DateTime<chrono::Utc>>> {
    Ok(app.store.one_statement().await?.next_delivery_due().await?)
}

async fn prune(app: &AppState) -> DomainResult<()> {
    let mut tx = app.store.write().await?;
    tx.prune_deliveries(now() - KEPT_FOR).await?;
    tx.commit().await?;
    Ok(())
}
