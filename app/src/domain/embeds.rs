//! What embeds show of a profile (its SVG badges, the framable card and the
//! oEmbed answer, all public and cacheable): exactly what a visitor sees on
//! it, less every award whose namespace a visitor may not read. A private
//! profile, or one that does not display achievements, has no embeds.

use super::{achievements, facts, listing, uploads, users, Actor, AppState, DomainError, DomainResult};
use crate::policy;
use crate::store::UserRow;

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
    let user = users::find_user(app, &Actor::Anonymous, username).await?;
    embeddable(&user)?;
    let listed =
        achievements::user_awards(app, &Actor::Anonymous, user.id, false, listing::Window::first(listing::WHOLE))
            .await?;
    let awards = shown(app, listed.items).await?;
    Ok(holder(app, user, awards))
}

/// One award and its holder's username, when their embeds show it. Reads that
/// award alone, however many its holder has.
pub async fn public_award(app: &AppState, award_id: i64) -> DomainResult<(String, PublicAward)> {
    let not_found = || DomainError::NotFound("User Achievement");
    let user_id = {
        let mut tx = app.store.read().await?;
        tx.award_by_id(award_id).await?.ok_or_else(not_found)?.user_id
    };
    let user = users::user_by_id(app, user_id).await?;
    embeddable(&user).map_err(|_| not_found())?;
    let listed = achievements::user_award(app, &Actor::Anonymous, user.id, award_id).await?;
    let award = shown(app, listed.into_iter().collect()).await?.into_iter().next().ok_or_else(not_found)?;
    Ok((user.username, award))
}

fn embeddable(user: &UserRow) -> DomainResult<()> {
    match policy::embed_user_achievements(&facts::profile_facts(user)) {
        true => Ok(()),
        false => Err(DomainError::NotFound("User")),
    }
}

fn holder(app: &AppState, user: UserRow, awards: Vec<PublicAward>) -> PublicAwards {
    PublicAwards { web_url: app.instance.user_url(&user.username), username: user.username, name: user.name, awards }
}

/// What embeds show of the awards a visitor sees on a profile: those whose
/// group a visitor may read and whose group lets embeds show them.
async fn shown(app: &AppState, listed: Vec<achievements::DisplayedAward>) -> DomainResult<Vec<PublicAward>> {
    let visitor = Actor::Anonymous;
    let mut awards = Vec::new();
    let mut tx = app.store.read().await?;
    // Each awarding group's facts once, however many awards it made.
    let mut embeddable: std::collections::HashMap<i64, bool> = std::collections::HashMap::new();
    for shown in listed {
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
    Ok(awards)
}
