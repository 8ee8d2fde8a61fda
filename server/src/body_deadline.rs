//! How long a client may take to send a request body. hyper has no timer for
//! a body, and a per-pause timeout alone would let a client that sends a
//! byte just before each pause runs out hold its connection for as long as
//! the body limit allows (4 MB at one byte every 29 s: years). So a body
//! gets both:
//! - a pause of at most the client timeout between two pieces, and
//! - a deadline: the client timeout from when the server first reads it,
//!   plus one second for every [`MIN_RATE`] bytes that arrived, at most
//!   [`MOST_EARNED`] in all (as Apache's `mod_reqtimeout` does with
//!   `MinRate` and its upper bound): a 4 MB upload at 64 KB/s is fine, a
//!   trickle is not, nor a body sent fast at first and then a byte at a time.
//!
//! A body that misses either fails with [`BodyTimeout`]; the readers that
//! know it answer `408 Request Timeout` (`input_guard`, the REST API's
//! parameters), the others as for a body cut short. Either way the request
//! changes nothing: every handler reads its whole body before acting.

use axum::body::{Body, Bytes, HttpBody};
use http::Request;
use http_body::{Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// The slowest average a body may arrive at, past its first client timeout,
/// in bytes a second.
pub const MIN_RATE: u64 = 500;

/// The most time a body's bytes can earn it past the client timeout.
pub const MOST_EARNED: Duration = Duration::from_secs(600);

/// Why a body stopped: it paused, or came too slowly, for too long.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTimeout;

/// True if `error`, or anything that caused it, is a [`BodyTimeout`].
pub fn timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(error), |e| e.source()).any(|e| e.is::<BodyTimeout>())
}

/// The request with its body, if it has one still to come, under the
/// deadline (`timeout`: the client timeout). A request without a body
/// (every `GET`) is left as it is, timer-free.
pub fn limit(request: Request<Body>, timeout: Duration) -> Request<Body> {
    limit_within(request, timeout, MOST_EARNED)
}

/// [`limit`], with `most_earned` in place of [`MOST_EARNED`].
pub fn limit_within(request: Request<Body>, timeout: Duration, most_earned: Duration) -> Request<Body> {
    if request.body().is_end_stream() {
        return request;
    }
    request.map(|body| Body::new(Limited { body, pause: timeout, most_earned, window: None, waiting: None }))
}

struct Limited {
    body: Body,
    /// The longest pause between two pieces.
    pause: Duration,
    /// The most time the pieces can earn past the first `pause`.
    most_earned: Duration,
    /// Set at the first read: when the whole body is due, moved later by
    /// each piece, and the latest it may be moved to.
    window: Option<(Instant, Instant)>,
    /// Set while the body waits for its next piece.
    waiting: Option<Pin<Box<Sleep>>>,
}

impl HttpBody for Limited {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        let (pause, most_earned) = (this.pause, this.most_earned);
        let (due, latest) = *this.window.get_or_insert_with(|| {
            let now = Instant::now();
            (now + pause, now + pause + most_earned)
        });
        match Pin::new(&mut this.body).poll_frame(cx) {
            Poll::Ready(piece) => {
                this.waiting = None;
                if let Some(Ok(data)) = piece.as_ref().map(|p| p.as_ref().map(Frame::data_ref)) {
                    let earned = data.map_or(0, |d| d.len() as u64);
                    let more = Duration::from_millis(earned.saturating_mul(1000) / MIN_RATE);
                    this.window = Some((due.checked_add(more).map_or(latest, |later| later.min(latest)), latest));
                }
                Poll::Ready(piece)
            }
            Poll::Pending => {
                let until = due.min(Instant::now() + pause);
                let waiting = this.waiting.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(until)));
                match waiting.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(axum::Error::new(BodyTimeout)))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
