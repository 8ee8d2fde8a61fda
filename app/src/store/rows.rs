//! Rows as they come out of the database (the same types on both backends).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::FromRow;

#[derive(Clone, Debug, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub email: String,
    pub password_hash: Option<String>,
    pub admin: bool,
    pub state: String,
    pub private_profile: bool,
    pub achievements_enabled: bool,
    pub bio: String,
    pub avatar: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl UserRow {
    pub fn is_blocked(&self) -> bool {
        self.state == "blocked"
    }
}

#[derive(Clone, Debug, FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub scopes: String,
    pub expires_at: Option<NaiveDate>,
    pub revoked: bool,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl TokenRow {
    pub fn scope_list(&self) -> Vec<String> {
        self.scopes.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
    }
}

#[derive(Clone, Debug, FromRow)]
pub struct NamespaceRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub path: String,
    pub full_path: String,
    pub parent_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub visibility: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, FromRow)]
pub struct MemberRow {
    pub user_id: i64,
    pub access_level: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub namespace_id: i64,
    pub name: String,
    pub path: String,
    pub full_path: String,
    pub visibility: String,
    pub description: String,
    pub creator_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An issue or a merge request: the fields they share, and those of their kind
/// (merge requests are never `confidential`; only they have branches).
#[derive(Clone, Debug, FromRow)]
pub struct WorkItemRow {
    pub id: i64,
    pub project_id: i64,
    pub iid: i64,
    pub title: String,
    pub description: String,
    pub author_id: Option<i64>,
    pub confidential: bool,
    pub source_branch: Option<String>,
    pub target_branch: Option<String>,
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, FromRow)]
pub struct SnippetRow {
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub file_name: String,
    pub content: String,
    pub visibility: String,
    pub author_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, FromRow)]
pub struct NoteRow {
    pub id: i64,
    pub project_id: i64,
    pub noteable_type: String,
    pub noteable_id: i64,
    pub author_id: Option<i64>,
    pub body: String,
    pub system: bool,
    pub confidential: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, FromRow)]
pub struct AchievementRow {
    pub id: i64,
    pub namespace_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub avatar: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An achievement a user shows on their profile, with who holds it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct HeldAchievementRow {
    pub holder_id: i64,
    #[sqlx(flatten)]
    pub achievement: AchievementRow,
}

/// An achievement's avatar image, with the file name its URL carries.
#[derive(Clone, Debug, FromRow)]
pub struct AvatarImageRow {
    pub file: Option<String>,
    pub content_type: String,
    pub digest: String,
    /// `None` when the asker already has these bytes.
    pub data: Option<Vec<u8>>,
}

#[derive(Clone, Debug, FromRow)]
pub struct UserAchievementRow {
    pub id: i64,
    pub achievement_id: i64,
    pub user_id: i64,
    pub awarded_by_user_id: Option<i64>,
    pub revoked_by_user_id: Option<i64>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub priority: Option<i64>,
    pub show_on_profile: bool,
    pub award_message: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, FromRow)]
pub struct AwardEmojiRow {
    pub id: i64,
    pub name: String,
    pub user_id: i64,
    pub awardable_type: String,
    pub awardable_id: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: i64,
    pub details: String,
    pub created_at: DateTime<Utc>,
    pub achievement_id: Option<i64>,
    /// The person it was done to (an award's recipient).
    pub subject_id: Option<i64>,
}

#[derive(Clone, Debug, FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub message_id: String,
    pub group_id: Option<i64>,
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub claimed_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub gave_up_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The abuse limits an admin sets (shared with the admin page).
pub use crate::model::AbuseLimits;
