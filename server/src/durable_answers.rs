//! No answer goes out before what it may tell of is on disk. A write's own
//! answer already waited for its sync (`app::store::Unsynced`); any other may
//! have read someone's write between its commit and its sync (a listing, a
//! "Name has already been taken"), so each waits for the writes committed
//! before it was ready (`app::store::Wal::durable`): nothing when all are
//! synced, at most one sync when some are not. The live streams' frames are
//! the one thing sent before (`crate::live`).

use crate::state::ServerState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;

pub async fn wait(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    match state.app.store.durable().await {
        Ok(()) => response,
        Err(err) => {
            tracing::error!("answer withheld, its data may not be on disk: {err}");
            let body = serde_json::json!({ "message": "500 Internal Server Error" });
            (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
        }
    }
}
