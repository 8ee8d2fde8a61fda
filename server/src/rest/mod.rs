//! The GitLab REST API (v4, and v3 for award emoji): thin adapters over the
//! domain, speaking GitLab's JSON shapes, status codes and `{"message": ...}` errors.

mod achievements;
mod audit_events;
mod award_emoji;
mod award_rules;
pub mod credentials;
pub mod error;
mod groups;
mod hooks;
pub mod openapi;
mod pagination;
mod params;
mod projects;
mod reaction_sets;
mod settings;
mod tokens;
mod users;

pub use error::ApiError;

use crate::auth::{Auth, AuthRejection};
use crate::state::ServerState;
use app::domain::auth::Authenticated;
use app::domain::Actor;
use app::policy::{self, ApiUse};
use app::store::UserRow;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use http::request::Parts;
use projects::{Issues, MergeRequests};

pub fn routes() -> Router<ServerState> {
    use openapi::{Api, Kind::*, Op};
    use projects::{NoteJson, ProjectJson, SnippetJson, WorkItemJson};
    use users::{UserBasic, UserFull};
    let settings = app::store::AbuseLimits::default().fields_mut().map(|(name, _)| name);
    let settings_update = settings
        .iter()
        .fold(Op::one::<settings::SettingsJson>("Change the settings given (admins)", 200), |op, name| {
            op.optional(name, Int, "A limit (0 turns it off where the dashboard says so).")
        })
        .optional(settings::ALLOW_LOCAL, Bool, "Let webhooks target loopback and private network addresses.");
    let v4 = Api::default()
        .get("/user", users::current_user, Op::one::<UserFull>("The caller", 200))
        .get(
            "/users",
            users::list,
            Op::list::<UserBasic>("Users by exact username or a search")
                .query("username", Str, "Exact username.")
                .query("search", Str, "Part of a username or name.")
                .query("page", Int, "Page number.")
                .query("per_page", Int, "Items per page."),
        )
        .post(
            "/users",
            users::create,
            Op::one::<UserFull>("Create a user (admins)", 201)
                .field("username", Str, "Username.")
                .field("name", Str, "Full name.")
                .field("email", Str, "E-mail address.")
                .optional("password", Str, "Password (at least 8 characters).")
                .optional("admin", Bool, "Make an admin.")
                .optional("private_profile", Bool, "Hide the profile from others."),
        )
        .get("/users/{id}", users::show, Op::one::<UserBasic>("A user (all fields for themself and admins)", 200))
        .put(
            "/users/{id}",
            users::update,
            Op::one::<UserFull>("Change a user (admins)", 200)
                .optional("name", Str, "Full name.")
                .optional("email", Str, "E-mail address.")
                .optional("password", Str, "New password.")
                .optional("bio", Str, "About them.")
                .optional("private_profile", Bool, "Hide the profile.")
                .optional("achievements_enabled", Bool, "Show achievements on the profile.")
                .optional("admin", Bool, "Admin or not."),
        )
        .post(
            "/users/{id}/personal_access_tokens",
            tokens::create,
            Op::one::<tokens::TokenJson>("Make a token for a user (admins); the secret is shown once", 201)
                .field("name", Str, "Name.")
                .field("scopes", Strs, "Scopes: api, read_api, read_user.")
                .optional("expires_at", Date, "Last day it works (UTC).")
                .optional("description", Str, "Description."),
        )
        .get(
            "/personal_access_tokens",
            tokens::list,
            Op::list::<tokens::TokenJson>("Tokens: the caller's; admins anyone's")
                .query("user_id", Int, "Whose tokens (admins).")
                .query("revoked", Bool, "Revoked or not.")
                .query("state", Str, "active or inactive.")
                .query("search", Str, "Part of the name.")
                .query("page", Int, "Page number.")
                .query("per_page", Int, "Items per page."),
        )
        .get("/personal_access_tokens/self", tokens::show_self, Op::one::<tokens::TokenJson>("The token in use", 200))
        .delete("/personal_access_tokens/self", tokens::revoke_self, Op::nothing("Revoke the token in use"))
        .post(
            "/personal_access_tokens/self/rotate",
            tokens::rotate_self,
            Op::one::<tokens::TokenJson>("Rotate the token in use", 200).optional("expires_at", Date, "Last day."),
        )
        .get("/personal_access_tokens/{id}", tokens::show, Op::one::<tokens::TokenJson>("A token", 200))
        .delete("/personal_access_tokens/{id}", tokens::revoke, Op::nothing("Revoke a token"))
        .post(
            "/personal_access_tokens/{id}/rotate",
            tokens::rotate,
            Op::one::<tokens::TokenJson>("Rotate a token", 200).optional("expires_at", Date, "Last day."),
        )
        .get("/version", version, Op::one::<Version>("The version", 200))
        .get(
            "/application/settings",
            settings::show,
            Op::one::<settings::SettingsJson>("The abuse limits and webhook setting (admins)", 200),
        )
        .put("/application/settings", settings::update, settings_update)
        .get(
            "/groups",
            groups::list,
            Op::list::<groups::GroupJson>("Groups the caller can see")
                .query("search", Str, "Part of the name or path.")
                .query("page", Int, "Page number.")
                .query("per_page", Int, "Items per page."),
        )
        .post(
            "/groups",
            groups::create,
            Op::one::<groups::GroupJson>("Create a group", 201)
                .field("name", Str, "Name.")
                .field("path", Str, "Path.")
                .optional("parent_id", Int, "Parent group (a subgroup).")
                .optional("visibility", Str, "public or private.")
                .optional("description", Str, "Description."),
        )
        .get("/groups/{id}", groups::show, Op::one::<groups::GroupJson>("A group", 200))
        .get("/groups/{id}/members", groups::members, Op::list::<groups::MemberJson>("A group's direct members"))
        .post(
            "/groups/{id}/members",
            groups::add_member,
            Op::one::<groups::MemberJson>("Add a member", 201).field("user_id", Int, "The user.").field(
                "access_level",
                Int,
                "10, 20, 30, 40 or 50.",
            ),
        )
        .put(
            "/groups/{id}/members/{user_id}",
            groups::update_member,
            Op::one::<groups::MemberJson>("Change a member's level", 200).field("access_level", Int, "The level."),
        )
        .delete("/groups/{id}/members/{user_id}", groups::remove_member, Op::nothing("Remove a member"))
        .get(
            "/projects",
            projects::list,
            Op::list::<ProjectJson>("Projects the caller can see").query("page", Int, "Page number.").query(
                "per_page",
                Int,
                "Items per page.",
            ),
        )
        .post(
            "/projects",
            projects::create,
            Op::one::<ProjectJson>("Create a project", 201)
                .optional("name", Str, "Name (or path).")
                .optional("path", Str, "Path.")
                .optional("namespace_id", Int, "The group (default: the caller's namespace).")
                .optional("visibility", Str, "public or private.")
                .optional("description", Str, "Description."),
        )
        .get("/projects/{id}", projects::show, Op::one::<ProjectJson>("A project", 200))
        .get("/projects/{id}/members", projects::members, Op::list::<groups::MemberJson>("A project's members"))
        .post(
            "/projects/{id}/members",
            projects::add_member,
            Op::one::<groups::MemberJson>("Add a member", 201).field("user_id", Int, "The user.").field(
                "access_level",
                Int,
                "10, 20, 30, 40 or 50.",
            ),
        )
        .get("/projects/{id}/issues", projects::work_items::<Issues>, Op::page::<WorkItemJson>("A project's issues"))
        .post(
            "/projects/{id}/issues",
            projects::create_issue,
            Op::one::<WorkItemJson>("Open an issue", 201)
                .field("title", Str, "Title.")
                .optional("description", Str, "Description.")
                .optional("confidential", Bool, "Confidential."),
        )
        .get(
            "/projects/{id}/issues/{issue_iid}",
            projects::work_item::<Issues>,
            Op::one::<WorkItemJson>("An issue", 200),
        )
        .get(
            "/projects/{id}/merge_requests",
            projects::work_items::<MergeRequests>,
            Op::page::<WorkItemJson>("A project's merge requests"),
        )
        .post(
            "/projects/{id}/merge_requests",
            projects::create_merge_request,
            Op::one::<WorkItemJson>("Open a merge request", 201)
                .field("title", Str, "Title.")
                .field("source_branch", Str, "Source branch.")
                .field("target_branch", Str, "Target branch.")
                .optional("description", Str, "Description."),
        )
        .get(
            "/projects/{id}/merge_requests/{merge_request_iid}",
            projects::work_item::<MergeRequests>,
            Op::one::<WorkItemJson>("A merge request", 200),
        );
    let v4 = ["/projects/{id}/issues/{issue_iid}", "/projects/{id}/merge_requests/{merge_request_iid}"]
        .into_iter()
        .fold(v4, |api, item| {
            api.get(&format!("{item}/notes"), projects::notes, Op::page::<NoteJson>("Comments"))
                .post(
                    &format!("{item}/notes"),
                    projects::create_note,
                    Op::one::<NoteJson>("Comment", 201).field("body", Str, "Text.").optional(
                        "internal",
                        Bool,
                        "Internal (members only).",
                    ),
                )
                .get(&format!("{item}/notes/{{note_id}}"), projects::note, Op::one::<NoteJson>("A comment", 200))
        });
    let v4 =
        v4.get("/projects/{id}/snippets", projects::snippets, Op::list::<SnippetJson>("A project's snippets")).post(
            "/projects/{id}/snippets",
            projects::create_snippet,
            Op::one::<SnippetJson>("Create a snippet", 201)
                .field("title", Str, "Title.")
                .optional("file_name", Str, "File name.")
                .optional("content", Str, "Content.")
                .optional("visibility", Str, "public or private."),
        );
    let v4 = award_emoji::document(v4);
    let v4 = credentials::document(award_rules::document(achievements::document(v4)));
    let v4 = hooks::document(reaction_sets::document(audit_events::document(v4))).finish("/api/v4");
    Router::new()
        .nest("/v4", v4)
        .nest("/v3", award_emoji::routes_v3())
        .method_not_allowed_fallback(error::not_allowed)
        .fallback(error::not_found)
}

