//! What a page's viewers read from the database before they watch it, and
//! again at their re-checks: what they may watch there, and the tallies their
//! topic has not seen yet. The reads of many pages asked for at the same moment
//! (a thousand pages' first viewers arriving together, or their re-checks a
//! minute later) are made together, whoever asks ([`Batch`]): one read
//! transaction for what each may watch, one query per kind for the tallies.
//! Each viewer's items are still decided by the policy for that viewer.

use super::batch::Batch;
use super::hub::{read_tallies, Tallies};
use app::domain::{projects, Actor, AppState, DomainError, DomainResult};
use app::events::AwardableRef;
use axum::body::Bytes;
use std::collections::HashMap;

/// The most questions one batch reads, so one read transaction stays short.
const MOST: usize = 128;

/// Batches of each kind read side by side, each on one of the pool's
/// connections: two of each leave the rest of a SQLite pool (eight) to
/// everything else.
const READERS: usize = 2;

type Watchable = DomainResult<Vec<AwardableRef>>;

/// A batch's answer to each asker: `None` when the batch's read failed (for
/// a reason of its own, not an overload), so the asker reads alone.
type Answer<T> = Option<DomainResult<T>>;

pub struct PageReads {
    app: AppState,
    watchable: Batch<(Actor, AwardableRef), Answer<Vec<AwardableRef>>>,
    tallies: Batch<Vec<AwardableRef>, Answer<Tallies>>,
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
            None => projects::watchable(&self.app, actor, item).await,
        }
    }

    /// The tallies of `items`, as frames' data ([`read_tallies`]).
    pub async fn tallies(&self, items: Vec<AwardableRef>) -> DomainResult<Tallies> {
        match self.tallies.ask(items.clone()).await.flatten() {
            Some(answer) => answer,
            None => read_tallies(&self.app, &items).await,
        }
    }
}

/// Every asker's answer when their batch's read failed: the overload itself
/// (reading alone would only add to it), else `None`.
fn failed<T>(err: &DomainError, askers: usize, what: &str) -> Vec<Answer<T>> {
    tracing::warn!("live: {what} for {askers} viewers read together failed ({err})");
    (0..askers).map(|_| err.is_overloaded().then(|| Err(DomainError::overloaded()))).collect()
}

async fn watchable_together(app: AppState, asked: Vec<(Actor, AwardableRef)>) -> Vec<Answer<Vec<AwardableRef>>> {
    match projects::watchable_each(&app, &asked).await {
        Ok(answers) => answers.into_iter().map(Some).collect(),
        Err(err) => failed(&err, asked.len(), "what pages show"),
    }
}

/// One read of every item asked for, each asker answered its own.
async fn tallies_together(app: AppState, asked: Vec<Vec<AwardableRef>>) -> Vec<Answer<Tallies>> {
    let mut all: Vec<AwardableRef> = asked.iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    let read: HashMap<AwardableRef, Bytes> = match read_tallies(&app, &all).await {
        Ok(read) => read.into_iter().collect(),
        Err(err) => return failed(&err, asked.len(), "tallies"),
    };
    asked
        .iter()
        .map(|items| Some(Ok(items.iter().filter_map(|i| Some((*i, read.get(i)?.clone()))).collect())))
        .collect()
}
