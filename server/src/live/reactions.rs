//! `GET /-/live/:kind/:id`: the reaction tallies of an issue or merge request
//! and of the comments on it the viewer may read, as they change.

use super::hub::Seat;
use super::topic::{watched, Cleared, EventId, Sink, Topic, Watched};
use super::{address_of, event_stream, reuse, viewer_of, LiveError, LivePath, Recheck, Viewer, Watch, CONNECT_REUSE};
use crate::auth::{Auth, AuthRejection};
use crate::state::ServerState;
use app::domain::{Actor, AppState, DomainError};
use app::events::{AwardableKind, AwardableRef};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::Response;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::sync::watch;

/// A position in a page's topic and the awardables the viewer may see there.
struct PageWatch {
    seat: Seat<Topic>,
    item: AwardableRef,
    changes: watch::Receiver<u64>,
    cursor: u64,
    /// Sorted, for `binary_search`.
    items: Watched,
    /// On the lean path: the topic writes to the viewer itself, and the
    /// position is the sink's.
    sink: Option<Arc<Sink>>,
}

impl Drop for PageWatch {
    fn drop(&mut self) {
        if let Some(sink) = &self.sink {
            self.seat.topic().detach(sink);
        }
    }
}

impl Watch for PageWatch {
    async fn catch(&mut self, _app: &AppState, _actor: &Actor) -> Option<Vec<Bytes>> {
        // Marked seen first: a change published while reading is woken for.
        self.changes.borrow_and_update();
        if let Some(sink) = &self.sink {
            return Some(sink.catch_up(self.seat.topic()));
        }
        let catch = self.seat.topic().since(self.cursor, &self.items);
        self.cursor = catch.cursor;
        Some(catch.frames)
    }

    /// The item must still be readable; comments no longer readable (made
    /// internal) are dropped from what the viewer watches. A failure to check
    /// ends the stream (the browser reconnects).
    async fn recheck(&mut self, _app: &AppState, actor: &Actor, fresh: bool) -> Option<Vec<Bytes>> {
        let (item, allowed, reads) = (self.item, &self.seat.topic().allowed, self.seat.reads());
        let read =
            allowed.get(0, actor.id(), reuse(fresh), || async move { reads.watchable(actor, item).await.map(watched) });
        let now = Box::pin(read).await.ok()?;
        let still = |i: &&AwardableRef| now.binary_search(i).is_ok();
        if !self.items.iter().all(|i| still(&i)) {
            self.items = self.items.iter().filter(still).copied().collect();
        }
        Some(Vec::new())
    }

    fn checked(&mut self, cleared: Cleared) {
        if let Some(sink) = &self.sink {
            sink.checked(self.items.clone(), cleared);
        }
    }

    fn changes(&mut self) -> &mut watch::Receiver<u64> {
        &mut self.changes
    }

    fn attach(
        &mut self,
        socket: &Arc<TcpStream>,
        access: Option<watch::Receiver<u64>>,
        cleared: Cleared,
    ) -> Option<Arc<Sink>> {
        let sink = Arc::new(Sink::new(socket.clone(), (self.cursor, self.items.clone()), access, cleared));
        // Woken by the sink from now on, not by every frame of the topic;
        // what was published since the first frames is caught up at once.
        self.changes = sink.subscribe();
        self.changes.mark_changed();
        self.seat.topic().attach(&sink);
        self.sink = Some(sink.clone());
        Some(sink)
    }
}

/// The current tallies at once (`snapshot`), then every change (`reaction`).
/// With `Last-Event-ID` from this stream's topic, only what was missed; a
/// viewer too far behind gets fresh tallies (`resync`) instead of the changes
/// it missed.
pub async fn reactions(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    auth: Result<Auth, AuthRejection>,
    LivePath((kind, id)): LivePath<(String, i64)>,
) -> Result<Response, LiveError> {
    let (actor, credentials) = viewer_of(auth)?;
    let kind = AwardableKind::parse(&kind).ok_or(DomainError::NotFound("Awardable"))?;
    let item = AwardableRef { kind, id };
    let seat = state.live.join(item, actor.id(), address_of(&state, peer, &headers))?;
    // Subscribed first: a change to the viewer's access from here on is seen.
    let access = actor.id().and_then(|user| state.live.access_of(user));
    let topic = seat.topic();
    // The item must be readable (else 404), then its readable comments.
    let reads = seat.reads();
    let read =
        topic.allowed.get(0, actor.id(), CONNECT_REUSE, || async { reads.watchable(&actor, item).await.map(watched) });
    let items = read.await?;
    state.live.route(&seat, &items);
    {
        // Tallies the topic has not seen yet are read once, however many
        // viewers arrive at the same moment.
        let _loading = topic.loading().await;
        let missing = topic.missing(&items);
        if !missing.is_empty() {
            topic.seed(seat.reads().tallies(missing).await?);
        }
    }
    let resume = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(EventId::parse);
    let first = match resume.filter(|id| topic.resumes(*id)) {
        Some(id) => topic.since(id.seq, &items),
        None => topic.snapshot(&items),
    };
    let changes = topic.subscribe();
    let watch = PageWatch { item, changes, cursor: first.cursor, items, seat, sink: None };
    let recheck = Recheck { app: state.app.clone(), actor, credentials };
    Ok(event_stream(first.frames, Viewer::new(watch, &state, recheck, access)))
}
