//! What the browser and the server exchange through server functions.

use crate::events::{AwardableRef, EmojiCount};
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
    #[error("too many requests; try again in a minute")]
    TooManyRequests,
    #[error("something went wrong on our side")]
    Internal,
    /// Transport problems (offline, server unreachable).
    #[error("{0}")]
    Transport(String),
}

impl UiError {
    /// The HTTP status of a refusal (`None`: the server's own failure, 500).
    pub fn refusal_status(&self) -> Option<u16> {
        match self {
            UiError::NotFound => Some(404),
            UiError::Forbidden => Some(403),
            UiError::Unauthorized => Some(401),
            UiError::Invalid(_) => Some(400),
            UiError::Conflict(_) => Some(409),
            UiError::TooManyRequests => Some(429),
            UiError::Internal | UiError::Transport(_) => None,
        }
    }
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
    /// How widely it is held in that group (None with the group).
    pub held: Option<Held>,
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
    pub user_id: i64,
    pub username: String,
    /// The profile's address on this instance, to share.
    pub web_url: String,
    pub name: String,
    pub bio: String,
    pub achievements: Vec<ProfileAchievement>,
    /// What the achievements list shows, as its live stream marks it.
    pub live_mark: String,
}

/// The tally on an awardable after a reaction changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReactionSummary {
    pub counts: Vec<EmojiCount>,
    pub toggled_on: bool,
}

/// One emoji on an item: its tally, whether the viewer gave it, and who did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReactionView {
    pub name: String,
    pub emoji: String,
    pub count: i64,
    pub mine: bool,
    pub users: Vec<String>,
}

/// Something people react to (an issue, merge request or note) and its reactions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reactable {
    pub item: AwardableRef,
    pub reactions: Vec<ReactionView>,
    /// Signed in and allowed to react (system notes never are).
    pub can_react: bool,
}

/// The emoji a page's reaction pickers offer: the group's set (`None`: every
/// emoji), and whether thumbsdown is among them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionChoices {
    /// `(name, emoji)` in the set's order.
    pub only: Option<Vec<(String, String)>>,
    pub downvotes: bool,
}

impl Default for ReactionChoices {
    fn default() -> Self {
        ReactionChoices { only: None, downvotes: true }
    }
}

impl ReactionChoices {
    /// As an island's prop: `+` or `-` (thumbsdown allowed or not), then
    /// `name=emoji` pairs separated by spaces (none: every emoji). A string,
    /// so the browser needs no deserializer of its own for it.
    pub fn encode(&self) -> String {
        let mut out = String::from(if self.downvotes { "+" } else { "-" });
        for (name, emoji) in self.only.iter().flatten() {
            out.push_str(&format!(" {name}={emoji}"));
        }
        out
    }

    pub fn decode(text: &str) -> ReactionChoices {
        let only: Vec<(String, String)> = text
            .split(' ')
            .skip(1)
            .filter_map(|pair| pair.split_once('=').map(|(n, e)| (n.to_string(), e.to_string())))
            .collect();
        ReactionChoices { only: (!only.is_empty()).then_some(only), downvotes: !text.starts_with('-') }
    }

    pub fn admits(&self, name: &str) -> bool {
        (self.downvotes || name != "thumbsdown")
            && self.only.as_ref().is_none_or(|only| only.iter().any(|(n, _)| n == name))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoteView {
    pub id: i64,
    pub author: String,
    pub author_name: String,
    pub author_top: Option<TopAchievement>,
    pub body: String,
    pub created_at: String,
    pub internal: bool,
    pub reactions: Reactable,
}

/// The first achievement on someone's profile (as the viewer may see it),
/// shown as a small icon next to their name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopAchievement {
    pub id: i64,
    pub name: String,
    pub avatar_url: Option<String>,
}

/// An issue or merge request page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemView {
    pub iid: i64,
    pub title: String,
    pub description: String,
    pub state: String,
    pub confidential: bool,
    pub author: String,
    pub author_name: String,
    pub author_top: Option<TopAchievement>,
    pub created_at: String,
    pub project_path: String,
    pub project_name: String,
    pub reactions: Reactable,
    /// One page of the comments, oldest first.
    pub notes: Vec<NoteView>,
    pub notes_page: NotesPage,
    /// What the reaction pickers offer (the group's reaction set).
    pub choices: ReactionChoices,
}

