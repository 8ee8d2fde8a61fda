//! Server functions: the browser's door to the domain. Each is a thin adapter:
//! find the actor, call one use case, shape the result for the page.

pub mod admin;
pub mod award_rules;
pub mod bulk_award;
#[cfg(feature = "ssr")]
pub mod form;
pub mod group_achievements;
pub mod group_audit;
pub mod group_hooks;
pub mod items;
pub mod profile;
pub mod reactions;
pub mod session;
pub mod verify;

/// A short digest of what a page's live region shows a viewer: the page
/// carries it, and its live stream compares it with what the viewer would see
/// now to say when that changed (`server/src/live/awards.rs`).
#[cfg(feature = "ssr")]
pub fn live_mark<T: serde::Serialize>(shown: &T) -> String {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(shown).unwrap_or_default();
    hex::encode(&Sha256::digest(&bytes)[..LIVE_MARK_BYTES])
}

/// How much of the digest a mark keeps.
pub const LIVE_MARK_BYTES: usize = 8;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::domain::auth::{authenticate_session, Credentials};
    use crate::domain::{Actor, AppState, DomainError};
    use crate::model::UiError;
    use leptos::prelude::*;

    pub fn state() -> Result<AppState, UiError> {
        use_context::<AppState>().ok_or(UiError::Internal)
    }

    pub async fn headers() -> Result<http::HeaderMap, UiError> {
        leptos_axum::extract::<http::HeaderMap>().await.map_err(|_| UiError::Internal)
    }

    /// The actor behind this request: the browser session. Personal access
    /// tokens are for the APIs (where their scopes are checked), never here.
    pub async fn actor(app: &AppState) -> Result<Actor, UiError> {
        let headers = headers().await?;
        let auth = authenticate_session(app, Credentials::from_headers(&headers, app.instance.session_cookie()))
            .await
            .map_err(ui_error)?;
        Ok(auth.actor)
    }

    /// The UI dialect of a domain error. Internal details are logged, never shown.
    /// A refused server-function call also answers with the matching 4xx status
    /// (not the framework's 500), unless the function already chose one (the
    /// redirect of a plain form post).
    pub fn ui_error(err: DomainError) -> UiError {
        let ui = match err {
            DomainError::NotFound(_) => UiError::NotFound,
            DomainError::Forbidden => UiError::Forbidden,
            DomainError::Unauthorized
            | DomainError::TokenExpired
            | DomainError::TokenRevoked
            | DomainError::AccountLocked => UiError::Unauthorized,
            DomainError::RateLimited { .. } => UiError::TooManyRequests,
            DomainError::Invalid(messages) => UiError::Invalid(messages),
            DomainError::Conflict(message) => UiError::Conflict(message),
            DomainError::PreconditionFailed => UiError::Conflict(err.to_string()),
            busy if busy.is_overloaded() => {
                tracing::warn!("server function refused, overloaded: {busy}");
                UiError::Internal
            }
            internal => {
                tracing::error!("server function failed: {internal}");
                UiError::Internal
            }
        };
        refusal_status(&ui);
        ui
    }

    fn refusal_status(ui: &UiError) {
        let Some(status) = ui.refusal_status().and_then(|code| http::StatusCode::from_u16(code).ok()) else {
            return;
        };
        let server_fn = use_context::<http::request::Parts>()
            .is_some_and(|parts| parts.uri.path().starts_with(concat!(env!("SERVER_FN_PREFIX"), "/")));
        if let (true, Some(response)) = (server_fn, use_context::<leptos_axum::ResponseOptions>()) {
            let mut parts = response.0.write().unwrap_or_else(|poisoned| poisoned.into_inner());
            if parts.status.is_none() {
                parts.status = Some(status);
            }
        }
    }
}
