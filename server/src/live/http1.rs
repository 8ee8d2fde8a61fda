//! Live streams' own HTTP/1.1 path. A connection held open by hyper keeps a
//! read buffer (8–16 KiB) and a header write buffer (8 KiB) for its whole
//! life: measured, 18.5 KiB of resident memory per idle keep-alive connection,
//! which is most of what a live viewer cost. A connection whose first request
//! is a live stream (`GET /-/live/...`, what `EventSource` opens) is served
//! here instead: its request head is read into a buffer that is dropped once
//! parsed, the request goes through the live routes' own router
//! (`serve::live_router`: the same handlers, and the layers a bodiless `GET`
//! passes), and the stream's frames are written straight to the socket: the
//! stream is taken over from the response body ([`super::Direct`]), so its
//! topic can write each frame to the socket itself. The
//! response is close-delimited (`Connection: close`), as HTTP/1.1 allows; the
//! browser opens a new connection when it reconnects. Which connections come
//! here, and every other one's way to hyper: [`crate::connections`].

use axum::body::{Body, HttpBody};
use axum::extract::ConnectInfo;
use axum::Router;
use bytes::BufMut;
use futures::StreamExt;
use http::{header, HeaderValue, Request, Response, StatusCode};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tower::ServiceExt;

/// What a live stream's connection starts with.
pub(crate) const LIVE_PREFIX: &[u8] = b"GET /-/live/";
/// A request head larger than this is refused (hyper's own limit is larger;
/// a live stream's request is a few hundred bytes, plus its cookies).
const MAX_HEAD: usize = 32 * 1024;
/// A client that takes nothing for this long is cut off (its browser
/// reconnects and resumes); meanwhile it holds one frame, nothing more.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);
const MAX_HEADERS: usize = 64;
/// How long a live stream's client may take to send the rest of its
/// request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the head ends (after its blank line), looking from `from`: lines
/// end in CRLF or, as HTTP/1.1 lets a server accept, a bare LF.
fn head_end(head: &[u8], from: usize) -> Option<usize> {
    (from..head.len()).find_map(|i| match head.get(i..) {
        Some([b'\n', b'\n', ..]) => Some(i + 2),
        Some([b'\n', b'\r', b'\n', ..]) => Some(i + 3),
        _ => None,
    })
}

/// Why a request head was refused.
enum Refused {
    Closed,
    Status(StatusCode),
}

/// Reads the rest of the request head after `head` (its first bytes) and
/// parses it (nothing after it is read: a live request has no body).
async fn read_request(stream: &mut TcpStream, peer: SocketAddr, mut head: Vec<u8>) -> Result<Request<Body>, Refused> {
    let read = tokio::time::timeout(HEAD_TIMEOUT, async {
        let mut scanned: usize = 0;
        loop {
            // Only where new bytes can complete the blank line: a head
            // trickled in a byte at a time is scanned once, not once per byte.
            let end = head_end(&head, scanned.saturating_sub(2));
            if end.unwrap_or(head.len()) > MAX_HEAD {
                return Err(Refused::Status(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE));
            }
            if let Some(end) = end {
                return Ok(end);
            }
            scanned = head.len();
            // Never more than one byte past the limit is read (and held).
            let room = (MAX_HEAD + 1).saturating_sub(head.len()).min(4096);
            head.reserve_exact(room);
            if !matches!(stream.read_buf(&mut (&mut head).limit(room)).await, Ok(1..)) {
                return Err(Refused::Closed);
            }
        }
    })
    .await;
    let end = read.map_err(|_| Refused::Status(StatusCode::REQUEST_TIMEOUT))??;
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    let bad = Refused::Status(StatusCode::BAD_REQUEST);
    match parsed.parse(&head[..end]) {
        Ok(httparse::Status::Complete(_)) => {}
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Refused::Status(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE))
        }
        _ => return Err(bad),
    }
    let (Some("GET"), Some(path), Some(version @ (0 | 1))) = (parsed.method, parsed.path, parsed.version) else {
        return Err(bad);
    };
    // Anything after the head (a body, a pipelined request) is never read:
    // a live request that announces a body is refused rather than half-read.
    let mut request = Request::builder().method(http::Method::GET).uri(path).version(if version == 1 {
        http::Version::HTTP_11
    } else {
        http::Version::HTTP_10
    });
    for h in parsed.headers.iter() {
        let name = h.name.as_bytes();
        if name.eq_ignore_ascii_case(b"content-length") && h.value != b"0"
            || name.eq_ignore_ascii_case(b"transfer-encoding")
        {
            return Err(bad);
        }
        request = request.header(h.name, h.value);
    }
    let mut request = request.body(Body::empty()).map_err(|_| Refused::Status(StatusCode::BAD_REQUEST))?;
    request.extensions_mut().insert(ConnectInfo(peer));
    Ok(request)
}

