//! Every client connection, from `accept` to close: the one place that
//! decides how many may be open, how long each may sit idle or stall, and
//! who serves it.
//!
//! - A connection whose first request is a live stream (`GET /-/live/...`) is
//!   served on the live streams' own path ([`crate::live::http1`]); every
//!   other one by hyper, with the whole app.
//! - At most [`Limits::connections`] are open at once (see
//!   [`crate::fds::connections_allowed`]): past that, new ones wait in the
//!   kernel's listen queue until one closes.
//! - No connection holds its place for nothing. One that sends no request
//!   for [`Limits::client_timeout`] (none at all, or none after its last
//!   response), or takes longer than that to send a request's head (the
//!   first one's: up to twice, once to tell what it is and once in hyper),
//!   is closed; one that takes none of its response for that long is cut
//!   off; a request body has its own deadline ([`crate::body_deadline`]).
//!   Without a timer hyper waits for ever, so a stranger's idle sockets
//!   would have kept everyone else waiting in the listen queue.
//! - Every response hyper sends says so (`Keep-Alive: timeout=...`), so a
//!   client that honours it closes an idle connection before the server does.
//! - On shutdown, accepting stops; a connection that has not begun a request
//!   is closed; each hyper connection finishes the request in progress and
//!   closes; live streams end with the hub.

use crate::live::http1::LIVE_PREFIX;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use futures::TryFutureExt;
use http::{header, HeaderValue};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tower::ServiceExt;

/// What the server lets its clients hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections open at once (`fds::connections_allowed`).
    pub connections: usize,
    /// How long a client may stay silent, or stall, before it is cut off
    /// (`CLIENT_TIMEOUT_SECONDS`).
    pub client_timeout: Duration,
    /// Each live stream's `SO_SNDBUF` (`LIVE_SEND_BUFFER_BYTES`).
    pub live_send_buffer: u32,
}

/// How often the accept loop says, at most, that connections wait for a place.
const FULL_WARNING: Duration = Duration::from_secs(60);

/// Serves every connection `listener` accepts: live streams through `live`,
/// everything else through `app`, until `closing` turns true. Then it stops
/// accepting, asks each hyper connection to close once its request in
/// progress is answered, and returns when they all have.
pub async fn serve(
    listener: TcpListener,
    (app, live): (Router, Router),
    mut closing: watch::Receiver<bool>,
    limits: Limits,
) {
    let open = Arc::new(Semaphore::new(limits.connections.min(Semaphore::MAX_PERMITS)));
    let keep_alive = keep_alive(limits.client_timeout);
    // Each hyper connection holds a receiver; `closed()` resolves when the
    // last one is dropped.
    let (all_closed, served) = watch::channel(());
    // When the cap last held connections back (said at most once a minute).
    let mut full_since: Option<tokio::time::Instant> = None;
    loop {
        let accepted = tokio::select! {
            accepted = async {
                if open.available_permits() == 0 && full_since.is_none_or(|at| at.elapsed() > FULL_WARNING) {
                    tracing::warn!(
                        "{} connections open, the most allowed: new ones wait until one closes",
                        limits.connections
                    );
                    full_since = Some(tokio::time::Instant::now());
                }
                // The semaphore is never closed: `Err` cannot happen.
                let place = open.clone().acquire_owned().await.ok()?;
                Some((place, listener.accept().await))
            } => accepted,
            _ = closing.wait_for(|closing| *closing) => break,
        };
        let Some((place, accepted)) = accepted else { break };
        let (mut stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) => {
                // Out of file descriptors and the like: wait, as axum does.
                tracing::warn!("accept: {err}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (app, live, mut closing, served) = (app.clone(), live.clone(), closing.clone(), served.clone());
        let keep_alive = keep_alive.clone();
        tokio::spawn(async move {
            // A connection that has not told what it is when the server shuts
            // down (nothing sent yet, or part of a live stream's first line)
            // is closed, as hyper closes its idle ones.
            let first = tokio::select! {
                biased;
                first = first_bytes(&mut stream, limits.client_timeout) => first,
                _ = closing.wait_for(|closing| *closing) => None,
            };
            let Some((first, is_live)) = first else { return };
            if is_live {
                // Live streams end with the hub, not with the drain below.
                drop((app, closing, served, keep_alive));
                // What a viewer that stopped reading can hold in the kernel
                // (on loopback it would grow to megabytes); past it, it is
                // caught up with tallies when it reads again.
                let _ = socket2::SockRef::from(&stream).set_send_buffer_size(limits.live_send_buffer as usize);
                crate::live::http1::serve(stream, peer, live, first).await;
                drop(place);
            } else {
                let handed = Handed::new(first, stream, limits.client_timeout);
                // Boxed: a hyper connection's state is large, and every live
                // viewer's task would otherwise be allocated at its size.
                Box::pin(by_hyper(handed, peer, app, closing, (limits.client_timeout, keep_alive))).await;
                drop((place, served));
            }
        });
    }
    drop((listener, served));
    all_closed.closed().await;
}

/// The `Keep-Alive` header hyper's answers carry: a second short of the
/// client timeout (at least one: under two seconds, as in the tests, the
/// margin is smaller), so a client that closes its idle connection then never
/// sends a request on one the server is closing.
fn keep_alive(client_timeout: Duration) -> HeaderValue {
    HeaderValue::try_from(format!("timeout={}", client_timeout.as_secs().saturating_sub(1).max(1)))
        .unwrap_or(HeaderValue::from_static("timeout=1"))
}

/// Serves a connection with hyper, HTTP/1.1 with keep-alive, until the client
/// closes it, it times out, or the server shuts down.
async fn by_hyper(
    handed: Handed,
    peer: SocketAddr,
    app: Router,
    mut closing: watch::Receiver<bool>,
    (client_timeout, keep_alive): (Duration, HeaderValue),
) {
    let service = hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        let keep_alive = keep_alive.clone();
        app.clone().oneshot(request).map_ok(move |mut response| {
            response.headers_mut().insert(header::HeaderName::from_static("keep-alive"), keep_alive);
            response
        })
    });
    // No upgrades (axum::serve allowed them): no route answers with one.
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        // hyper runs this timer from the moment it waits for a request head:
        // on a new connection, and again after each response (keep-alive).
        .header_read_timeout(client_timeout)
        .serve_connection(TokioIo::new(handed), service);
    tokio::pin!(connection);
    tokio::select! {
        // The connection first: bytes already read (`Handed::first`) are a
        // request begun, answered before a shutdown closes it.
        biased;
        _ = connection.as_mut() => return,
        _ = closing.wait_for(|closing| *closing) => {}
    }
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}

