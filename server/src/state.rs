//! The axum router state: the shared domain state plus Leptos' options.

use app::domain::AppState;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// What every handler shares, behind one `Arc`: axum hands each extractor
/// its own clone of the state, which is then a reference count, not a copy
/// of every field's (measured at about 7% of a live stream's opening).
#[derive(Clone)]
pub struct ServerState(Arc<Shared>);

pub struct Shared {
    pub app: AppState,
    pub leptos: LeptosOptions,
    pub graphql: crate::graphql::LaurelSchema,
    /// Live viewers, one topic per watched page.
    pub live: crate::live::hub::Hub,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// What each address's request bodies hold now.
    pub body_budget: Arc<crate::body_budget::BodyBudget>,
}

impl ServerState {
    pub fn new(shared: Shared) -> ServerState {
        ServerState(Arc::new(shared))
    }
}

impl std::ops::Deref for ServerState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos.clone()
    }
}
