//! No answer goes out before what it may tell of is on disk. A write's own
//! answer already waited for its sync (`app::store::Unsynced`); any other may
//! have read someone's write between its commit and its sync (a listing, a
//! "Name has already been taken"), so each waits for the writes committed
//! before it was ready (`app::store::Wal::durable`): nothing when all are
//! synced, at most one sync when some are not. The live streams' frames are
//! the one thing sent before (`crate::live`).

use crate::state::ServerState;
use app::domain::DomainError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn wait(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    match state.app.store.durable().await {
        Ok(()) => response,
        // The REST API's own 500, logged there.
        Err(err) => crate::rest::error::ApiError::from(DomainError::from(err)).into_response(),
    }
}
