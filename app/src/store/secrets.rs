//! The sealed secrets' columns, whole, and the row that tells whether a key
//! is the database's ([`crate::domain::secrets`]).

use super::{exec, now, on, StoreResult, Tx};

impl Tx {
    /// The check value sealed when the database was first opened.
    pub async fn secrets_check(&mut self) -> StoreResult<Option<Vec<u8>>> {
        on!(self, c => sqlx::query_scalar("SELECT sealed FROM secrets_check WHERE id = 1").fetch_optional(c).await)
    }

    /// Writes the check value unless one is there (processes started at once:
    /// the first one's stays, and the others check their key against it).
    pub async fn insert_secrets_check(&mut self, sealed: &[u8]) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "INSERT INTO secrets_check (id, sealed, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(sealed).bind(now()).execute(c).await)?;
        Ok(())
    }

    /// Replaces the check value `old` (the key replaced by another); false
    /// when it was no longer `old` (another process replaced it first).
    pub async fn set_secrets_check(&mut self, old: &[u8], sealed: &[u8]) -> StoreResult<bool> {
        let changed = exec!(self, c => sqlx::query("UPDATE secrets_check SET sealed = $1 WHERE id = 1 AND sealed = $2")
            .bind(sealed).bind(old).execute(c).await)?;
        Ok(changed == 1)
    }

    /// Every signing key's seed, as stored.
    pub async fn signing_seeds(&mut self) -> StoreResult<Vec<(i64, Vec<u8>)>> {
        on!(self, c => sqlx::query_as("SELECT id, seed FROM signing_keys ORDER BY id").fetch_all(c).await)
    }

    /// Replaces a seed that is still `old` (else false: changed meanwhile).
    pub async fn set_signing_seed(&mut self, id: i64, old: &[u8], seed: &[u8]) -> StoreResult<bool> {
        let changed = exec!(self, c => sqlx::query("UPDATE signing_keys SET seed = $2 WHERE id = $1 AND seed = $3")
            .bind(id).bind(seed).bind(old).execute(c).await)?;
        Ok(changed == 1)
    }

    /// Every signing key not retired: its id and seed, as stored.
    pub async fn unretired_signing_seeds(&mut self) -> StoreResult<Vec<(i64, Vec<u8>)>> {
        on!(self, c => sqlx::query_as("SELECT id, seed FROM signing_keys WHERE retired_at IS NULL ORDER BY id")
            .fetch_all(c).await)
    }

    pub async fn retire_signing_key(&mut self, id: i64) -> StoreResult<()> {
        exec!(self, c => sqlx::query("UPDATE signing_keys SET retired_at = $2 WHERE id = $1")
            .bind(id).bind(now()).execute(c).await)?;
        Ok(())
    }

    /// Every hook's token and signing token, as stored.
    pub async fn hook_secrets(&mut self) -> StoreResult<Vec<(i64, Option<String>, Option<String>)>> {
        on!(self, c => sqlx::query_as("SELECT id, token, signing_token FROM group_hooks ORDER BY id").fetch_all(c).await)
    }

    /// Replaces a hook's token and signing token if they are still `old`
    /// (else false: the hook was edited meanwhile, and keeps that edit).
    pub async fn set_hook_secrets(
        &mut self,
        id: i64,
        old: (Option<&str>, Option<&str>),
        new: (Option<&str>, Option<&str>),
    ) -> StoreResult<bool> {
        let changed = exec!(self, c => sqlx::query(
            "UPDATE group_hooks SET token = $2, signing_token = $3 \
             WHERE id = $1 AND token IS NOT DISTINCT FROM $4 AND signing_token IS NOT DISTINCT FROM $5")
            .bind(id).bind(new.0).bind(new.1).bind(old.0).bind(old.1).execute(c).await)?;
        Ok(changed == 1)
    }
}
