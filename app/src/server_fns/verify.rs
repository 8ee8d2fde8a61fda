//! The verification page (`/-/verify`, public): a credential checked.

use crate::model::{UiError, VerificationView};
use leptos::prelude::*;

/// What `credential` (a compact VC-JWT) holds up to; `None` for no credential.
#[server(endpoint = "verification")]
pub async fn get_verification(credential: Option<String>) -> Result<Option<VerificationView>, UiError> {
    use super::ssr;
    use crate::domain::credentials;
    let Some(credential) = credential.filter(|c| !c.trim().is_empty()) else { return Ok(None) };
    let app = ssr::state()?;
    credentials::verify(&app, &credential).await.map(Some).map_err(ssr::ui_error)
}
