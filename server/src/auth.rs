//! Who is asking, for every surface (REST, GraphQL, the live channel): one
//! extractor runs the domain's authentication; each surface maps a refusal and
//! checks a token's scopes (`app::policy::token_allows`) in its own dialect.

use crate::state::ServerState;
use app::domain::auth::{authenticate, Authenticated, Credentials, Grant};
use app::domain::DomainError;
use app::policy::{self, ApiUse};
use axum::extract::FromRequestParts;
use http::request::Parts;

/// The request's credentials, resolved. A bad token is the rejection; no
/// credentials at all is an anonymous caller.
pub struct Auth(pub Authenticated);

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
        authenticate(&state.app, Credentials::from_headers(&parts.headers, state.app.instance.session_cookie()))
            .await
            .map(Auth)
            .map_err(AuthRejection)
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
