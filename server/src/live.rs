//! Live updates over Server-Sent Events. A browser watching an issue or merge
//! request gets the reaction tallies of the item and of every comment on it
//! that the viewer may read, as they change, whichever process or surface made
//! the change. One stream per page keeps browsers under their connection limit.
//!
//! Fan-out is cheap per viewer: one task ([`LiveFeed::start`]) turns each bus
//! event into its SSE frame once, and every viewer's stream only checks whether
//! it watches that item and sends the same shared bytes.

use crate::auth::{Auth, AuthRejection, GivenCredentials};
use crate::state::ServerState;
use app::domain::auth::authenticate;
use app::domain::listing::{self, Window};
use app::domain::{award_emoji, projects, Actor, AppState, DomainError};
use app::events::{AwardableKind, AwardableRef, Event, LiveFrame};
use app::policy::ApiUse;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, StreamExt};
use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};

/// How far a viewer may fall behind before it is resynchronised instead.
const CAPACITY: usize = 4096;
/// A comment line every so often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// One change, ready to send: the item it is about and its SSE frame. `None`
/// means changes were missed upstream and every viewer must resynchronise.
#[derive(Debug)]
pub struct Frame {
    item: Option<AwardableRef>,
    bytes: Bytes,
    /// This user's access may have shrunk: their viewers re-check before anything else.
    recheck: Option<i64>,
}

/// The process-wide feed of ready-made frames.
#[derive(Clone)]
pub struct LiveFeed {
    sender: broadcast::Sender<Arc<Frame>>,
    /// Set once at shutdown: every stream ends, so the server can drain.
    closing: Arc<tokio::sync::watch::Sender<bool>>,
}

