//! The bulk award page: what it needs to know about the achievement. The file
//! itself goes to the REST endpoint (`POST /api/v4/groups/:id/achievements/
//! :achievement_id/awards/bulk`), with the browser's session.

use crate::model::{BulkAwardView, UiError};
use leptos::prelude::*;

#[server(endpoint = "bulk_award")]
pub async fn get_bulk_award(group: String, achievement_id: i64) -> Result<BulkAwardView, UiError> {
    use super::ssr;
    use crate::domain::{achievements, bulk_award, DomainError};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let (achievement, abilities) =
        achievements::group_achievement(&app, &actor, &group, achievement_id).await.map_err(ssr::ui_error)?;
    if !abilities.award {
        return Err(ssr::ui_error(DomainError::Forbidden));
    }
    let (group, _) = achievements::group_abilities(&app, &actor, &group).await.map_err(ssr::ui_error)?;
    Ok(BulkAwardView {
        full_path: group.full_path,
        group_id: group.id,
        achievement_id: achievement.id,
        achievement_name: achievement.name,
        max_lines: bulk_award::MAX_LINES,
        by_email: crate::policy::admin_all_resources(&actor.viewer()),
    })
}