/// Which page of an item's comments is shown: `page` of `pages` (from 1),
/// the comments `first` to `last` (from 1) of `total`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotesPage {
    pub page: usize,
    pub pages: usize,
    pub first: usize,
    pub last: usize,
    pub total: usize,
}

/// A line in a project's list of issues or merge requests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemSummary {
    pub iid: i64,
    pub title: String,
    pub state: String,
    pub author: String,
    pub upvotes: i64,
    pub downvotes: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectView {
    pub path: String,
    pub name: String,
    pub description: String,
    pub issues: Vec<ItemSummary>,
    pub merge_requests: Vec<ItemSummary>,
}

/// One of the signed-in user's own awards, as the profile editor manages it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManagedAward {
    pub id: i64,
    pub achievement_id: i64,
    pub name: String,
    pub avatar_url: Option<String>,
    pub description: Option<String>,
    pub group: Option<String>,
    pub awarded_at: String,
    pub message: Option<String>,
    pub shown: bool,
    /// Awaiting the recipient's accept or decline (when auto-accept is off).
    pub pending: bool,
}

/// The profile editor: settings and every award (hidden and pending included),
/// in profile order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileSettings {
    pub username: String,
    /// The profile's address on this instance (its embeds hang off it).
    pub web_url: String,
    pub achievements_enabled: bool,
    pub private_profile: bool,
    pub awards: Vec<ManagedAward>,
    /// What the awards sections show, as their live stream marks it.
    pub live_mark: String,
    pub tokens: Vec<OwnToken>,
}

/// One of the signed-in user's personal access tokens (never its secret).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnToken {
    pub id: i64,
    pub name: String,
    pub scopes: String,
    pub created_at: String,
    /// `YYYY-MM-DD`, or none for a token that never expires.
    pub expires_at: Option<String>,
    pub active: bool,
}

/// Someone holding an achievement (one row per award).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    pub award_id: i64,
    pub username: String,
    pub name: String,
    pub awarded_at: String,
    pub message: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AchievementCard {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub avatar_url: Option<String>,
    /// Its awards, newest first: every one (up to a thousand) for whoever
    /// manages them, the first few (the faces on the card) for anyone else.
    pub holders: Vec<Holder>,
    /// How many awards of it there are, shown or not.
    pub awards: usize,
    /// How widely it is held among the group's members.
    pub held: Held,
}

/// How rare an achievement is: the share of the group's members (direct or
/// inherited) who hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rarity {
    /// Held by at most 10%.
    Rare,
    /// At most 35%.
    Uncommon,
    Common,
}

/// How widely an achievement is held: its distinct holders (as the viewer may
/// count them) and its group's members, direct or inherited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub holders: usize,
    pub members: usize,
}

impl Held {
    /// The holders' share of the members, in whole percent. Holders from
    /// outside the group count as members, so it never passes 100.
    pub fn percent(&self) -> usize {
        self.holders * 100 / self.members.max(self.holders).max(1)
    }

    /// `None` while nobody holds it.
    pub fn rarity(&self) -> Option<Rarity> {
        if self.holders == 0 {
            return None;
        }
        Some(match self.percent() {
            0..=10 => Rarity::Rare,
            11..=35 => Rarity::Uncommon,
            _ => Rarity::Common,
        })
    }
}

