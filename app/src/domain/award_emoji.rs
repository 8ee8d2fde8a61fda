//! Emoji reactions on issues, merge requests, snippets and notes.

use super::awardable::{resolve, Target};
use super::listing::{self, Listing, Window};
use super::{audit, facts, Actor, AppState, DomainError, DomainResult};
use crate::events::{AwardableKind, AwardableRef, EmojiCount, Event};
use crate::policy;
use crate::store::{AwardEmojiRow, ProjectRow, Tx};
use std::collections::HashMap;

pub const INVALID_NAME: &str = "Name is not a valid emoji name";
pub const NAME_TAKEN: &str = "Name has already been taken";

/// The canonical name of an emoji given by any of its shortcodes (`+1` →
/// `thumbsup`), from the gemoji data set the `emojis` crate ships.
pub fn canonical_name(name: &str) -> Option<&'static str> {
    let emoji = emojis::get_by_shortcode(name.trim())?;
    emoji.shortcodes().find(|code| code.starts_with(|c: char| c.is_ascii_alphanumeric())).or_else(|| emoji.shortcode())
}

/// The emoji character for a canonical name.
pub fn emoji_char(name: &str) -> Option<&'static str> {
    emojis::get_by_shortcode(name).map(|e| e.as_str())
}

/// What GitLab tells about an emoji: the character, its Unicode name, its code
/// points (`1f44d`) and the Unicode version that introduced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmojiInfo {
    pub emoji: &'static str,
    pub description: &'static str,
    pub unicode: String,
    pub unicode_version: String,
}

pub fn emoji_info(name: &str) -> Option<EmojiInfo> {
    let emoji = emojis::get_by_shortcode(name)?;
    let version = emoji.unicode_version();
    Some(EmojiInfo {
        emoji: emoji.as_str(),
        description: emoji.name(),
        unicode: emoji.as_str().chars().map(|c| format!("{:x}", c as u32)).collect::<Vec<_>>().join("-"),
        unicode_version: format!("{}.{}", version.major(), version.minor()),
    })
}

/// The current tally of an awardable (the live channel's and other processes' source of truth).
pub(crate) async fn counts(tx: &mut Tx, item: AwardableRef) -> DomainResult<Vec<EmojiCount>> {
    Ok(tx
        .award_emoji_counts(item.kind.as_str(), item.id)
        .await?
        .into_iter()
        .map(|(name, count)| EmojiCount { emoji: emoji_char(&name).unwrap_or_default().to_string(), name, count })
        .collect())
}

/// The result of a change: the reaction and the authoritative tally after it.
#[derive(Clone, Debug)]
pub struct ReactionChange {
    pub award: AwardEmojiRow,
    pub counts: Vec<EmojiCount>,
}

/// Adds a reaction. The same user giving the same emoji twice (even at the same
/// instant) fails with `Name has already been taken` and changes nothing.
/// Every reaction change counts against the user's per-minute limit, refused
/// before the write starts.
async fn throttle(app: &AppState, actor: &Actor) -> DomainResult<()> {
    match actor.user() {
        Some(user) => super::limits::check_reaction(app, user.id).await,
        None => Ok(()),
    }
}

pub async fn add_award_emoji(
    app: &AppState,
    actor: &Actor,
    target: impl Into<Target<'_>>,
    name: &str,
) -> DomainResult<ReactionChange> {
    throttle(app, actor).await?;
    let mut tx = app.store.write().await?;
    let (item, loaded) = resolve(&mut tx, actor, target.into()).await?;
    let user = actor.require_user()?;
    if !policy::award_emoji(&actor.viewer(), &loaded.facts) {
        return Err(DomainError::Forbidden);
    }
    let name = canonical_name(name).ok_or_else(|| DomainError::invalid(INVALID_NAME))?;
    outside_the_set(&mut tx, &loaded, name).await?;
    let award = tx
        .insert_award_emoji(user.id, item.kind.as_str(), item.id, name)
        .await?
        .ok_or_else(|| DomainError::Conflict(NAME_TAKEN.into()))?;
    let change = finish(app, tx, actor, (item, &loaded.project), award, true).await?;
    Ok(change)
}

