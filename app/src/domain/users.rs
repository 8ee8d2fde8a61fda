//! Users and their personal access tokens.

use super::auth::digest;
use super::passwords::hash_password;
use super::{audit, facts, Actor, AppState, DomainError, DomainResult};
use crate::events::Event;
use crate::policy;
use crate::store::{NewNamespace, NewUser, StoreError, Tx, UserChanges, UserRow};

pub struct CreateUser {
    pub username: String,
    pub name: String,
    pub email: String,
    pub password: Option<String>,
    pub admin: bool,
    pub private_profile: bool,
}

/// GitLab's rule for paths: letters, digits, `_`, `-`, `.`; not starting or ending
/// with a special character.
pub fn valid_path(path: &str) -> bool {
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    !path.is_empty()
        && path.len() <= 255
        && path.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && edge_ok(path.chars().next())
        && edge_ok(path.chars().last())
        && !path.ends_with(".git")
        && !path.ends_with(".atom")
}

/// Top-level paths the app itself uses; no user or group may take them.
const RESERVED_PATHS: &[&str] = &[
    "-",
    "admin",
    "api",
    "assets",
    "dashboard",
    "explore",
    "groups",
    "help",
    "pkg",
    "projects",
    "robots.txt",
    "search",
    "uploads",
    "users",
    "favicon.ico",
];

pub fn reserved_path(path: &str) -> bool {
    RESERVED_PATHS.iter().any(|r| r.eq_ignore_ascii_case(path))
}

/// Project paths the app itself uses beside a namespace's own:
/// `/<username>/achievements.svg` is the profile's badge, so a project of
/// that path would have no page.
const RESERVED_PROJECT_PATHS: &[&str] = &["achievements.svg"];

pub fn reserved_project_path(path: &str) -> bool {
    RESERVED_PROJECT_PATHS.iter().any(|r| r.eq_ignore_ascii_case(path))
}