fn frame(name: &str, live: &LiveFrame) -> Bytes {
    let data = serde_json::to_string(live).unwrap_or_default();
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

impl LiveFeed {
    /// Subscribes to the domain's event bus and starts serialising its events.
    pub fn start(app: &AppState) -> LiveFeed {
        let (sender, _) = broadcast::channel(CAPACITY);
        let mut events = app.bus.subscribe();
        let feed = LiveFeed { sender, closing: Arc::new(tokio::sync::watch::channel(false).0) };
        let out = feed.sender.clone();
        tokio::spawn(async move {
            loop {
                let frame = match events.recv().await {
                    Ok(event) => match event.as_ref() {
                        Event::ReactionChanged { awardable, name, user_id, username, added, counts } => {
                            let live = LiveFrame::Reaction {
                                awardable: *awardable,
                                name: name.clone(),
                                user_id: *user_id,
                                username: username.clone(),
                                added: *added,
                                counts: counts.clone(),
                            };
                            Frame { item: Some(*awardable), bytes: frame("reaction", &live), recheck: None }
                        }
                        Event::AccessChanged { user_id } => {
                            Frame { item: None, bytes: Bytes::new(), recheck: Some(*user_id) }
                        }
                        _ => continue,
                    },
                    Err(RecvError::Lagged(_)) => Frame { item: None, bytes: Bytes::new(), recheck: None },
                    Err(RecvError::Closed) => return,
                };
                // No viewers is fine: nobody is watching.
                let _ = out.send(Arc::new(frame));
            }
        });
        feed
    }
}

impl LiveFeed {
    /// Ends every open stream (at shutdown: they would otherwise keep the
    /// server waiting for ever).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

/// The current tallies of each watched item, as `name` frames: the page's item
/// (checked readable again), then its comments, listed readable when the
/// stream opened, in one query.
async fn snapshot(app: &AppState, actor: &Actor, items: &[AwardableRef], name: &str) -> Vec<Bytes> {
    let Some((&first, comments)) = items.split_first() else { return Vec::new() };
    let Ok(counts) = award_emoji::reaction_counts(app, actor, first).await else { return Vec::new() };
    let mut out = Vec::with_capacity(items.len());
    out.push(frame(name, &LiveFrame::Tally { awardable: first, counts }));
    let ids: Vec<i64> = comments.iter().map(|c| c.id).collect();
    if let Ok(mut tallies) = award_emoji::tallies_of(app, AwardableKind::Note, &ids).await {
        for comment in comments {
            let counts = tallies.remove(&comment.id).unwrap_or_default();
            out.push(frame(name, &LiveFrame::Tally { awardable: *comment, counts }));
        }
    }
    out
}

/// Every this many keep-alives a viewer re-checks its access anyway (an item
/// made private, a session that expired): at most a minute of grace.
const RECHECK_EVERY: u32 = 4;

/// What woke a viewer up.
enum Wake {
    Closing,
    Frame(Result<Arc<Frame>, RecvError>),
    Tick,
}

/// One viewer's stream after its snapshot.
struct Viewer {
    frames: broadcast::Receiver<Arc<Frame>>,
    app: AppState,
    actor: Actor,
    /// The credentials the stream was opened with, to authenticate again later.
    credentials: GivenCredentials,
    ticks: u32,
    closing: tokio::sync::watch::Receiver<bool>,
    watched: Vec<AwardableRef>,
    set: HashSet<AwardableRef>,
    keep_alive: tokio::time::Interval,
}

impl Viewer {
    /// The next frames to send: a change to a watched item, a resync after
    /// missed changes, or a keep-alive comment. `None` ends the stream.
    async fn next(&mut self) -> Option<Vec<Bytes>> {
        loop {
            let wake = tokio::select! {
                _ = self.closing.wait_for(|closing| *closing) => Wake::Closing,
                received = self.frames.recv() => Wake::Frame(received),
                _ = self.keep_alive.tick() => Wake::Tick,
            };
            match wake {
                Wake::Closing | Wake::Frame(Err(RecvError::Closed)) => return None,
                Wake::Frame(Err(RecvError::Lagged(_))) => return Some(self.resync().await),
                Wake::Frame(Ok(frame)) => match (frame.item, frame.recheck) {
                    (_, Some(user)) => {
                        if self.actor.id() == Some(user) && !self.still_allowed().await {
                            return None;
                        }
                    }
                    (Some(item), None) if self.set.contains(&item) => return Some(vec![frame.bytes.clone()]),
                    (Some(_), None) => {}
                    (None, None) => return Some(self.resync().await),
                },
                Wake::Tick => {
                    self.ticks += 1;
                    if self.ticks.is_multiple_of(RECHECK_EVERY) && !self.still_allowed().await {
                        return None;
                    }
                    return Some(vec![Bytes::from_static(b":\n\n")]);
                }
            }
        }
    }

    /// Whether the viewer may still watch: the same credentials still
    /// authenticate as the same user, who may still read the item. Boxed, as
    /// `resync`. A failure to check ends the stream (the browser reconnects).
    async fn still_allowed(&self) -> bool {
        Box::pin(async {
            let Ok(auth) = authenticate(&self.app, self.credentials.as_credentials()).await else { return false };
            if auth.actor.id() != self.actor.id() {
                return false;
            }
            match self.watched.first() {
                Some(item) => award_emoji::reaction_counts(&self.app, &auth.actor, *item).await.is_ok(),
                None => false,
            }
        })
        .await
    }

    /// Boxed: the database reads behind it make a large future, which would
    /// otherwise sit inline in every idle viewer's stream.
    async fn resync(&self) -> Vec<Bytes> {
        Box::pin(snapshot(&self.app, &self.actor, &self.watched, "resync")).await
    }
}

/// `GET /-/live/:kind/:id`: the current tallies at once (`snapshot`), then every
/// change (`reaction`). A viewer that falls behind gets fresh tallies
/// (`resync`) instead of the changes it missed.
pub async fn reactions(
    State(state): State<ServerState>,
    auth: Result<Auth, AuthRejection>,
    Path((kind, id)): Path<(String, i64)>,
) -> Result<Response, LiveError> {
    let auth = auth.map_err(|AuthRejection(err)| LiveError::from(err))?;
    if !auth.allows(ApiUse::Read) {
        return Err(LiveError(StatusCode::FORBIDDEN, "403 Forbidden - insufficient_scope"));
    }
    let Auth(authenticated, credentials) = auth;
    let actor = authenticated.actor;
    let kind = AwardableKind::parse(&kind).ok_or(DomainError::NotFound("Awardable"))?;
    let item = AwardableRef { kind, id };
    // Subscribe before reading, so no change between the two is missed.
    let frames = state.live.sender.subscribe();
    // Checks the viewer may read the item (else 404), then its readable comments.
    award_emoji::reaction_counts(&state.app, &actor, item).await?;
    let mut watched = vec![item];
    if matches!(kind, AwardableKind::Issue | AwardableKind::MergeRequest) {
        let notes =
            projects::list_notes(&state.app, &actor, item, projects::NoteKinds::All, Window::first(listing::WHOLE))
                .await?
                .items;
        watched.extend(notes.iter().map(|n| AwardableRef { kind: AwardableKind::Note, id: n.id }));
    }
    let first = snapshot(&state.app, &actor, &watched, "snapshot").await;
    let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
    keep_alive.reset();
    let viewer = Viewer {
        frames,
        app: state.app.clone(),
        set: watched.iter().copied().collect(),
        watched,
        actor,
        credentials,
        ticks: 0,
        closing: state.live.closing.subscribe(),
        keep_alive,
    };
    let rest = stream::unfold(viewer, |mut viewer| async move { viewer.next().await.map(|frames| (frames, viewer)) })
        .flat_map(stream::iter);
    let body = stream::iter(first).chain(rest).map(Ok::<_, Infallible>);
    Ok(([(header::CONTENT_TYPE, "text/event-stream"), (header::CACHE_CONTROL, "no-cache")], Body::from_stream(body))
        .into_response())
}

/// The live channel's refusals: a status and a plain-text line, which is all
/// an `EventSource` sees. Missing and forbidden items read the same.
#[derive(Debug)]
pub struct LiveError(StatusCode, &'static str);

impl From<DomainError> for LiveError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::NotFound(_) | DomainError::Forbidden => LiveError(StatusCode::NOT_FOUND, "404 Not Found"),
            DomainError::Unauthorized
            | DomainError::TokenExpired
            | DomainError::TokenRevoked
            | DomainError::AccountLocked => LiveError(StatusCode::UNAUTHORIZED, "401 Unauthorized"),
            DomainError::RateLimited { .. } => LiveError(StatusCode::TOO_MANY_REQUESTS, "429 Too Many Requests"),
            busy if busy.is_overloaded() => {
                tracing::warn!("live stream refused, overloaded: {busy}");
                LiveError(StatusCode::SERVICE_UNAVAILABLE, "503 Service Unavailable")
            }
            internal => {
                tracing::error!("live stream failed: {internal}");
                LiveError(StatusCode::INTERNAL_SERVER_ERROR, "500 Internal Server Error")
            }
        }
    }
}

impl IntoResponse for LiveError {
    fn into_response(self) -> Response {
        (self.0, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], self.1).into_response()
    }
}
