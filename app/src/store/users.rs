//! Users, personal access tokens and browser sessions.

use super::{exec, now, on, StoreResult, TokenRow, Tx, UserRow};
use chrono::{DateTime, NaiveDate, Utc};

const TOKEN_COLUMNS: &str = "id, user_id, name, description, scopes, expires_at, revoked, last_used_at, created_at";

pub struct NewToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub digest: &'a str,
    /// Comma-separated.
    pub scopes: &'a str,
    pub expires_at: Option<NaiveDate>,
}

/// Which tokens a listing wants.
#[derive(Default)]
pub struct TokenFilter<'a> {
    pub user_id: Option<i64>,
    pub revoked: Option<bool>,
    pub search: &'a str,
}

pub(super) const USER_COLUMNS: &str = "id, username, name, email, password_hash, admin, state, private_profile, \
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

    /// The user, read to be written after (PostgreSQL: `FOR SHARE`, so a
    /// change to the row waits for this transaction, or this read for it).
    pub async fn user_by_id_for_share(&mut self, id: i64) -> StoreResult<Option<UserRow>> {
        let lock = if self.is_postgres() { " FOR SHARE" } else { "" };
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1{lock}");
        on!(self, c => sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(c).await)
    }

    /// The users with these ids (any order; unknown ids are skipped).
    pub async fn users_by_ids(&mut self, ids: &[i64]) -> StoreResult<Vec<UserRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id IN ({})", super::numbered_params(1, ids.len()));
        on!(self, c => ids.iter().fold(sqlx::query_as::<_, UserRow>(&sql), |q, id| q.bind(id)).fetch_all(c).await)
    }

    /// Users by username or by e-mail (`column`), case-insensitively, in
    /// queries of at most 500 names.
    pub async fn users_named(&mut self, column: UserKey, names: &[String]) -> StoreResult<Vec<UserRow>> {
        let column = match column {
            UserKey::Username => "username",
            UserKey::Email => "email",
        };
        let mut found = Vec::new();
        for chunk in names.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("lower(${n})")).collect();
            let sql =
                format!("SELECT {USER_COLUMNS} FROM users WHERE lower({column}) IN ({})", placeholders.join(", "));
            let rows = on!(self, c => chunk.iter().fold(sqlx::query_as::<_, UserRow>(&sql), |q, n| q.bind(n)).fetch_all(c).await)?;
            found.extend(rows);
        }
        Ok(found)
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

    pub async fn insert_token(&mut self, token: NewToken<'_>) -> StoreResult<TokenRow> {
        let sql = format!(
            "INSERT INTO personal_access_tokens (user_id, name, description, token_digest, scopes, expires_at, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {TOKEN_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, TokenRow>(&sql)
            .bind(token.user_id).bind(token.name).bind(token.description).bind(token.digest)
            .bind(token.scopes).bind(token.expires_at).bind(now())
            .fetch_one(c).await)
    }

    /// The token with this digest and the user it acts for, in one statement.
    pub async fn token_holder(&mut self, digest: &str) -> StoreResult<Option<(TokenRow, UserRow)>> {
        let token = TOKEN_COLUMNS.split(", ").map(|col| format!("t.{col} AS token_{col}"));
        let user = USER_COLUMNS.split(", ").map(|col| format!("u.{col}"));
        let sql = format!(
            "SELECT {} FROM personal_access_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_digest = $1",
            token.chain(user).collect::<Vec<_>>().join(", ")
        );
        let row = on!(self, c => sqlx::query_as::<_, TokenHolderRow>(&sql).bind(digest).fetch_optional(c).await)?;
        Ok(row.map(TokenHolderRow::split))
    }

    pub async fn token_by_id(&mut self, id: i64) -> StoreResult<Option<TokenRow>> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM personal_access_tokens WHERE id = $1");
        on!(self, c => sqlx::query_as::<_, TokenRow>(&sql).bind(id).fetch_optional(c).await)
    }

    /// Tokens, newest first: of one user (or everyone's with `None`), optionally
    /// only revoked or unrevoked ones, and whose name contains `search`.
    pub async fn list_tokens(
        &mut self,
        filter: &TokenFilter<'_>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<TokenRow>> {
        let sql = format!(
            "SELECT {TOKEN_COLUMNS} FROM personal_access_tokens \
             WHERE ($1 IS NULL OR user_id = $1) AND ($2 IS NULL OR revoked = $2) \
             AND ($3 = '' OR lower(name) LIKE $4 ESCAPE '\\') ORDER BY id DESC LIMIT $5 OFFSET $6"
        );
        on!(self, c => sqlx::query_as::<_, TokenRow>(&sql)
            .bind(filter.user_id).bind(filter.revoked).bind(filter.search)
            .bind(super::like_escape_pattern(filter.search)).bind(limit).bind(offset)
            .fetch_all(c).await)
    }

    /// Marks a token revoked, unless it already is. Returns it if this call revoked it.
    pub async fn revoke_token(&mut self, id: i64) -> StoreResult<Option<TokenRow>> {
        let sql = format!(
            "UPDATE personal_access_tokens SET revoked = TRUE WHERE id = $1 AND revoked = FALSE \
             RETURNING {TOKEN_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, TokenRow>(&sql).bind(id).fetch_optional(c).await)
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

    /// Ends one session: whose it was, if it existed.
    pub async fn delete_session(&mut self, digest: &str) -> StoreResult<Option<i64>> {
        on!(self, c => sqlx::query_scalar("DELETE FROM sessions WHERE token_digest = $1 RETURNING user_id")
            .bind(digest).fetch_optional(c).await)
    }

    /// Ends every session of the user but `keep` (a session digest), if given.
    pub async fn delete_sessions_of_user(&mut self, user_id: i64, keep: Option<&str>) -> StoreResult<()> {
        exec!(self, c => sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR token_digest <> $2)")
            .bind(user_id).bind(keep).execute(c).await)?;
        Ok(())
    }
}

/// How a person is named in a list of recipients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserKey {
    Username,
    Email,
}

/// A token and its user in one row: the token's columns prefixed `token_`.
#[derive(sqlx::FromRow)]
struct TokenHolderRow {
    token_id: i64,
    token_user_id: i64,
    token_name: String,
    token_description: Option<String>,
    token_scopes: String,
    token_expires_at: Option<NaiveDate>,
    token_revoked: bool,
    token_last_used_at: Option<DateTime<Utc>>,
    token_created_at: DateTime<Utc>,
    #[sqlx(flatten)]
    user: UserRow,
}

impl TokenHolderRow {
    fn split(self) -> (TokenRow, UserRow) {
        let token = TokenRow {
            id: self.token_id,
            user_id: self.token_user_id,
            name: self.token_name,
            description: self.token_description,
            scopes: self.token_scopes,
            expires_at: self.token_expires_at,
            revoked: self.token_revoked,
            last_used_at: self.token_last_used_at,
            created_at: self.token_created_at,
        };
        (token, self.user)
    }
}
