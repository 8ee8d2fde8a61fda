//! Where viewers meet the changes: one [`Topic`] per watched page, created by
//! its first viewer and dropped with its last, and a route from every
//! awardable on the page (the item, its comments) to it. An event costs
//! the viewers of its page, not every viewer of the process. Award pages
//! (profiles, the profile editor, group dashboards) have an [`AwardTopic`] per
//! user or group whose awards they show.
//!
//! The hub also counts open streams per user and per address (the caps), and
//! tells a user's streams when their access may have shrunk.

use super::awards::{AwardTopic, Scope};
use super::page_reads::PageReads;
use super::topic::{tally_data, Topic};
use app::domain::{award_emoji, AppState};
use app::events::{AwardableKind, AwardableRef, Event, LiveFrame};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;

/// How many live streams one signed-in user, and one client address, may
/// hold open at once in this process (`LIVE_STREAMS_PER_USER`,
/// `LIVE_STREAMS_PER_ADDRESS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps {
    pub per_user: u32,
    pub per_address: u32,
}

impl Default for Caps {
    /// A browser tab holds one stream: 50 tabs per person; an address may be
    /// an office or a school behind one NAT.
    fn default() -> Self {
        Caps { per_user: 50, per_address: 500 }
    }
}

/// Which cap refused a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Full {
    User,
    Address,
}

struct Placed {
    topic: Arc<Topic>,
    /// Viewers on it: it goes with the last.
    seats: u32,
    /// The awardables routed to it.
    routed: Vec<AwardableRef>,
}

/// A signed-in user with open streams: how many, and a signal bumped when
/// their access may have shrunk.
struct Person {
    streams: u32,
    access: watch::Sender<u64>,
}

/// An award topic and how many viewers it has.
struct AwardPlaced {
    topic: Arc<AwardTopic>,
    seats: u32,
}

/// What a seat is on.
#[derive(Clone, Copy)]
enum Key {
    Page(AwardableRef),
    Awards(Scope),
}

#[derive(Default)]
struct Registry {
    topics: HashMap<AwardableRef, Placed>,
    awards: HashMap<Scope, AwardPlaced>,
    routes: HashMap<AwardableRef, Vec<AwardableRef>>,
    people: HashMap<i64, Person>,
    addresses: HashMap<IpAddr, u32>,
}

struct Inner {
    registry: Mutex<Registry>,
    caps: Caps,
    /// Topic epochs: random per process, then counted.
    epochs: AtomicU64,
    closing: watch::Sender<bool>,
    reads: PageReads,
}

/// The process-wide hub (cheap to clone).
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

/// A viewer's place: its topic, and its share of the counts. Dropping it (the
/// stream ended) gives them back and drops the topic with its last viewer.
pub struct Seat<T> {
    inner: Arc<Inner>,
    key: Key,
    topic: Arc<T>,
    user: Option<i64>,
    address: IpAddr,
}

impl<T> Seat<T> {
    pub fn topic(&self) -> &T {
        &self.topic
    }

    /// The reads a page's viewers make, batched across pages.
    pub fn reads(&self) -> &PageReads {
        &self.inner.reads
    }
}

impl<T> Drop for Seat<T> {
    fn drop(&mut self) {
        let mut registry = self.inner.registry();
        if let Some(user) = self.user {
            if let Some(person) = registry.people.get_mut(&user) {
                person.streams = person.streams.saturating_sub(1);
                if person.streams == 0 {
                    registry.people.remove(&user);
                }
            }
        }
        if let Some(count) = registry.addresses.get_mut(&self.address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                registry.addresses.remove(&self.address);
            }
        }
        match self.key {
            Key::Page(key) => registry.leave_page(key),
            Key::Awards(scope) => registry.leave_awards(scope),
        }
    }
}

impl Registry {
    fn leave_page(&mut self, key: AwardableRef) {
        let last = self.topics.get_mut(&key).is_some_and(|placed| {
            placed.seats = placed.seats.saturating_sub(1);
            placed.seats == 0
        });
        if last {
            if let Some(placed) = self.topics.remove(&key) {
                for item in placed.routed {
                    self.unroute(item, key);
                }
            }
        }
    }

