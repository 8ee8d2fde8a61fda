//! The event bus: an in-process broadcast, extended across processes by
//! PostgreSQL LISTEN/NOTIFY so that N servers on one database behave as one.

use crate::events::{Envelope, Event};
use crate::store::EVENT_CHANNEL;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// Slow subscribers that fall this far behind miss events (and are told so by
/// `RecvError::Lagged`); they never slow down the publisher.
const CAPACITY: usize = 4096;

#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Event>>,
    /// Identifies this process in NOTIFY payloads, so it ignores its own echoes.
    origin: Arc<str>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> EventBus {
        let (sender, _) = broadcast::channel(CAPACITY);
        EventBus { sender, origin: super::auth::random_secret(16).into() }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub(crate) fn deliver(&self, events: Vec<Event>) {
        for event in events {
            // No subscribers is fine: nobody is watching.
            let _ = self.sender.send(Arc::new(event));
        }
    }

    /// Starts listening for other processes' events (before returning, so nothing
    /// published after start-up is missed) and re-publishes them here. When the
    /// listening connection is lost, notifications sent meanwhile are lost with
    /// it: once listening again, the bus says so ([`Event::Missed`]) and its
    /// subscribers read what they show from the database again.
    pub(crate) async fn listen_postgres(&self, pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
        let mut listener = listen(pool).await?;
        let bus = self.clone();
        let pool = pool.clone();
        tokio::spawn(async move {
            while !pool.is_closed() {
                // `try_recv`, not `recv`: `recv` reconnects by itself and hides
                // that notifications were lost meanwhile.
                match listener.try_recv().await {
                    Ok(Some(notification)) => bus.relay(notification.payload()),
                    lost => {
                        match lost {
                            Err(err) => tracing::warn!("event listener: {err}; listening again"),
                            _ => tracing::warn!("event listener: connection lost; listening again"),
                        }
                        let mut backoff = Duration::from_millis(100);
                        loop {
                            if pool.is_closed() {
                                return;
                            }
                            match listen(&pool).await {
                                Ok(again) => {
                                    listener = again;
                                    bus.deliver(vec![Event::Missed]);
                                    break;
                                }
                                Err(err) => {
                                    tracing::warn!("event listener: {err}; retrying in {backoff:?}");
                                    tokio::time::sleep(backoff).await;
                                    backoff = (backoff * 2).min(Duration::from_secs(5));
                                }
                            }
                        }
                    }
                }
            }
        });
        Ok(())
    }

    /// Re-publishes another process's event here. NOTIFY carries ids, not
    /// tallies: a reaction's tally is read by whoever shows it (the live hub,
    /// only for items someone here is watching).
    fn relay(&self, payload: &str) {
        match serde_json::from_str::<Envelope>(payload) {
            Ok(envelope) if envelope.origin != *self.origin => self.deliver(vec![envelope.event]),
            Ok(_) => {}
            Err(err) => tracing::warn!("event listener: unreadable payload: {err}"),
        }
    }
}

/// A connection listening on the event channel.
async fn listen(pool: &sqlx::PgPool) -> Result<sqlx::postgres::PgListener, sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(EVENT_CHANNEL).await?;
    Ok(listener)
}
