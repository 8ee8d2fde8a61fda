//! GitLab's GraphQL API at `POST /api/graphql` (async-graphql): thin resolvers
//! over the domain, GitLab's type and argument names, both error channels.

mod award_emoji;
mod ids;
mod mutation;
mod query;
mod types;

use crate::rest::Caller;
use crate::state::ServerState;
use app::domain::{Actor, AppState, DomainError};
use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{EmptySubscription, Error, Result, Schema, SimpleObject};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;

pub type LaurelSchema = Schema<query::Query, Mutation, EmptySubscription>;

/// Every mutation: achievements and award emoji.
#[derive(async_graphql::MergedObject, Default)]
pub struct Mutation(mutation::AchievementMutation, award_emoji::AwardEmojiMutation);

/// GitLab's message for "missing, or not yours to see".
pub const NOT_AVAILABLE: &str =
    "The resource that you are attempting to access does not exist or you don't have permission to perform this action";

/// GitLab's connection page size limit.
const MAX_PAGE_SIZE: usize = 100;

pub fn schema() -> LaurelSchema {
    Schema::build(query::Query, Mutation::default(), EmptySubscription)
        .limit_depth(15)
        .limit_complexity(2_000)
        .limit_recursive_depth(32)
        .finish()
}

/// Who is asking, and the shared state, for every resolver.
pub struct Ctx {
    pub app: AppState,
    pub actor: Actor,
}

pub fn ctx<'a>(context: &async_graphql::Context<'a>) -> &'a Ctx {
    context.data_unchecked::<Ctx>()
}

/// A domain error on the top-level channel: missing or forbidden things all read
/// the same, so nothing leaks; internal failures are logged, not shown.
pub fn top_level(err: DomainError) -> Error {
    match err {
        DomainError::Store(_) | DomainError::Io(_) => {
            tracing::error!("GraphQL resolver failed: {err}");
            Error::new("Internal server error")
        }
        DomainError::Invalid(messages) => Error::new(messages.join(", ")),
        DomainError::Conflict(message) => Error::new(message),
        _ => Error::new(NOT_AVAILABLE),
    }
}

/// A mutation's result split into GitLab's two channels: validation and service
/// failures into the payload's `errors`, everything else top-level.
pub fn payload<T>(result: app::domain::DomainResult<T>) -> Result<(Option<T>, Vec<String>)> {
    match result {
        Ok(value) => Ok((Some(value), Vec::new())),
        Err(DomainError::Invalid(messages)) => Ok((None, messages)),
        Err(DomainError::Conflict(message)) => Ok((None, vec![message])),
        Err(other) => Err(top_level(other)),
    }
}

#[derive(SimpleObject)]
pub struct Count {
    /// Total number of items in the collection.
    pub count: usize,
}

/// A GitLab-shaped connection: `nodes`, `edges`, `pageInfo`, `count`.
pub type Page<T> = Connection<String, T, Count, EmptyFields>;

/// Pages an ordered list by opaque offset cursors.
pub async fn page<T: async_graphql::OutputType>(
    items: Vec<T>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<Page<T>> {
    let total = items.len();
    let decode = |cursor: Option<String>| -> Result<Option<usize>> {
        cursor
            .map(|c| {
                let raw = c.strip_prefix("o:").unwrap_or("");
                raw.parse::<usize>().map_err(|_| Error::new(format!("Invalid cursor: {c}")))
            })
            .transpose()
    };
    let size = |n: Option<i32>| -> Result<Option<usize>> {
        match n {
            Some(n) if n < 0 => Err(Error::new("first and last must not be negative")),
            Some(n) => Ok(Some((n as usize).min(MAX_PAGE_SIZE))),
            None => Ok(None),
        }
    };
    let mut start = decode(after)?.map_or(0, |a| a + 1).min(total);
    let mut end = decode(before)?.unwrap_or(total).min(total).max(start);
    if let Some(first) = size(first)? {
        end = end.min(start + first);
    }
    if let Some(last) = size(last)? {
        start = start.max(end.saturating_sub(last));
    }
    if first.is_none() && last.is_none() {
        end = end.min(start + MAX_PAGE_SIZE);
    }
    let mut connection = Connection::with_additional_fields(start > 0, end < total, Count { count: total });
    connection.edges.extend(
        items.into_iter().enumerate().skip(start).take(end - start).map(|(i, node)| Edge::new(format!("o:{i}"), node)),
    );
    Ok(connection)
}

/// `POST /api/graphql` (JSON or the multipart request spec for uploads).
pub async fn handler(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let request = request.into_inner().data(Ctx { app: state.app.clone(), actor });
    state.graphql.execute(request).await.into()
}