/// `201 Created` with the new thing as JSON.
pub struct Created<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Created<T> {
    fn into_response(self) -> axum::response::Response {
        axum::response::IntoResponse::into_response((http::StatusCode::CREATED, Json(self.0)))
    }
}

/// `GET /version`.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Version {
    version: &'static str,
    revision: &'static str,
}

/// A numeric path parameter; `400 {"error": "<name> is invalid"}` otherwise.
pub fn path_number(path: &std::collections::HashMap<String, String>, name: &str) -> Result<i64, ApiError> {
    path.get(name).ok_or_else(|| ApiError::missing(name))?.parse().map_err(|_| ApiError::invalid(name))
}

/// The request's address on this instance (without its query), for the
/// pagination `Link` header.
pub fn request_url(state: &ServerState, uri: &OriginalUri) -> String {
    format!("{}{}", state.app.instance.external_url, uri.path())
}

/// REST's `If-Unmodified-Since` precondition, if given as an HTTP date.
pub fn unmodified_since(headers: &http::HeaderMap) -> Option<DateTime<Utc>> {
    headers
        .get(http::header::IF_UNMODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// GitLab's time format: ISO 8601, milliseconds, UTC `Z`.
pub fn time(at: DateTime<Utc>) -> String {
    app::store::gitlab_time(at)
}

async fn version(SignedIn(_): SignedIn) -> Json<Version> {
    Json(Version { version: "17.0.0-laurel", revision: env!("CARGO_PKG_VERSION") })
}

/// What a REST request does, for a token's scopes: GitLab keys `read_user` to
/// `/user`, `/users...` and `/version`, `read_api` to reads, `api` to the rest.
pub fn api_use(method: &http::Method, path: &str) -> ApiUse {
    let path = path.strip_prefix("/api").unwrap_or(path);
    let path = path.strip_prefix("/v4").or_else(|| path.strip_prefix("/v3")).unwrap_or(path);
    if path == "/personal_access_tokens/self" && matches!(*method, http::Method::GET | http::Method::DELETE) {
        return ApiUse::OwnToken;
    }
    if !matches!(*method, http::Method::GET | http::Method::HEAD) {
        return ApiUse::Write;
    }
    let users = ["/user", "/users", "/version"].iter().any(|p| path == *p || path.starts_with(&format!("{p}/")));
    if users {
        ApiUse::ReadUsers
    } else {
        ApiUse::Read
    }
}

/// The caller with how they authenticated, after the token's scopes were
/// checked against this request (`403 insufficient_scope` otherwise).
pub struct AuthorizedCaller(pub Authenticated);

impl FromRequestParts<ServerState> for AuthorizedCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Self::Rejection> {
        let auth = Auth::from_request_parts(parts, state).await.map_err(|AuthRejection(err)| ApiError::from(err))?;
        let path = parts.extensions.get::<OriginalUri>().map_or_else(|| parts.uri.path(), |u| u.0.path()).to_string();
        let usage = api_use(&parts.method, &path);
        if !auth.allows(usage) {
            return Err(ApiError::InsufficientScope(policy::scopes_allowing(usage)));
        }
        Ok(AuthorizedCaller(auth.0))
    }
}

/// The caller, from `PRIVATE-TOKEN` / `Authorization: Bearer` (or the browser
/// session). A bad token is a 401, a token without the scope a 403, before any
/// handler runs.
pub struct Caller(pub Actor);

impl FromRequestParts<ServerState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Self::Rejection> {
        let AuthorizedCaller(auth) = AuthorizedCaller::from_request_parts(parts, state).await?;
        Ok(Caller(auth.actor))
    }
}

/// A caller who signed in (a token or a session): anyone else gets GitLab's
/// `401 Unauthorized` before the handler runs.
pub struct SignedIn(pub UserRow);

impl FromRequestParts<ServerState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ServerState) -> Result<Self, Self::Rejection> {
        let Caller(actor) = Caller::from_request_parts(parts, state).await?;
        Ok(SignedIn(actor.require_user()?.clone()))
    }
}
