//! Secrets the instance must use again (credential signing seeds, webhook
//! tokens) are kept sealed: ChaCha20-Poly1305 with a key the database does not
//! hold (`SECRETS_KEY`, or a key file under `DATA_DIR`). A copy of the
//! database alone (a backup, a dump, a stolen file) cannot sign credentials or
//! webhook calls as this instance.
//!
//! Each sealed value names its column as associated data, so one cannot be
//! moved into another column and opened there. A process whose key is not the
//! one the database was sealed with refuses to start ([`take_in`]), before it
//! writes anything sealed. A new key replaces the old one by a start with both
//! (`SECRETS_KEY` and `SECRETS_KEY_PREVIOUS`): everything is sealed again.

use super::{AppState, DomainResult};
use crate::store::Tx;
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
        Ok(text_of(&self.seal(column, plain.as_bytes())?))
    }

    pub fn open_text(&self, column: Column, sealed: &str) -> Result<String, SealError> {
        if !is_sealed(sealed.as_bytes()) {
            return Err(SealError::Open);
        }
        let plain = self.open(column, &bytes_of(sealed))?;
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

/// A text column's value as bytes: a sealed one as [`Sealer::seal`] gives it,
/// anything else as it is.
fn bytes_of(text: &str) -> Vec<u8> {
    match text.as_bytes().strip_prefix(SEALED).map(hex::decode) {
        Some(Ok(body)) => [SEALED, &body].concat(),
        _ => text.as_bytes().to_vec(),
    }
}

/// Sealed bytes as a text column keeps them.
fn text_of(sealed: &[u8]) -> String {
    format!("{}{}", String::from_utf8_lossy(SEALED), hex::encode(sealed.get(SEALED.len()..).unwrap_or_default()))
}

/// What the check row holds, sealed.
const CHECK: &[u8] = b"laurel secrets key";

fn opens_check(sealer: &Sealer, check: &[u8]) -> bool {
    sealer.open(Column::Check, check).ok().as_deref() == Some(CHECK)
}

/// Makes the database's check value `current`'s: written if there is none,
/// kept if `current` opens it, replaced if `replaceable` says so (and it is
/// still the value read: else another process replaced it first, and won);
/// otherwise [`SealError::WrongKey`].
async fn own_check(tx: &mut Tx, current: &Sealer, replaceable: impl Fn(&[u8]) -> bool) -> DomainResult<()> {
    if tx.secrets_check().await?.is_none() {
        tx.insert_secrets_check(&current.seal(Column::Check, CHECK)?).await?;
    }
    let check = tx.secrets_check().await?.unwrap_or_default();
    if opens_check(current, &check) {
        return Ok(());
    }
    if replaceable(&check) && tx.set_secrets_check(&check, &current.seal(Column::Check, CHECK)?).await? {
        return Ok(());
    }
    Err(SealError::WrongKey.into())
}

/// What [`take_in`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TakenIn {
    /// Kept in the clear by an older version, now sealed.
    pub sealed: usize,
    /// Sealed with the previous key, now with this one.
    pub resealed: usize,
    /// Opening with neither key: left as they are (their use fails).
    pub unopened: usize,
}

/// The keys a start-up may meet: this process's, and the one it replaces
/// (`SECRETS_KEY_PREVIOUS`), if any.
struct Keys<'a> {
    current: &'a Sealer,
    previous: Option<&'a Sealer>,
}

impl Keys<'_> {
    /// What a stored value becomes: `None` when it stays as it is.
    fn renewed(&self, column: Column, stored: &[u8], taken: &mut TakenIn) -> Result<Option<Vec<u8>>, SealError> {
        if !is_sealed(stored) {
            taken.sealed += 1;
            return self.current.seal(column, stored).map(Some);
        }
        if self.current.open(column, stored).is_ok() {
            return Ok(None);
        }
        match self.previous.map(|previous| previous.open(column, stored)) {
            Some(Ok(plain)) => {
                taken.resealed += 1;
                self.current.seal(column, &plain).map(Some)
            }
            _ => {
                taken.unopened += 1;
                Ok(None)
            }
        }
    }

    fn renewed_text(
        &self,
        column: Column,
        stored: Option<&str>,
        taken: &mut TakenIn,
    ) -> Result<Option<String>, SealError> {
        let Some(stored) = stored else { return Ok(None) };
        Ok(self.renewed(column, &bytes_of(stored), taken)?.map(|sealed| text_of(&sealed)))
    }
}