/// An emoji outside the group's reaction set is refused as one that is not an
/// emoji (GitLab's wording for a name it does not take).
async fn outside_the_set(tx: &mut Tx, loaded: &super::facts::Awardable, name: &str) -> DomainResult<()> {
    if super::reaction_sets::applying(tx, loaded.project.namespace_id).await?.admits(name) {
        Ok(())
    } else {
        Err(DomainError::invalid(INVALID_NAME))
    }
}

async fn finish(
    app: &AppState,
    mut tx: Tx,
    actor: &Actor,
    (item, project): (AwardableRef, &ProjectRow),
    award: AwardEmojiRow,
    added: bool,
) -> DomainResult<ReactionChange> {
    let counts = counts(&mut tx, item).await?;
    let actor_id = actor.user().map(|u| u.id);
    super::hook_events::emoji(&mut tx, app, actor_id, project, (item, &award), added).await?;
    if added {
        let activity = super::award_rules::Activity::Reaction { item, giver: award.user_id };
        super::award_rules::on_activity(app, &mut tx, project.namespace_id, activity).await?;
    }
    let action = if added { "award_emoji_added" } else { "award_emoji_removed" };
    audit(
        &mut tx,
        actor,
        action,
        item.kind.as_str(),
        item.id,
        serde_json::json!({ "name": award.name, "award_id": award.id }),
    )
    .await?;
    // An admin may remove someone else's reaction: name its author, not the admin.
    let username = match actor.user().filter(|u| u.id == award.user_id) {
        Some(user) => user.username.clone(),
        None => tx.user_by_id(award.user_id).await?.map(|u| u.username).unwrap_or_default(),
    };
    app.publish(
        &mut tx,
        Event::ReactionChanged {
            awardable: item,
            name: award.name.clone(),
            user_id: award.user_id,
            username,
            added,
            counts: counts.clone(),
        },
    )
    .await?;
    app.commit(tx).await?;
    Ok(ReactionChange { award, counts })
}

/// Deletes a reaction read in this transaction; one removed by another
/// request since it was read is not found (removed once, announced once).
async fn delete(tx: &mut Tx, award_id: i64) -> DomainResult<()> {
    if tx.delete_award_emoji(award_id).await? {
        Ok(())
    } else {
        Err(DomainError::NotFound("Award Emoji"))
    }
}

/// Removes a reaction by id: its author or an admin. `unmodified_since` is the
/// REST `If-Unmodified-Since` precondition (second precision).
pub async fn remove_award_emoji(
    app: &AppState,
    actor: &Actor,
    target: impl Into<Target<'_>>,
    award_id: i64,
    unmodified_since: Option<chrono::DateTime<chrono::Utc>>,
) -> DomainResult<ReactionChange> {
    throttle(app, actor).await?;
    let mut tx = app.store.write().await?;
    let (item, loaded) = resolve(&mut tx, actor, target.into()).await?;
    actor.require_user()?;
    let award = tx
        .award_emoji_by_id(award_id)
        .await?
        .filter(|a| a.awardable_type == item.kind.as_str() && a.awardable_id == item.id)
        .ok_or(DomainError::NotFound("Award Emoji"))?;
    if !policy::destroy_award_emoji(&actor.viewer(), award.user_id) {
        return Err(DomainError::Unauthorized);
    }
    if unmodified_since.is_some_and(|since| award.updated_at.timestamp() > since.timestamp()) {
        return Err(DomainError::PreconditionFailed);
    }
    delete(&mut tx, award.id).await?;
    finish(app, tx, actor, (item, &loaded.project), award, false).await
}

/// Removes the actor's own reaction by name (GraphQL `awardEmojiRemove`).
pub async fn remove_own_award_emoji(
    app: &AppState,
    actor: &Actor,
    target: impl Into<Target<'_>>,
    name: &str,
) -> DomainResult<ReactionChange> {
    throttle(app, actor).await?;
    let mut tx = app.store.write().await?;
    let (item, loaded) = resolve(&mut tx, actor, target.into()).await?;
    let user = actor.require_user()?;
    let canonical = canonical_name(name).unwrap_or(name);
    let award = tx
        .find_award_emoji(user.id, item.kind.as_str(), item.id, canonical)
        .await?
        .ok_or_else(|| DomainError::invalid(format!("User has not awarded emoji of type {name} on the awardable")))?;
    delete(&mut tx, award.id).await?;
    finish(app, tx, actor, (item, &loaded.project), award, false).await
}