    fn leave_awards(&mut self, scope: Scope) {
        let last = self.awards.get_mut(&scope).is_some_and(|placed| {
            placed.seats = placed.seats.saturating_sub(1);
            placed.seats == 0
        });
        if last {
            self.awards.remove(&scope);
        }
    }

    /// Counts a new stream against the caps, or says which one is full.
    fn admit(&mut self, caps: Caps, user: Option<i64>, address: IpAddr) -> Result<(), Full> {
        if let Some(user) = user {
            let streams = self.people.get(&user).map_or(0, |p| p.streams);
            if streams >= caps.per_user {
                return Err(Full::User);
            }
        }
        if self.addresses.get(&address).copied().unwrap_or(0) >= caps.per_address {
            return Err(Full::Address);
        }
        if let Some(user) = user {
            self.people.entry(user).or_insert_with(|| Person { streams: 0, access: watch::channel(0).0 }).streams += 1;
        }
        *self.addresses.entry(address).or_default() += 1;
        Ok(())
    }

    /// The award topics `wanted` picks: they look again.
    fn bump_awards(&self, wanted: impl Fn(&Scope) -> bool) {
        for (scope, placed) in &self.awards {
            if wanted(scope) {
                placed.topic.bump();
            }
        }
    }

    fn unroute(&mut self, item: AwardableRef, key: AwardableRef) {
        if let Some(keys) = self.routes.get_mut(&item) {
            keys.retain(|k| *k != key);
            if keys.is_empty() {
                self.routes.remove(&item);
            }
        }
    }

    fn topics_of(&self, item: &AwardableRef) -> Vec<Arc<Topic>> {
        let keys = self.routes.get(item).map(Vec::as_slice).unwrap_or_default();
        keys.iter().filter_map(|key| Some(self.topics.get(key)?.topic.clone())).collect()
    }
}

