//! Cross-site request forgery guard for cookie-authenticated writes.
//!
//! Session cookies are `SameSite=Lax`; on top of that, a state-changing request
//! that a browser marks as cross-site (`Sec-Fetch-Site`) or whose `Origin` is
//! another host is refused before it reaches any handler. API calls with a token
//! pass: no browser attaches one by itself, and the token, not the cookie, is
//! who they act as. Any other `Authorization` (HTTP Basic, which a browser does
//! attach by itself for a proxy in front of the instance) exempts nothing.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, Method, StatusCode};

fn is_cross_site(request: &Request) -> bool {
    let headers = request.headers();
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    match (origin, host) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or(origin);
            !origin_host.eq_ignore_ascii_case(host)
        }
        _ => false,
    }
}

pub async fn guard(request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let has_token = app::domain::auth::Credentials::from_headers(request.headers(), "").token.is_some();
    if !safe && !has_token && is_cross_site(&request) {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({ "message": "403 Forbidden - cross-site request refused" })),
        )
            .into_response();
    }
    next.run(request).await
}
