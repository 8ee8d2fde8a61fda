//! Secrets the instance must use again (credential signing seeds, webhook
//! tokens) are kept sealed: ChaCha20-Poly1305 with a key the database does not
//! hold (`SECRETS_KEY`, or a key file under `DATA_DIR`). A copy of the
//! database alone (a backup, a dump, a stolen file) cannot sign credentials or
//! webhook calls as this instance.
//!
//! Each sealed value names its column as associated data, so one cannot be
//! moved into another column and opened there. A process whose key is not the
//! one the database was sealed with refuses to start ([`take_in`]), before it
//! writes anything sealed.

use super::{AppState, DomainResult};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use std::sync::Arc;

/// The key's length in bytes (`SECRETS_KEY` is twice as many hex digits).
pub const KEY_LEN: usize = 32;

/// What a sealed value starts with: its format, then the nonce and the
/// ciphertext with its tag.
const SEALED: &[u8] = b"sealed:v1:";

/// Where a sealed value belongs: bound to it as associated data.
#[derive(Clone, Copy, Debug)]
pub enum Column {
    SigningSeed,
    HookToken,
    HookSigningToken,
    Check,
}

impl Column {
    fn name(self) -> &'static [u8] {
        match self {
            Column::SigningSeed => b"signing_keys.seed",
            Column::HookToken => b"group_hooks.token",
            Column::HookSigningToken => b"group_hooks.signing_token",
            Column::Check => b"secrets_check.sealed",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the system's random source failed")]
    Random,
    #[error("the secrets key is not {KEY_LEN} bytes")]
    KeyLength,
    #[error("a sealed secret does not open with this key")]
    Open,
    #[error(
        "SECRETS_KEY does not open this database's secrets: they were sealed with another key. Start every \
         process with the same SECRETS_KEY (or the same DATA_DIR/secrets.key)"
    )]
    WrongKey,
}

/// A new random key.
pub fn new_key() -> Result<[u8; KEY_LEN], SealError> {
    let mut key = [0u8; KEY_LEN];
    SystemRandom::new().fill(&mut key).map_err(|_| SealError::Random)?;
    Ok(key)
}

/// A key written as 64 hex digits (surrounding space ignored).
pub fn key_from_hex(text: &str) -> Option<[u8; KEY_LEN]> {
    hex::decode(text.trim()).ok()?.try_into().ok()
}

pub fn key_to_hex(key: &[u8; KEY_LEN]) -> String {
    hex::encode(key)
}

/// Seals and opens with the instance's key.
#[derive(Clone)]
pub struct Sealer {
    key: Arc<LessSafeKey>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    pub fn new(key: &[u8; KEY_LEN]) -> Result<Sealer, SealError> {
        let key = UnboundKey::new(&CHACHA20_POLY1305, key).map_err(|_| SealError::KeyLength)?;
        Ok(Sealer { key: Arc::new(LessSafeKey::new(key)) })
    }

    /// `plain` sealed for `column`, under a fresh random nonce.
    pub fn seal(&self, column: Column, plain: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| SealError::Random)?;
        let mut body = plain.to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(column.name()), &mut body)
            .map_err(|_| SealError::Random)?;
        Ok([SEALED, &nonce, &body].concat())
    }

    /// What [`Sealer::seal`] sealed for `column`; anything else is refused.
    pub fn open(&self, column: Column, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let rest = sealed.strip_prefix(SEALED).ok_or(SealError::Open)?;
        if rest.len() < NONCE_LEN {
            return Err(SealError::Open);
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Open)?;
        let mut body = body.to_vec();
        let plain = self.key.open_in_place(nonce, Aad::from(column.name()), &mut body).map_err(|_| SealError::Open)?;
        Ok(plain.to_vec())
    }

    /// A text secret sealed, as text (the format, then hex).
    pub fn seal_text(&self, column: Column, plain: &str) -> Result<String, SealError> {
        let sealed = self.seal(column, plain.as_bytes())?;
        Ok(format!("{}{}", String::from_utf8_lossy(SEALED), hex::encode(&sealed[SEALED.len()..])))
    }

    pub fn open_text(&self, column: Column, sealed: &str) -> Result<String, SealError> {
        let body = sealed.as_bytes().strip_prefix(SEALED).ok_or(SealError::Open)?;
        let body = hex::decode(body).map_err(|_| SealError::Open)?;
        let plain = self.open(column, &[SEALED, &body].concat())?;
        String::from_utf8(plain).map_err(|_| SealError::Open)
    }

    /// A text secret as stored: sealed (none stays none).
    pub fn seal_optional(&self, column: Column, plain: Option<&str>) -> Result<Option<String>, SealError> {
        plain.map(|p| self.seal_text(column, p)).transpose()
    }

    /// A text secret as stored, opened.
    pub fn open_optional(&self, column: Column, sealed: Option<&str>) -> Result<Option<String>, SealError> {
        sealed.map(|s| self.open_text(column, s)).transpose()
    }
}