/// Adds the reaction if the actor has not given it, else removes it. Returns the
/// change and whether it is now on.
pub async fn toggle_award_emoji(
    app: &AppState,
    actor: &Actor,
    target: impl Into<Target<'_>>,
    name: &str,
) -> DomainResult<(ReactionChange, bool)> {
    throttle(app, actor).await?;
    let mut tx = app.store.write().await?;
    let (item, loaded) = resolve(&mut tx, actor, target.into()).await?;
    let user = actor.require_user()?;
    if !policy::award_emoji(&actor.viewer(), &loaded.facts) {
        return Err(DomainError::Forbidden);
    }
    let name = canonical_name(name).ok_or_else(|| DomainError::invalid(INVALID_NAME))?;
    if let Some(existing) = tx.find_award_emoji(user.id, item.kind.as_str(), item.id, name).await? {
        delete(&mut tx, existing.id).await?;
        return Ok((finish(app, tx, actor, (item, &loaded.project), existing, false).await?, false));
    }
    outside_the_set(&mut tx, &loaded, name).await?;
    let award = tx
        .insert_award_emoji(user.id, item.kind.as_str(), item.id, name)
        .await?
        .ok_or_else(|| DomainError::Conflict(NAME_TAKEN.into()))?;
    Ok((finish(app, tx, actor, (item, &loaded.project), award, true).await?, true))
}

/// A page of the reactions on an awardable the actor may read, by id.
pub async fn list_award_emoji(
    app: &AppState,
    actor: &Actor,
    target: impl Into<Target<'_>>,
    window: Window,
) -> DomainResult<Listing<AwardEmojiRow>> {
    let mut tx = app.store.read().await?;
    let (item, _) = resolve(&mut tx, actor, target.into()).await?;
    let total = listing::count(tx.count_award_emoji_of(item.kind.as_str(), item.id).await?);
    let range = window.range(total);
    let (limit, offset) = listing::limit_offset(&range);
    let items = tx.award_emoji_of(item.kind.as_str(), item.id, limit, offset).await?;
    Ok(Listing { total, start: range.start, items })
}

/// Thumbs up and thumbs down on an item (GitLab's `upvotes` / `downvotes`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Votes {
    pub up: i64,
    pub down: i64,
}

/// The votes on one item the actor has already been allowed to read.
pub async fn votes(app: &AppState, item: AwardableRef) -> DomainResult<Votes> {
    Ok(votes_of(app, item.kind, &[item.id]).await?.remove(&item.id).unwrap_or_default())
}

/// The votes on every item of a page the actor has already been allowed to
/// read, in one query (items without votes are absent: no votes).
pub async fn votes_of(app: &AppState, kind: AwardableKind, ids: &[i64]) -> DomainResult<HashMap<i64, Votes>> {
    let tallies = tallies_of(app, kind, ids).await?;
    let of = |counts: &[EmojiCount], name: &str| counts.iter().find(|c| c.name == name).map_or(0, |c| c.count);
    Ok(tallies.into_iter().map(|(id, c)| (id, Votes { up: of(&c, "thumbsup"), down: of(&c, "thumbsdown") })).collect())
}

/// The tallies on many items the actor has already been allowed to read, in
/// one query (items nobody reacted to are absent).
pub async fn tallies_of(
    app: &AppState,
    kind: AwardableKind,
    ids: &[i64],
) -> DomainResult<HashMap<i64, Vec<EmojiCount>>> {
    let mut tx = app.store.read().await?;
    let mut tallies = HashMap::<i64, Vec<EmojiCount>>::new();
    for (id, name, count) in tx.award_emoji_tallies(kind.as_str(), ids).await? {
        let emoji = emoji_char(&name).unwrap_or_default().to_string();
        tallies.entry(id).or_default().push(EmojiCount { name, count, emoji });
    }
    Ok(tallies)
}

/// The tallies on an awardable the actor may read (the live channel's snapshot).
pub async fn reaction_counts(app: &AppState, actor: &Actor, item: AwardableRef) -> DomainResult<Vec<EmojiCount>> {
    let mut tx = app.store.read().await?;
    facts::readable_awardable(&mut tx, actor, item).await?;
    counts(&mut tx, item).await
}

