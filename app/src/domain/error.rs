use crate::store::StoreError;

/// Why a use case did not happen. Each surface maps this once to its own dialect.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The subject does not exist, or the actor may not know it exists. The name
    /// is GitLab's ("Issue", "Award Emoji", ...), used in REST's `404 <what> Not Found`.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The actor can see the subject but may not do this.
    #[error("forbidden")]
    Forbidden,
    /// Authentication is required, or the credentials are wrong.
    #[error("unauthorized")]
    Unauthorized,
    /// A personal access token past its `expires_at` date.
    #[error("token expired")]
    TokenExpired,
    /// A personal access token that was revoked (or rotated).
    #[error("token revoked")]
    TokenRevoked,
    /// Validation failed; Rails-style messages ("Name can't be blank").
    #[error("{}", .0.join(", "))]
    Invalid(Vec<String>),
    /// The request conflicts with the current state ("has already been taken").
    #[error("{0}")]
    Conflict(String),
    /// Too many of these requests from this caller (or for this group) for now.
    #[error("too many requests; retry in {retry_after} s")]
    RateLimited { retry_after: u64 },
    /// Too many failed sign-ins: GitLab's "Your account is locked."
    #[error("Your account is locked.")]
    AccountLocked,
    /// `If-Unmodified-Since` was older than the resource.
    #[error("precondition failed")]
    PreconditionFailed,
    #[error(transparent)]
    Store(StoreError),
    #[error("file storage: {0}")]
    Io(#[from] std::io::Error),
    /// A secret could not be sealed or opened (`secrets`).
    #[error(transparent)]
    Secrets(#[from] super::secrets::SealError),
}

impl From<StoreError> for DomainError {
    fn from(err: StoreError) -> Self {
        match err {
            // The request's fault, not the server's: a validation message.
            StoreError::InvalidText => DomainError::invalid("Text can't contain NUL bytes"),
            // Made by another request a moment ago (after this one looked):
            // what a check before the write would have said.
            StoreError::Unique(_) => DomainError::Conflict("Has already been taken".into()),
            other => DomainError::Store(other),
        }
    }
}

impl DomainError {
    pub fn invalid(message: impl Into<String>) -> DomainError {
        DomainError::Invalid(vec![message.into()])
    }

    /// A path taken by another request a moment ago says so, as the check
    /// before the write would have.
    pub(crate) fn path_taken(err: StoreError) -> DomainError {
        match err {
            StoreError::Unique(_) => DomainError::Conflict("Path has already been taken".into()),
            other => other.into(),
        }
    }

    /// True when no database connection came free in time: the server is
    /// overloaded, not broken (503 and "try again", not 500).
    pub fn is_overloaded(&self) -> bool {
        matches!(self, DomainError::Store(StoreError::Database(sqlx::Error::PoolTimedOut)))
    }

    /// The error [`DomainError::is_overloaded`] tells, for a caller whose work
    /// was refused by another's attempt (one read made for many).
    pub fn overloaded() -> DomainError {
        DomainError::Store(StoreError::Database(sqlx::Error::PoolTimedOut))
    }

    /// True for failures that are the server's fault (to be logged, shown as 500).
    pub fn is_internal(&self) -> bool {
        matches!(self, DomainError::Store(_) | DomainError::Io(_) | DomainError::Secrets(_))
    }
}