/// A page of a group's achievements dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupAchievementsView {
    pub group_id: i64,
    pub full_path: String,
    /// People in the group, directly or through a parent group.
    pub members: usize,
    pub name: String,
    pub can_manage: bool,
    pub can_delete_awards: bool,
    pub search: String,
    pub page: i64,
    pub has_next: bool,
    pub achievements: Vec<AchievementCard>,
    /// What the achievement cards show, as their live stream marks it.
    pub live_mark: String,
    /// The group's own reaction set, for its Owners to change: emoji names
    /// separated by spaces (empty: every emoji), and whether thumbsdown is allowed.
    pub reaction_set: Option<(String, bool)>,
}

/// A page of a group's audit log, with its filters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupAuditView {
    pub full_path: String,
    pub name: String,
    pub entries: Vec<GroupAuditEntry>,
    /// The group's achievements, to filter by (newest first).
    pub achievements: Vec<(i64, String)>,
    pub person: String,
    pub achievement: Option<i64>,
    /// `YYYY-MM-DD`, or empty.
    pub from: String,
    pub until: String,
    pub page: i64,
    pub has_next: bool,
}

/// The bulk award page of one achievement (those who may award it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulkAwardView {
    pub full_path: String,
    pub group_id: i64,
    pub achievement_id: i64,
    pub achievement_name: String,
    pub max_lines: usize,
    /// Whether lines may name people by e-mail (instance admins).
    pub by_email: bool,
}

/// The triggers an automatic award rule may use, in the order forms offer them.
pub const RULE_TRIGGERS: [&str; 6] = [
    "reactions_received",
    "issues_opened",
    "merge_requests_opened",
    "comments_written",
    "first_reaction_given",
    "member_for_days",
];

/// An automatic award rule as a form shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleView {
    pub trigger: String,
    pub threshold: i64,
    /// For reactions received: only this emoji (its name).
    pub emoji: String,
    pub auto_revoke: bool,
}

/// The rule page of one achievement (Maintainers+): its rule, and a preview
/// of the rule in the form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AwardRuleView {
    pub full_path: String,
    pub achievement_id: i64,
    pub achievement_name: String,
    pub current: Option<RuleView>,
    /// What the form shows: the previewed rule, else the current one.
    pub form: RuleView,
    /// How many meet the previewed rule now and do not hold it, and some of them.
    pub preview: Option<(i64, Vec<String>)>,
    /// Why the previewed rule is not one.
    pub problem: Option<String>,
}

/// A group's webhooks page (Owners and admins).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupHooksView {
    pub full_path: String,
    pub name: String,
    pub hooks: Vec<HookView>,
}

/// One webhook as its page shows it (its secrets only as "set").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HookView {
    pub id: i64,
    pub url: String,
    pub name: String,
    pub has_token: bool,
    pub has_signing_token: bool,
    pub enable_ssl_verification: bool,
    pub emoji_events: bool,
    pub achievement_events: bool,
    /// Reactions on confidential issues and internal comments too.
    pub confidential_events: bool,
    /// GitLab's `alert_status`: executable, temporarily_disabled, disabled.
    pub status: String,
    /// RFC 3339, while temporarily disabled.
    pub disabled_until: Option<String>,
    /// The newest deliveries, newest first.
    pub deliveries: Vec<DeliveryView>,
}

/// One delivery in a hook's recent deliveries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: i64,
    /// RFC 3339.
    pub at: String,
    /// `X-Gitlab-Event` ("Emoji Hook", "Achievement Hook").
    pub event: String,
    /// pending, delivered, failed.
    pub state: String,
    /// The receiver's status code, if it answered.
    pub response_status: Option<i32>,
    /// Why no answer came, if none did.
    pub error: Option<String>,
    pub attempts: i32,
    /// Milliseconds the last attempt took.
    pub duration_ms: Option<i64>,
}

/// One entry of a group's audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupAuditEntry {
    /// RFC 3339.
    pub at: String,
    /// Who did it (their username), if anyone.
    pub actor: Option<String>,
    /// `achievement_awarded`, ...
    pub action: String,
    /// The achievement's name then.
    pub achievement: Option<String>,
    /// To whom (their username).
    pub subject: Option<String>,
    /// The rule that did it, in words (awards and revocations made by a rule).
    pub rule: Option<String>,
}

