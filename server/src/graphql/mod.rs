//! GitLab's GraphQL API at `POST /api/graphql` (async-graphql): thin resolvers
//! over the domain, GitLab's type and argument names, both error channels.

mod award_emoji;
pub mod budget;
mod connection;
pub mod ids;
mod mutation;
mod projects;
mod query;
pub mod shape;
mod types;

use crate::auth::{Auth, AuthRejection};
use crate::state::ServerState;
use app::domain::award_emoji::Votes;
use app::domain::listing::Listing;
use app::domain::listing::Window;
use app::domain::{achievements, users, Actor, AppState, DomainError};
use app::events::{AwardableKind, AwardableRef};
use app::policy::ApiUse;
use app::store::{AchievementRow, NamespaceRow, UserRow};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, NextValidation, ResolveInfo,
};
use async_graphql::{EmptySubscription, Error, ErrorExtensions, Result, Schema};
use async_graphql::{ParseRequestError, ServerError, ServerResult, ValidationResult};
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::Mutex;

pub type LaurelSchema = Schema<query::Query, Mutation, EmptySubscription>;

/// Every mutation: achievements and award emoji.
#[derive(async_graphql::MergedObject, Default)]
pub struct Mutation(mutation::AchievementMutation, award_emoji::AwardEmojiMutation);

/// GitLab's message for "missing, or not yours to see".
pub const NOT_AVAILABLE: &str =
    "The resource that you are attempting to access does not exist or you don't have permission to perform this action";

/// GitLab's connection page size limit.
const MAX_PAGE_SIZE: usize = app::domain::listing::MAX_PAGE_SIZE;

/// GitLab's limits (spec §7): complexity by who asks, depth, query size, time.
const MAX_COMPLEXITY_ANONYMOUS: usize = 200;
const MAX_COMPLEXITY_SIGNED_IN: usize = 250;
const MAX_COMPLEXITY_ADMIN: usize = 300;
const MAX_DEPTH_ANONYMOUS: usize = 15;
const MAX_DEPTH_SIGNED_IN: usize = 20;
const MAX_QUERY_CHARS: usize = 10_000;
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

pub fn schema() -> LaurelSchema {
    Schema::build(query::Query, Mutation::default(), EmptySubscription)
        // GitLab's interfaces, which no field returns as such.
        .register_output_type::<types::User>()
        .register_output_type::<types::GroupInterface>()
        .register_output_type::<projects::NoteableInterface>()
        .limit_recursive_depth(32)
        .extension(CostLimits)
        .extension(ReadOnlyGuard)
        .finish()
}

/// GitLab's connection cost: `(children + 1) x (1 + min(first, last, 100) x 0.01)`;
/// an unbounded connection counts as a full page of 100.
pub fn connection_cost(children: usize, first: Option<i32>, last: Option<i32>) -> usize {
    let size = match (first, last) {
        (Some(f), Some(l)) => f.min(l),
        (Some(n), None) | (None, Some(n)) => n,
        (None, None) => MAX_PAGE_SIZE as i32,
    }
    .clamp(0, MAX_PAGE_SIZE as i32) as usize;
    ((children + 1) * (100 + size)).div_ceil(100)
}

/// Who is asking, and the shared state, for every resolver; plus what this
/// request has already loaded, so a list of N nodes does not cost N lookups
/// of the same user or achievement.
pub struct Ctx {
    pub app: AppState,
    pub actor: Actor,
    /// False for credentials that may only read (a `read_api` token).
    may_write: bool,
    /// What this request's connections may still load.
    budget: budget::NodeBudget,
    users: Memo<Option<UserRow>>,
    achievements: Memo<Option<AchievementRow>>,
    visible_groups: Memo<Option<NamespaceRow>>,
    /// Votes on the items this request listed, loaded a page at a time.
    votes: Mutex<HashMap<AwardableRef, Votes>>,
    /// Pages of an achievement's awards, of its holders, and of a person's
    /// awards (with hidden ones or not) this request loaded.
    achievement_awards: Loaded<(i64, Window), Listing<achievements::HeldAward>>,
    achievement_holders: Loaded<(i64, Window), Listing<UserRow>>,
    user_awards: Loaded<(i64, bool, Window), Listing<achievements::DisplayedAward>>,
}