/// At start-up, before anything is sealed: the database's check row must
/// open with this process's key (the first process to open the database
/// writes it), or with `previous`, the key this one replaces: then every
/// secret sealed with that one is sealed again with this one, and so is any
/// sealed with it later (a process not yet restarted) at each start while
/// `previous` is given. Every secret an older version kept in the clear is
/// sealed. All in one transaction: a failure leaves the database as it was.
pub async fn take_in(app: &AppState, previous: Option<&Sealer>) -> DomainResult<TakenIn> {
    let keys = Keys { current: &app.instance.sealer, previous };
    let mut tx = app.store.write().await?;
    own_check(&mut tx, keys.current, |check| previous.is_some_and(|p| opens_check(p, check))).await?;
    let mut taken = TakenIn::default();
    for (id, seed) in tx.signing_seeds().await? {
        if let Some(renewed) = keys.renewed(Column::SigningSeed, &seed, &mut taken)? {
            tx.set_signing_seed(id, &seed, &renewed).await?;
        }
    }
    for (id, token, signing) in tx.hook_secrets().await? {
        let new_token = keys.renewed_text(Column::HookToken, token.as_deref(), &mut taken)?;
        let new_signing = keys.renewed_text(Column::HookSigningToken, signing.as_deref(), &mut taken)?;
        if new_token.is_some() || new_signing.is_some() {
            let old = (token.as_deref(), signing.as_deref());
            let new = (new_token.as_deref().or(old.0), new_signing.as_deref().or(old.1));
            tx.set_hook_secrets(id, old, new).await?;
        }
    }
    app.commit(tx).await?;
    Ok(taken)
}

/// What [`forget`] gave up.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Forgotten {
    /// Hook tokens and signing tokens, now none.
    pub hook_secrets: usize,
    /// Signing keys, now retired (still published: what they signed verifies).
    pub signing_keys: usize,
}

/// When the key is lost (`server --forget-secrets`): every sealed secret that
/// does not open with this process's key is given up, and the database is
/// this key's from now on. Hooks lose the tokens (their owners set new ones);
/// signing keys are retired, so the next credential is signed by a new one
/// and the old ones stay published. What opens with this key is kept: run
/// with the right key, it changes nothing. Unless `apply`, only counts.
pub async fn forget(app: &AppState, apply: bool) -> DomainResult<Forgotten> {
    let sealer = &app.instance.sealer;
    let mut tx = app.store.write().await?;
    own_check(&mut tx, sealer, |_| true).await?;
    let mut forgotten = Forgotten::default();
    for (id, seed) in tx.unretired_signing_seeds().await? {
        if is_sealed(&seed) && sealer.open(Column::SigningSeed, &seed).is_err() {
            tx.retire_signing_key(id).await?;
            forgotten.signing_keys += 1;
        }
    }
    for (id, token, signing) in tx.hook_secrets().await? {
        let old = (token.as_deref(), signing.as_deref());
        let given_up = &mut forgotten.hook_secrets;
        let new =
            (kept(sealer, Column::HookToken, old.0, given_up), kept(sealer, Column::HookSigningToken, old.1, given_up));
        if new != old {
            tx.set_hook_secrets(id, old, new).await?;
        }
    }
    if apply {
        app.commit(tx).await?;
    }
    Ok(forgotten)
}

/// A text secret `forget` keeps: all but a sealed one this key does not open.
fn kept<'a>(sealer: &Sealer, column: Column, value: Option<&'a str>, given_up: &mut usize) -> Option<&'a str> {
    match value {
        Some(v) if is_sealed(v.as_bytes()) && sealer.open_text(column, v).is_err() => {
            *given_up += 1;
            None
        }
        other => other,
    }
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

    #[test]
    fn at_start_up_a_value_is_sealed_sealed_again_kept_or_left() {
        let key = |byte: u8| Sealer::new(&[byte; KEY_LEN]).expect("key");
        let (old, new, unknown) = (key(1), key(2), key(3));
        let keys = Keys { current: &new, previous: Some(&old) };
        let mut taken = TakenIn::default();
        let column = Column::HookToken;
        let clear = keys.renewed(column, b"in the clear", &mut taken).expect("renewed").expect("sealed");
        assert_eq!(new.open(column, &clear).expect("opens"), b"in the clear");
        let current = new.seal(column, b"current").expect("sealed");
        assert_eq!(keys.renewed(column, &current, &mut taken).expect("renewed"), None, "kept");
        let previous = old.seal(column, b"previous").expect("sealed");
        let again = keys.renewed(column, &previous, &mut taken).expect("renewed").expect("sealed again");
        assert_eq!(new.open(column, &again).expect("opens"), b"previous");
        let stray = unknown.seal(column, b"stray").expect("sealed");
        assert_eq!(keys.renewed(column, &stray, &mut taken).expect("renewed"), None, "left");
        assert_eq!(taken, TakenIn { sealed: 1, resealed: 1, unopened: 1 });
        // Text columns alike.
        let text = old.seal_text(column, "token").expect("sealed");
        let renewed = keys.renewed_text(column, Some(&text), &mut taken).expect("renewed").expect("again");
        assert_eq!(new.open_text(column, &renewed).expect("opens"), "token");
        assert_eq!(keys.renewed_text(column, None, &mut taken).expect("renewed"), None);
    }
}
