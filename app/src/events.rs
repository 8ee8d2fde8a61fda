//! Typed change events: what the live channel (SSE) sends to browsers and what
//! other server processes hear over PostgreSQL NOTIFY. Shared with the browser.

use serde::{Deserialize, Serialize};

/// What a reaction can sit on, with its global (database) id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AwardableKind {
    Issue,
    MergeRequest,
    Snippet,
    Note,
}

impl AwardableKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AwardableKind::Issue => "Issue",
            AwardableKind::MergeRequest => "MergeRequest",
            AwardableKind::Snippet => "Snippet",
            AwardableKind::Note => "Note",
        }
    }

    /// Its name in GitLab's messages ("404 Merge Request Not Found").
    pub fn display_name(self) -> &'static str {
        match self {
            AwardableKind::Issue => "Issue",
            AwardableKind::MergeRequest => "Merge Request",
            AwardableKind::Snippet => "Snippet",
            AwardableKind::Note => "Note",
        }
    }

    /// Issues and merge requests are work items; snippets and notes are not.
    pub fn work_item(self) -> Option<WorkItemKind> {
        match self {
            AwardableKind::Issue => Some(WorkItemKind::Issue),
            AwardableKind::MergeRequest => Some(WorkItemKind::MergeRequest),
            AwardableKind::Snippet | AwardableKind::Note => None,
        }
    }

    pub fn parse(s: &str) -> Option<AwardableKind> {
        Some(match s {
            "Issue" => AwardableKind::Issue,
            "MergeRequest" => AwardableKind::MergeRequest,
            "Snippet" => AwardableKind::Snippet,
            "Note" => AwardableKind::Note,
            _ => return None,
        })
    }
}

/// The two awardables a project lists with per-project numbers (iids): the
/// shape they share is one row type, the store's `WorkItemRow`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WorkItemKind {
    Issue,
    MergeRequest,
}

impl WorkItemKind {
    pub fn awardable(self) -> AwardableKind {
        match self {
            WorkItemKind::Issue => AwardableKind::Issue,
            WorkItemKind::MergeRequest => AwardableKind::MergeRequest,
        }
    }

    /// The path segment of its list in web URLs and REST (`/-/issues/1`).
    pub fn segment(self) -> &'static str {
        match self {
            WorkItemKind::Issue => "issues",
            WorkItemKind::MergeRequest => "merge_requests",
        }
    }

    /// The reference prefix of its iid (`#1`, `!1`).
    pub fn prefix(self) -> &'static str {
        match self {
            WorkItemKind::Issue => "#",
            WorkItemKind::MergeRequest => "!",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AwardableRef {
    pub kind: AwardableKind,
    pub id: i64,
}

/// One emoji's tally on an awardable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmojiCount {
    pub name: String,
    pub count: i64,
    /// The character, so a browser can show an emoji it has not seen on the page.
    #[serde(default)]
    pub emoji: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A reaction was added or removed; `counts` is the authoritative tally after it.
    ReactionChanged {
        awardable: AwardableRef,
        name: String,
        user_id: i64,
        /// Who reacted, for the "who reacted" list next to the count.
        #[serde(default)]
        username: String,
        added: bool,
        counts: Vec<EmojiCount>,
    },
    AchievementChanged {
        achievement_id: i64,
        group_id: i64,
        deleted: bool,
        /// Who held it (their profiles show it), or `None` when too many to
        /// name here (or a process that did not say): every profile looks again.
        #[serde(default)]
        holders: Option<Vec<i64>>,
    },
    AchievementAwarded {
        user_achievement_id: i64,
        achievement_id: i64,
        user_id: i64,
        group_id: i64,
    },
    /// Revoked, deleted, hidden/shown, accepted or declined.
    UserAchievementChanged {
        user_achievement_id: i64,
        user_id: i64,
        /// The awarding group (0 from a process that did not say).
        #[serde(default)]
        group_id: i64,
    },
    UserAchievementsReordered {
        user_id: i64,
    },
    /// A user's profile settings changed (private profile, achievements shown).
    ProfileChanged {
        user_id: i64,
    },
    /// What a user may see may have shrunk (membership removed or lowered,
    /// blocked, sessions or a token ended): their open live streams re-check.
    AccessChanged {
        user_id: i64,
    },
    /// This process may have missed changes made elsewhere (its PostgreSQL
    /// listener was cut off): whatever it shows must be read again. Never
    /// crosses processes.
    Missed,
}

/// What the live channel (`/-/live/:kind/:id`) sends a browser: a reaction
/// with who made it, or the current tally alone (on connect and after a resync).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveFrame {
    Reaction {
        awardable: AwardableRef,
        name: String,
        user_id: i64,
        username: String,
        added: bool,
        counts: Vec<EmojiCount>,
    },
    Tally {
        awardable: AwardableRef,
        counts: Vec<EmojiCount>,
    },
}

/// Who changed what, for the "who reacted" lists next to a tally.
#[derive(Clone, Copy, Debug)]
pub struct ReactionChange<'a> {
    pub name: &'a str,
    pub username: &'a str,
    pub added: bool,
    /// Made by the viewer themself.
    pub by_me: bool,
}

#[cfg(feature = "ssr")]
impl Event {
    /// The event as it crosses processes (PostgreSQL NOTIFY, 8,000 bytes at
    /// most): ids and names, never a tally, which grows with every distinct
    /// emoji; receivers read the tally themselves.
    pub fn without_tally(&self) -> Event {
        match self {
            Event::ReactionChanged { awardable, name, user_id, username, added, .. } => Event::ReactionChanged {
                awardable: *awardable,
                name: name.clone(),
                user_id: *user_id,
                username: username.clone(),
                added: *added,
                counts: Vec::new(),
            },
            other => other.clone(),
        }
    }
}

/// An event as it crosses processes: `origin` lets a process skip its own.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Envelope {
    pub origin: String,
    pub event: Event,
}
