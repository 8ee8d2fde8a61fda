//! Who is asking: browser sessions and personal access tokens (passwords: `passwords`).

use super::passwords::password_matches;
use super::{AppState, DomainError, DomainResult};
use crate::policy::Viewer;
use crate::store::{TokenRow, UserRow};
use rand::distributions::Alphanumeric;
use rand::Rng;
use sha2::{Digest, Sha256};

/// The browser session cookie. Over https it is `__Host-laurel_session`
/// (`Secure`, this host only, `Path=/`), so no other site or subdomain can
/// plant one; see [`session_cookie_name`].
pub const SESSION_COOKIE: &str = "laurel_session";
const SECURE_SESSION_COOKIE: &str = "__Host-laurel_session";

/// The session cookie's name for this instance: prefixed when served over https.
pub fn session_cookie_name(external_url: &str) -> &'static str {
    if external_url.starts_with("https://") {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}
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

/// What a password check counted against the account's lockout found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PasswordCheck {
    Right,
    Wrong,
    /// Locked, before or by this attempt: the password opens nothing.
    Locked,
}

/// Checks `password` against `user` (`None`: an unknown login, checked
/// against a decoy all the same), counted against the account's lockout:
/// sign-ins, and the current password when it is changed.
///
/// As GitLab: after `max_login_attempts` failures in a row, the account is
/// locked for a while ("Your account is locked."), even to the right password;
/// an admin can unlock it sooner. Each attempt is counted before its password
/// is checked: of attempts made together, only as many as the limit are
/// checked at all.
pub(crate) async fn check_password(
    app: &AppState,
    user: Option<&UserRow>,
    password: &str,
) -> DomainResult<PasswordCheck> {
    let limits = super::limits::current(app).await?;
    let lock_until = || {
        let period = chrono::Duration::minutes(limits.failed_login_attempts_unlock_period_in_minutes.into());
        crate::store::now() + period
    };
    let may_check = match user {
        Some(user) => {
            let mut tx = app.store.write().await?;
            let may = tx.begin_sign_in_attempt(user.id, limits.max_login_attempts).await?;
            tx.commit().await?;
            may
        }
        None => true,
    };
    // Checked even when refused, so that a refusal takes as long as an answer.
    let ok = password_matches(user, password).await;
    let Some(user) = user else { return Ok(PasswordCheck::Wrong) };
    if !may_check {
        // Counted past the limit with no lock set (attempts dropped before
        // they were recorded, or a lowered limit): the lock starts now and
        // expires, rather than the count refusing for good.
        let mut tx = app.store.write().await?;
        tx.lock_after_failures(user.id, limits.max_login_attempts, lock_until()).await?;
        tx.commit().await?;
        return Ok(PasswordCheck::Locked);
    }
    if ok {
        return Ok(PasswordCheck::Right);
    }
    let mut tx = app.store.write().await?;
    let locked_now = tx.lock_after_failures(user.id, limits.max_login_attempts, lock_until()).await?;
    if locked_now {
        let actor = Actor::User(Box::new(user.clone()));
        super::audit(&mut tx, &actor, "locked_after_failed_sign_ins", "User", user.id, serde_json::json!({})).await?;
    }
    app.commit(tx).await?;
    Ok(if locked_now { PasswordCheck::Locked } else { PasswordCheck::Wrong })
}

/// Checks a login (username or email) and password and opens a session. Returns
/// the session secret for the cookie. Blocked users cannot sign in. Counted
/// against the lockout ([`check_password`]).
pub async fn sign_in(app: &AppState, login: &str, password: &str) -> DomainResult<(String, UserRow)> {
    let mut tx = app.store.read().await?;
    let user = tx.user_by_login(login.trim()).await?;
    drop(tx);
    match check_password(app, user.as_ref(), password).await? {
        PasswordCheck::Right => {}
        PasswordCheck::Wrong => return Err(DomainError::Unauthorized),
        PasswordCheck::Locked => return Err(DomainError::AccountLocked),
    }
    let Some(user) = user.filter(|user| !user.is_blocked()) else { return Err(DomainError::Unauthorized) };
    let secret = random_secret(43);
    let mut tx = app.store.write().await?;
    // Locked meanwhile by attempts made together with this one: the right
    // password opens nothing either.
    if tx.locked_until(user.id).await?.is_some() {
        return Err(DomainError::AccountLocked);
    }
    // The password checked is still theirs, and they are not blocked: a new
    // password, or a block, made while it was checked ended every session,
    // and would have missed this one.
    let now = tx.user_by_id_for_share(user.id).await?;
    if now.is_none_or(|now| now.password_hash != user.password_hash || now.is_blocked()) {
        return Err(DomainError::Unauthorized);
    }
    tx.clear_sign_in_failures(user.id).await?;
    tx.insert_session(user.id, &digest(&secret), SESSION_DAYS).await?;
    super::audit(&mut tx, &Actor::User(Box::new(user.clone())), "signed_in", "User", user.id, serde_json::json!({}))
        .await?;
    app.commit(tx).await?;
    Ok((secret, user))
}