/// A link on the home page: a group or a project the viewer may read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlaceLink {
    pub full_path: String,
    pub name: String,
}

/// A group on the home page, with its achievements when the viewer may list them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupLink {
    pub full_path: String,
    pub name: String,
    pub member: bool,
    pub achievements: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonLink {
    pub username: String,
    pub name: String,
}

/// One line of the home feed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FeedEntry {
    Award {
        recipient: PersonLink,
        achievement_id: i64,
        achievement: String,
        avatar_url: Option<String>,
        group: PlaceLink,
        message: Option<String>,
        at: String,
    },
    Reaction {
        user: PersonLink,
        /// The emoji's name (`thumbsup`) and character.
        name: String,
        emoji: String,
        title: String,
        reference: String,
        href: String,
        on_comment: bool,
        at: String,
    },
}

/// The home page: for a signed-in viewer their feed (one page, and the
/// cursor of the next) and groups; for a visitor the public groups and projects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HomeView {
    pub feed: Vec<FeedEntry>,
    pub older: Option<String>,
    pub groups: Vec<GroupLink>,
    pub projects: Vec<PlaceLink>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminUser {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub admin: bool,
    pub blocked: bool,
    /// Locked out by failed sign-ins right now.
    pub locked: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminGroup {
    pub full_path: String,
    pub name: String,
    pub achievements_enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
}

/// How many of each thing the instance holds (the admin dashboard's counters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceCounts {
    pub users: i64,
    pub groups: i64,
    pub projects: i64,
    pub achievements: i64,
    pub awards: i64,
    pub reactions: i64,
}

/// The admin dashboard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdminView {
    pub counts: InstanceCounts,
    /// (day, awards, reactions), oldest first.
    pub activity: Vec<(String, i64, i64)>,
    pub achievements_enabled: bool,
    pub auto_accept: bool,
    /// Webhooks may target loopback and private network addresses.
    pub allow_local_hooks: bool,
    pub groups: Vec<AdminGroup>,
    pub users: Vec<AdminUser>,
    pub limits: AbuseLimits,
    pub audit: Vec<AuditEntry>,
}

/// The abuse limits an admin sets; 0 turns one off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct AbuseLimits {
    /// Failed sign-ins in a row that lock an account.
    pub max_login_attempts: i32,
    /// How long a locked account stays locked.
    pub failed_login_attempts_unlock_period_in_minutes: i32,
    /// Sign-in posts per IP address per minute.
    pub throttle_protected_paths_requests_per_period: i32,
    /// API requests without credentials per IP address per minute.
    pub throttle_unauthenticated_api_requests_per_period: i32,
    pub reactions_per_user_per_minute: i32,
    pub awards_per_group_per_hour: i32,
    /// Award e-mails beyond this wait in the outbox for the next hour.
    pub award_emails_per_group_per_hour: i32,
}

impl Default for AbuseLimits {
    fn default() -> Self {
        AbuseLimits {
            max_login_attempts: 10,
            failed_login_attempts_unlock_period_in_minutes: 10,
            throttle_protected_paths_requests_per_period: 10,
            throttle_unauthenticated_api_requests_per_period: 500,
            reactions_per_user_per_minute: 60,
            awards_per_group_per_hour: 300,
            award_emails_per_group_per_hour: 100,
        }
    }
}

