//! Who is asking, for every surface (REST, GraphQL, the live channel): one
//! extractor runs the domain's authentication; each surface maps a refusal and
//! checks a token's scopes (`app::policy::token_allows`) in its own dialect.

use crate::state::ServerState;
use app::domain::auth::{authenticate, Authenticated, Credentials, Grant};
use app::domain::DomainError;
use app::policy::{self, ApiUse};
use axum::extract::FromRequestParts;
use http::request::Parts;

/// The request's credentials, resolved, with the credentials as given (a
/// long-lived stream authenticates with them again later). A bad token is the
/// rejection; no credentials at all is an anonymous caller.
pub struct Auth(pub Authenticated, pub GivenCredentials);

/// What the request carried: a token, a session cookie's value, or neither.
#[derive(Clone, Debug, Default)]
pub struct GivenCredentials {
    pub token: Option<String>,
    pub session: Option<String>,
}

impl GivenCredentials {
    pub fn as_credentials(&self) -> Credentials<'_> {
        Credentials { token: self.token.as_deref(), session: self.session.as_deref() }
    }
}

/// Who the caller is, as the API throttle found it on the way in
/// (`throttle::unauthenticated_api`): [`Auth`] takes it instead of reading
/// again. A read that failed is not handed on (it is made again).
#[derive(Clone)]
pub enum Found {
    Caller(Authenticated),
    /// A token that does not work: wrong (or its user blocked), revoked, expired.
    Refused(Refusal),
}

#[derive(Clone, Copy)]
pub enum Refusal {
    Unknown,
    Revoked,
    Expired,
}

impl Found {
    /// What `authenticate` answered, unless it failed to read.
    pub fn of(answer: Result<Authenticated, DomainError>) -> Option<Found> {
        match answer {
            Ok(caller) => Some(Found::Caller(caller)),
            Err(DomainError::Unauthorized) => Some(Found::Refused(Refusal::Unknown)),
            Err(DomainError::TokenRevoked) => Some(Found::Refused(Refusal::Revoked)),
            Err(DomainError::TokenExpired) => Some(Found::Refused(Refusal::Expired)),
            Err(_) => None,
        }
    }

    /// Whether the caller is signed in (a working token, or a session).
    pub fn signed_in(&self) -> bool {
        matches!(self, Found::Caller(caller) if caller.actor.user().is_some())
    }
}

impl From<Refusal> for DomainError {
    fn from(refusal: Refusal) -> DomainError {
        match refusal {
            Refusal::Unknown => DomainError::Unauthorized,
            Refusal::Revoked => DomainError::TokenRevoked,
            Refusal::Expired => DomainError::TokenExpired,
        }
    }
}

/// Why authentication refused the request (wrong, expired or revoked token;
/// or the database failed).
pub struct AuthRejection(pub DomainError);

/// Surfaces map the refusal in their own dialect; used bare, it is a plain 401.
impl axum::response::IntoResponse for AuthRejection {
    fn into_response(self) -> axum::response::Response {
        (http::StatusCode::UNAUTHORIZED, "401 Unauthorized").into_response()
    }
}

impl FromRequestParts<ServerState> for Auth {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Self::Rejection> {
        let given = Credentials::from_headers(&parts.headers, state.app.instance.session_cookie());
        let owned =
            GivenCredentials { token: given.token.map(str::to_string), session: given.session.map(str::to_string) };
        // Found already by the unauthenticated-API throttle on the way in.
        let authenticated = match parts.extensions.remove::<Found>() {
            Some(Found::Caller(caller)) => caller,
            Some(Found::Refused(refusal)) => return Err(AuthRejection(refusal.into())),
            None => authenticate(&state.app, given).await.map_err(AuthRejection)?,
        };
        Ok(Auth(authenticated, owned))
    }
}

impl Auth {
    /// Whether the credentials allow this use: sessions and anonymous callers
    /// are limited by the account alone, tokens also by their scopes.
    pub fn allows(&self, usage: ApiUse) -> bool {
        match &self.0.grant {
            Grant::Anonymous | Grant::Session => true,
            Grant::Token { scopes, .. } => policy::token_allows(scopes, usage),
        }
    }
}
