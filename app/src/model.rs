//! What the browser and the server exchange through server functions.

use crate::events::EmojiCount;
use crate::i18n::Lang;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// The UI's error dialect: what a page can tell the user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum UiError {
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    #[error("sign in required")]
    Unauthorized,
    #[error("{}", .0.join(", "))]
    Invalid(Vec<String>),
    #[error("{0}")]
    Conflict(String),
    #[error("something went wrong on our side")]
    Internal,
    /// Transport problems (offline, server unreachable).
    #[error("{0}")]
    Transport(String),
}

impl FromServerFnError for UiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        UiError::Transport(value.to_string())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub admin: bool,
}

/// Who is signed in and which language the pages speak.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: Option<SessionUser>,
    pub lang: Lang,
}

/// One achievement on a profile, with every (visible) time it was awarded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileAchievement {
    pub achievement_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub avatar_url: Option<String>,
    /// The awarding group's full path, or None for "a private namespace".
    pub group: Option<String>,
    pub awards: Vec<ProfileAward>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileAward {
    pub id: i64,
    /// RFC 3339.
    pub awarded_at: String,
    pub message: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileView {
    pub username: String,
    pub name: String,
    pub bio: String,
    pub achievements: Vec<ProfileAchievement>,
}

/// The tally on an awardable after a reaction changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReactionSummary {
    pub counts: Vec<EmojiCount>,
    pub toggled_on: bool,
}
