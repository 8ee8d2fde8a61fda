//! The instance's credential signing keys.

use super::{exec, now, on, StoreResult, Tx};
use chrono::{DateTime, Utc};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SigningKeyRow {
    pub id: i64,
    pub kid: String,
    pub seed: Vec<u8>,
    pub public_key: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

const KEY_COLUMNS: &str = "id, kid, seed, public_key, created_at, retired_at";

impl Tx {
    /// The key that signs now: the newest one not retired.
    pub async fn active_signing_key(&mut self) -> StoreResult<Option<SigningKeyRow>> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM signing_keys WHERE retired_at IS NULL ORDER BY id DESC LIMIT 1");
        on!(self, c => sqlx::query_as::<_, SigningKeyRow>(&sql).fetch_optional(c).await)
    }

    /// Every key, newest first (all are published: old credentials still verify).
    pub async fn signing_keys(&mut self) -> StoreResult<Vec<SigningKeyRow>> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM signing_keys ORDER BY id DESC");
        on!(self, c => sqlx::query_as::<_, SigningKeyRow>(&sql).fetch_all(c).await)
    }

    pub async fn count_signing_keys(&mut self) -> StoreResult<i64> {
        on!(self, c => sqlx::query_scalar("SELECT COUNT(*) FROM signing_keys").fetch_one(c).await)
    }

    /// Adds a key unless one with its `kid` exists (two processes making the
    /// first key at once: one wins, both then read it).
    pub async fn insert_signing_key(&mut self, kid: &str, seed: &[u8], public_key: &[u8]) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "INSERT INTO signing_keys (kid, seed, public_key, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (kid) DO NOTHING")
            .bind(kid).bind(seed).bind(public_key).bind(now()).execute(c).await)?;
        Ok(())
    }

    /// Marks an award's credential revoked (idempotent).
    pub async fn revoke_credential(&mut self, award_id: i64) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "INSERT INTO revoked_credentials (award_id, revoked_at) VALUES ($1, $2) ON CONFLICT (award_id) DO NOTHING")
            .bind(award_id).bind(now()).execute(c).await)?;
        Ok(())
    }

    /// Marks the credentials of every award of an achievement revoked (it is being deleted).
    pub async fn revoke_credentials_of_achievement(&mut self, achievement_id: i64) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "INSERT INTO revoked_credentials (award_id, revoked_at) SELECT id, $2 FROM user_achievements \
             WHERE achievement_id = $1 ON CONFLICT (award_id) DO NOTHING")
            .bind(achievement_id).bind(now()).execute(c).await)?;
        Ok(())
    }

    /// The revoked award ids in `[from, until)`.
    pub async fn revoked_credentials_between(&mut self, from: i64, until: i64) -> StoreResult<Vec<i64>> {
        on!(self, c => sqlx::query_scalar(
            "SELECT award_id FROM revoked_credentials WHERE award_id >= $1 AND award_id < $2")
            .bind(from).bind(until).fetch_all(c).await)
    }

    /// Retires every key but the one with `kid`.
    pub async fn retire_signing_keys_but(&mut self, kid: &str) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "UPDATE signing_keys SET retired_at = $2 WHERE kid <> $1 AND retired_at IS NULL")
            .bind(kid).bind(now()).execute(c).await)?;
        Ok(())
    }
}
