//! Use cases: one function per verb. Each validates its input, asks the policy,
//! writes in one transaction (with its audit entry), and publishes a typed event
//! once committed. Server functions, GraphQL and REST are thin adapters over these.

pub mod achievements;
pub mod audit_log;
pub mod auth;
pub mod award_emoji;
pub mod award_rules;
pub mod awardable;
pub mod baking;
pub mod bootstrap;
pub mod bulk_award;
pub mod bus;
pub mod credentials;
pub mod demo;
pub mod embeds;
mod error;
mod facts;
pub mod feed;
pub mod groups;
pub mod hook_delivery;
pub mod hook_events;
pub mod limits;
pub mod listing;
pub mod mail;
pub mod outbox;
pub mod passwords;
pub mod projects;
pub mod reaction_sets;
pub mod secrets;
pub mod settings;
pub mod text;
pub mod tokens;
pub mod uploads;
pub mod users;
pub mod webhooks;

pub use auth::Actor;
pub use bus::EventBus;
pub use error::DomainError;

use crate::events::Event;
use crate::store::{Concerns, NewAudit, Store, Tx};
use std::path::PathBuf;
use std::sync::Arc;

pub type DomainResult<T> = Result<T, DomainError>;

/// Facts about this instance that use cases need.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Base of every absolute URL we hand out (avatar_url, web_url), no trailing slash.
    pub external_url: String,
    /// Uploads and the mail outbox live here.
    pub data_dir: PathBuf,
    /// Seals the secrets the database keeps ([`secrets`]).
    pub sealer: secrets::Sealer,
}

impl Instance {
    /// The name of the browser session cookie here (`__Host-` over https).
    pub fn session_cookie(&self) -> &'static str {
        auth::session_cookie_name(&self.external_url)
    }

    /// A person's profile page, absolute (GitLab's `web_url` of a user).
    pub fn user_url(&self, username: &str) -> String {
        format!("{}/{username}", self.external_url)
    }
}

/// Everything a use case needs, handed to every surface.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub bus: EventBus,
    pub instance: Arc<Instance>,
    /// Award e-mail is queued in the outbox and this wakes its worker; none means
    /// no mail is queued (demo seeding, unit tests).
    pub outbox: Option<outbox::OutboxSignal>,
    /// This process's per-minute abuse counters.
    pub limiter: Arc<limits::RateLimiter>,
    /// Wakes this process's webhook delivery worker.
    pub hooks: hook_delivery::HookSignal,
}

impl AppState {
    /// With PostgreSQL, also joins the cross-process event channel.
    pub async fn new(store: Store, instance: Instance) -> DomainResult<AppState> {
        let bus = EventBus::new();
        if let Store::Postgres(pool) = &store {
            bus.listen_postgres(pool).await.map_err(crate::store::StoreError::from)?;
        }
        Ok(AppState {
            store,
            bus,
            instance: Arc::new(instance),
            outbox: None,
            limiter: Arc::default(),
            hooks: Default::default(),
        })
    }

    /// Queues award e-mail from now on; start [`outbox::run`] with the signal.
    pub fn with_outbox(mut self) -> (AppState, outbox::OutboxSignal) {
        let signal = outbox::OutboxSignal::default();
        self.outbox = Some(signal.clone());
        (self, signal)
    }

    /// Commits and hands the transaction's events to this process's
    /// subscribers as soon as every reader sees the change; returns (the
    /// caller acknowledges) only once it is durable.
    pub(crate) async fn commit(&self, tx: Tx) -> DomainResult<()> {
        let committed = tx.commit_visible().await?;
        self.bus.deliver(committed.events);
        committed.unsynced.sync().await?;
        // Webhook deliveries it queued are sent only once durable, as they
        // leave the server.
        if committed.deliveries_queued {
            self.hooks.wake();
        }
        Ok(())
    }

    pub(crate) async fn publish(&self, tx: &mut Tx, event: Event) -> DomainResult<()> {
        tx.publish(event, self.bus.origin()).await?;
        Ok(())
    }
}

/// Instance admins only (settings, limits, unlocking accounts).
pub(crate) fn require_admin(actor: &Actor) -> DomainResult<()> {
    if crate::policy::admin_all_resources(&actor.viewer()) {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// Appends to the audit log inside the use case's transaction.
pub(crate) async fn audit(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    target_type: &str,
    target_id: i64,
    details: serde_json::Value,
) -> DomainResult<()> {
    audit_concerning(tx, actor, Concerns::default(), (action, target_type, target_id), details).await
}

/// Appends to the audit log what `concerns` a group (its achievements and the
/// people they were awarded to), so the group's audit log shows it.
pub(crate) async fn audit_concerning(
    tx: &mut Tx,
    actor: &Actor,
    concerns: Concerns,
    (action, target_type, target_id): (&str, &str, i64),
    details: serde_json::Value,
) -> DomainResult<()> {
    let user = actor.user();
    tx.insert_audit(NewAudit {
        actor_id: user.map(|u| u.id),
        actor_name: user.map(|u| u.username.as_str()),
        action,
        target_type,
        target_id,
        details,
        concerns,
    })
    .await?;
    Ok(())
}
