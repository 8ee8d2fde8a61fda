//! Live award pages: a user's profile (`/-/live/awards/profile/:user_id`), the
//! signed-in user's profile editor (`/-/live/awards/mine`) and a group's
//! achievements page (`/-/live/awards/group/:group_id?search=&page=`).
//!
//! Such a page shows what its viewer may see of awards (hidden ones, private
//! groups, private profiles), so a change tells only the viewers whose page it
//! changes. Each page carries a mark of what it shows (`seen=`). When an award
//! is made, revoked, accepted, hidden or reordered, the topic of the user and
//! the group concerned is bumped; each viewer's page is computed again by the
//! page's own code, once per viewer identity and change however many share
//! it, and a viewer whose mark differs gets a `changed` frame whose id is the
//! new mark. The browser then reads the page again. A reconnecting browser
//! sends that id back (`Last-Event-ID`), so a change made while it was away is
//! told at once, never lost; a viewer keeps only the mark it was last told
//! (the topic keeps each identity's current mark for those who share it).

use super::hub::Seat;
use super::shared::Shared;
use super::{address_of, event_stream, reuse, viewer_of, LiveError, LivePath, Recheck, Viewer, Watch, CONNECT_REUSE};
use crate::auth::{Auth, AuthRejection};
use crate::state::ServerState;
use app::domain::{users, Actor, AppState, DomainResult};
use app::server_fns::group_achievements::views as group_views;
use app::server_fns::profile::views as profile_views;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::watch;

/// Whose awards a page shows: a user's (profile, editor) or a group's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    User(i64),
    Group(i64),
}

/// An award page as a viewer has it open.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum AwardPage {
    Profile(i64),
    Editor,
    Group { id: i64, search: String, page: i64 },
}

impl AwardPage {
    fn scope(&self, actor: &Actor) -> DomainResult<Scope> {
        Ok(match self {
            AwardPage::Profile(user) => Scope::User(*user),
            AwardPage::Editor => Scope::User(actor.require_user()?.id),
            AwardPage::Group { id, .. } => Scope::Group(*id),
        })
    }

    /// The mark of what `actor` sees on the page now, from the page's own
    /// view (so its visibility rules): an error when they may not see it.
    async fn mark(&self, app: &AppState, actor: &Actor) -> DomainResult<String> {
        Ok(match self {
            AwardPage::Profile(id) => {
                let user = users::user_by_id(app, *id).await?;
                profile_views::profile(app, actor, &user.username).await?.live_mark
            }
            AwardPage::Editor => profile_views::own_awards(app, actor).await?.1,
            AwardPage::Group { id, search, page } => {
                group_views::dashboard(app, actor, &id.to_string(), search, *page).await?.live_mark
            }
        })
    }
}

/// Different views of one user's or one group's awards one client address
/// may follow at once (each search and page of a group's page is one). Each
/// is computed again at every change and every re-check: without a bound, a
/// stranger opening a stream per search word made one group's page cost a
/// core. Counted per address, so that no one can take the views of others.
const MAX_VIEWS: usize = 8;

/// Who follows which views of a topic.
#[derive(Default)]
struct Views {
    /// Viewers of each view, by address.
    followers: HashMap<(String, AwardPage), usize>,
    /// Views each address follows.
    per_address: HashMap<String, usize>,
}

/// The viewers of one user's or one group's awards.
pub struct AwardTopic {
    /// Bumped by every change that may concern them.
    version: watch::Sender<u64>,
    /// The mark of each page and identity its viewers have, as of a version.
    marks: Shared<(AwardPage, Option<i64>), String>,
    /// The views followed now.
    views: Mutex<Views>,
}

impl Default for AwardTopic {
    fn default() -> Self {
        Self::new()
    }
}

impl AwardTopic {
    pub fn new() -> AwardTopic {
        AwardTopic { version: watch::channel(0).0, marks: Shared::default(), views: Mutex::default() }
    }

    /// One more viewer of `page` from `address`, unless it would be a view
    /// more than [`MAX_VIEWS`] for that address.
    fn follow(&self, address: &str, page: &AwardPage) -> bool {
        let mut views = self.views.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (address.to_string(), page.clone());
        if !views.followers.contains_key(&key) {
            let followed = views.per_address.entry(address.to_string()).or_insert(0);
            if *followed >= MAX_VIEWS {
                return false;
            }
            *followed += 1;
        }
        *views.followers.entry(key).or_insert(0) += 1;
        true
    }

    /// One viewer of `page` from `address` fewer.
    fn unfollow(&self, address: &str, page: &AwardPage) {
        let mut views = self.views.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (address.to_string(), page.clone());
        let Some(count) = views.followers.get_mut(&key) else { return };
        *count -= 1;
        if *count > 0 {
            return;
        }
        views.followers.remove(&key);
        if let Some(followed) = views.per_address.get_mut(address) {
            *followed -= 1;
            if *followed == 0 {
                views.per_address.remove(address);
            }
        }
    }

    /// `user`'s access may have shrunk: no mark kept for them is used again.
    pub async fn forget(&self, user: i64) {
        self.marks.forget(|(_, id)| *id == Some(user)).await;
    }

    /// Something its viewers see may have changed: they look again.
    pub fn bump(&self) {
        self.version.send_modify(|v| *v += 1);
    }

    /// What `actor` sees on `page` at the topic's current version, computed
    /// at most `max_age` ago.
    async fn mark(&self, app: &AppState, page: &AwardPage, actor: &Actor, max_age: Duration) -> DomainResult<String> {
        let version = *self.version.borrow();
        self.marks.get(version, (page.clone(), actor.id()), max_age, || page.mark(app, actor)).await
    }
}

