//! How much of request bodies one client address may have the server hold at
//! once. A body is read whole before anything acts on it (4 MB at most), and
//! may take its time arriving (`body_deadline`): so a stranger who opened many
//! connections and sent each a large body slowly held that much per
//! connection (71 MB with twenty, gigabytes with a thousand). A request with
//! a body takes its size (its `Content-Length`, else the most a body may be)
//! from its address's share before anything reads it, and gives it back once
//! its answer is made; past the share it is refused at once, with
//! `503 Service Unavailable` and `Retry-After: 1`, having read nothing.

use crate::state::ServerState;
use app::domain::limits;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, StatusCode};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// One address's share: eight bodies of the largest size at once, or as many
/// small ones as that holds.
pub const PER_ADDRESS: u64 = 32 * 1024 * 1024;

/// The bytes each address's requests may be holding now.
#[derive(Default)]
pub struct BodyBudget {
    held: Mutex<HashMap<String, u64>>,
}

/// A request's part of its address's share, given back when dropped.
struct Taken {
    budget: Arc<BodyBudget>,
    address: String,
    bytes: u64,
}

impl Drop for Taken {
    fn drop(&mut self) {
        let mut held = self.budget.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(bytes) = held.get_mut(&self.address) {
            *bytes = bytes.saturating_sub(self.bytes);
            if *bytes == 0 {
                held.remove(&self.address);
            }
        }
    }
}

impl BodyBudget {
    fn take(self: &Arc<Self>, address: String, bytes: u64) -> Option<Taken> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let now = held.entry(address.clone()).or_insert(0);
        if now.saturating_add(bytes) > PER_ADDRESS {
            return None;
        }
        *now += bytes;
        Some(Taken { budget: self.clone(), address, bytes })
    }
}

/// The most a request's body may hold in memory: its `Content-Length` (up to
/// `most`), `most` when its length is not said, nothing when it has no body.
fn body_size(request: &Request, most: u64) -> u64 {
    let headers = request.headers();
    match headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok()) {
        Some(length) => length.min(most),
        None if headers.contains_key(header::TRANSFER_ENCODING) => most,
        None => 0,
    }
}

pub async fn guard(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    let bytes = body_size(&request, crate::serve::MAX_BODY_BYTES as u64);
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| peer.ip());
    let Some(peer) = peer.filter(|_| bytes > 0) else { return next.run(request).await };
    let ip = crate::throttle::client_ip(peer, request.headers(), &state.trusted_proxies);
    let Some(taken) = state.body_budget.take(limits::address_key(ip), bytes) else {
        return busy(request.uri().path().starts_with("/api/"));
    };
    let response = next.run(request).await;
    drop(taken);
    response
}

/// `503` with `Retry-After: 1`, in the API's words on the API.
fn busy(api: bool) -> Response {
    let mut response = if api {
        (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({ "message": "503 Service Unavailable" })))
            .into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "503 Service Unavailable\n").into_response()
    };
    response.headers_mut().insert(header::RETRY_AFTER, http::HeaderValue::from_static("1"));
    response
}
