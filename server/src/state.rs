//! The axum router state: the shared domain state plus Leptos' options.

use app::domain::AppState;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

#[derive(Clone)]
pub struct ServerState {
    pub app: AppState,
    pub leptos: LeptosOptions,
    pub graphql: crate::graphql::LaurelSchema,
    /// Live viewers, one topic per watched page.
    pub live: crate::live::hub::Hub,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`).
    pub trusted_proxies: std::sync::Arc<Vec<std::net::IpAddr>>,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos.clone()
    }
}
