//! The verification page (`/-/verify`, public): a credential checked.

use crate::model::{UiError, VerificationView};
use leptos::prelude::*;

/// What `credential` (a compact VC-JWT) holds up to, or what this server's
/// record of `award` (the link inside a credential) says; `None` for
/// neither, or no such award.
#[server(endpoint = "verification")]
pub async fn get_verification(
    credential: Option<String>,
    award: Option<i64>,
) -> Result<Option<VerificationView>, UiError> {
    use super::ssr;
    use crate::domain::credentials;
    let app = ssr::state()?;
    if let Some(credential) = credential.filter(|c| !c.trim().is_empty()) {
        return credentials::verify(&app, &credential).await.map(Some).map_err(ssr::ui_error);
    }
    match award {
        Some(award) => credentials::verify_award(&app, award).await.map_err(ssr::ui_error),
        None => Ok(None),
    }
}
