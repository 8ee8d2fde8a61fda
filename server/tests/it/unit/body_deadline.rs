//! The unit tests of `server/src/body_deadline.rs`, on a body fed by the
//! test: real time, with a pause of 500 ms and at most 1 s earned (the
//! server's own: the client timeout and 600 s).

use axum::body::{to_bytes, Body, Bytes};
use http::Request;
use server::body_deadline::{limit_within, timed_out};
use std::time::{Duration, Instant};

const PAUSE: Duration = Duration::from_millis(500);
const MOST_EARNED: Duration = Duration::from_secs(1);

/// Reads a body fed `first`, then `rest` piece by piece `every` apart;
/// what reading it gave, and how long it took.
async fn read(first: usize, rest: usize, every: Duration) -> (Result<Bytes, axum::Error>, Duration) {
    let (feed, pieces) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(1);
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(pieces));
    let request = limit_within(Request::new(body), PAUSE, MOST_EARNED);
    let feeder = tokio::spawn(async move {
        if first > 0 && feed.send(Ok(Bytes::from(vec![b'x'; first]))).await.is_err() {
            return;
        }
        for _ in 0..rest {
            tokio::time::sleep(every).await;
            if feed.send(Ok(Bytes::from_static(b"x"))).await.is_err() {
                return;
            }
        }
    });
    let started = Instant::now();
    let read = to_bytes(request.into_body(), usize::MAX).await;
    feeder.abort();
    (read, started.elapsed())
}

#[tokio::test]
async fn a_body_that_trickles_is_cut_off_once_past_its_pause() {
    // A byte every 100 ms: each pause is short, but 100 ms a byte earns 0.2 ms.
    let (read, took) = read(0, 50, Duration::from_millis(100)).await;
    let error = read.expect_err("cut off");
    assert!(timed_out(&error), "{error}");
    assert!(took >= PAUSE && took < Duration::from_millis(1500), "{took:?}");
}

#[tokio::test]
async fn a_body_sent_fast_then_trickled_is_cut_off_at_the_most_it_earned() {
    // 1 MB at once earns 2,000 s, capped at 1 s past the first pause.
    let (read, took) = read(1_000_000, 100, Duration::from_millis(100)).await;
    let error = read.expect_err("cut off");
    assert!(timed_out(&error), "{error}");
    let due = PAUSE + MOST_EARNED;
    assert!(took >= due - Duration::from_millis(100) && took < due * 2, "{took:?}");
}

#[tokio::test]
async fn a_body_that_keeps_coming_is_read_whole() {
    // 64 KB every 100 ms: each piece earns more than the wait for the next,
    // and the whole takes 0.8 s of the 1.5 s it may.
    let (feed, pieces) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(1);
    let body = Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(pieces));
    let request = limit_within(Request::new(body), PAUSE, MOST_EARNED);
    tokio::spawn(async move {
        for _ in 0..8 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let _ = feed.send(Ok(Bytes::from(vec![b'x'; 64 * 1024]))).await;
        }
    });
    let whole = to_bytes(request.into_body(), usize::MAX).await.expect("read whole");
    assert_eq!(whole.len(), 8 * 64 * 1024);
}

#[test]
fn a_body_keeps_its_length_when_limited() {
    // What a handler (and hyper) read from it: its length, known in advance.
    let request = limit_within(Request::new(Body::from(vec![b'x'; 1234])), PAUSE, MOST_EARNED);
    assert_eq!(http_body::Body::size_hint(request.body()).exact(), Some(1234));
}
