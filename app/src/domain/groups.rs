//! Groups (nested) and their members.

use super::users::valid_path;
use super::{audit, facts, Actor, AppState, DomainError, DomainResult};
use crate::events::Event;
use crate::policy::{self, AccessLevel, GroupFacts, Visibility};
use crate::store::{MemberRow, NamespaceRow, NewNamespace, Tx};

pub struct CreateGroup {
    pub name: String,
    pub path: String,
    pub parent_id: Option<i64>,
    pub visibility: Option<String>,
    pub description: Option<String>,
}

pub(crate) fn parse_visibility(value: Option<&str>, default: Visibility) -> DomainResult<Visibility> {
    match value {
        None => Ok(default),
        Some(v) => {
            Visibility::parse(v).ok_or_else(|| DomainError::invalid("Visibility level is not included in the list"))
        }
    }
}

/// GitLab's limit: a group has at most 20 groups above it (every query that
/// walks a group's ancestors is bounded by it).
pub const MAX_ANCESTORS: usize = 20;

/// Creates a group (or subgroup); the creator becomes its Owner.
pub async fn create_group(app: &AppState, actor: &Actor, input: CreateGroup) -> DomainResult<NamespaceRow> {
    let user = actor.require_user()?;
    let mut errors = super::text::one_line_field("Name", &input.name, 255);
    // GitLab's limit on a group's description.
    errors.extend(super::text::too_long("Description", input.description.as_deref(), 500));
    if !valid_path(&input.path) {
        errors.push(format!("Path {}", super::text::PATH_RULE));
    } else if input.parent_id.is_none() && super::users::reserved_path(&input.path) {
        errors.push(format!("Path {} is a reserved name", input.path));
    }
    let visibility = match parse_visibility(input.visibility.as_deref(), Visibility::Private) {
        Ok(v) => Some(v),
        Err(DomainError::Invalid(mut e)) => {
            errors.append(&mut e);
            None
        }
        Err(other) => return Err(other),
    };
    let (Some(visibility), true) = (visibility, errors.is_empty()) else {
        return Err(DomainError::Invalid(errors));
    };
    let mut tx = app.store.write().await?;
    let parent = match input.parent_id {
        Some(id) => {
            let parent = tx.namespace_by_id(id).await?.filter(|ns| ns.kind == "group");
            let parent = parent.ok_or(DomainError::NotFound("Parent Group"))?;
            let facts = facts::group_facts(&mut tx, actor, &parent).await?;
            if !policy::read_group(&actor.viewer(), &facts) {
                return Err(DomainError::NotFound("Parent Group"));
            }
            if !policy::create_subgroup(&actor.viewer(), &facts) {
                return Err(DomainError::Forbidden);
            }
            let mut errors = Vec::new();
            if parent.full_path.matches('/').count() + 1 > MAX_ANCESTORS {
                errors.push("Parent has too deep level of nesting".to_string());
            }
            if !policy::visibility_within(visibility, facts.visibility) {
                errors.push(format!(
                    "Visibility level {} is not allowed since the parent group has a {} visibility.",
                    visibility.as_str(),
                    facts.visibility.as_str()
                ));
            }
            if !errors.is_empty() {
                return Err(DomainError::Invalid(errors));
            }
            Some(parent)
        }
        None if policy::create_group(&actor.viewer()) => None,
        None => return Err(DomainError::Forbidden),
    };
    let full_path = match &parent {
        Some(p) => format!("{}/{}", p.full_path, input.path),
        None => input.path.clone(),
    };
    if tx.namespace_by_full_path(&full_path).await?.is_some() {
        return Err(DomainError::Conflict("Path has already been taken".into()));
    }
    let group = tx
        .insert_namespace(NewNamespace {
            kind: "group",
            name: input.name.trim(),
            path: &input.path,
            full_path: &full_path,
            parent_id: parent.as_ref().map(|p| p.id),
            owner_id: None,
            visibility: visibility.as_str(),
            description: input.description.as_deref().unwrap_or(""),
        })
        .await
        .map_err(DomainError::path_taken)?;
    tx.upsert_group_member(group.id, user.id, AccessLevel::Owner as i64).await?;
    audit(&mut tx, actor, "group_created", "Group", group.id, serde_json::json!({ "full_path": full_path })).await?;
    app.commit(tx).await?;
    Ok(group)
}

/// Resolves a group by numeric id or full path, if the actor may read it.
pub(crate) async fn readable_group(
    tx: &mut Tx,
    actor: &Actor,
    id_or_path: &str,
) -> DomainResult<(NamespaceRow, GroupFacts)> {
    let group = match id_or_path.parse::<i64>() {
        Ok(id) => tx.namespace_by_id(id).await?,
        Err(_) => tx.namespace_by_full_path(id_or_path).await?,
    };
    let group = group.filter(|ns| ns.kind == "group").ok_or(DomainError::NotFound("Group"))?;
    let facts = facts::group_facts(tx, actor, &group).await?;
    if !policy::read_group(&actor.viewer(), &facts) {
        return Err(DomainError::NotFound("Group"));
    }
    Ok((group, facts))
}

pub async fn find_group(app: &AppState, actor: &Actor, id_or_path: &str) -> DomainResult<(NamespaceRow, GroupFacts)> {
    let mut tx = app.store.read().await?;
    readable_group(&mut tx, actor, id_or_path).await
}

