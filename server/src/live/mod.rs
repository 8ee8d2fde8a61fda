//! Live updates over Server-Sent Events, whichever process or surface made the
//! change. Two kinds of stream:
//! - [`reactions`]: a browser watching an issue or merge request gets the
//!   reaction tallies of the item and of every comment on it that the viewer
//!   may read, as they change. Every frame has an SSE `id:`; a browser that
//!   reconnects sends the last one back (`Last-Event-ID`) and gets exactly what
//!   it missed, or, when that is no longer known, each changed tally.
//! - [`awards`]: a profile, the profile editor or a group's achievements page
//!   hears when what its viewer sees there changed, and reads the page again.
//!
//! One stream per page keeps browsers under their connection limit. [`hub`]
//! routes each change to the viewers it concerns only; [`topic`] holds a
//! page's numbered changes. Every stream re-checks its viewer's access when it
//! may have shrunk, and at least once a minute.

pub mod awards;
pub mod batch;
pub mod http1;
pub mod hub;
pub mod page_reads;
pub mod reactions;
pub mod shared;
pub mod topic;

pub use reactions::reactions;

use crate::auth::{Auth, AuthRejection, GivenCredentials};
use crate::state::ServerState;
use app::domain::auth::authenticate;
use app::domain::{Actor, AppState, DomainError};
use app::policy::ApiUse;
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use hub::Full;
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use topic::{Cleared, Sink};

/// A comment line every so often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// A viewer re-checks its access at least this often (an item made private, a
/// session that expired), taking a read another viewer with the same identity
/// made in the last half of it: at most a minute and a half of grace. A change
/// to the viewer's own access (removed from a group, blocked, signed out) is
/// re-checked at once, with a fresh read.
const RECHECK: Duration = Duration::from_secs(60);

/// A stream opening takes what a viewer with the same identity had read this
/// recently (many browsers connecting or reconnecting at once read it once).
const CONNECT_REUSE: Duration = Duration::from_secs(5);

/// Where in its keep-alive and re-check periods a new viewer starts: in the
/// second half, spread evenly over the viewers one after the other (a
/// golden-ratio sequence). Viewers that connect in the same second would
/// otherwise all wake in the same millisecond every 15 s and every minute:
/// ten thousand keep-alive writes at once, a burst of work in front of
/// whatever event came then, and a frame list each held at the same moment.
pub fn first_after(period: Duration) -> Duration {
    static VIEWERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = VIEWERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // The fractional part of n times the golden ratio, in 1/2^32.
    let fraction = (n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as f64 / 4_294_967_296.0;
    period.mul_f64(0.5 + fraction / 2.0)
}

/// How long a re-check may reuse another viewer's read, when not fresh.
fn reuse(fresh: bool) -> Duration {
    if fresh {
        Duration::ZERO
    } else {
        RECHECK / 2
    }
}

/// Who opened a stream, if their credentials allow reading at all.
fn viewer_of(auth: Result<Auth, AuthRejection>) -> Result<(Actor, GivenCredentials), LiveError> {
    let auth = auth.map_err(|AuthRejection(err)| LiveError::from(err))?;
    if !auth.allows(ApiUse::Read) {
        return Err(LiveError(StatusCode::FORBIDDEN, "403 Forbidden - insufficient_scope"));
    }
    let Auth(authenticated, credentials) = auth;
    Ok((authenticated.actor, credentials))
}

/// The address the per-address cap counts.
fn address_of(state: &ServerState, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    crate::throttle::client_ip(peer.ip(), headers, &state.trusted_proxies)
}

impl From<Full> for LiveError {
    fn from(full: Full) -> Self {
        match full {
            Full::User => LiveError(StatusCode::TOO_MANY_REQUESTS, "429 Too Many Requests - live streams per user"),
            Full::Address => {
                LiveError(StatusCode::TOO_MANY_REQUESTS, "429 Too Many Requests - live streams per address")
            }
        }
    }
}

/// How a viewer authenticates again when its access is re-checked.
struct Recheck {
    app: AppState,
    actor: Actor,
    credentials: GivenCredentials,
}

impl Recheck {
    /// The viewer, if the same credentials still authenticate as the same
    /// user. Boxed: the database reads behind it make a large future, which
    /// would otherwise sit inline in every idle viewer's stream.
    async fn signed_in(&self) -> Option<Actor> {
        Box::pin(async {
            let auth = authenticate(&self.app, self.credentials.as_credentials()).await.ok()?;
            (auth.actor.id() == self.actor.id()).then_some(auth.actor)
        })
        .await
    }
}

/// What a viewer follows: a page's reactions, or what it shows of awards.
trait Watch: Send + 'static {
    /// The frames for what changed since the last call, if anything, for
    /// `actor` (as last authenticated). `None` ends the stream.
    fn catch(&mut self, app: &AppState, actor: &Actor) -> impl Future<Output = Option<Vec<Bytes>>> + Send;

    /// Checks again, as `actor` (just authenticated again), what the viewer
    /// may watch: frames for what that found changed; `None` ends the stream.
    /// `fresh`: their access may have shrunk, so nothing read before may answer.
    fn recheck(
        &mut self,
        app: &AppState,
        actor: &Actor,
        fresh: bool,
    ) -> impl Future<Output = Option<Vec<Bytes>>> + Send;

    /// Changes when there may be something to catch.
    fn changes(&mut self) -> &mut watch::Receiver<u64>;

    /// On the lean path, once the first frames are written: what it follows
    /// may write to `socket` itself from now on, through the returned sink,
    /// which the stream's own writes must claim first.
    /// `access` is the viewer's access signal, `cleared` what its last check
    /// covers; the topic writes only while that holds.
    fn attach(
        &mut self,
        _socket: &Arc<TcpStream>,
        _access: Option<watch::Receiver<u64>>,
        _cleared: Cleared,
    ) -> Option<Arc<Sink>> {
        None
    }

    /// The viewer's access was checked again (after [`Watch::recheck`]).
    fn checked(&mut self, _cleared: Cleared) {}
}

