//! Users and their tokens: `/user`, `/users`, `/users/:id`,
//! `/users/:id/personal_access_tokens`.

use super::params::Params;
use super::{time, ApiError, Caller, Created, SignedIn};
use crate::state::ServerState;
use app::domain::users::{self, CreateUser, UpdateUser};
use app::domain::DomainError;
use app::store::UserRow;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// The short user shape GitLab embeds everywhere.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserBasic {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub state: String,
    pub locked: bool,
    pub avatar_url: Option<String>,
    pub web_url: String,
}

impl UserBasic {
    pub fn of(user: &UserRow, base: &str) -> Self {
        UserBasic {
            id: user.id,
            username: user.username.clone(),
            name: user.name.clone(),
            state: user.state.clone(),
            locked: false,
            avatar_url: app::domain::uploads::user_avatar_url(base, user),
            web_url: format!("{base}/{}", user.username),
        }
    }
}

/// The full shape: for the user themself and for admins.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserFull {
    #[serde(flatten)]
    basic: UserBasic,
    created_at: String,
    bio: String,
    public_email: Option<String>,
    email: String,
    is_admin: bool,
    private_profile: bool,
    bot: bool,
}

impl UserFull {
    fn of(user: &UserRow, base: &str) -> Self {
        UserFull {
            basic: UserBasic::of(user, base),
            created_at: time(user.created_at),
            bio: user.bio.clone(),
            public_email: None,
            email: user.email.clone(),
            is_admin: user.admin,
            private_profile: user.private_profile,
            bot: false,
        }
    }
}

/// Either shape, by who asks.
#[derive(Serialize)]
#[serde(untagged)]
pub enum UserJson {
    Full(UserFull),
    Basic(UserBasic),
}

pub async fn current_user(State(state): State<ServerState>, SignedIn(user): SignedIn) -> Json<UserFull> {
    Json(UserFull::of(&user, &state.app.instance.external_url))
}

/// `GET /users?username=` (exact) or `?search=`.
pub async fn list(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ApiError> {
    let base = &state.app.instance.external_url;
    let page = params.page()?;
    let found = match params.str("username")? {
        Some(username) => users::find_user(&state.app, &actor, &username).await.map(|u| vec![u]).unwrap_or_default(),
        None => {
            let search = params.str("search")?.unwrap_or_default();
            users::list_users(&state.app, &search, page.per_page, page.offset()).await?
        }
    };
    Ok(Json(found.iter().map(|u| UserBasic::of(u, base)).collect::<Vec<_>>()).into_response())
}

pub async fn show(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<UserJson>, ApiError> {
    let id: i64 = id.parse().map_err(|_| DomainError::NotFound("User"))?;
    let user = users::user_by_id(&state.app, id).await?;
    let user = users::find_user(&state.app, &actor, &user.username).await?;
    let base = &state.app.instance.external_url;
    let full = actor.user().is_some_and(|me| me.admin || me.id == user.id);
    Ok(Json(if full { UserJson::Full(UserFull::of(&user, base)) } else { UserJson::Basic(UserBasic::of(&user, base)) }))
}

/// `POST /users` (admin).
pub async fn create(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Response, ApiError> {
    let input = CreateUser {
        username: params.required("username")?,
        name: params.required("name")?,
        email: params.required("email")?,
        password: params.str("password")?,
        admin: params.bool("admin")?.unwrap_or(false),
        private_profile: params.bool("private_profile")?.unwrap_or(false),
    };
    let user = users::create_user(&state.app, &actor, input).await?;
    Ok(Created(UserFull::of(&user, &state.app.instance.external_url)).into_response())
}

/// `PUT /users/:id`: admins only, as in GitLab (`403` for anyone else, even on
/// their own account).
pub async fn update(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    params: Params,
) -> Result<Json<UserFull>, ApiError> {
    let id: i64 = id.parse().map_err(|_| DomainError::NotFound("User"))?;
    let input = UpdateUser {
        name: params.str("name")?,
        email: params.str("email")?,
        password: params.str("password")?,
        bio: params.str("bio")?,
        private_profile: params.bool("private_profile")?,
        achievements_enabled: params.bool("achievements_enabled")?,
        admin: params.bool("admin")?,
        blocked: None,
    };
    let user = users::update_user(&state.app, &actor, id, input).await?;
    Ok(Json(UserFull::of(&user, &state.app.instance.external_url)))
}