/// The status line and headers, as HTTP/1.1 writes them.
fn head_bytes(response: &Response<()>) -> Vec<u8> {
    let status = response.status();
    let mut out = format!("HTTP/1.1 {} {}\r\n", status.as_u16(), status.canonical_reason().unwrap_or("")).into_bytes();
    for (name, value) in response.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// Serves the one request on `stream` through `router`; `first`: the bytes
/// already read from it.
pub(crate) async fn serve(mut stream: TcpStream, peer: SocketAddr, router: Router, first: Vec<u8>) {
    // Each frame goes out as soon as it is written: TCP_NODELAY comes from
    // the listening socket (`serve::listen`).
    let request = read_request(&mut stream, peer, first).await;
    let stream = Arc::new(stream);
    let response = match request {
        Ok(request) => {
            let Ok(response) = router.oneshot(request).await;
            response
        }
        Err(Refused::Closed) => return,
        Err(Refused::Status(status)) => {
            let mut response = Response::new(Body::from(format!("{status}\n")));
            *response.status_mut() = status;
            response
        }
    };
    let _ = answer(&stream, response).await;
    // The stream is over and has let go of the socket: close it cleanly.
    if let Ok(mut stream) = Arc::try_unwrap(stream) {
        let _ = stream.shutdown().await;
    }
}

/// Writes the response as its body comes (a live stream frame by frame,
/// driven here when it lets itself be), until it ends or the client goes
/// away; with its length when the body knows it, else delimited by closing
/// the connection.
async fn answer(stream: &Arc<TcpStream>, response: Response<Body>) -> std::io::Result<()> {
    let (mut parts, body) = response.into_parts();
    let direct = parts.extensions.remove::<super::Direct>();
    parts.headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    parts.headers.insert(header::DATE, httpdate());
    if let Some(length) = body.size_hint().exact() {
        parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    let head = head_bytes(&Response::from_parts(parts, ()));
    // A live stream writes the head with its first frames, in one write.
    let Some(direct) = direct else { return body_after(stream, &head, body).await };
    match direct.claim(stream.clone(), head) {
        Ok(drive) => {
            drive.await;
            Ok(())
        }
        Err(head) => body_after(stream, &head, body).await,
    }
}

/// Writes `head`, then the body frame by frame until it ends or the client
/// goes away.
async fn body_after(stream: &Arc<TcpStream>, head: &[u8], body: Body) -> std::io::Result<()> {
    write(stream, head).await?;
    let mut frames = body.into_data_stream();
    loop {
        tokio::select! {
            frame = frames.next() => match frame {
                Some(Ok(bytes)) => write(stream, &bytes).await?,
                _ => return Ok(()),
            },
            () = closed(stream) => return Ok(()),
        }
    }
}

/// Writes all of `bytes` to the socket (which the topic may also write to,
/// hence shared), giving up on a client that takes nothing for a while.
pub(super) async fn write(stream: &TcpStream, mut bytes: &[u8]) -> std::io::Result<()> {
    let all = async {
        while !bytes.is_empty() {
            stream.writable().await?;
            match stream.try_write(bytes) {
                Ok(n) => bytes = &bytes[n..],
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    };
    tokio::time::timeout(WRITE_TIMEOUT, all).await.map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))?
}

/// Resolves when the client closes the connection (or it breaks). What a
/// client sends after its request (it should send nothing) is read and
/// dropped.
pub(super) async fn closed(stream: &TcpStream) {
    loop {
        if stream.readable().await.is_err() {
            return;
        }
        let mut discard = [0u8; 64];
        match stream.try_read(&mut discard) {
            Ok(0) => return,
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}

/// The `Date` header's value: now, in HTTP's format, formatted once a second
/// (ten thousand browsers reconnecting at once share it).
fn httpdate() -> HeaderValue {
    static LAST: std::sync::Mutex<Option<(i64, HeaderValue)>> = std::sync::Mutex::new(None);
    let now = chrono::Utc::now();
    let mut last = LAST.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    match &*last {
        Some((second, value)) if *second == now.timestamp() => value.clone(),
        _ => {
            let formatted = now.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            let value = HeaderValue::from_str(&formatted).unwrap_or_else(|_| HeaderValue::from_static(""));
            *last = Some((now.timestamp(), value.clone()));
            value
        }
    }
}