/// What woke a viewer up.
enum Wake {
    Closing,
    Changed(bool),
    Access(bool),
    Tick,
}

/// One viewer's stream after its first frames. Nothing is queued for it:
/// when it is slow, what it watches moves on and it catches up from there.
struct Viewer<W> {
    watch: W,
    access: Option<watch::Receiver<u64>>,
    closing: watch::Receiver<bool>,
    keep_alive: tokio::time::Interval,
    recheck_at: tokio::time::Instant,
    /// Woken by a change to the viewer's access: re-check before anything else.
    access_shrunk: bool,
    /// The access signal as it stood when the viewer was last checked
    /// (`None` when it has changed since, unchecked, or for a visitor).
    access_checked: Option<u64>,
    recheck: Box<Recheck>,
}

impl<W: Watch> Viewer<W> {
    /// `access`: the viewer's access signal, subscribed before what it may
    /// see was read (`None` for a visitor).
    fn new(watch: W, state: &ServerState, recheck: Recheck, access: Option<watch::Receiver<u64>>) -> Self {
        let now = tokio::time::Instant::now();
        let keep_alive = tokio::time::interval_at(now + first_after(KEEP_ALIVE), KEEP_ALIVE);
        // Subscribed before what the viewer may see was read: unless it has
        // moved since, that read covers its value.
        let access_checked = access.as_ref().and_then(|a| (!a.has_changed().unwrap_or(true)).then(|| *a.borrow()));
        Viewer {
            watch,
            access,
            closing: state.live.closing(),
            keep_alive,
            recheck_at: now + first_after(RECHECK),
            access_shrunk: false,
            access_checked,
            recheck: Box::new(recheck),
        }
    }

    /// Checks what must be checked before anything is sent, however busy
    /// the stream: shutdown, a change to the viewer's access, the periodic
    /// re-check. `None` ends the stream; else frames the re-check found.
    async fn still_open(&mut self) -> Option<Vec<Bytes>> {
        if *self.closing.borrow() {
            return None;
        }
        let shrunk = std::mem::take(&mut self.access_shrunk)
            || self.access.as_mut().is_some_and(|a| a.has_changed().unwrap_or(true));
        if !shrunk && tokio::time::Instant::now() < self.recheck_at {
            return Some(Vec::new());
        }
        // What the check below covers (a change from here on is seen next time).
        let access = self.access.as_mut().map(|access| *access.borrow_and_update());
        let actor = self.recheck.signed_in().await?;
        let frames = self.watch.recheck(&self.recheck.app, &actor, shrunk).await?;
        // As authenticated now (an admin flag or a block reads afresh).
        self.recheck.actor = actor;
        self.recheck_at = tokio::time::Instant::now() + RECHECK;
        self.access_checked = access;
        self.watch.checked(self.cleared());
        Some(frames)
    }

    /// What the viewer's last check covers.
    fn cleared(&self) -> Cleared {
        Cleared { access: self.access_checked, until: self.recheck_at }
    }

    /// The next frames to send: what changed, or a keep-alive comment. `None`
    /// ends the stream.
    async fn next(&mut self) -> Option<Vec<Bytes>> {
        loop {
            let found = self.still_open().await?;
            if !found.is_empty() {
                return Some(found);
            }
            let caught = self.watch.catch(&self.recheck.app, &self.recheck.actor).await?;
            if !caught.is_empty() {
                return Some(caught);
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
                changed = self.watch.changes().changed() => Wake::Changed(changed.is_ok()),
                open = access => Wake::Access(open),
                _ = self.keep_alive.tick() => Wake::Tick,
            };
            match wake {
                Wake::Closing | Wake::Changed(false) | Wake::Access(false) => return None,
                // `catch` finds what changed.
                Wake::Changed(true) => {}
                // `changed()` marked it seen: re-check at the top of the loop.
                Wake::Access(true) => self.access_shrunk = true,
                Wake::Tick => {
                    let mut frames = self.still_open().await?;
                    frames.push(Bytes::from_static(b":\n\n"));
                    return Some(frames);
                }
            }
        }
    }
}

