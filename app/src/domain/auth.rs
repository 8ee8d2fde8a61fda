//! Who is asking: browser sessions, personal access tokens, passwords.

use super::{AppState, DomainError, DomainResult};
use crate::policy::Viewer;
use crate::store::UserRow;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::distributions::Alphanumeric;
use rand::Rng;
use sha2::{Digest, Sha256};

/// The browser session cookie.
pub const SESSION_COOKIE: &str = "laurel_session";
pub const SESSION_DAYS: i64 = 14;
/// GitLab's token prefix, so tools that recognise tokens recognise ours.
pub const TOKEN_PREFIX: &str = "glpat-";

#[derive(Clone, Debug)]
pub enum Actor {
    Anonymous,
    User(Box<UserRow>),
}

impl Actor {
    pub fn user(&self) -> Option<&UserRow> {
        match self {
            Actor::Anonymous => None,
            Actor::User(user) => Some(user),
        }
    }

    pub fn id(&self) -> Option<i64> {
        self.user().map(|u| u.id)
    }

    pub fn viewer(&self) -> Viewer {
        match self.user() {
            None => Viewer::ANONYMOUS,
            Some(user) => Viewer { user_id: Some(user.id), admin: user.admin },
        }
    }

    /// The signed-in user, or `Unauthorized`.
    pub fn require_user(&self) -> DomainResult<&UserRow> {
        self.user().ok_or(DomainError::Unauthorized)
    }
}

/// SHA-256 of a high-entropy secret (tokens, session ids): a fast lookup key that
/// is useless to whoever reads the database.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn random_secret(len: usize) -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

pub fn hash_password(password: &str) -> DomainResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| DomainError::invalid("Password could not be hashed"))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A hash to verify against when the user does not exist, so that a wrong
/// username takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password").unwrap_or_default())
}

/// Checks a login (username or email) and password and opens a session. Returns
/// the session secret for the cookie. Blocked users cannot sign in.
pub async fn sign_in(app: &AppState, login: &str, password: &str) -> DomainResult<(String, UserRow)> {
    let mut tx = app.store.read().await?;
    let user = tx.user_by_login(login.trim()).await?;
    drop(tx);
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let ok = verify_password(password, hash.as_deref().unwrap_or(decoy_hash())) && hash.is_some();
    let user = match user {
        Some(user) if ok && !user.is_blocked() => user,
        _ => return Err(DomainError::Unauthorized),
    };
    let secret = random_secret(43);
    let mut tx = app.store.write().await?;
    tx.insert_session(user.id, &digest(&secret), SESSION_DAYS).await?;
    super::audit(&mut tx, &Actor::User(Box::new(user.clone())), "signed_in", "User", user.id, serde_json::json!({}))
        .await?;
    app.commit(tx).await?;
    Ok((secret, user))
}

pub async fn sign_out(app: &AppState, session_secret: &str) -> DomainResult<()> {
    let mut tx = app.store.write().await?;
    tx.delete_session(&digest(session_secret)).await?;
    app.commit(tx).await
}

/// The credentials a request carried.
#[derive(Debug, Default)]
pub struct Credentials<'a> {
    /// `PRIVATE-TOKEN` or `Authorization: Bearer`.
    pub token: Option<&'a str>,
    /// The session cookie's value.
    pub session: Option<&'a str>,
}

impl<'a> Credentials<'a> {
    pub fn from_headers(headers: &'a http::HeaderMap) -> Credentials<'a> {
        let token = headers
            .get("private-token")
            .and_then(|v| v.to_str().ok())
            .or_else(|| {
                headers
                    .get(http::header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            })
            .map(str::trim);
        let session = headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == SESSION_COOKIE)
            .map(|(_, value)| value);
        Credentials { token, session }
    }
}

/// Resolves who is asking. A token that is wrong, expired, revoked or belongs to a
/// blocked user is `Unauthorized` (clients must learn their token is bad); a stale
/// session cookie simply means anonymous.
pub async fn authenticate(app: &AppState, credentials: Credentials<'_>) -> DomainResult<Actor> {
    let mut tx = app.store.read().await?;
    if let Some(token) = credentials.token {
        let row = tx.token_by_digest(&digest(token)).await?;
        let live = row.filter(|t| !t.revoked && t.expires_at.is_none_or(|d| d >= chrono::Utc::now().date_naive()));
        let user = match live {
            Some(t) => tx.user_by_id(t.user_id).await?,
            None => None,
        };
        return match user {
            Some(user) if !user.is_blocked() => Ok(Actor::User(Box::new(user))),
            _ => Err(DomainError::Unauthorized),
        };
    }
    if let Some(session) = credentials.session {
        if let Some(user) = tx.user_by_session(&digest(session)).await? {
            if !user.is_blocked() {
                return Ok(Actor::User(Box::new(user)));
            }
        }
    }
    Ok(Actor::Anonymous)
}
