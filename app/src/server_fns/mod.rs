//! Server functions: the browser's door to the domain. Each is a thin adapter:
//! find the actor, call one use case, shape the result for the page.

pub mod admin;
pub mod group_achievements;
pub mod items;
pub mod profile;
pub mod reactions;
pub mod session;

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
    pub fn ui_error(err: DomainError) -> UiError {
        match err {
            DomainError::NotFound(_) => UiError::NotFound,
            DomainError::Forbidden => UiError::Forbidden,
            DomainError::Unauthorized => UiError::Unauthorized,
            DomainError::Invalid(messages) => UiError::Invalid(messages),
            DomainError::Conflict(message) => UiError::Conflict(message),
            DomainError::PreconditionFailed => UiError::Conflict(err.to_string()),
            internal => {
                tracing::error!("server function failed: {internal}");
                UiError::Internal
            }
        }
    }
}