/// Pages this request loaded, by what was asked for. A query may name one
/// achievement (or person) in every item of a list, nested as deep as it
/// likes, and each would load the same page again: a hundred awards of one
/// achievement load its page of awards once. The items of a list resolve
/// together, so a page asked for while it loads waits for that load.
struct Loaded<K, V>(Mutex<HashMap<K, Arc<tokio::sync::OnceCell<V>>>>);

impl<K: Eq + Hash, V: Clone> Loaded<K, V> {
    fn new() -> Self {
        Loaded(Mutex::new(HashMap::new()))
    }

    /// The page under `key`, loaded by `load` (which takes a page from the
    /// budget) the first time only; a load that failed is tried again.
    async fn get_or_load<Fut: Future<Output = Result<V>>>(&self, key: K, load: impl FnOnce() -> Fut) -> Result<V> {
        let cell = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).entry(key).or_default().clone();
        cell.get_or_try_init(load).await.cloned()
    }
}

/// Per-request results by id (the request has one actor, so answers never leak).
struct Memo<V>(Mutex<HashMap<i64, V>>);

impl<V: Clone> Memo<V> {
    fn new() -> Self {
        Memo(Mutex::new(HashMap::new()))
    }
    fn get(&self, id: i64) -> Option<V> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&id).cloned()
    }
    fn put(&self, id: i64, value: V) {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(id, value);
    }
}

impl Ctx {
    pub fn new(app: AppState, actor: Actor, may_write: bool) -> Self {
        Ctx {
            app,
            actor,
            may_write,
            budget: budget::NodeBudget::default(),
            users: Memo::new(),
            achievements: Memo::new(),
            visible_groups: Memo::new(),
            votes: Mutex::new(HashMap::new()),
            achievement_awards: Loaded::new(),
            achievement_holders: Loaded::new(),
            user_awards: Loaded::new(),
        }
    }

    /// A user by id (public fields only are exposed by `UserCore`).
    pub async fn user(&self, id: i64) -> Result<Option<UserRow>> {
        if let Some(hit) = self.users.get(id) {
            return Ok(hit);
        }
        let found = users::users_by_ids(&self.app, &[id]).await.map_err(top_level)?.into_iter().next();
        self.users.put(id, found.clone());
        Ok(found)
    }

    /// An achievement the actor can reach, or `None`.
    pub async fn achievement(&self, id: i64) -> Result<Option<AchievementRow>> {
        if let Some(hit) = self.achievements.get(id) {
            return Ok(hit);
        }
        let found = match achievements::find_achievement(&self.app, &self.actor, id).await {
            Ok(row) => Some(row),
            Err(DomainError::NotFound(_) | DomainError::Forbidden | DomainError::Unauthorized) => None,
            Err(other) => return Err(top_level(other)),
        };
        self.achievements.put(id, found.clone());
        Ok(found)
    }

    /// The achievement's group if the actor may see it ("a private namespace" otherwise).
    pub async fn visible_group(&self, achievement: &AchievementRow) -> Result<Option<NamespaceRow>> {
        if let Some(hit) = self.visible_groups.get(achievement.id) {
            return Ok(hit);
        }
        let found = achievements::visible_group(&self.app, &self.actor, achievement).await.map_err(top_level)?;
        self.visible_groups.put(achievement.id, found.clone());
        Ok(found)
    }