/// Ends the session; live streams opened with it end too (their user's
/// streams re-check their credentials at once).
pub async fn sign_out(app: &AppState, session_secret: &str) -> DomainResult<()> {
    let mut tx = app.store.write().await?;
    if let Some(user_id) = tx.delete_session(&digest(session_secret)).await? {
        app.publish(&mut tx, crate::events::Event::AccessChanged { user_id }).await?;
    }
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
    /// The credentials in a request; `cookie` is the instance's session cookie
    /// name ([`session_cookie_name`]), and no other name is read.
    pub fn from_headers(headers: &'a http::HeaderMap, cookie: &str) -> Credentials<'a> {
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
        Credentials { token, session: cookie_value(headers, cookie) }
    }
}

/// The value of the request's cookie called `name` (the only cookie parser).
pub fn cookie_value<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(cookie, _)| *cookie == name)
        .map(|(_, value)| value)
}

/// How a request proved who it is: what it may do is the account's, narrowed
/// by a token's scopes (`policy::token_allows`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    /// No credentials at all.
    Anonymous,
    /// A browser session: everything the account may do.
    Session,
    /// A personal access token with its scopes.
    Token { id: i64, scopes: Vec<String> },
}

/// The result of authentication: who, and through what.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub actor: Actor,
    pub grant: Grant,
}

/// Whether a token still works today: not revoked, and before its `expires_at`
/// date (it stops at 00:00 UTC of that day, as GitLab's do).
pub fn token_problem(token: &TokenRow, today: chrono::NaiveDate) -> Option<DomainError> {
    if token.revoked {
        Some(DomainError::TokenRevoked)
    } else if token.expires_at.is_some_and(|d| d <= today) {
        Some(DomainError::TokenExpired)
    } else {
        None
    }
}

/// Resolves who is asking. A token that is wrong, expired, revoked or belongs to a
/// blocked user is refused (clients must learn their token is bad; expired and
/// revoked tokens say so); a stale session cookie simply means anonymous.
pub async fn authenticate(app: &AppState, credentials: Credentials<'_>) -> DomainResult<Authenticated> {
    let Some(token) = credentials.token else { return authenticate_session(app, credentials).await };
    let digest = digest(token);
    let held = app.store.read_one(&digest, |tx, digest| Box::pin(tx.token_holder(digest))).await?;
    let (row, user) = held.ok_or(DomainError::Unauthorized)?;
    if let Some(problem) = token_problem(&row, chrono::Utc::now().date_naive()) {
        return Err(problem);
    }
    if user.is_blocked() {
        return Err(DomainError::Unauthorized);
    }
    Ok(Authenticated {
        actor: Actor::User(Box::new(user)),
        grant: Grant::Token { id: row.id, scopes: row.scope_list() },
    })
}

/// Resolves a browser session alone (server functions: tokens are for the APIs
/// and are ignored there, so a token never acts through a page's forms). A
/// visitor with no session cookie costs no transaction (every visitor's page,
/// API call and live stream would open and close one).
pub async fn authenticate_session(app: &AppState, credentials: Credentials<'_>) -> DomainResult<Authenticated> {
    let anonymous = Authenticated { actor: Actor::Anonymous, grant: Grant::Anonymous };
    let Some(session) = credentials.session else { return Ok(anonymous) };
    let digest = digest(session);
    match app.store.read_one(&digest, |tx, digest| Box::pin(tx.user_by_session(digest))).await? {
        Some(user) if !user.is_blocked() => {
            Ok(Authenticated { actor: Actor::User(Box::new(user)), grant: Grant::Session })
        }
        _ => Ok(anonymous),
    }
}
