//! Personal access tokens: create (admins, for anyone), list, show, revoke and
//! rotate (their owner, or an admin), as GitLab's `/personal_access_tokens` API
//! and the profile editor offer them. Secrets are shown once and stored as digests.

use super::auth::{digest, random_secret, token_problem, Grant, TOKEN_PREFIX};
use super::{audit, Actor, AppState, DomainError, DomainResult};
use crate::events::Event;
use crate::policy;
use crate::store::{NewToken, StoreError, TokenFilter, TokenRow, Tx};
use chrono::NaiveDate;

pub const TOKEN_SCOPES: &[&str] =
    &["api", "read_api", "read_user", "read_repository", "write_repository", "sudo", "admin_mode"];

/// GitLab's answer to rotating a revoked token.
pub const ALREADY_REVOKED: &str = "Token already revoked";

/// Rotated tokens without an explicit date expire a week later, as in GitLab.
const ROTATED_LIFETIME_DAYS: i64 = 7;

pub struct CreateToken {
    pub name: String,
    pub description: Option<String>,
    pub scopes: Vec<String>,
    pub expires_at: Option<NaiveDate>,
    /// Use this secret instead of a random one (`INITIAL_ROOT_TOKEN`).
    pub secret: Option<String>,
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Active: neither revoked nor expired (GitLab's `active` field).
pub fn active(token: &TokenRow) -> bool {
    token_problem(token, today()).is_none()
}

/// Creates a personal access token for `user_id` (admins only). Returns the row
/// and the secret, which is shown once and stored only as a digest.
pub async fn create_token(
    app: &AppState,
    actor: &Actor,
    user_id: i64,
    input: CreateToken,
) -> DomainResult<(TokenRow, String)> {
    if !policy::admin_all_resources(&actor.viewer()) {
        return Err(DomainError::Forbidden);
    }
    let mut tx = app.store.write().await?;
    let result = insert_token(&mut tx, user_id, input).await?;
    audit(&mut tx, actor, "token_created", "User", user_id, serde_json::json!({ "name": result.0.name })).await?;
    app.commit(tx).await?;
    Ok(result)
}

pub(crate) async fn insert_token(tx: &mut Tx, user_id: i64, input: CreateToken) -> DomainResult<(TokenRow, String)> {
    let name = input.name.trim();
    let mut errors = super::text::one_line_field("Name", name, 255);
    errors.extend(super::text::too_long("Description", input.description.as_deref(), 255));
    if input.scopes.is_empty() {
        errors.push("Scopes can't be blank".to_string());
    }
    if let Some(bad) = input.scopes.iter().find(|s| !TOKEN_SCOPES.contains(&s.as_str())) {
        errors.push(format!("Scopes can only contain available scopes ({bad} is not one)"));
    }
    if input.expires_at.is_some_and(|d| d <= today()) {
        errors.push("Expiration date must be in the future".to_string());
    }
    if input.secret.as_deref().is_some_and(|s| s.len() < 20) {
        errors.push("Token is too short (minimum is 20 characters)".to_string());
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    tx.user_by_id(user_id).await?.ok_or(DomainError::NotFound("User"))?;
    let secret = input.secret.unwrap_or_else(|| format!("{TOKEN_PREFIX}{}", random_secret(20)));
    let mut scopes = input.scopes;
    scopes.dedup();
    let row = tx
        .insert_token(NewToken {
            user_id,
            name,
            description: input.description.as_deref().map(str::trim).filter(|d| !d.is_empty()),
            digest: &digest(&secret),
            scopes: &scopes.join(","),
            expires_at: input.expires_at,
        })
        .await
        .map_err(|err| match err {
            StoreError::Unique(_) => DomainError::Conflict("Token has already been taken".into()),
            other => other.into(),
        })?;
    Ok((row, secret))
}

/// A token its owner or an admin may manage. Someone else's token is
/// `Unauthorized` (GitLab's 401 for another user's token); a missing one `NotFound`.
async fn manageable(tx: &mut Tx, actor: &Actor, token_id: i64) -> DomainResult<TokenRow> {
    let viewer = actor.viewer();
    let token = tx.token_by_id(token_id).await?.ok_or(DomainError::NotFound("Token"))?;
    if !policy::manage_token(&viewer, token.user_id) {
        return Err(DomainError::Unauthorized);
    }
    Ok(token)
}

/// The token a request authenticated with (`/personal_access_tokens/self`).
pub fn own_token_id(grant: &Grant) -> DomainResult<i64> {
    match grant {
        Grant::Token { id, .. } => Ok(*id),
        _ => Err(DomainError::Unauthorized),
    }
}

pub async fn find_token(app: &AppState, actor: &Actor, token_id: i64) -> DomainResult<TokenRow> {
    let mut tx = app.store.read().await?;
    manageable(&mut tx, actor, token_id).await
}

/// Which tokens to list; `user_id` is for admins (others always get their own).
#[derive(Default)]
pub struct ListTokens {
    pub user_id: Option<i64>,
    pub revoked: Option<bool>,
    /// `active` or `inactive`.
    pub state: Option<String>,
    pub search: String,
}

pub async fn list_tokens(
    app: &AppState,
    actor: &Actor,
    query: ListTokens,
    limit: i64,
    offset: i64,
) -> DomainResult<Vec<TokenRow>> {
    let me = actor.require_user()?;
    let user_id = if policy::admin_all_resources(&actor.viewer()) { query.user_id } else { Some(me.id) };
    let want_active = match query.state.as_deref() {
        None | Some("") => None,
        Some("active") => Some(true),
        Some("inactive") => Some(false),
        Some(_) => return Err(DomainError::invalid("state does not have a valid value")),
    };
    let search: String = query.search.trim().chars().take(255).collect();
    let mut tx = app.store.read().await?;
    let filter = TokenFilter { user_id, revoked: query.revoked, search: &search };
    let tokens = match want_active {
        // Expiry depends on today's date: filtered here, over a bounded window.
        Some(wanted) => tx
            .list_tokens(&filter, 10_000, 0)
            .await?
            .into_iter()
            .filter(|t| active(t) == wanted)
            .skip(offset.max(0) as usize)
            .take(limit.max(0) as usize)
            .collect(),
        None => tx.list_tokens(&filter, limit, offset).await?,
    };
    Ok(tokens)
}

/// Revokes a token (its owner or an admin). Revoking a revoked token changes nothing.
pub async fn revoke_token(app: &AppState, actor: &Actor, token_id: i64) -> DomainResult<TokenRow> {
    let mut tx = app.store.write().await?;
    let token = manageable(&mut tx, actor, token_id).await.map_err(|err| match err {
        // Not yours reads as missing when you try to revoke it.
        DomainError::Unauthorized => DomainError::NotFound("Token"),
        other => other,
    })?;
    let revoked = tx.revoke_token(token.id).await?;
    if let Some(revoked) = &revoked {
        audit(&mut tx, actor, "token_revoked", "User", revoked.user_id, serde_json::json!({ "token_id": token.id }))
            .await?;
        app.publish(&mut tx, Event::AccessChanged { user_id: revoked.user_id }).await?;
    }
    app.commit(tx).await?;
    Ok(revoked.unwrap_or(token))
}

/// Replaces a token with a new one of the same name and scopes; the old one is
/// revoked in the same transaction. Returns the new row and its secret.
pub async fn rotate_token(
    app: &AppState,
    actor: &Actor,
    token_id: i64,
    expires_at: Option<NaiveDate>,
) -> DomainResult<(TokenRow, String)> {
    let mut tx = app.store.write().await?;
    let token = manageable(&mut tx, actor, token_id).await?;
    if tx.revoke_token(token.id).await?.is_none() {
        return Err(DomainError::invalid(ALREADY_REVOKED));
    }
    let input = CreateToken {
        name: token.name.clone(),
        description: token.description.clone(),
        scopes: token.scope_list(),
        expires_at: Some(expires_at.unwrap_or_else(|| today() + chrono::Duration::days(ROTATED_LIFETIME_DAYS))),
        secret: None,
    };
    let result = insert_token(&mut tx, token.user_id, input).await?;
    let details = serde_json::json!({ "token_id": token.id, "new_token_id": result.0.id });
    audit(&mut tx, actor, "token_rotated", "User", token.user_id, details).await?;
    app.publish(&mut tx, Event::AccessChanged { user_id: token.user_id }).await?;
    app.commit(tx).await?;
    Ok(result)
}
