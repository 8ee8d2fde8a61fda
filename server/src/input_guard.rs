//! Refuses a NUL byte or invalid UTF-8 anywhere a request carries text, as
//! GitLab does, before authentication and before any handler: the path and
//! query, the credentials headers, and form or JSON bodies (every string and
//! key, at any depth, GraphQL `variables` included). The answer is GitLab's
//! `400 Bad Request` in plain text. Multipart bodies (uploads) are binary; their
//! text fields are checked by the use cases and the store, but one without a
//! boundary is refused here (`server_fn` panics on it), as is any other body
//! sent to a server function that takes a multipart form. A server function
//! whose arguments do not decode is the caller's mistake: 400, not 500.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, StatusCode};
use leptos::server_fn::ServerFn;

/// The body limit the router enforces anyway (`RequestBodyLimitLayer`).
const MAX_CHECKED_BODY: usize = 4 * 1024 * 1024;

fn bad_request() -> Response {
    (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "text/plain")], "Bad Request").into_response()
}

/// The answer to a body that could not be read whole: too large (413), one
/// that did not arrive in time (408, `body_deadline`), or one cut short (400).
fn unreadable(err: &axum::Error) -> Response {
    let too_large = std::iter::successors(Some(err as &(dyn std::error::Error + 'static)), |e| e.source())
        .any(|e| e.is::<http_body_util::LengthLimitError>());
    let status = if too_large {
        StatusCode::PAYLOAD_TOO_LARGE
    } else if crate::body_deadline::timed_out(err) {
        StatusCode::REQUEST_TIMEOUT
    } else {
        StatusCode::BAD_REQUEST
    };
    let reason = status.canonical_reason().unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "text/plain")], reason).into_response()
}

/// Percent-decodes and checks: no NUL, valid UTF-8 (`+` needs no decoding to tell).
pub fn clean_encoded(raw: &[u8]) -> bool {
    let decoded: Vec<u8> = percent_decode(raw);
    !decoded.contains(&0) && std::str::from_utf8(&decoded).is_ok()
}

fn percent_decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
        match (raw[i], raw.get(i + 1).copied().and_then(hex), raw.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(hi * 16 + lo);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

pub fn clean_json(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => !s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().all(clean_json),
        serde_json::Value::Object(fields) => fields.iter().all(|(k, v)| !k.contains('\0') && clean_json(v)),
        _ => true,
    }
}

/// What kind of body a request says it has.
enum BodyKind {
    Json,
    Form,
    Other,
}

fn body_kind(request: &Request) -> BodyKind {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("application/json") || content_type.ends_with("+json") {
        BodyKind::Json
    } else if content_type.starts_with("application/x-www-form-urlencoded") || content_type.is_empty() {
        BodyKind::Form
    } else {
        BodyKind::Other
    }
}

/// The server functions that take a multipart form (`#[server(input = MultipartFormData)]`).
const MULTIPART_SERVER_FNS: [&str; 1] = [<app::server_fns::group_achievements::SaveAchievement as ServerFn>::PATH];

/// Whether the body must be, or says it is, a multipart form, yet names no
/// boundary to read it by.
fn multipart_without_boundary(request: &Request) -> bool {
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mut params = content_type.split(';');
    let essence = params.next().unwrap_or_default().trim().to_ascii_lowercase();
    let must = MULTIPART_SERVER_FNS.contains(&request.uri().path());
    if !must && !essence.starts_with("multipart/") {
        return false;
    }
    let boundary = params.filter_map(|p| p.split_once('=')).find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"));
    essence != "multipart/form-data" || boundary.is_none_or(|(_, v)| v.trim().trim_matches('"').is_empty())
}

/// A server function's refusal that reached the framework as a 500 gets its
/// own status: arguments that did not decode (a field missing or of the wrong
/// kind, `UiError::Transport` on the server) are a 400, and a refusal returned
/// before `ui_error` could set the status answers with that refusal's.
pub async fn server_fn_arguments(request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with(concat!(env!("SERVER_FN_PREFIX"), "/")) {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
    };
    let status = match serde_json::from_slice::<app::model::UiError>(&bytes) {
        Ok(app::model::UiError::Transport(_)) => Some(StatusCode::BAD_REQUEST),
        Ok(refusal) => refusal.refusal_status().and_then(|code| StatusCode::from_u16(code).ok()),
        Err(_) => None,
    };
    if let Some(status) = status {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}

pub async fn guard(request: Request, next: Next) -> Response {
    if request.method() == http::Method::POST && multipart_without_boundary(&request) {
        return bad_request();
    }
    let uri = request.uri();
    if !clean_encoded(uri.path().as_bytes()) || !uri.query().is_none_or(|q| clean_encoded(q.as_bytes())) {
        return bad_request();
    }
    for name in [header::AUTHORIZATION, header::HeaderName::from_static("private-token")] {
        for value in request.headers().get_all(&name) {
            if value.as_bytes().contains(&0) || std::str::from_utf8(value.as_bytes()).is_err() {
                return bad_request();
            }
        }
    }
    let kind = body_kind(&request);
    if matches!(kind, BodyKind::Other) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_CHECKED_BODY).await {
        Ok(bytes) => bytes,
        Err(err) => return unreadable(&err),
    };
    let clean = match kind {
        // Not JSON at all is the handler's to refuse in its own words; only text
        // that parses is walked here.
        BodyKind::Json => match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(value) => clean_json(&value),
            Err(_) => std::str::from_utf8(&bytes).is_ok(),
        },
        BodyKind::Form => clean_encoded(&bytes),
        BodyKind::Other => true,
    };
    if !clean {
        return bad_request();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}
