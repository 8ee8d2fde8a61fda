//! Emoji reactions from the browser.

use crate::events::AwardableKind;
use crate::model::{ReactionSummary, UiError};
use leptos::prelude::*;

/// Adds the emoji if the user has not given it to this item, else removes it.
/// A plain form post (no JavaScript) passes `next` and is sent back there.
#[server(endpoint = "toggle_reaction")]
pub async fn toggle_reaction(
    kind: AwardableKind,
    id: i64,
    name: String,
    next: Option<String>,
) -> Result<ReactionSummary, UiError> {
    use super::ssr;
    use crate::domain::award_emoji;
    use crate::events::AwardableRef;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let result = award_emoji::toggle_award_emoji(&app, &actor, AwardableRef { kind, id }, &name).await;
    if let Some(next) = next {
        leptos_axum::redirect(&super::session::safe_next(Some(&next)));
    }
    let (change, toggled_on) = result.map_err(ssr::ui_error)?;
    Ok(ReactionSummary { counts: change.counts, toggled_on })
}
