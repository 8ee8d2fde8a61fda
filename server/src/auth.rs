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
        let authenticated = match parts.extensions.remove::<Authenticated>() {
            Some(found) => found,
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