/// One viewer of an award page: what it was last told it sees.
struct AwardWatch {
    seat: Seat<AwardTopic>,
    page: AwardPage,
    /// Its client's address (`app::domain::limits::address_key`).
    address: String,
    changes: watch::Receiver<u64>,
    /// The topic's version the viewer last looked at.
    version: u64,
    told: String,
}

impl Drop for AwardWatch {
    fn drop(&mut self) {
        self.seat.topic().unfollow(&self.address, &self.page);
    }
}

impl AwardWatch {
    /// A `changed` frame if `mark` is not what the viewer was last told.
    fn tell(&mut self, mark: String) -> Vec<Bytes> {
        if mark == self.told {
            return Vec::new();
        }
        let frame = format!("event: changed\nid: {mark}\ndata: {{}}\n\n");
        self.told = mark;
        vec![Bytes::from(frame)]
    }
}

impl Watch for AwardWatch {
    async fn catch(&mut self, app: &AppState, actor: &Actor) -> Option<Vec<Bytes>> {
        let version = *self.changes.borrow_and_update();
        if version == self.version {
            return Some(Vec::new());
        }
        self.version = version;
        // Boxed: the page's reads make a large future, which would otherwise
        // sit inline in every idle viewer's stream. No longer allowed (or
        // failing): the stream ends, and the browser's reconnect is answered.
        let mark = Box::pin(self.seat.topic().mark(app, &self.page, actor, Duration::MAX)).await.ok()?;
        Some(self.tell(mark))
    }

    /// Computed again, unless this is the periodic re-check and a viewer with
    /// the same identity had it computed in the last half minute.
    async fn recheck(&mut self, app: &AppState, actor: &Actor, fresh: bool) -> Option<Vec<Bytes>> {
        let mark = Box::pin(self.seat.topic().mark(app, &self.page, actor, reuse(fresh))).await.ok()?;
        Some(self.tell(mark))
    }

    fn changes(&mut self) -> &mut watch::Receiver<u64> {
        &mut self.changes
    }
}

/// `seen=`: the mark of the page the browser has.
#[derive(Deserialize)]
pub struct Seen {
    seen: Option<String>,
}

/// A group page's own query, and `seen=`.
#[derive(Deserialize)]
pub struct GroupPage {
    search: Option<String>,
    page: Option<String>,
    seen: Option<String>,
}

/// A mark's length in hex digits; anything longer is no mark of ours.
const MARK_LEN: usize = 2 * app::server_fns::LIVE_MARK_BYTES;

/// What every award page's stream is opened with: who asks, from where.
pub struct Opening {
    peer: SocketAddr,
    headers: HeaderMap,
    auth: Result<Auth, AuthRejection>,
}

impl FromRequestParts<ServerState> for Opening {
    type Rejection = LiveError;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Self::Rejection> {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>().copied() else {
            tracing::error!("live stream without the peer's address");
            return Err(LiveError(StatusCode::INTERNAL_SERVER_ERROR, "500 Internal Server Error"));
        };
        let auth = Auth::from_request_parts(parts, state).await;
        Ok(Opening { peer, headers: parts.headers.clone(), auth })
    }
}

async fn follow(
    state: ServerState,
    Opening { peer, headers, auth }: Opening,
    page: AwardPage,
    seen: Option<String>,
) -> Result<Response, LiveError> {
    let (actor, credentials) = viewer_of(auth)?;
    let scope = page.scope(&actor)?;
    let address = address_of(&state, peer, &headers);
    let seat = state.live.join_awards(scope, actor.id(), address)?;
    let address = app::domain::limits::address_key(address);
    // Subscribed first: a change, or a change to the viewer's access, from
    // here on wakes the viewer.
    let changes = seat.topic().version.subscribe();
    let access = actor.id().and_then(|user| state.live.access_of(user));
    let version = *changes.borrow();
    if !seat.topic().follow(&address, &page) {
        return Err(LiveError(StatusCode::SERVICE_UNAVAILABLE, "503 Too many views of this page are followed"));
    }
    // The browser's last frame, else the page's own mark.
    let last = headers.get("last-event-id").and_then(|v| v.to_str().ok()).map(str::to_string);
    let told = last.or(seen).filter(|m| m.len() <= MARK_LEN).unwrap_or_default();
    // Made at once: it stops following the view when dropped, refused or not.
    let mut watch = AwardWatch { seat, page, address, changes, version, told };
    let mark = watch.seat.topic().mark(&state.app, &watch.page, &actor, CONNECT_REUSE).await?;
    let first = watch.tell(mark);
    let recheck = Recheck { app: state.app.clone(), actor, credentials };
    Ok(event_stream(first, Viewer::new(watch, &state, recheck, access)))
}

pub async fn profile(
    State(state): State<ServerState>,
    opening: Opening,
    LivePath(user): LivePath<i64>,
    Query(query): Query<Seen>,
) -> Result<Response, LiveError> {
    follow(state, opening, AwardPage::Profile(user), query.seen).await
}

pub async fn mine(
    State(state): State<ServerState>,
    opening: Opening,
    Query(query): Query<Seen>,
) -> Result<Response, LiveError> {
    follow(state, opening, AwardPage::Editor, query.seen).await
}

pub async fn group(
    State(state): State<ServerState>,
    opening: Opening,
    LivePath(id): LivePath<i64>,
    Query(query): Query<GroupPage>,
) -> Result<Response, LiveError> {
    let page = query.page.and_then(|p| p.parse::<i64>().ok()).unwrap_or(1);
    let (search, page) = group_views::dashboard_query(&query.search.unwrap_or_default(), page);
    follow(state, opening, AwardPage::Group { id, search, page }, query.seen).await
}