/// The `text/event-stream` answer: `first`, then what `viewer` finds. The
/// lean HTTP/1.1 path claims the stream (the [`Direct`] extension) and drives
/// it on its socket itself; otherwise (hyper) the body carries it.
fn event_stream<W: Watch>(first: Vec<Bytes>, viewer: Viewer<W>) -> Response {
    let parked = Arc::new(Parked(Mutex::new(Some((first, viewer)))));
    let taken = parked.clone();
    let body =
        stream::once(async move { taken.take() })
            .flat_map(|parked| match parked {
                Some((first, viewer)) => {
                    let rest = stream::unfold(viewer, |mut viewer| async move {
                        viewer.next().await.map(|frames| (frames, viewer))
                    });
                    stream::iter(first).chain(rest.flat_map(stream::iter)).left_stream()
                }
                // Claimed by the lean path.
                None => stream::empty().right_stream(),
            })
            .map(Ok::<_, Infallible>);
    let mut response =
        ([(header::CONTENT_TYPE, "text/event-stream"), (header::CACHE_CONTROL, "no-cache")], Body::from_stream(body))
            .into_response();
    response.extensions_mut().insert(Direct(parked));
    response
}

/// A live stream the lean HTTP/1.1 path may take over from its response body.
#[derive(Clone)]
pub struct Direct(Arc<dyn Claim>);

impl Direct {
    /// The stream, driven on `socket` after the response `head`, unless the
    /// body already has it (then `head` comes back).
    pub fn claim(&self, socket: Arc<TcpStream>, head: Vec<u8>) -> Result<BoxFuture<'static, ()>, Vec<u8>> {
        self.0.claim(socket, head)
    }
}

trait Claim: Send + Sync {
    fn claim(&self, socket: Arc<TcpStream>, head: Vec<u8>) -> Result<BoxFuture<'static, ()>, Vec<u8>>;
}

/// A stream's first frames and viewer, until the body or the lean path takes them.
struct Parked<W>(Mutex<Option<(Vec<Bytes>, Viewer<W>)>>);

impl<W> Parked<W> {
    fn take(&self) -> Option<(Vec<Bytes>, Viewer<W>)> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

impl<W: Watch> Claim for Parked<W> {
    fn claim(&self, socket: Arc<TcpStream>, head: Vec<u8>) -> Result<BoxFuture<'static, ()>, Vec<u8>> {
        match self.take() {
            Some((first, viewer)) => Ok(Box::pin(drive(head, first, viewer, socket))),
            None => Err(head),
        }
    }
}

/// A stream on the lean path: its first frames, then, with what it follows
/// attached to the socket, whatever the viewer's own task must write
/// (catching up, keep-alives), until the stream ends or the client leaves.
async fn drive<W: Watch>(head: Vec<u8>, first: Vec<Bytes>, mut viewer: Viewer<W>, socket: Arc<TcpStream>) {
    // The response head and the first frames in one write: one segment, and
    // one wake-up for the browser. Both are let go once written: a local of
    // this function would be kept for the stream's whole life (a snapshot of
    // a page with a thousand comments is some 250 KiB).
    let opened = {
        let mut opening = head;
        for frame in &first {
            opening.extend_from_slice(frame);
        }
        drop(first);
        http1::write(&socket, &opening).await
    };
    if opened.is_err() {
        return;
    }
    let cleared = viewer.cleared();
    let sink = viewer.watch.attach(&socket, viewer.access.clone(), cleared);
    loop {
        let next = tokio::select! {
            next = viewer.next() => next,
            () = http1::closed(&socket) => None,
        };
        let Some(frames) = next else { return };
        let rest = sink.as_ref().and_then(|sink| sink.claim());
        let mut written = Ok(());
        for frame in rest.iter().chain(&frames) {
            written = http1::write(&socket, frame).await;
            if written.is_err() {
                break;
            }
        }
        if let Some(sink) = &sink {
            sink.release();
        }
        if written.is_err() {
            return;
        }
    }
}

/// The live channel's refusals: a status and a plain-text line, which is all
/// an `EventSource` sees. Missing and forbidden items read the same.
#[derive(Debug)]
pub struct LiveError(StatusCode, &'static str);

impl LiveError {
    const NOT_FOUND: LiveError = LiveError(StatusCode::NOT_FOUND, "404 Not Found");
}

/// A live route's path: one that does not parse (an id that is not a
/// number) names nothing, so it reads as missing, not in axum's words.
pub struct LivePath<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<S> for LivePath<T> {
    type Rejection = LiveError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, LiveError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(LivePath(value)),
            Err(_) => Err(LiveError::NOT_FOUND),
        }
    }
}

impl From<DomainError> for LiveError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::NotFound(_) | DomainError::Forbidden => LiveError::NOT_FOUND,
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
