//! `GET /uploads/-/system/achievements/achievement/avatar/:id/:file`: an
//! achievement's avatar, from the database (so every server process serves
//! it alike), with its SHA-256 as the ETag so browsers revalidate cheaply.

use crate::state::ServerState;
use app::domain::{uploads, DomainError};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue, StatusCode};

pub async fn show(
    State(state): State<ServerState>,
    Path((id, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<i64>() else { return refused(StatusCode::NOT_FOUND) };
    // The digest the browser has (`If-None-Match: "<digest>"`): then the bytes are not read.
    let known = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(|v| v.trim().trim_matches('"'));
    let image = match uploads::avatar_image(&state.app, id, &file, known).await {
        Ok(image) => image,
        Err(DomainError::NotFound(_)) => return refused(StatusCode::NOT_FOUND),
        Err(busy) if busy.is_overloaded() => {
            tracing::warn!("avatar not served, overloaded: {busy}");
            return refused(StatusCode::SERVICE_UNAVAILABLE);
        }
        Err(err) => {
            tracing::error!("avatar not served: {err}");
            return refused(StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    let etag = format!("\"{}\"", image.digest);
    let fresh = image.data.is_none();
    let mut response = match image.data {
        Some(data) => Body::from(data).into_response(),
        None => StatusCode::NOT_MODIFIED.into_response(),
    };
    let set = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        set.insert(header::ETAG, etag);
    }
    // A new image under the same name shows within a minute.
    set.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    if let (false, Ok(kind)) = (fresh, HeaderValue::from_str(&image.content_type)) {
        set.insert(header::CONTENT_TYPE, kind);
    }
    response
}

fn refused(status: StatusCode) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{status}")).into_response()
}
