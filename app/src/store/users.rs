//! Users, personal access tokens and browser sessions.

use super::{exec, now, on, StoreResult, TokenRow, Tx, UserRow};
use chrono::NaiveDate;

const USER_COLUMNS: &str = "id, username, name, email, password_hash, admin, state, private_profile, \
     achievements_enabled, bio, avatar, created_at, updated_at";

pub struct NewUser<'a> {
    pub username: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub password_hash: Option<&'a str>,
    pub admin: bool,
    pub private_profile: bool,
}

/// Fields an update may change; `None` leaves a field alone.
#[derive(Default)]
pub struct UserChanges {
    pub name: Option<String>,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub admin: Option<bool>,
    pub state: Option<String>,
    pub private_profile: Option<bool>,
    pub achievements_enabled: Option<bool>,
    pub bio: Option<String>,
}

impl Tx {
    pub async fn count_users(&mut self) -> StoreResult<i64> {
        on!(self, c => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(c).await)
    }

    pub async fn insert_user(&mut self, user: NewUser<'_>) -> StoreResult<UserRow> {
        let sql = format!(
            "INSERT INTO users (username, name, email, password_hash, admin, private_profile, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {USER_COLUMNS}"
        );
        let at = now();
        on!(self, c => sqlx::query_as::<_, UserRow>(&sql)
            .bind(user.username).bind(user.name).bind(user.email).bind(user.password_hash)
            .bind(user.admin).bind(user.private_profile).bind(at)
            .fetch_one(c).await)
    }

    pub async fn user_by_id(&mut self, id: i64) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        on!(self, c => sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(c).await)
    }

    /// The users with these ids (any order; unknown ids are skipped).
    pub async fn users_by_ids(&mut self, ids: &[i64]) -> StoreResult<Vec<UserRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id IN ({})", placeholders.join(", "));
        on!(self, c => ids.iter().fold(sqlx::query_as::<_, UserRow>(&sql), |q, id| q.bind(id)).fetch_all(c).await)
    }

    pub async fn user_by_username(&mut self, username: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE lower(username) = lower($1)");
        on!(self, c => sqlx::query_as::<_, UserRow>(&sql).bind(username).fetch_optional(c).await)
    }

    pub async fn user_by_login(&mut self, login: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE lower(username) = lower($1) OR lower(email) = lower($1) \
             ORDER BY id LIMIT 1"
        );
        on!(self, c => sqlx::query_as::<_, UserRow>(&sql).bind(login).fetch_optional(c).await)
    }

    /// Users whose username or name contains `search` (case-insensitive), by id.
    pub async fn list_users(&mut self, search: &str, limit: i64, offset: i64) -> StoreResult<Vec<UserRow>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users \
             WHERE $1 = '' OR lower(username) LIKE $2 ESCAPE '\\' OR lower(name) LIKE $2 ESCAPE '\\' \
             ORDER BY id LIMIT $3 OFFSET $4"
        );
        on!(self, c => sqlx::query_as::<_, UserRow>(&sql)
            .bind(search).bind(super::like_escape_pattern(search)).bind(limit).bind(offset).fetch_all(c).await)
    }

    pub async fn update_user(&mut self, id: i64, changes: UserChanges) -> StoreResult<Option<UserRow>> {
        let sql = format!(
            "UPDATE users SET name = COALESCE($2, name), email = COALESCE($3, email), \
             password_hash = COALESCE($4, password_hash), admin = COALESCE($5, admin), \
             state = COALESCE($6, state), private_profile = COALESCE($7, private_profile), \
             achievements_enabled = COALESCE($8, achievements_enabled), bio = COALESCE($9, bio), \
             updated_at = $10 WHERE id = $1 RETURNING {USER_COLUMNS}"
        );
        let at = now();
        on!(self, c => sqlx::query_as::<_, UserRow>(&sql)
            .bind(id).bind(changes.name).bind(changes.email).bind(changes.password_hash)
            .bind(changes.admin).bind(changes.state).bind(changes.private_profile)
            .bind(changes.achievements_enabled).bind(changes.bio).bind(at)
            .fetch_optional(c).await)
    }

    pub async fn insert_token(
        &mut self,
        user_id: i64,
        name: &str,
        digest: &str,
        scopes: &str,
        expires_at: Option<NaiveDate>,
    ) -> StoreResult<TokenRow> {
        let at = now();
        on!(self, c => sqlx::query_as::<_, TokenRow>(
            "INSERT INTO personal_access_tokens (user_id, name, token_digest, scopes, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             RETURNING id, user_id, name, scopes, expires_at, revoked, created_at")
            .bind(user_id).bind(name).bind(digest).bind(scopes).bind(expires_at).bind(at)
            .fetch_one(c).await)
    }

    pub async fn token_by_digest(&mut self, digest: &str) -> StoreResult<Option<TokenRow>> {
        on!(self, c => sqlx::query_as::<_, TokenRow>(
            "SELECT id, user_id, name, scopes, expires_at, revoked, created_at \
             FROM personal_access_tokens WHERE token_digest = $1")
            .bind(digest).fetch_optional(c).await)
    }

    pub async fn insert_session(&mut self, user_id: i64, digest: &str, days: i64) -> StoreResult<()> {
        let at = now();
        exec!(self, c => sqlx::query(
            "INSERT INTO sessions (token_digest, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(digest).bind(user_id).bind(at).bind(at + chrono::Duration::days(days))
            .execute(c).await)?;
        Ok(())
    }

    /// The user of a live (unexpired) session.
    pub async fn user_by_session(&mut self, digest: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!(
            "SELECT {} FROM users u JOIN sessions s ON s.user_id = u.id \
             WHERE s.token_digest = $1 AND s.expires_at > $2",
            USER_COLUMNS.split(", ").map(|col| format!("u.{col}")).collect::<Vec<_>>().join(", ")
        );
        on!(self, c => sqlx::query_as::<_, UserRow>(&sql).bind(digest).bind(now()).fetch_optional(c).await)
    }

    pub async fn delete_session(&mut self, digest: &str) -> StoreResult<()> {
        exec!(self, c => sqlx::query("DELETE FROM sessions WHERE token_digest = $1").bind(digest).execute(c).await)?;
        Ok(())
    }
}
