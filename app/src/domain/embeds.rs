//! What embeds show of a profile (its SVG badges, the framable card and the
//! oEmbed answer, all public and cacheable): exactly what a visitor sees on
//! it, less every award whose namespace a visitor may not read. A private
//! profile, or one that does not display achievements, has no embeds.

use super::{achievements, facts, listing, uploads, users, Actor, AppState, DomainError, DomainResult};
use crate::policy;

/// One award as embeds show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicAward {
    pub award_id: i64,
    pub achievement: String,
    pub avatar_url: Option<String>,
    pub group: String,
    /// `YYYY-MM-DD`.
    pub awarded_on: String,
}

/// A profile's public achievements, in its order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicAwards {
    pub username: String,
    pub name: String,
    pub web_url: String,
    pub awards: Vec<PublicAward>,
}

/// The public achievements of `username`; not found when the profile is
/// private, does not display achievements, or does not exist.
pub async fn public_awards(app: &AppState, username: &str) -> DomainResult<PublicAwards> {
    let visitor = Actor::Anonymous;
    let user = users::find_user(app, &visitor, username).await?;
    if !policy::embed_user_achievements(&facts::profile_facts(&user)) {
        return Err(DomainError::NotFound("User"));
    }
    let listed =
        achievements::user_awards(app, &visitor, user.id, false, listing::Window::first(listing::WHOLE)).await?;
    let mut awards = Vec::new();
    {
        let mut tx = app.store.read().await?;
        // Each awarding group's facts once, however many awards it made.
        let mut embeddable: std::collections::HashMap<i64, bool> = std::collections::HashMap::new();
        for shown in listed.items {
            // Listed for a visitor; named only when its namespace may be read.
            let Some(group) = shown.group else { continue };
            let allowed = match embeddable.get(&group.id) {
                Some(known) => *known,
                None => {
                    let allowed = policy::embed_award(&facts::group_facts(&mut tx, &visitor, &group).await?);
                    embeddable.insert(group.id, allowed);
                    allowed
                }
            };
            if !allowed {
                continue;
            }
            awards.push(PublicAward {
                award_id: shown.award.id,
                achievement: shown.achievement.name.clone(),
                avatar_url: uploads::achievement_avatar_url(&app.instance, &shown.achievement),
                group: group.name,
                awarded_on: shown.award.created_at.format("%Y-%m-%d").to_string(),
            });
        }
    }
    Ok(PublicAwards {
        web_url: app.instance.user_url(&user.username),
        username: user.username,
        name: user.name,
        awards,
    })
}

/// One award, when its holder's embeds show it.
pub async fn public_award(app: &AppState, award_id: i64) -> DomainResult<(PublicAwards, PublicAward)> {
    let not_found = DomainError::NotFound("User Achievement");
    let user_id = {
        let mut tx = app.store.read().await?;
        tx.award_by_id(award_id).await?.ok_or(DomainError::NotFound("User Achievement"))?.user_id
    };
    let user = users::user_by_id(app, user_id).await?;
    let all = public_awards(app, &user.username).await.map_err(|_| DomainError::NotFound("User Achievement"))?;
    let award = all.awards.iter().find(|a| a.award_id == award_id).cloned().ok_or(not_found)?;
    Ok((all, award))
}