fn validate_new_user(input: &CreateUser) -> DomainResult<()> {
    let mut errors = Vec::new();
    if input.username.trim().is_empty() {
        errors.push("Username can't be blank".to_string());
    } else if !valid_path(&input.username) {
        errors.push(format!("Username {}", super::text::PATH_RULE));
    } else if reserved_path(&input.username) {
        errors.push(format!("Username {} is a reserved name", input.username));
    }
    errors.extend(super::text::one_line_field("Name", &input.name, 255));
    if !valid_email(&input.email) {
        errors.push("Email is invalid".to_string());
    }
    if let Some(password) = &input.password {
        if password.chars().count() < 8 {
            errors.push("Password is too short (minimum is 8 characters)".to_string());
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

fn valid_email(email: &str) -> bool {
    let email = email.trim();
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Creates a user with their personal namespace. Admins only (the bootstrap and
/// demo seeding act as the instance itself).
pub async fn create_user(app: &AppState, actor: &Actor, input: CreateUser) -> DomainResult<UserRow> {
    if !policy::admin_all_resources(&actor.viewer()) {
        return Err(DomainError::Forbidden);
    }
    validate_new_user(&input)?;
    let password_hash = match input.password.as_deref() {
        Some(password) => Some(hash_password(password).await?),
        None => None,
    };
    create_user_hashed(app, actor, input, password_hash).await
}

/// [`create_user`] with the password already hashed (the demo data hashes its
/// one shared password once for all its people).
pub(crate) async fn create_user_hashed(
    app: &AppState,
    actor: &Actor,
    input: CreateUser,
    password_hash: Option<String>,
) -> DomainResult<UserRow> {
    if !policy::admin_all_resources(&actor.viewer()) {
        return Err(DomainError::Forbidden);
    }
    let mut tx = app.store.write().await?;
    let user = insert_user(&mut tx, &input, password_hash).await?;
    audit(&mut tx, actor, "user_created", "User", user.id, serde_json::json!({ "username": user.username })).await?;
    app.commit(tx).await?;
    Ok(user)
}

/// Inserts a validated user with their already hashed password (hashing is
/// slow: done before the write transaction starts).
pub(crate) async fn insert_user(
    tx: &mut Tx,
    input: &CreateUser,
    password_hash: Option<String>,
) -> DomainResult<UserRow> {
    validate_new_user(input)?;
    let taken = |field: &str| DomainError::Conflict(format!("{field} has already been taken"));
    if tx.user_by_username(&input.username).await?.is_some()
        || tx.namespace_by_full_path(&input.username).await?.is_some()
    {
        return Err(taken("Username"));
    }
    let user = tx
        .insert_user(NewUser {
            username: input.username.trim(),
            name: input.name.trim(),
            email: input.email.trim(),
            password_hash: password_hash.as_deref(),
            admin: input.admin,
            private_profile: input.private_profile,
        })
        .await
        .map_err(|err| match err {
            StoreError::Unique(_) => taken("Email"),
            other => other.into(),
        })?;
    tx.insert_namespace(NewNamespace {
        kind: "user",
        name: &user.name,
        path: &user.username,
        full_path: &user.username,
        parent_id: None,
        owner_id: Some(user.id),
        visibility: "public",
        description: "",
    })
    .await?;
    Ok(user)
}

/// What an admin may change about any user (`PUT /users/:id`, the admin page).
#[derive(Default)]
pub struct UpdateUser {
    pub name: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub bio: Option<String>,
    pub private_profile: Option<bool>,
    pub achievements_enabled: Option<bool>,
    pub admin: Option<bool>,
    pub blocked: Option<bool>,
}

fn validate_password(password: &str) -> DomainResult<()> {
    if password.chars().count() < 8 {
        return Err(DomainError::invalid("Password is too short (minimum is 8 characters)"));
    }
    if password.chars().count() > 128 {
        return Err(DomainError::invalid("Password is too long (maximum is 128 characters)"));
    }
    Ok(())
}

/// Admins edit any user, as in GitLab (`PUT /users/:id` is theirs alone, even
/// for one's own account: people use the profile editor). A new password or a
/// block ends every session of that user; a blocked user's tokens stop working.
pub async fn update_user(app: &AppState, actor: &Actor, user_id: i64, input: UpdateUser) -> DomainResult<UserRow> {
    if !policy::admin_all_resources(&actor.viewer()) {
        return Err(DomainError::Forbidden);
    }
    let mut errors = Vec::new();
    if input.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        errors.push("Name can't be blank".to_string());
    }
    errors.extend(input.name.as_deref().and_then(|n| super::text::one_line("Name", n)));
    errors.extend(super::text::too_long("Name", input.name.as_deref(), 255));
    errors.extend(super::text::too_long("Bio", input.bio.as_deref(), 255));
    if input.email.as_deref().is_some_and(|e| !valid_email(e)) {
        errors.push("Email is invalid".to_string());
    }
    if let Err(DomainError::Invalid(mut messages)) = input.password.as_deref().map_or(Ok(()), validate_password) {
        errors.append(&mut messages);
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let password_hash = match input.password.as_deref() {
        Some(password) => Some(hash_password(password).await?),
        None => None,
    };
    let ends_sessions = password_hash.is_some() || input.blocked == Some(true);
    let changes = UserChanges {
        name: input.name.map(|n| n.trim().to_string()),
        email: input.email.map(|e| e.trim().to_string()),
        password_hash,
        admin: input.admin,
        state: input.blocked.map(|b| if b { "blocked" } else { "active" }.to_string()),
        private_profile: input.private_profile,
        achievements_enabled: input.achievements_enabled,
        bio: input.bio,
    };
    let mut tx = app.store.write().await?;
    let user = save_changes(&mut tx, user_id, changes).await?;
    if ends_sessions {
        tx.delete_sessions_of_user(user.id, None).await?;
    }
    audit(&mut tx, actor, "user_updated", "User", user.id, serde_json::json!({ "ended_sessions": ends_sessions }))
        .await?;
    app.publish(&mut tx, Event::AccessChanged { user_id: user.id }).await?;
    app.commit(tx).await?;
    Ok(user)
}

async fn save_changes(tx: &mut Tx, user_id: i64, changes: UserChanges) -> DomainResult<UserRow> {
    tx.update_user(user_id, changes)
        .await
        .map_err(|err| match err {
            StoreError::Unique(_) => DomainError::Conflict("Email has already been taken".into()),
            other => other.into(),
        })?
        .ok_or(DomainError::NotFound("User"))
}

/// The settings people change on their own profile.
pub struct OwnSettings {
    pub private_profile: bool,
    pub achievements_enabled: bool,
}

pub async fn update_own_settings(app: &AppState, actor: &Actor, settings: OwnSettings) -> DomainResult<UserRow> {
    let me = actor.require_user()?;
    if !policy::update_user(&actor.viewer(), me.id) {
        return Err(DomainError::NotFound("User"));
    }
    let changes = UserChanges {
        private_profile: Some(settings.private_profile),
        achievements_enabled: Some(settings.achievements_enabled),
        ..UserChanges::default()
    };
    let mut tx = app.store.write().await?;
    let user = save_changes(&mut tx, me.id, changes).await?;
    audit(&mut tx, actor, "user_updated", "User", user.id, serde_json::json!({})).await?;
    app.publish(&mut tx, Event::ProfileChanged { user_id: user.id }).await?;
    app.commit(tx).await?;
    Ok(user)
}

/// Changes one's own password, proven with the current one. Every other
/// session of the user ends (`keep_session`: the digest of the one asking).
pub async fn change_own_password(
    app: &AppState,
    actor: &Actor,
    current: &str,
    new: &str,
    keep_session: Option<&str>,
) -> DomainResult<()> {
    let me = actor.require_user()?;
    validate_password(new)?;
    // Counted against the lockout as a sign-in is: someone holding a stolen
    // session cannot try current passwords without end.
    match super::auth::check_password(app, Some(me), current).await? {
        super::auth::PasswordCheck::Right => {}
        super::auth::PasswordCheck::Wrong => return Err(DomainError::invalid("Current password is invalid")),
        super::auth::PasswordCheck::Locked => return Err(DomainError::AccountLocked),
    }
    let password_hash = Some(hash_password(new).await?);
    let mut tx = app.store.write().await?;
    // Still the password that was checked (not changed meanwhile).
    let now = tx.user_by_id_for_share(me.id).await?;
    if now.is_none_or(|now| now.password_hash != me.password_hash) {
        return Err(DomainError::invalid("Current password is invalid"));
    }
    tx.clear_sign_in_failures(me.id).await?;
    let user = save_changes(&mut tx, me.id, UserChanges { password_hash, ..UserChanges::default() }).await?;
    let keep = keep_session.map(digest);
    tx.delete_sessions_of_user(user.id, keep.as_deref()).await?;
    audit(&mut tx, actor, "password_changed", "User", user.id, serde_json::json!({})).await?;
    app.publish(&mut tx, Event::AccessChanged { user_id: user.id }).await?;
    app.commit(tx).await
}

/// A user whose profile the actor may read.
pub async fn find_user(app: &AppState, actor: &Actor, username: &str) -> DomainResult<UserRow> {
    let mut tx = app.store.read().await?;
    let user = tx.user_by_username(username).await?.ok_or(DomainError::NotFound("User"))?;
    if !policy::read_user_profile(&actor.viewer(), &facts::profile_facts(&user)) {
        return Err(DomainError::NotFound("User"));
    }
    Ok(user)
}

pub async fn user_by_id(app: &AppState, id: i64) -> DomainResult<UserRow> {
    let mut tx = app.store.read().await?;
    tx.user_by_id(id).await?.ok_or(DomainError::NotFound("User"))
}

/// Users by id, for rendering (e.g. who gave each reaction). Public fields only
/// are meant to be shown from these.
pub async fn users_by_ids(app: &AppState, ids: &[i64]) -> DomainResult<Vec<UserRow>> {
    let mut tx = app.store.read().await?;
    Ok(tx.users_by_ids(ids).await?)
}

/// Everyone may look users up by name (GitLab lists public fields of all users).
pub async fn list_users(app: &AppState, search: &str, limit: i64, offset: i64) -> DomainResult<Vec<UserRow>> {
    let mut tx = app.store.read().await?;
    Ok(tx.list_users(search, limit, offset).await?)
}

/// Any active or blocked user by exact username (case-insensitive), whatever
/// their profile's privacy: for naming a recipient, not for showing a profile.
pub async fn user_by_username(app: &AppState, username: &str) -> DomainResult<UserRow> {
    let mut tx = app.store.read().await?;
    tx.user_by_username(username).await?.ok_or(DomainError::NotFound("User"))
}

/// People to name as recipients (the award form's type-ahead): username or
/// name containing `query`, blocked users left out.
pub async fn search_people(app: &AppState, query: &str, limit: i64) -> DomainResult<Vec<UserRow>> {
    let query = query.trim().trim_start_matches('@').to_lowercase();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let found = list_users(app, &query, limit, 0).await?;
    Ok(found.into_iter().filter(|u| !u.is_blocked()).collect())
}

/// Lifts a lock left by failed sign-ins (admins only). Whether there was one.
pub async fn unlock_user(app: &AppState, actor: &Actor, user_id: i64) -> DomainResult<bool> {
    super::require_admin(actor)?;
    let mut tx = app.store.write().await?;
    if tx.user_by_id(user_id).await?.is_none() {
        return Err(DomainError::NotFound("User"));
    }
    let unlocked = tx.clear_sign_in_failures(user_id).await?;
    super::audit(&mut tx, actor, "user_unlocked", "User", user_id, serde_json::json!({})).await?;
    app.commit(tx).await?;
    Ok(unlocked)
}