/// Groups the actor may read, by id.
pub async fn list_groups(
    app: &AppState,
    actor: &Actor,
    search: &str,
    limit: i64,
    offset: i64,
) -> DomainResult<Vec<NamespaceRow>> {
    let mut tx = app.store.read().await?;
    // Filter after loading: instance sizes here are small; a page may come back short.
    let candidates = tx.list_groups(search, limit, offset).await?;
    let mut out = Vec::with_capacity(candidates.len());
    for group in candidates {
        let facts = facts::group_facts(&mut tx, actor, &group).await?;
        if policy::read_group(&actor.viewer(), &facts) {
            out.push(group);
        }
    }
    Ok(out)
}

/// How many people belong to the group, directly or through a parent group.
pub async fn member_count(app: &AppState, actor: &Actor, id_or_path: &str) -> DomainResult<usize> {
    let mut tx = app.store.read().await?;
    let (group, _) = readable_group(&mut tx, actor, id_or_path).await?;
    count_members(&mut tx, group).await
}

/// How many people belong to `group`, directly or through a parent group
/// (for a group the caller checked may be read).
pub(crate) async fn count_members(tx: &mut Tx, group: NamespaceRow) -> DomainResult<usize> {
    let mut people = std::collections::HashSet::new();
    let mut next = Some(group);
    // Groups nest at most 20 deep (GitLab's limit); the bound also ends a broken chain.
    for _ in 0..20 {
        let Some(ns) = next else { break };
        people.extend(tx.list_group_members(ns.id).await?.into_iter().map(|m| m.user_id));
        next = match ns.parent_id {
            Some(parent) => tx.namespace_by_id(parent).await?,
            None => None,
        };
    }
    Ok(people.len())
}

pub async fn list_members(app: &AppState, actor: &Actor, id_or_path: &str) -> DomainResult<Vec<MemberRow>> {
    let mut tx = app.store.read().await?;
    let (group, _) = readable_group(&mut tx, actor, id_or_path).await?;
    Ok(tx.list_group_members(group.id).await?)
}

/// A group the actor may read, held for a change to its members, and the
/// actor's facts read under that hold: two Owners changing each other at
/// once must not both see two Owners, nor act on a level the other just
/// took away.
async fn members_held(tx: &mut Tx, actor: &Actor, id_or_path: &str) -> DomainResult<(NamespaceRow, GroupFacts)> {
    let (group, _) = readable_group(tx, actor, id_or_path).await?;
    tx.lock_group(group.id).await?;
    let facts = facts::group_facts(tx, actor, &group).await?;
    Ok((group, facts))
}

/// Adds a member or changes their level.
pub async fn set_member(
    app: &AppState,
    actor: &Actor,
    id_or_path: &str,
    user_id: i64,
    level: i64,
) -> DomainResult<MemberRow> {
    let level =
        AccessLevel::from_i64(level).ok_or_else(|| DomainError::invalid("Access level is not included in the list"))?;
    let mut tx = app.store.write().await?;
    let (group, facts) = members_held(&mut tx, actor, id_or_path).await?;
    let current = tx.direct_group_member(group.id, user_id).await?;
    let current_level = current.as_ref().and_then(|m| AccessLevel::from_i64(m.access_level));
    if !policy::admin_group_member(&actor.viewer(), &facts, level.max(current_level.unwrap_or(level))) {
        return Err(DomainError::Forbidden);
    }
    tx.user_by_id(user_id).await?.ok_or(DomainError::NotFound("User"))?;
    if current_level == Some(AccessLevel::Owner)
        && level < AccessLevel::Owner
        && tx.count_group_owners(group.id).await? <= 1
    {
        return Err(DomainError::invalid("A group must keep at least one Owner"));
    }
    tx.upsert_group_member(group.id, user_id, level as i64).await?;
    let member = tx.direct_group_member(group.id, user_id).await?.ok_or(DomainError::NotFound("Member"))?;
    audit(
        &mut tx,
        actor,
        "member_set",
        "Group",
        group.id,
        serde_json::json!({ "user_id": user_id, "access_level": level as i64 }),
    )
    .await?;
    app.publish(&mut tx, Event::AccessChanged { user_id }).await?;
    app.commit(tx).await?;
    Ok(member)
}

pub async fn remove_member(app: &AppState, actor: &Actor, id_or_path: &str, user_id: i64) -> DomainResult<()> {
    let mut tx = app.store.write().await?;
    let (group, facts) = members_held(&mut tx, actor, id_or_path).await?;
    let current = tx.direct_group_member(group.id, user_id).await?.ok_or(DomainError::NotFound("Member"))?;
    let level = AccessLevel::from_i64(current.access_level).unwrap_or(AccessLevel::Owner);
    if !policy::destroy_group_member(&actor.viewer(), &facts, user_id, level) {
        return Err(DomainError::Forbidden);
    }
    if level == AccessLevel::Owner && tx.count_group_owners(group.id).await? <= 1 {
        return Err(DomainError::invalid("A group must keep at least one Owner"));
    }
    tx.delete_group_member(group.id, user_id).await?;
    audit(&mut tx, actor, "member_removed", "Group", group.id, serde_json::json!({ "user_id": user_id })).await?;
    app.publish(&mut tx, Event::AccessChanged { user_id }).await?;
    app.commit(tx).await
}
