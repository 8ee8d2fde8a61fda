//! Groups' reaction sets: Owners choose which emoji the issues, merge
//! requests, snippets and comments of their projects take (every emoji by
//! default), and whether thumbsdown is one. Subgroups and their projects follow
//! the nearest group that has a set. Every surface that adds a reaction asks
//! [`applying`]; an emoji outside the set is refused as an unknown one is.

use super::award_emoji::{canonical_name, emoji_char};
use super::{audit_concerning, groups, Actor, AppState, DomainError, DomainResult};
use crate::model::ReactionChoices;
use crate::policy;
use crate::store::{Concerns, NamespaceRow, ReactionSetRow, Tx};

/// At most this many emoji in a set.
pub const MAX_EMOJI: usize = 100;

fn choices(row: Option<ReactionSetRow>) -> ReactionChoices {
    let Some(row) = row else { return ReactionChoices::default() };
    let only: Vec<(String, String)> = row
        .emoji
        .split_whitespace()
        .filter_map(|name| Some((name.to_string(), emoji_char(name)?.to_string())))
        .collect();
    ReactionChoices { only: (!only.is_empty()).then_some(only), downvotes: row.downvotes }
}

/// The set that applies in a namespace: that of the nearest group (itself or
/// a parent) that has one; every emoji otherwise (and in a user's namespace).
pub(crate) async fn applying(tx: &mut Tx, namespace_id: i64) -> DomainResult<ReactionChoices> {
    // Groups nest at most 20 deep (GitLab's limit); the bound also ends a broken chain.
    Ok(choices(tx.nearest_reaction_set(namespace_id, 20).await?))
}

/// The set that applies in a project's namespace (for its pages' pickers).
pub async fn for_namespace(app: &AppState, namespace_id: i64) -> DomainResult<ReactionChoices> {
    let mut tx = app.store.read().await?;
    applying(&mut tx, namespace_id).await
}

/// A group's own set (`None`: it has none and follows its parents' or allows
/// every emoji), if the actor may read the group.
pub async fn group_set(
    app: &AppState,
    actor: &Actor,
    group: &str,
) -> DomainResult<(NamespaceRow, Option<ReactionChoices>, ReactionChoices)> {
    let mut tx = app.store.read().await?;
    let (group, _) = groups::readable_group(&mut tx, actor, group).await?;
    let own = tx.reaction_set(group.id).await?.map(|row| choices(Some(row)));
    let applies = applying(&mut tx, group.id).await?;
    Ok((group, own, applies))
}

/// Sets a group's reaction set (Owners and admins): `emoji` names (empty: every
/// emoji), and whether thumbsdown is allowed. Every emoji and thumbsdown is the
/// default, which removes the group's own set. Reactions given before stay.
pub async fn set_group_set(
    app: &AppState,
    actor: &Actor,
    group: &str,
    emoji: &[String],
    downvotes: bool,
) -> DomainResult<ReactionChoices> {
    let mut tx = app.store.write().await?;
    let (group, facts) = groups::readable_group(&mut tx, actor, group).await?;
    if !policy::admin_reaction_set(&actor.viewer(), &facts) {
        return Err(if actor.user().is_some() { DomainError::Forbidden } else { DomainError::Unauthorized });
    }
    if emoji.len() > 2 * MAX_EMOJI {
        return Err(DomainError::invalid(format!("A reaction set holds at most {MAX_EMOJI} emoji")));
    }
    let mut names: Vec<&'static str> = Vec::new();
    let mut unknown = Vec::new();
    for given in emoji.iter().map(|e| e.trim().trim_matches(':')).filter(|e| !e.is_empty()) {
        match canonical_name(given) {
            Some(name) if !names.contains(&name) => names.push(name),
            Some(_) => {}
            None => unknown.push(given.chars().take(40).collect::<String>()),
        }
    }
    if !unknown.is_empty() {
        return Err(DomainError::invalid(format!("Not emoji names: {}", unknown.join(", "))));
    }
    if names.len() > MAX_EMOJI {
        return Err(DomainError::invalid(format!("A reaction set holds at most {MAX_EMOJI} emoji")));
    }
    let joined = names.join(" ");
    if names.is_empty() && downvotes {
        tx.delete_reaction_set(group.id).await?;
    } else {
        tx.put_reaction_set(group.id, &joined, downvotes).await?;
    }
    let concerns = Concerns { group_id: Some(group.id), ..Concerns::default() };
    let details = serde_json::json!({ "emoji": joined, "downvotes": downvotes });
    audit_concerning(&mut tx, actor, concerns, ("reaction_set_changed", "Group", group.id), details).await?;
    let applies = applying(&mut tx, group.id).await?;
    app.commit(tx).await?;
    Ok(applies)
}