impl AbuseLimits {
    /// Every limit by its name (GitLab's application setting, where GitLab has
    /// one), in the one order the API, the dashboard and validation use.
    pub fn fields_mut(&mut self) -> [(&'static str, &mut i32); 7] {
        [
            ("max_login_attempts", &mut self.max_login_attempts),
            (
                "failed_login_attempts_unlock_period_in_minutes",
                &mut self.failed_login_attempts_unlock_period_in_minutes,
            ),
            ("throttle_protected_paths_requests_per_period", &mut self.throttle_protected_paths_requests_per_period),
            (
                "throttle_unauthenticated_api_requests_per_period",
                &mut self.throttle_unauthenticated_api_requests_per_period,
            ),
            ("reactions_per_user_per_minute", &mut self.reactions_per_user_per_minute),
            ("awards_per_group_per_hour", &mut self.awards_per_group_per_hour),
            ("award_emails_per_group_per_hour", &mut self.award_emails_per_group_per_hour),
        ]
    }

    /// As [`AbuseLimits::fields_mut`], the values.
    pub fn fields(mut self) -> [(&'static str, i32); 7] {
        self.fields_mut().map(|(name, value)| (name, *value))
    }
}

/// What a plain form post did, carried to the page it returns to as
/// `?done=<code>` and said there in a toast.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Done {
    Created,
    Updated,
    Deleted,
    Awarded,
    Revoked,
    AwardDeleted,
    Shown,
    Hidden,
    Reordered,
    Accepted,
    Declined,
    Saved,
    TokenRevoked,
    PasswordChanged,
    /// A webhook test or a delivery sent again.
    Sent,
}

impl Done {
    pub const ALL: [Done; 15] = [
        Done::Created,
        Done::Updated,
        Done::Deleted,
        Done::Awarded,
        Done::Revoked,
        Done::AwardDeleted,
        Done::Shown,
        Done::Hidden,
        Done::Reordered,
        Done::Accepted,
        Done::Declined,
        Done::Saved,
        Done::TokenRevoked,
        Done::PasswordChanged,
        Done::Sent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Done::Created => "created",
            Done::Updated => "updated",
            Done::Deleted => "deleted",
            Done::Awarded => "awarded",
            Done::Revoked => "revoked",
            Done::AwardDeleted => "award_deleted",
            Done::Shown => "shown",
            Done::Hidden => "hidden",
            Done::Reordered => "reordered",
            Done::Accepted => "accepted",
            Done::Declined => "declined",
            Done::Saved => "saved",
            Done::TokenRevoked => "token_revoked",
            Done::PasswordChanged => "password_changed",
            Done::Sent => "sent",
        }
    }

    pub fn parse(code: &str) -> Option<Done> {
        Done::ALL.into_iter().find(|done| done.code() == code)
    }
}

/// One check the verification page makes of a credential, in the order made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CredentialCheck {
    /// A signed credential (compact JWT, EdDSA) whose payload is one.
    Format,
    /// Issued by this server, with a key it published.
    Issuer,
    Signature,
    /// Valid from a time that has come, and not expired.
    Dates,
    /// Not revoked (its bit in the issuer's status list).
    Status,
}

/// What the verification page found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    Valid,
    Revoked,
    /// A check failed (the checks say which).
    Invalid,
    /// Nothing that reads as a credential (or no credential in the image).
    Unreadable,
    /// Issued by another server: only it can vouch for it.
    Foreign,
}

/// A credential as the verification page shows it. What it says (who, what,
/// by whom) is only given once its signature held.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerificationView {
    pub verdict: Verdict,
    /// Each check made and whether it held; checks after a failed one that
    /// depend on it are not made.
    pub checks: Vec<(CredentialCheck, bool)>,
    /// The issuer named in it, when another server's.
    pub foreign_issuer: Option<String>,
    pub achievement: Option<String>,
    pub recipient: Option<String>,
    /// The recipient's profile here, when it is one.
    pub recipient_url: Option<String>,
    pub issuer: Option<String>,
    /// `YYYY-MM-DD`.
    pub awarded_on: Option<String>,
    pub image: Option<String>,
}

impl VerificationView {
    /// A verdict with its checks, saying nothing yet of what was checked.
    pub fn new(verdict: Verdict, checks: Vec<(CredentialCheck, bool)>) -> Self {
        VerificationView {
            verdict,
            checks,
            foreign_issuer: None,
            achievement: None,
            recipient: None,
            recipient_url: None,
            issuer: None,
            awarded_on: None,
            image: None,
        }
    }
}