impl Inner {
    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        // Every change under it is a few map updates that cannot panic halfway.
        self.registry.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Hub {
    /// Starts turning the domain's events into frames on their topics.
    pub fn start(app: &AppState, caps: Caps) -> Hub {
        let random = std::collections::hash_map::RandomState::new().build_hasher().finish();
        let hub = Hub {
            inner: Arc::new(Inner {
                registry: Mutex::default(),
                caps,
                epochs: AtomicU64::new(random),
                closing: watch::channel(false).0,
                reads: PageReads::start(app),
            }),
        };
        let mut events = app.bus.subscribe();
        let (feed, app) = (hub.clone(), app.clone());
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(event) => feed.dispatch(&app, &event).await,
                    // Changes were dropped before they reached us: read them back.
                    Err(RecvError::Lagged(_)) => feed.refresh_all(&app).await,
                    Err(RecvError::Closed) => return,
                }
            }
        });
        hub
    }

    async fn dispatch(&self, app: &AppState, event: &Event) {
        match event {
            Event::ReactionChanged { awardable, name, user_id, username, added, counts } => {
                let topics = self.inner.registry().topics_of(awardable);
                if topics.is_empty() {
                    return;
                }
                // The tally as committed: on PostgreSQL an event's own was counted
                // inside its transaction, which does not see a concurrent one's
                // reaction, and another process's event carries none (NOTIFY
                // carries ids); the topic keeps this tally for new viewers.
                // SQLite's writers take turns, so there the event's own is exact.
                let counts = if !app.store.is_postgres() {
                    counts.clone()
                } else {
                    match award_emoji::tallies_of(app, awardable.kind, &[awardable.id]).await {
                        Ok(mut tallies) => tallies.remove(&awardable.id).unwrap_or_default(),
                        Err(err) => {
                            // Not sent stale, nor dropped: every page is read again.
                            tracing::warn!("live: tally of {awardable:?} not read ({err}); reading every page again");
                            return self.refresh_all(app).await;
                        }
                    }
                };
                let frame = LiveFrame::Reaction {
                    awardable: *awardable,
                    name: name.clone(),
                    user_id: *user_id,
                    username: username.clone(),
                    added: *added,
                    counts: counts.clone(),
                };
                let data = serde_json::to_vec(&frame).unwrap_or_default();
                let tally = tally_data(*awardable, counts);
                for topic in topics {
                    topic.publish(*awardable, "reaction", &data, tally.clone());
                }
            }
            Event::AccessChanged { user_id } => {
                let (pages, awards) = {
                    let registry = self.inner.registry();
                    if let Some(person) = registry.people.get(user_id) {
                        person.access.send_modify(|n| *n += 1);
                    }
                    // Blocked: their awards leave their profile. (Group pages
                    // catch up at their viewers' periodic re-check.)
                    registry.bump_awards(|scope| *scope == Scope::User(*user_id));
                    let pages: Vec<Arc<Topic>> = registry.topics.values().map(|p| p.topic.clone()).collect();
                    let awards: Vec<Arc<AwardTopic>> = registry.awards.values().map(|a| a.topic.clone()).collect();
                    (pages, awards)
                };
                // What they were allowed is read afresh by the next stream
                // they open: one opened from now on, which the signal above
                // cannot reach, would otherwise reuse a read made before.
                // Apart from the hub: each page's reads may be waiting on the
                // database, and the hub's next events must not.
                let user = *user_id;
                tokio::spawn(async move {
                    for topic in pages {
                        topic.allowed.forget(|id| *id == Some(user)).await;
                    }
                    for topic in awards {
                        topic.forget(user).await;
                    }
                });
            }
            Event::AchievementAwarded { user_id, group_id, .. }
            | Event::UserAchievementChanged { user_id, group_id, .. } => {
                let touched = [Scope::User(*user_id), Scope::Group(*group_id)];
                self.inner.registry().bump_awards(|scope| touched.contains(scope) || *group_id == 0);
            }
            Event::UserAchievementsReordered { user_id } | Event::ProfileChanged { user_id } => {
                self.inner.registry().bump_awards(|scope| *scope == Scope::User(*user_id));
            }
            // Its name or image shows on its holders' profiles.
            Event::AchievementChanged { group_id, holders, .. } => {
                self.inner.registry().bump_awards(|scope| match (scope, holders) {
                    (Scope::Group(group), _) => group == group_id,
                    (Scope::User(user), Some(holders)) => holders.contains(user),
                    (Scope::User(_), None) => true,
                })
            }
            Event::Missed => self.refresh_all(app).await,
        }
    }

    /// After changes may have been missed (a lagging bus, a lost PostgreSQL
    /// listener): every topic re-reads its tallies, and what differs goes out.
    /// A read that fails (the database is often still unreachable just then)
    /// is tried again, with backoff, until one succeeds: giving up would leave
    /// every page showing what it missed until its items change again. Events
    /// arriving meanwhile wait on the bus; those it drops are read back here.
    async fn refresh_all(&self, app: &AppState) {
        self.inner.registry().bump_awards(|_| true);
        let mut backoff = REFRESH_RETRY_FIRST;
        loop {
            // The pages open now: some may have come or gone while a read failed.
            let placed: Vec<(Arc<Topic>, Vec<AwardableRef>)> = {
                let registry = self.inner.registry();
                registry.topics.values().map(|p| (p.topic.clone(), p.routed.clone())).collect()
            };
            // One read for every page's items (a query per kind and thousand), not one per page.
            let items: HashSet<AwardableRef> = placed.iter().flat_map(|(_, routed)| routed.iter().copied()).collect();
            let items: Vec<AwardableRef> = items.into_iter().collect();
            match read_tallies(app, &items).await {
                Ok(tallies) => {
                    let tallies: HashMap<AwardableRef, axum::body::Bytes> = tallies.into_iter().collect();
                    for (topic, routed) in placed {
                        topic.refresh(
                            routed.iter().filter_map(|item| Some((*item, tallies.get(item)?.clone()))).collect(),
                        );
                    }
                    return;
                }
                Err(err) => {
                    tracing::warn!("live: tallies not re-read after missed changes ({err}); retrying in {backoff:?}");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(REFRESH_RETRY_MOST);
                }
            }
        }
    }

    /// A seat on `key`'s topic (the page of issue or merge request `key`),
    /// unless a cap is reached. Nothing reaches it before [`Hub::route`].
    pub fn join(&self, key: AwardableRef, user: Option<i64>, address: IpAddr) -> Result<Seat<Topic>, Full> {
        let address = network_of(address);
        let inner = &self.inner;
        let mut registry = inner.registry();
        registry.admit(inner.caps, user, address)?;
        let epochs = &inner.epochs;
        let placed = registry.topics.entry(key).or_insert_with(|| Placed {
            topic: Arc::new(Topic::new(epochs.fetch_add(1, Ordering::Relaxed))),
            seats: 0,
            routed: Vec::new(),
        });
        placed.seats += 1;
        let topic = placed.topic.clone();
        Ok(Seat { inner: inner.clone(), key: Key::Page(key), topic, user, address })
    }

    /// Changes to `items` (the awardables on the page its viewer may see)
    /// reach the seat's topic from now on.
    pub fn route(&self, seat: &Seat<Topic>, items: &[AwardableRef]) {
        let Key::Page(key) = seat.key else { return };
        let mut registry = self.inner.registry();
        let Registry { topics, routes, .. } = &mut *registry;
        let Some(placed) = topics.get_mut(&key) else { return };
        for item in items {
            let keys = routes.entry(*item).or_default();
            if !keys.contains(&key) {
                keys.push(key);
                placed.routed.push(*item);
            }
        }
    }

    /// A seat on the award topic of `scope`, unless a cap is reached.
    pub fn join_awards(&self, scope: Scope, user: Option<i64>, address: IpAddr) -> Result<Seat<AwardTopic>, Full> {
        let address = network_of(address);
        let inner = &self.inner;
        let mut registry = inner.registry();
        registry.admit(inner.caps, user, address)?;
        let placed = registry
            .awards
            .entry(scope)
            .or_insert_with(|| AwardPlaced { topic: Arc::new(AwardTopic::new()), seats: 0 });
        placed.seats += 1;
        let topic = placed.topic.clone();
        Ok(Seat { inner: inner.clone(), key: Key::Awards(scope), topic, user, address })
    }

    /// Bumped whenever `user`'s access may have shrunk, while they hold a seat.
    pub fn access_of(&self, user: i64) -> Option<watch::Receiver<u64>> {
        self.inner.registry().people.get(&user).map(|p| p.access.subscribe())
    }

    pub fn closing(&self) -> watch::Receiver<bool> {
        self.inner.closing.subscribe()
    }

    /// Ends every open stream (at shutdown: they would otherwise keep the
    /// server waiting for ever).
    pub fn close(&self) {
        self.inner.closing.send_replace(true);
    }
}

