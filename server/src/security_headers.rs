//! Headers every response carries: no MIME sniffing, no framing (but for
//! embeds, `crate::embeds`), a referrer
//! that stays on this site, and for anything that is not a page (API JSON,
//! uploads, static files) a Content-Security-Policy that runs nothing. Pages
//! set their own policy, with the script nonce, in `app::shell`. What the
//! server makes for a request is kept by no cache but the browser's, and for a
//! signed-in caller (a cookie or a token) not even there: a page seen after
//! signing out (the back button) or by the next user of a shared computer
//! would show what only the caller may see. Static files say themselves.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue};

/// For responses that are never meant to run code or be embedded.
const INERT_POLICY: &str = "default-src 'none'; img-src 'self'; style-src 'self'; frame-ancestors 'none'; sandbox";

pub async fn add(request: Request, next: Next) -> Response {
    let credentialed = [header::COOKIE, header::AUTHORIZATION, header::HeaderName::from_static("private-token")]
        .iter()
        .any(|name| request.headers().contains_key(name));
    let mut response = next.run(request).await;
    response.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Embeds alone may be framed (they say so, with their own policy).
    if response.extensions().get::<crate::embeds::Framable>().is_none() {
        response.headers_mut().insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    let status = response.status();
    let headers = response.headers_mut();
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    // A static file carries `Last-Modified` (its `304 Not Modified` nothing, and
    // a cache merges a 304's headers into the copy it keeps: `no-store` there
    // would drop the bundle); anything else was made for this request.
    let made_here = !headers.contains_key(header::LAST_MODIFIED) && status != http::StatusCode::NOT_MODIFIED;
    if !headers.contains_key(header::CACHE_CONTROL) && made_here {
        let policy = if credentialed { "private, no-store" } else { "max-age=0, private, must-revalidate" };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    let page =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        // An HTML answer without the page's policy (the 404 fallback) still
        // gets one that blocks scripts; everything else runs nothing at all.
        let policy = if page {
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'self'; \
             form-action 'self'; frame-ancestors 'none'"
        } else {
            INERT_POLICY
        };
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    }
    response
}
