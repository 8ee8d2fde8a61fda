//! Abuse limits: what the admin sets (0 turns a limit off), and the counters
//! that enforce the per-minute ones in this process. Limits that must hold
//! across processes (failed sign-ins per account, awards per group) are
//! counted in the database by their use cases instead.

use super::{audit, require_admin, Actor, AppState, DomainError, DomainResult};
use crate::store::AbuseLimits;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// GitLab's words for a per-endpoint (application) rate limit, on every surface.
pub const RATE_LIMITED: &str = "This endpoint has been requested too many times. Try again later.";

/// How long this process trusts its copy of the limits (another process may change them).
const CACHE_FOR: Duration = Duration::from_secs(5);
/// Past this many tracked keys, finished windows are dropped.
const PRUNE_AT: usize = 50_000;

/// The outcome of counting one request against a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    pub limit: u32,
    /// Requests in this window, this one included.
    pub observed: u32,
    pub remaining: u32,
    /// Until the window ends.
    pub reset_in: Duration,
}

struct Window {
    start: Instant,
    count: u32,
}

/// Fixed-window counters per (limit, key), and the cached limits.
#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<(&'static str, String), Window>>,
    limits: Mutex<Option<(Instant, AbuseLimits)>>,
}

impl RateLimiter {
    /// Counts a request for `key` against `limit` per `period` (a `limit` of 0 always allows).
    pub fn hit(&self, name: &'static str, key: String, limit: i32, period: Duration) -> Verdict {
        let limit = u32::try_from(limit).unwrap_or(0);
        if limit == 0 {
            return Verdict { allowed: true, limit, observed: 0, remaining: 0, reset_in: Duration::ZERO };
        }
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() >= PRUNE_AT {
            windows.retain(|_, w| now.duration_since(w.start) < period);
        }
        let window = windows.entry((name, key)).or_insert(Window { start: now, count: 0 });
        if now.duration_since(window.start) >= period {
            *window = Window { start: now, count: 0 };
        }
        window.count = window.count.saturating_add(1);
        let reset_in = period.saturating_sub(now.duration_since(window.start));
        Verdict {
            allowed: window.count <= limit,
            limit,
            observed: window.count,
            remaining: limit.saturating_sub(window.count),
            reset_in,
        }
    }
}

/// The key for an address: IPv6 clients are counted per /64, which one
/// subscriber usually holds whole.
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The limits in force (cached for a few seconds).
pub async fn current(app: &AppState) -> DomainResult<AbuseLimits> {
    {
        let cached = app.limiter.limits.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((at, limits)) = *cached {
            if at.elapsed() < CACHE_FOR {
                return Ok(limits);
            }
        }
    }
    let mut tx = app.store.read().await?;
    let limits = tx.abuse_limits().await?;
    *app.limiter.limits.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((Instant::now(), limits));
    Ok(limits)
}

pub async fn abuse_limits(app: &AppState, actor: &Actor) -> DomainResult<AbuseLimits> {
    require_admin(actor)?;
    let mut tx = app.store.read().await?;
    Ok(tx.abuse_limits().await?)
}

/// The largest value any limit takes.
pub const MAX_LIMIT: i32 = 1_000_000;

/// Sets the limits (admins only); each is 0 (off) to [`MAX_LIMIT`], and a lock lasts at least a minute.
pub async fn set_abuse_limits(app: &AppState, actor: &Actor, limits: AbuseLimits) -> DomainResult<AbuseLimits> {
    require_admin(actor)?;
    let mut errors: Vec<String> = limits
        .fields()
        .iter()
        .filter(|(_, v)| !(0..=MAX_LIMIT).contains(v))
        .map(|(name, _)| format!("{name} must be between 0 and {MAX_LIMIT}"))
        .collect();
    if limits.failed_login_attempts_unlock_period_in_minutes < 1 {
        errors.push("failed_login_attempts_unlock_period_in_minutes must be at least 1".into());
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let mut tx = app.store.write().await?;
    tx.set_abuse_limits(&limits).await?;
    let details = serde_json::to_value(limits).unwrap_or_default();
    audit(&mut tx, actor, "setting_changed", "ApplicationSetting", 1, details).await?;
    app.commit(tx).await?;
    *app.limiter.limits.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((Instant::now(), limits));
    Ok(limits)
}

/// Counts a reaction change by `user_id`; refused past the per-minute limit.
pub async fn check_reaction(app: &AppState, user_id: i64) -> DomainResult<()> {
    let limit = current(app).await?.reactions_per_user_per_minute;
    refused_over(app.limiter.hit("reactions", user_id.to_string(), limit, Duration::from_secs(60)))
}

/// GitLab's limit on testing webhooks: five a minute per user (each test is a
/// request to a URL of the caller's choosing).
pub const HOOK_TESTS_PER_MINUTE: i32 = 5;

pub fn check_hook_test(app: &AppState, user_id: i64) -> DomainResult<()> {
    refused_over(app.limiter.hit("hook_tests", user_id.to_string(), HOOK_TESTS_PER_MINUTE, Duration::from_secs(60)))
}

/// GitLab's application limits on what one user makes a minute
/// (`notes_create_limit`, `issues_create_limit`): 300 of each. Instance
/// admins are not counted (they seed and migrate data in bulk).
pub const CREATED_PER_MINUTE: i32 = 300;

/// Counts one more `what` (`"notes"`, `"issues"`) made by `user`.
pub fn check_created(app: &AppState, what: &'static str, user: &crate::store::UserRow) -> DomainResult<()> {
    if user.admin {
        return Ok(());
    }
    refused_over(app.limiter.hit(what, user.id.to_string(), CREATED_PER_MINUTE, Duration::from_secs(60)))
}

fn refused_over(verdict: Verdict) -> DomainResult<()> {
    if verdict.allowed {
        Ok(())
    } else {
        Err(DomainError::RateLimited { retry_after: verdict.reset_in.as_secs().max(1) })
    }
}