    /// Thumbs up and down on an item: from the page it was listed in, or loaded.
    pub async fn votes(&self, item: AwardableRef) -> Result<Votes> {
        let known = self.votes.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&item).copied();
        match known {
            Some(votes) => Ok(votes),
            None => app::domain::award_emoji::votes(&self.app, item).await.map_err(top_level),
        }
    }

    /// Loads the votes on a page of items at once, for their `upvotes` / `downvotes`.
    pub async fn prefetch_votes(&self, kind: AwardableKind, ids: &[i64]) -> Result<()> {
        let found = app::domain::award_emoji::votes_of(&self.app, kind, ids).await.map_err(top_level)?;
        let mut votes = self.votes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for &id in ids {
            votes.insert(AwardableRef { kind, id }, found.get(&id).copied().unwrap_or_default());
        }
        Ok(())
    }

    /// Refuses a lookup once the request's node budget is spent.
    pub fn check_budget(&self) -> Result<()> {
        self.budget.check().map_err(|over| Error::new(over.to_string()))
    }

    /// GraphQL's connection arguments as a window, for a page taken from the
    /// request's budget; [`connection`] charges the nodes it loaded.
    pub fn window(
        &self,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Window> {
        let window = window(first, after, last, before)?;
        self.open_page()?;
        Ok(window)
    }

    fn open_page(&self) -> Result<()> {
        self.budget.open_page().map_err(|over| Error::new(over.to_string()))
    }

    /// A page of an achievement's awards, their holders remembered when it loads.
    pub async fn achievement_awards(&self, id: i64, window: Window) -> Result<Listing<achievements::HeldAward>> {
        self.achievement_awards
            .get_or_load((id, window), || async {
                self.open_page()?;
                let page =
                    achievements::achievement_awards(&self.app, &self.actor, id, window).await.map_err(top_level)?;
                for held in &page.items {
                    self.users.put(held.holder.id, Some(held.holder.clone()));
                }
                Ok(page)
            })
            .await
    }

    /// A page of an achievement's holders.
    pub async fn achievement_holders(&self, id: i64, window: Window) -> Result<Listing<UserRow>> {
        self.achievement_holders
            .get_or_load((id, window), || async {
                self.open_page()?;
                achievements::achievement_holders(&self.app, &self.actor, id, window).await.map_err(top_level)
            })
            .await
    }

    /// A page of a person's awards, each achievement and group remembered when it loads.
    pub async fn user_awards(
        &self,
        id: i64,
        include_hidden: bool,
        window: Window,
    ) -> Result<Listing<achievements::DisplayedAward>> {
        self.user_awards
            .get_or_load((id, include_hidden, window), || async {
                self.open_page()?;
                let page = achievements::user_awards(&self.app, &self.actor, id, include_hidden, window)
                    .await
                    .map_err(top_level)?;
                for shown in &page.items {
                    self.remember(shown);
                }
                Ok(page)
            })
            .await
    }

    /// Remembers what a profile listing already loaded.
    pub fn remember(&self, award: &achievements::DisplayedAward) {
        self.achievements.put(award.achievement.id, Some(award.achievement.clone()));
        self.visible_groups.put(award.achievement.id, award.group.clone());
    }
}

pub fn ctx<'a>(context: &async_graphql::Context<'a>) -> &'a Ctx {
    context.data_unchecked::<Ctx>()
}

/// A domain error on the top-level channel: missing or forbidden things all read
/// the same, so nothing leaks; internal failures are logged, not shown.
pub fn top_level(err: DomainError) -> Error {
    match err {
        busy if busy.is_overloaded() => {
            tracing::warn!("GraphQL resolver refused, overloaded: {busy}");
            Error::new("Service unavailable, please try again")
        }
        DomainError::Store(_) | DomainError::Io(_) | DomainError::Secrets(_) => {
            tracing::error!("GraphQL resolver failed: {err}");
            Error::new("Internal server error")
        }
        DomainError::Invalid(messages) => Error::new(messages.join(", ")),
        DomainError::Conflict(message) => Error::new(message),
        DomainError::RateLimited { retry_after } => {
            Error::new(app::domain::limits::RATE_LIMITED).extend_with(|_, e| {
                e.set("code", "RATE_LIMITED");
                e.set("retryAfter", retry_after);
            })
        }
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

pub use connection::{connection, AwardEmojiPage, Page};

/// GraphQL's connection arguments as the window the domain loads, unbudgeted
/// (resolvers go through [`Ctx::window`]) (opaque
/// offset cursors `o:<index>`, sizes capped at 100).
fn window(first: Option<i32>, after: Option<String>, last: Option<i32>, before: Option<String>) -> Result<Window> {
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
            Some(n) => Ok(Some(n as usize)),
            None => Ok(None),
        }
    };
    Ok(Window::cursors(size(first)?, decode(after)?, size(last)?, decode(before)?))
}

