//! What a page's viewers read from the database before they watch it, and
//! again at their re-checks: what they may watch there, and the tallies their
//! topic has not seen yet. The reads of many pages asked for at the same moment
//! (a thousand pages' first viewers arriving together, or their re-checks a
//! minute later) are made together, in a few read transactions ([`Batch`]).
//! What each viewer is allowed is still decided item by item by the policy,
//! exactly as a lone read does.

use super::batch::Batch;
use super::hub::{read_tallies, Tallies};
use app::domain::{projects, Actor, AppState, DomainResult};
use app::events::AwardableRef;
use axum::body::Bytes;
use std::collections::HashMap;

/// The most questions one batch reads: its transaction stays short.
const MOST: usize = 256;

/// Batches read side by side (each holds one of the pool's connections).
const READERS: usize = 4;

type Watchable = DomainResult<Vec<AwardableRef>>;

pub struct PageReads {
    app: AppState,
    /// `None`: the batch's read failed as a whole.
    watchable: Batch<(Actor, AwardableRef), Option<Watchable>>,
    tallies: Batch<Vec<AwardableRef>, Option<Tallies>>,
}

impl PageReads {
    /// Starts the tasks that answer (within the runtime).
    pub fn start(app: &AppState) -> PageReads {
        let for_watchable = app.clone();
        let for_tallies = app.clone();
        PageReads {
            app: app.clone(),
            watchable: Batch::start(MOST, READERS, move |asked| watchable_together(for_watchable.clone(), asked)),
            tallies: Batch::start(MOST, READERS, move |asked| tallies_together(for_tallies.clone(), asked)),
        }
    }

    /// What `actor` may watch on `item`'s page ([`projects::watchable`]).
    pub async fn watchable(&self, actor: &Actor, item: AwardableRef) -> Watchable {
        match self.watchable.ask((actor.clone(), item)).await.flatten() {
            Some(answer) => answer,
            // Its batch failed as a whole: read alone, for an answer of its own.
            None => projects::watchable(&self.app, actor, item).await,
        }
    }

    /// The tallies of `items`, as frames' data ([`read_tallies`]).
    pub async fn tallies(&self, items: Vec<AwardableRef>) -> DomainResult<Tallies> {
        match self.tallies.ask(items.clone()).await.flatten() {
            Some(tallies) => Ok(tallies),
            None => read_tallies(&self.app, &items).await,
        }
    }
}

/// One read per identity asking (every visitor is one), in asking order.
async fn watchable_together(app: AppState, asked: Vec<(Actor, AwardableRef)>) -> Vec<Option<Watchable>> {
    let mut answers: Vec<Option<Watchable>> = asked.iter().map(|_| None).collect();
    let mut identities: Vec<Option<i64>> = asked.iter().map(|(actor, _)| actor.id()).collect();
    identities.sort_unstable();
    identities.dedup();
    for identity in identities {
        let (slots, items): (Vec<usize>, Vec<AwardableRef>) = asked
            .iter()
            .enumerate()
            .filter(|(_, (actor, _))| actor.id() == identity)
            .map(|(slot, (_, item))| (slot, *item))
            .unzip();
        let Some((actor, _)) = slots.first().map(|slot| &asked[*slot]) else { continue };
        match projects::watchable_many(&app, actor, &items).await {
            Ok(read) => {
                for (slot, answer) in slots.into_iter().zip(read) {
                    answers[slot] = Some(answer);
                }
            }
            Err(err) => tracing::warn!("live: {} pages read together failed ({err}); each is read alone", items.len()),
        }
    }
    answers
}

/// One read of every item asked for, each asker answered its own.
async fn tallies_together(app: AppState, asked: Vec<Vec<AwardableRef>>) -> Vec<Option<Tallies>> {
    let mut all: Vec<AwardableRef> = asked.iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    let read: HashMap<AwardableRef, Bytes> = match read_tallies(&app, &all).await {
        Ok(read) => read.into_iter().collect(),
        Err(err) => {
            tracing::warn!("live: {} tallies read together failed ({err}); each asker reads alone", all.len());
            return asked.iter().map(|_| None).collect();
        }
    };
    asked.iter().map(|items| Some(items.iter().filter_map(|i| Some((*i, read.get(i)?.clone()))).collect())).collect()
}