/// The connection's first bytes, read until they tell whether it opens a
/// live stream (`true`) or anything else. One that closes or breaks first
/// goes to hyper with what it sent, or, if it sent nothing, is closed
/// (`None`); one that has not told within `timeout` is closed. Read, not
/// peeked: whichever way it goes, those bytes are not asked for twice.
async fn first_bytes(stream: &mut TcpStream, timeout: Duration) -> Option<(Vec<u8>, bool)> {
    let mut first = Vec::with_capacity(1024);
    let decided = tokio::time::timeout(timeout, async {
        loop {
            if !matches!(stream.read_buf(&mut first).await, Ok(1..)) {
                return None;
            }
            // Something else already, or the whole prefix: decided. Part of
            // the prefix so far: read on.
            let seen = &first[..first.len().min(LIVE_PREFIX.len())];
            if !LIVE_PREFIX.starts_with(seen) {
                return Some(false);
            }
            if seen.len() == LIVE_PREFIX.len() {
                return Some(true);
            }
        }
    })
    .await;
    match decided {
        Ok(Some(live)) => Some((first, live)),
        // Closed or broken: hyper answers what was sent, if anything.
        Ok(None) => (!first.is_empty()).then_some((first, false)),
        Err(_too_slow) => None,
    }
}

/// A connection handed to hyper: the bytes read from it to tell it apart
/// come first, then the socket's own. A write that can make no progress for
/// the client timeout fails, and hyper closes the connection.
struct Handed {
    first: Vec<u8>,
    /// How much of `first` has been read again.
    given: usize,
    stream: TcpStream,
    timeout: Duration,
    /// Since when a write has been waiting for the client to take something.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Handed {
    fn new(first: Vec<u8>, stream: TcpStream, timeout: Duration) -> Handed {
        Handed { first, given: 0, stream, timeout, stalled: None }
    }

    /// What a write that is `Pending` becomes: still pending, or, once the
    /// client has taken nothing for the timeout, an error.
    fn stall<T>(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<T>> {
        let timeout = self.timeout;
        let since = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match since.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::ErrorKind::TimedOut.into())),
            Poll::Pending => Poll::Pending,
        }
    }

    /// `written`, with the stall clock stopped when it made progress.
    fn progress<T>(&mut self, cx: &mut Context<'_>, written: Poll<std::io::Result<T>>) -> Poll<std::io::Result<T>> {
        match written {
            Poll::Pending => self.stall(cx),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }
}

impl AsyncRead for Handed {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        if let Some(rest) = this.first.get(this.given..).filter(|rest| !rest.is_empty()) {
            let n = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..n]);
            this.given += n;
            if this.given == this.first.len() {
                // Given back in full: the buffer goes.
                (this.first, this.given) = (Vec::new(), 0);
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Handed {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let written = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.progress(cx, written)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let written = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.progress(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let flushed = Pin::new(&mut self.stream).poll_flush(cx);
        self.progress(cx, flushed)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