/// `POST /api/graphql` (JSON or the multipart request spec for uploads).
/// Any token that fails, or lacks `api`/`read_api`, is GitLab's `401 Invalid
/// token`; a `read_api` token's mutations are refused as unauthorized ones are.
pub async fn handler(
    State(state): State<ServerState>,
    auth: std::result::Result<Auth, AuthRejection>,
    request: std::result::Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let auth = match auth {
        Ok(auth) if auth.allows(ApiUse::Read) => auth,
        Err(AuthRejection(err)) if err.is_internal() => {
            let status =
                if err.is_overloaded() { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::INTERNAL_SERVER_ERROR };
            return errors(status, &top_level(err).message);
        }
        _ => return errors(StatusCode::UNAUTHORIZED, "Invalid token"),
    };
    let may_write = auth.allows(ApiUse::Write);
    let mut request = match request {
        Ok(request) => request.into_inner(),
        // Not a GraphQL request at all (not JSON, a batch, a broken upload).
        Err(GraphQLRejection(err)) => {
            let status = match err {
                ParseRequestError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            };
            return errors(status, &err.to_string());
        }
    };
    if request.query.chars().count() > MAX_QUERY_CHARS {
        return errors(StatusCode::UNPROCESSABLE_ENTITY, "Query too large");
    }
    // Before parsing and validating, which the timeout below cannot stop.
    if let Err(refused) = shape::check_nesting(&request.query) {
        return errors(StatusCode::OK, &refused.to_string());
    }
    if let Ok(document) = request.parsed_query() {
        if let Err(refused) = shape::check_fields(document) {
            return errors(StatusCode::OK, &refused.to_string());
        }
    }
    let request = request.data(Ctx::new(state.app.clone(), auth.0.actor, may_write));
    match tokio::time::timeout(TIMEOUT, state.graphql.execute(request)).await {
        Ok(response) => GraphQLResponse::from(response).into_response(),
        Err(_) => errors(
            StatusCode::SERVICE_UNAVAILABLE,
            "Request timed out. Please try a less complex query or a smaller set of records.",
        ),
    }
}

/// A response of GraphQL errors alone (nothing ran).
fn errors(status: StatusCode, message: &str) -> Response {
    (status, Json(serde_json::json!({ "errors": [{ "message": message }] }))).into_response()
}

/// GitLab's complexity and depth limits, by who asks, in GitLab's words.
struct CostLimits;

impl ExtensionFactory for CostLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostLimits)
    }
}

#[async_trait::async_trait]
impl Extension for CostLimits {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> std::result::Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let (complexity, depth) = match ctx.data_opt::<Ctx>().and_then(|c| c.actor.user()) {
            None => (MAX_COMPLEXITY_ANONYMOUS, MAX_DEPTH_ANONYMOUS),
            Some(user) if user.admin => (MAX_COMPLEXITY_ADMIN, MAX_DEPTH_SIGNED_IN),
            Some(_) => (MAX_COMPLEXITY_SIGNED_IN, MAX_DEPTH_SIGNED_IN),
        };
        if result.depth > depth {
            let message = format!("Query has depth of {}, which exceeds max depth of {depth}", result.depth);
            return Err(vec![ServerError::new(message, None)]);
        }
        if result.complexity > complexity {
            let message =
                format!("Query has complexity of {}, which exceeds max complexity of {complexity}", result.complexity);
            return Err(vec![ServerError::new(message, None)]);
        }
        Ok(result)
    }
}

/// Refuses every mutation field when the credentials may only read (a
/// `read_api` token), with the same top-level error as an unauthorized mutation.
struct ReadOnlyGuard;

impl ExtensionFactory for ReadOnlyGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ReadOnlyGuard)
    }
}

#[async_trait::async_trait]
impl Extension for ReadOnlyGuard {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<async_graphql::Value>> {
        let may_write = ctx.data_opt::<Ctx>().is_some_and(|c| c.may_write);
        if info.parent_type == "Mutation" && !may_write {
            return Err(ServerError::new(NOT_AVAILABLE, None));
        }
        next.run(ctx, info).await
    }
}
