//! Live updates over Server-Sent Events. A browser watching an issue or merge
//! request gets the reaction tallies of the item and of every comment on it
//! that the viewer may read, as they change, whichever process or surface made
//! the change. One stream per page keeps browsers under their connection limit.
//!
//! Every frame has an SSE `id:`; a browser that reconnects sends the last one
//! back (`Last-Event-ID`) and gets exactly what it missed, or, when that is no
//! longer known, each changed tally. [`hub`] routes each change to the viewers
//! of its page only; [`topic`] holds a page's numbered changes.

pub mod http1;
pub mod hub;
pub mod topic;

use crate::auth::{Auth, AuthRejection, GivenCredentials};
use crate::state::ServerState;
use app::domain::auth::authenticate;
use app::domain::{projects, Actor, AppState, DomainError};
use app::events::{AwardableKind, AwardableRef};
use app::policy::ApiUse;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, StreamExt};
use hub::{read_tallies, Full, Seat};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::watch;
use topic::EventId;

/// A comment line every so often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A viewer re-checks its access at least this often (an item made private, a
/// session that expired): at most a minute of grace.
const RECHECK: Duration = Duration::from_secs(60);

/// How a viewer authenticates again when its access is re-checked.
struct Recheck {
    app: AppState,
    actor: Actor,
    credentials: GivenCredentials,
    item: AwardableRef,
}

impl Recheck {
    /// What the viewer may still watch: `None` unless the same credentials
    /// still authenticate as the same user, who may still read the item; else
    /// the item and the comments they may read now. Boxed: the database reads
    /// behind it make a large future, which would otherwise sit inline in
    /// every idle viewer's stream. A failure to check ends the stream (the
    /// browser reconnects).
    async fn still_allowed(&self) -> Option<Vec<AwardableRef>> {
        Box::pin(async {
            let auth = authenticate(&self.app, self.credentials.as_credentials()).await.ok()?;
            if auth.actor.id() != self.actor.id() {
                return None;
            }
            projects::watchable(&self.app, &auth.actor, self.item).await.ok()
        })
        .await
    }
}

/// What woke a viewer up.
enum Wake {
    Closing,
    Changed(bool),
    Access(bool),
    Tick,
}

/// One viewer's stream after its first frames: a position in its page's
/// topic and the awardables it may see there. Nothing is queued for it: when
/// it is slow, the topic moves on and it catches up from there.
struct Viewer {
    seat: Seat,
    changes: watch::Receiver<u64>,
    cursor: u64,
    /// Sorted, for `binary_search`.
    items: Box<[AwardableRef]>,
    access: Option<watch::Receiver<u64>>,
    closing: watch::Receiver<bool>,
    keep_alive: tokio::time::Interval,
    recheck_at: tokio::time::Instant,
    recheck: Box<Recheck>,
}

impl Viewer {
    /// Checks what must be checked before anything is sent, however busy
    /// the stream: shutdown, a change to the viewer's access, the periodic
    /// re-check. `false` ends the stream. What the viewer may no longer read
    /// (a comment made internal) is dropped from what it watches.
    async fn still_open(&mut self) -> bool {
        if *self.closing.borrow() {
            return false;
        }
        let access_changed = self.access.as_mut().is_some_and(|a| a.has_changed().unwrap_or(true));
        if access_changed || tokio::time::Instant::now() >= self.recheck_at {
            if let Some(access) = self.access.as_mut() {
                access.borrow_and_update();
            }
            let Some(now) = self.recheck.still_allowed().await else { return false };
            self.items = self.items.iter().filter(|i| now.contains(i)).copied().collect();
            self.recheck_at = tokio::time::Instant::now() + RECHECK;
        }
        true
    }

    /// The next frames to send: what changed on watched items since the
    /// cursor, or a keep-alive comment. `None` ends the stream.
    async fn next(&mut self) -> Option<Vec<Bytes>> {
        loop {
            if !self.still_open().await {
                return None;
            }
            // Marked seen first: a change published while reading is woken for.
            self.changes.borrow_and_update();
            let catch = self.seat.topic().since(self.cursor, &self.items);
            self.cursor = catch.cursor;
            if !catch.frames.is_empty() {
                return Some(catch.frames);
            }
            let access = self.access.as_mut();
            let access = async move {
                match access {
                    Some(access) => access.changed().await.is_ok(),
                    None => std::future::pending().await,
                }
            };
            let wake = tokio::select! {
                _ = self.closing.wait_for(|closing| *closing) => Wake::Closing,
                changed = self.changes.changed() => Wake::Changed(changed.is_ok()),
                open = access => Wake::Access(open),
                _ = self.keep_alive.tick() => Wake::Tick,
            };
            match wake {
                Wake::Closing | Wake::Changed(false) | Wake::Access(false) => return None,
                Wake::Changed(true) => {}
                // `changed()` marked it seen: re-check at the top of the loop.
                Wake::Access(true) => self.recheck_at = tokio::time::Instant::now(),
                Wake::Tick => {
                    if !self.still_open().await {
                        return None;
                    }
                    return Some(vec![Bytes::from_static(b":\n\n")]);
                }
            }
        }
    }
}

/// `GET /-/live/:kind/:id`: the current tallies at once (`snapshot`), then every
/// change (`reaction`). With `Last-Event-ID` from this stream's topic, only
/// what was missed; a viewer too far behind gets fresh tallies (`resync`)
/// instead of the changes it missed.
pub async fn reactions(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
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
    // The item must be readable (else 404), then its readable comments.
    let items = projects::watchable(&state.app, &actor, item).await?;
    let address = crate::throttle::client_ip(peer.ip(), &headers, &state.trusted_proxies);
    let seat = state.live.join(item, &items, actor.id(), address).map_err(|full| match full {
        Full::User => LiveError(StatusCode::TOO_MANY_REQUESTS, "429 Too Many Requests - live streams per user"),
        Full::Address => LiveError(StatusCode::TOO_MANY_REQUESTS, "429 Too Many Requests - live streams per address"),
    })?;
    let topic = seat.topic();
    {
        // Tallies the topic has not seen yet are read once, however many
        // viewers arrive at the same moment.
        let _loading = topic.loading().await;
        let missing = topic.missing(&items);
        if !missing.is_empty() {
            topic.seed(read_tallies(&state.app, &missing).await?);
        }
    }
    let resume = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(EventId::parse);
    let watched: Box<[AwardableRef]> = {
        let mut sorted = items.clone();
        sorted.sort_unstable();
        sorted.dedup();
        sorted.into()
    };
    let first = match resume.filter(|id| topic.resumes(*id)) {
        Some(id) => topic.since(id.seq, &watched),
        None => topic.snapshot(&items),
    };
    let changes = topic.subscribe();
    let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
    keep_alive.reset();
    let viewer = Viewer {
        changes,
        cursor: first.cursor,
        items: watched,
        access: actor.id().and_then(|user| state.live.access_of(user)),
        closing: state.live.closing(),
        keep_alive,
        recheck_at: tokio::time::Instant::now() + RECHECK,
        recheck: Box::new(Recheck { app: state.app.clone(), actor, credentials, item }),
        seat,
    };
    let rest = stream::unfold(viewer, |mut viewer| async move { viewer.next().await.map(|frames| (frames, viewer)) })
        .flat_map(stream::iter);
    let body = stream::iter(first.frames).chain(rest).map(Ok::<_, Infallible>);
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
