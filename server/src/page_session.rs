//! Reads a page request's session before its page is rendered, so that the
//! page is made once (see `app::WithSession`): under Suspense the server makes
//! a page's children again on each of its passes, and each time its resources
//! load again (three reads of a whole dashboard for one page view).

use crate::state::ServerState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

pub async fn attach(State(state): State<ServerState>, mut request: Request, next: Next) -> Response {
    let session = app::server_fns::session::session_info(&state.app, request.headers()).await;
    request.extensions_mut().insert(session);
    next.run(request).await
}
