//! A user's public profile.

use crate::model::{ProfileView, UiError};
use leptos::prelude::*;

#[server(endpoint = "profile")]
pub async fn get_profile(username: String) -> Result<ProfileView, UiError> {
    use super::ssr;
    use crate::domain::{achievements, uploads, users};
    use crate::model::{ProfileAchievement, ProfileAward};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let user = users::find_user(&app, &actor, &username).await.map_err(ssr::ui_error)?;
    let awards = achievements::user_awards(&app, &actor, user.id, false).await.map_err(ssr::ui_error)?;
    // Group by achievement, in the order of each achievement's first award.
    let mut grouped: Vec<ProfileAchievement> = Vec::new();
    for shown in awards {
        let award = ProfileAward {
            id: shown.award.id,
            awarded_at: shown.award.created_at.to_rfc3339(),
            message: shown.award.award_message.clone(),
        };
        match grouped.iter_mut().find(|a| a.achievement_id == shown.achievement.id) {
            Some(entry) => entry.awards.push(award),
            None => grouped.push(ProfileAchievement {
                achievement_id: shown.achievement.id,
                name: shown.achievement.name.clone(),
                description: shown.achievement.description.clone(),
                avatar_url: shown
                    .achievement
                    .avatar
                    .as_deref()
                    .map(|f| uploads::avatar_url(&app.instance, shown.achievement.id, f)),
                group: shown.group.map(|g| g.full_path),
                awards: vec![award],
            }),
        }
    }
    Ok(ProfileView { username: user.username, name: user.name, bio: user.bio, achievements: grouped })
}