/// The wait before trying a failed catch-up read again, and the longest it grows to.
const REFRESH_RETRY_FIRST: std::time::Duration = std::time::Duration::from_millis(250);
const REFRESH_RETRY_MOST: std::time::Duration = std::time::Duration::from_secs(5);

/// Tallies as frames' data, each with its awardable.
pub type Tallies = Vec<(AwardableRef, axum::body::Bytes)>;

/// The most ids one tally query binds (SQLite's limit is 32,766).
const IDS_PER_QUERY: usize = 1_000;

/// The tallies of `items` from the database, as frames' data, one query per
/// kind and thousand.
pub async fn read_tallies(app: &AppState, items: &[AwardableRef]) -> Result<Tallies, app::domain::DomainError> {
    let mut out = Vec::with_capacity(items.len());
    for kind in [AwardableKind::Issue, AwardableKind::MergeRequest, AwardableKind::Snippet, AwardableKind::Note] {
        let ids: Vec<i64> = items.iter().filter(|i| i.kind == kind).map(|i| i.id).collect();
        for ids in ids.chunks(IDS_PER_QUERY) {
            let mut tallies = award_emoji::tallies_of(app, kind, ids).await?;
            for &id in ids {
                let item = AwardableRef { kind, id };
                out.push((item, tally_data(item, tallies.remove(&id).unwrap_or_default())));
            }
        }
    }
    Ok(out)
}

/// What the per-address cap counts: an IPv4 address, or an IPv6 /64 (one
/// subscriber's network, whose addresses are theirs to pick).
fn network_of(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::V6(segments.into())
        }
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}
