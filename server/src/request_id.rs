//! A request id on every request and in every log line it causes: the
//! `x-request-id` a proxy set, or one made here, echoed in the response, and a
//! tracing span around the request that carries it with the method and path.

use axum::body::Body;
use http::{HeaderValue, Request};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// `<process start, hex>-<sequence>`: unique across restarts and processes
/// started at different instants, and cheap.
#[derive(Clone)]
struct Sequential {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl MakeRequestId for Sequential {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix)).ok().map(RequestId::new)
    }
}

/// The process's one sequence of ids, whichever router (the app's, the
/// live streams' own) a request goes through.
fn ids() -> Sequential {
    static IDS: std::sync::OnceLock<Sequential> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        let started =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0);
        Sequential { prefix: format!("{started:x}").into(), next: Arc::default() }
    })
    .clone()
}

/// Wraps the router: sets the id (outermost), traces with it, returns it.
pub fn layer(router: axum::Router) -> axum::Router {
    let ids = ids();
    router
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<Body>| {
                    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
                })
                .on_failure(|failure: ServerErrorsFailureClass, latency: std::time::Duration, _: &tracing::Span| {
                    match failure {
                        // A format the client asked for and the server does not
                        // make (oEmbed's XML): an answer, not a fault.
                        ServerErrorsFailureClass::StatusCode(http::StatusCode::NOT_IMPLEMENTED) => {
                            tracing::debug!(?latency, "501 Not Implemented")
                        }
                        failure => tracing::error!(classification = %failure, ?latency, "response failed"),
                    }
                }),
        )
        .layer(SetRequestIdLayer::x_request_id(ids))
}