pub async fn get_award_emoji(
    app: &AppState,
    actor: &Actor,
    target: impl Into<Target<'_>>,
    award_id: i64,
) -> DomainResult<AwardEmojiRow> {
    let mut tx = app.store.read().await?;
    let (item, _) = resolve(&mut tx, actor, target.into()).await?;
    tx.award_emoji_by_id(award_id)
        .await?
        .filter(|a| a.awardable_type == item.kind.as_str() && a.awardable_id == item.id)
        .ok_or(DomainError::NotFound("Award Emoji"))
}

/// Who gave one emoji on an item, in the order they gave it.
#[derive(Clone, Debug)]
pub struct EmojiReactors {
    pub name: String,
    pub users: Vec<(i64, String)>,
}

/// The reactions on an item the actor may read, grouped by emoji in order of
/// first use, and whether the actor may react there.
pub async fn reactors(app: &AppState, actor: &Actor, item: AwardableRef) -> DomainResult<(Vec<EmojiReactors>, bool)> {
    let mut tx = app.store.read().await?;
    let loaded = facts::readable_awardable(&mut tx, actor, item).await?;
    let awards = tx.award_emoji_of(item.kind.as_str(), item.id, i64::MAX, 0).await?;
    let people = people_of(&mut tx, &awards).await?;
    Ok((by_emoji(awards, &people), policy::award_emoji(&actor.viewer(), &loaded.facts)))
}

/// [`reactors`] of each of `notes`, the comments on `item` as the actor was
/// given them (`projects::list_notes`): three reads, whatever their number (a
/// page with a thousand comments made five thousand). Each in order; a note
/// the actor may not read has none.
pub async fn note_reactors(
    app: &AppState,
    actor: &Actor,
    item: AwardableRef,
    notes: &[crate::store::NoteRow],
) -> DomainResult<Vec<(Vec<EmojiReactors>, bool)>> {
    let mut tx = app.store.read().await?;
    let parent = facts::readable_awardable(&mut tx, actor, item).await?;
    let ids: Vec<i64> = notes.iter().map(|n| n.id).collect();
    let awards = tx.award_emoji_on(AwardableKind::Note.as_str(), &ids).await?;
    let people = people_of(&mut tx, &awards).await?;
    let mut on: HashMap<i64, Vec<AwardEmojiRow>> = HashMap::new();
    for award in awards {
        on.entry(award.awardable_id).or_default().push(award);
    }
    let viewer = actor.viewer();
    Ok(notes
        .iter()
        .map(|note| {
            let facts = facts::note_facts(&parent, note);
            if !policy::read_awardable(&viewer, &facts) {
                return (Vec::new(), false);
            }
            (by_emoji(on.remove(&note.id).unwrap_or_default(), &people), policy::award_emoji(&viewer, &facts))
        })
        .collect())
}

async fn people_of(tx: &mut Tx, awards: &[AwardEmojiRow]) -> DomainResult<HashMap<i64, String>> {
    let mut ids: Vec<i64> = awards.iter().map(|a| a.user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(tx.users_by_ids(&ids).await?.into_iter().map(|u| (u.id, u.username)).collect())
}

/// Reactions grouped by emoji, in order of first use, each with who gave it.
fn by_emoji(awards: Vec<AwardEmojiRow>, people: &HashMap<i64, String>) -> Vec<EmojiReactors> {
    let mut out: Vec<EmojiReactors> = Vec::new();
    for award in awards {
        let username = people.get(&award.user_id).cloned().unwrap_or_default();
        match out.iter_mut().find(|r| r.name == award.name) {
            Some(entry) => entry.users.push((award.user_id, username)),
            None => out.push(EmojiReactors { name: award.name, users: vec![(award.user_id, username)] }),
        }
    }
    out
}

/// Emoji whose name contains `query` (all words), for the picker: canonical
/// names with their characters, at most `limit`.
pub fn search_emoji(query: &str, limit: usize) -> Vec<(&'static str, &'static str)> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    emojis::iter()
        .filter_map(|e| e.shortcode().map(|code| (code, e.as_str(), e.name())))
        .filter(|(code, _, name)| words.iter().all(|w| code.contains(w.as_str()) || name.contains(w.as_str())))
        .filter_map(|(code, emoji, _)| canonical_name(code).map(|c| (c, emoji)))
        .take(limit)
        .collect()
}
