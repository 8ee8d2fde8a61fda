//! GitLab's Rack::Attack throttles, per client address per minute, refused with
//! GitLab's `429 Retry later` and its `RateLimit-*` headers:
//! - protected paths: sign-in (and password change) posts, before any password
//!   is hashed (`throttle_protected_paths_requests_per_period`);
//! - unauthenticated API: REST and GraphQL requests from a caller who is not
//!   signed in (no credentials, or a token that does not work), before its
//!   body is read (`throttle_unauthenticated_api_requests_per_period`).
//!
//! The limits are the admin's; each process counts its own.

use crate::auth::Found;
use crate::state::ServerState;
use app::domain::auth::{authenticate, Credentials};
use app::domain::limits::{self, Verdict};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use leptos::server_fn::ServerFn;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

const PROTECTED_PATHS: [&str; 2] = [
    <app::server_fns::session::SignIn as ServerFn>::PATH,
    <app::server_fns::profile::ChangePassword as ServerFn>::PATH,
];
const PERIOD: Duration = Duration::from_secs(60);
/// The throttles' names, as GitLab's `RateLimit-Name` gives them.
const PROTECTED_PATHS_NAME: &str = "throttle_unauthenticated_protected_paths";
const UNAUTHENTICATED_API_NAME: &str = "throttle_unauthenticated_api";
/// A refusal is answered after this pause (a tarpit): a client that sends its
/// next post as soon as it is refused, as a flood does, is slowed to one post
/// per pause and connection, instead of keeping the server busy refusing.
const TARPIT: Duration = Duration::from_millis(250);

/// The client's address: the peer, or, when the peer is one of the
/// `TRUSTED_PROXIES`, the nearest address in `X-Forwarded-For` that is not.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>();
    forwarded
        .iter()
        .flat_map(|v| v.split(','))
        .rev()
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer)
}

pub async fn protected_paths(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || !PROTECTED_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>().copied() else {
        return next.run(request).await;
    };
    let ip = client_ip(peer.ip(), request.headers(), &state.trusted_proxies);
    let limit = match limits::current(&state.app).await {
        Ok(l) => l.throttle_protected_paths_requests_per_period,
        Err(err) => {
            tracing::warn!("protected paths throttle: limits unavailable ({err}); not throttling");
            return next.run(request).await;
        }
    };
    let verdict = state.app.limiter.hit("protected_paths", limits::address_key(ip), limit, PERIOD);
    if verdict.allowed {
        return next.run(request).await;
    }
    refuse(PROTECTED_PATHS_NAME, (ip, "posts to protected paths"), verdict).await
}

/// The API's paths (REST and GraphQL, `/api/…`): a caller who is not signed
/// in counts against the address's limit, and one over it is refused before
/// anything reads the request's body. Who the caller is gets decided once: a
/// caller found here is handed to the request's [`crate::auth::Auth`] as found.
pub async fn unauthenticated_api(State(state): State<ServerState>, mut request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let limit = match limits::current(&state.app).await {
        Ok(l) => l.throttle_unauthenticated_api_requests_per_period,
        Err(err) => {
            tracing::warn!("unauthenticated API throttle: limits unavailable ({err}); not throttling");
            return next.run(request).await;
        }
    };
    let given = Credentials::from_headers(request.headers(), state.app.instance.session_cookie());
    // A token that does not work is no credential (its 401 is counted); a
    // read that failed is answered by the request's own authentication.
    let Some(found) = Found::of(authenticate(&state.app, given).await) else {
        return next.run(request).await;
    };
    let signed_in = found.signed_in();
    request.extensions_mut().insert(found);
    if signed_in {
        return next.run(request).await;
    }
    let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>().copied() else {
        return next.run(request).await;
    };
    let ip = client_ip(peer.ip(), request.headers(), &state.trusted_proxies);
    let verdict = state.app.limiter.hit("unauthenticated_api", limits::address_key(ip), limit, PERIOD);
    if verdict.allowed {
        return next.run(request).await;
    }
    refuse(UNAUTHENTICATED_API_NAME, (ip, "API requests without credentials"), verdict).await
}

/// A refusal, after the tarpit's pause. Logged once per address and minute,
/// when it first goes over: a flood of refusals must not become a flood of
/// log lines (disk, and CPU per answer).
async fn refuse(name: &'static str, (ip, what): (IpAddr, &str), verdict: Verdict) -> Response {
    if verdict.observed == verdict.limit.saturating_add(1) {
        tracing::warn!("throttled: {ip} is over {} {what} this minute", verdict.limit);
    }
    tokio::time::sleep(TARPIT).await;
    retry_later(name, verdict)
}

/// `429 Retry later` with the headers GitLab's Rack::Attack sends.
fn retry_later(name: &'static str, v: Verdict) -> Response {
    let reset_in = v.reset_in.as_secs().max(1);
    let reset_at = chrono::Utc::now() + chrono::Duration::seconds(reset_in as i64);
    let mut response = (StatusCode::TOO_MANY_REQUESTS, "Retry later\n").into_response();
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    };
    set("ratelimit-name", name.to_string());
    set("ratelimit-limit", v.limit.to_string());
    set("ratelimit-observed", v.observed.to_string());
    set("ratelimit-remaining", v.remaining.to_string());
    set("ratelimit-reset", reset_at.timestamp().to_string());
    set("ratelimit-resettime", reset_at.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    set("retry-after", reset_in.to_string());
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}