fn is_sealed(value: &[u8]) -> bool {
    value.starts_with(SEALED)
}

/// What the check row holds, sealed.
const CHECK: &[u8] = b"laurel secrets key";

/// At start-up, before anything is sealed: the database's check row must
/// open with this process's key (the first process to open the database
/// writes it). Then every secret an older version kept in the clear is
/// sealed. Returns how many were.
pub async fn take_in(app: &AppState) -> DomainResult<usize> {
    let sealer = &app.instance.sealer;
    let mut tx = app.store.write().await?;
    if tx.secrets_check().await?.is_none() {
        tx.insert_secrets_check(&sealer.seal(Column::Check, CHECK)?).await?;
    }
    let check = tx.secrets_check().await?.unwrap_or_default();
    if sealer.open(Column::Check, &check).ok().as_deref() != Some(CHECK) {
        return Err(SealError::WrongKey.into());
    }
    let mut sealed = 0;
    for (id, seed) in tx.signing_seeds().await? {
        if !is_sealed(&seed) {
            tx.set_signing_seed(id, &sealer.seal(Column::SigningSeed, &seed)?).await?;
            sealed += 1;
        }
    }
    for (id, token, signing) in tx.hook_secrets().await? {
        let clear = |v: &Option<String>| v.as_deref().is_some_and(|v| !is_sealed(v.as_bytes()));
        if clear(&token) || clear(&signing) {
            let token = match token {
                Some(t) if !is_sealed(t.as_bytes()) => Some(sealer.seal_text(Column::HookToken, &t)?),
                other => other,
            };
            let signing = match signing {
                Some(t) if !is_sealed(t.as_bytes()) => Some(sealer.seal_text(Column::HookSigningToken, &t)?),
                other => other,
            };
            tx.set_hook_secrets(id, token.as_deref(), signing.as_deref()).await?;
            sealed += 1;
        }
    }
    app.commit(tx).await?;
    Ok(sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_in_its_column() {
        let sealer = Sealer::new(&[7; KEY_LEN]).expect("key");
        let sealed = sealer.seal_text(Column::HookToken, "s3cret-token").expect("sealed");
        assert!(sealed.starts_with("sealed:v1:") && !sealed.contains("s3cret"), "{sealed}");
        assert_eq!(sealer.open_text(Column::HookToken, &sealed).expect("opens"), "s3cret-token");
        // A fresh nonce each time: the same secret never looks the same.
        assert_ne!(sealer.seal_text(Column::HookToken, "s3cret-token").expect("sealed"), sealed);
        assert!(sealer.open_text(Column::HookSigningToken, &sealed).is_err(), "moved to another column");
        assert!(Sealer::new(&[8; KEY_LEN]).expect("key").open_text(Column::HookToken, &sealed).is_err(), "another key");
        let mut tampered = sealed.clone();
        tampered.replace_range(sealed.len() - 2.., if sealed.ends_with("00") { "ff" } else { "00" });
        assert!(sealer.open_text(Column::HookToken, &tampered).is_err(), "tampered");
        for junk in ["", "sealed:v1:", "sealed:v1:zz", "plain"] {
            assert!(sealer.open_text(Column::HookToken, junk).is_err(), "{junk:?}");
        }
        let seed = sealer.seal(Column::SigningSeed, &[1; 32]).expect("sealed");
        assert_eq!(sealer.open(Column::SigningSeed, &seed).expect("opens"), vec![1; 32]);
    }
}
