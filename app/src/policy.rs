//! Who may do what: the only place that decides permissions.
//!
//! Functions are named after GitLab's abilities and take plain facts (the viewer,
//! and what the domain loaded about the subject), so every surface asks the same
//! question the same way and the rules can be tested as a table.

/// GitLab's membership levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AccessLevel {
    Guest = 10,
    Reporter = 20,
    Developer = 30,
    Maintainer = 40,
    Owner = 50,
}

impl AccessLevel {
    pub fn from_i64(level: i64) -> Option<AccessLevel> {
        Some(match level {
            10 => AccessLevel::Guest,
            20 => AccessLevel::Reporter,
            30 => AccessLevel::Developer,
            40 => AccessLevel::Maintainer,
            50 => AccessLevel::Owner,
            _ => return None,
        })
    }
}

/// From least to most visible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Visibility {
    Private,
    Internal,
    Public,
}

impl Visibility {
    pub fn parse(s: &str) -> Option<Visibility> {
        Some(match s {
            "private" => Visibility::Private,
            "internal" => Visibility::Internal,
            "public" => Visibility::Public,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Internal => "internal",
            Visibility::Public => "public",
        }
    }
}

/// Who is asking. Blocked users never get this far (authentication refuses them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: Option<i64>,
    pub admin: bool,
}

impl Viewer {
    pub const ANONYMOUS: Viewer = Viewer { user_id: None, admin: false };

    fn signed_in(&self) -> bool {
        self.user_id.is_some()
    }

    fn is(&self, user_id: i64) -> bool {
        self.user_id == Some(user_id)
    }
}

/// What the domain knows about a group (or a project's namespace) for this viewer.
#[derive(Clone, Copy, Debug)]
pub struct GroupFacts {
    pub visibility: Visibility,
    /// The viewer's effective level, inherited from parent groups.
    pub access: Option<AccessLevel>,
    /// The `achievements` feature flag for this group.
    pub achievements_enabled: bool,
}

/// What the domain knows about a user's profile.
#[derive(Clone, Copy, Debug)]
pub struct ProfileFacts {
    pub user_id: i64,
    pub private_profile: bool,
    pub blocked: bool,
    pub achievements_enabled: bool,
}

/// What the domain knows about a project for this viewer.
#[derive(Clone, Copy, Debug)]
pub struct ProjectFacts {
    pub visibility: Visibility,
    /// Effective level: the project membership or the namespace's, whichever is higher.
    pub access: Option<AccessLevel>,
}

/// An issue, merge request, snippet or note, seen through its project.
#[derive(Clone, Copy, Debug)]
pub struct AwardableFacts {
    pub project: ProjectFacts,
    pub author_id: Option<i64>,
    /// Confidential issue or internal note (needs Reporter+ or authorship).
    pub confidential: bool,
    /// A snippet's own visibility, if the awardable is (or sits on) a snippet.
    pub snippet_visibility: Option<Visibility>,
    /// System notes cannot receive emoji.
    pub system_note: bool,
}

fn visible(viewer: &Viewer, visibility: Visibility, member: bool) -> bool {
    viewer.admin
        || member
        || match visibility {
            Visibility::Public => true,
            Visibility::Internal => viewer.signed_in(),
            Visibility::Private => false,
        }
}

fn at_least(access: Option<AccessLevel>, level: AccessLevel) -> bool {
    access.is_some_and(|a| a >= level)
}

// ---- groups and achievements -------------------------------------------------

pub fn read_group(viewer: &Viewer, group: &GroupFacts) -> bool {
    visible(viewer, group.visibility, group.access.is_some())
}

/// Listing a group's achievements (the group page, `group.achievements`).
pub fn read_achievement(viewer: &Viewer, group: &GroupFacts) -> bool {
    group.achievements_enabled && read_group(viewer, group)
}

/// Create, update and delete achievements of the group.
pub fn admin_achievement(viewer: &Viewer, group: &GroupFacts) -> bool {
    group.achievements_enabled && (viewer.admin || at_least(group.access, AccessLevel::Maintainer))
}

/// Award and revoke; also edit an award's message.
pub fn award_achievement(viewer: &Viewer, group: &GroupFacts) -> bool {
    admin_achievement(viewer, group)
}

/// Hard-delete an award: Owners only.
pub fn destroy_user_achievement(viewer: &Viewer, group: &GroupFacts) -> bool {
    group.achievements_enabled && (viewer.admin || at_least(group.access, AccessLevel::Owner))
}

/// Choose the group's reaction set: its Owners and admins.
pub fn admin_reaction_set(viewer: &Viewer, group: &GroupFacts) -> bool {
    viewer.admin || at_least(group.access, AccessLevel::Owner)
}

/// Manage a group's webhooks and see their deliveries: its Owners and admins.
pub fn admin_group_hooks(viewer: &Viewer, group: &GroupFacts) -> bool {
    viewer.admin || at_least(group.access, AccessLevel::Owner)
}

/// Read a group's audit log (who created, edited, awarded, revoked, deleted,
/// accepted, declined): its Owners and admins.
pub fn read_group_audit(viewer: &Viewer, group: &GroupFacts) -> bool {
    viewer.admin || at_least(group.access, AccessLevel::Owner)
}

/// Hide/show, reorder, accept or decline one's own awards: the recipient only.
pub fn update_owned_user_achievement(viewer: &Viewer, recipient_id: i64, group: &GroupFacts) -> bool {
    group.achievements_enabled && viewer.is(recipient_id)
}

/// See awards the recipient hid: the recipient, admins, and Maintainers+ of the
/// awarding group (directly or through a parent group).
pub fn read_hidden_user_achievement(viewer: &Viewer, recipient_id: i64, group: &GroupFacts) -> bool {
    viewer.is(recipient_id) || award_achievement(viewer, group)
}

/// One award, as a listing of an achievement's holders (or a profile) sees it.
#[derive(Clone, Copy, Debug)]
pub struct AwardFacts {
    pub recipient: ProfileFacts,
    /// Shown on the profile and accepted (not hidden, not pending).
    pub shown: bool,
}

/// Whether one award may appear in any listing of awards: GraphQL
/// `Achievement.userAchievements` / `uniqueUsers`, the group page, a profile.
/// Hidden and pending awards: the recipient and Maintainers+ of the awarding
/// group. Holders with a private profile, or blocked: themselves and admins.
/// Every listing of awards goes through this; the listing itself (the group,
/// the profile) is checked by its own rule first.
pub fn read_user_achievement(viewer: &Viewer, award: &AwardFacts, group: &GroupFacts) -> bool {
    group.achievements_enabled
        && read_user_profile(viewer, &award.recipient)
        && (award.shown || read_hidden_user_achievement(viewer, award.recipient.user_id, group))
}

/// [`read_user_achievement`] for every award of one group at once, as a listing
/// applies it in SQL (`WHERE`), so pages are cut by the database: the store's
/// query mirrors [`AwardListing::admits`], and a test holds the two equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwardListing {
    pub viewer_id: Option<i64>,
    /// Holders with a private profile, or blocked, are listed too (admins).
    pub private_holders: bool,
    /// Hidden and pending awards are listed too (Maintainers+ of the group, admins).
    pub hidden_awards: bool,
}

impl AwardListing {
    pub fn admits(&self, award: &AwardFacts) -> bool {
        let own = self.viewer_id == Some(award.recipient.user_id);
        let holder = self.private_holders || own || !(award.recipient.private_profile || award.recipient.blocked);
        holder && (award.shown || self.hidden_awards || own)
    }
}

/// How a listing of the group's awards filters them; `None` when none may be
/// listed (the feature is off for the group).
pub fn award_listing(viewer: &Viewer, group: &GroupFacts) -> Option<AwardListing> {
    group.achievements_enabled.then_some(AwardListing {
        viewer_id: viewer.user_id,
        private_holders: viewer.admin,
        hidden_awards: award_achievement(viewer, group),
    })
}

// ---- users -------------------------------------------------------------------

pub fn read_user_profile(viewer: &Viewer, profile: &ProfileFacts) -> bool {
    viewer.admin || viewer.is(profile.user_id) || !(profile.private_profile || profile.blocked)
}

/// A profile's achievements: a readable profile whose owner displays them. The
/// owner and admins always see them.
pub fn read_user_achievements(viewer: &Viewer, profile: &ProfileFacts) -> bool {
    viewer.admin || viewer.is(profile.user_id) || (read_user_profile(viewer, profile) && profile.achievements_enabled)
}

/// Whether a profile's achievements may leave the site in an embed (a badge,
/// a framed card, an oEmbed answer): what a visitor may see, and nothing else.
pub fn embed_user_achievements(profile: &ProfileFacts) -> bool {
    read_user_achievements(&Viewer::ANONYMOUS, profile)
}

/// Whether an award may be shown in an embed: only when a visitor may read
/// its awarding namespace (never as "a private namespace").
pub fn embed_award(group: &GroupFacts) -> bool {
    read_award_namespace(&Viewer::ANONYMOUS, group)
}

/// Whether the awarding namespace of a displayed award is named or shown as
/// "a private namespace".
pub fn read_award_namespace(viewer: &Viewer, group: &GroupFacts) -> bool {
    read_group(viewer, group)
}

pub fn admin_all_resources(viewer: &Viewer) -> bool {
    viewer.admin
}

/// Edit a user's own settings (name, profile privacy, achievements display).
pub fn update_user(viewer: &Viewer, user_id: i64) -> bool {
    viewer.admin || viewer.is(user_id)
}

/// Manage (see, revoke, rotate) a personal access token: its owner, or an admin.
pub fn manage_token(viewer: &Viewer, owner_id: i64) -> bool {
    viewer.admin || viewer.is(owner_id)
}

// ---- what a personal access token may be used for -----------------------------

/// What an API request does, for a token's scopes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiUse {
    /// GET/HEAD of `/user`, `/users...`, `/version`.
    ReadUsers,
    /// Any other read: REST GET/HEAD, GraphQL queries, live streams.
    Read,
    /// Everything that changes something: other REST methods, GraphQL mutations.
    Write,
    /// `/personal_access_tokens/self`: any token may see or revoke itself.
    OwnToken,
}

/// The scopes that allow a use, in the order GitLab names them in its refusal
/// (`api` everything, `read_api` reads, `read_user` reads of users).
pub fn scopes_allowing(usage: ApiUse) -> &'static [&'static str] {
    match usage {
        ApiUse::ReadUsers => &["read_user", "api", "read_api"],
        ApiUse::Read => &["api", "read_api"],
        ApiUse::Write => &["api"],
        ApiUse::OwnToken => &[],
    }
}

pub fn token_allows(scopes: &[String], usage: ApiUse) -> bool {
    usage == ApiUse::OwnToken || scopes_allowing(usage).iter().any(|s| scopes.iter().any(|have| have == s))
}

// ---- groups, projects and their content ------------------------------------

pub fn create_group(viewer: &Viewer) -> bool {
    viewer.signed_in()
}

pub fn create_subgroup(viewer: &Viewer, parent: &GroupFacts) -> bool {
    viewer.admin || at_least(parent.access, AccessLevel::Maintainer)
}

/// Add, change or remove members. Maintainers manage levels up to their own;
/// only Owners (and admins) grant or remove Owner.
pub fn admin_group_member(viewer: &Viewer, group: &GroupFacts, level: AccessLevel) -> bool {
    viewer.admin
        || at_least(group.access, AccessLevel::Owner)
        || (at_least(group.access, AccessLevel::Maintainer) && level < AccessLevel::Owner)
}

/// Remove a member: anyone may leave; otherwise it is member management.
pub fn destroy_group_member(viewer: &Viewer, group: &GroupFacts, member_id: i64, level: AccessLevel) -> bool {
    viewer.is(member_id) || admin_group_member(viewer, group, level)
}

/// GitLab's ceiling: a subgroup or a project is at most as visible as the
/// group it is in (a public one inside a private group would show that
/// group's path to anyone).
pub fn visibility_within(inside: Visibility, group: Visibility) -> bool {
    inside <= group
}

pub fn create_project_in_group(viewer: &Viewer, group: &GroupFacts) -> bool {
    viewer.admin || at_least(group.access, AccessLevel::Developer)
}

pub fn read_project(viewer: &Viewer, project: &ProjectFacts) -> bool {
    visible(viewer, project.visibility, project.access.is_some())
}

/// Add a project member or change their level (`level`: the higher of the
/// new and the current one), as for groups: Maintainers up to Maintainer,
/// only Owners (and admins) grant, change or take away Owner.
pub fn admin_project_member(viewer: &Viewer, project: &ProjectFacts, level: AccessLevel) -> bool {
    viewer.admin
        || at_least(project.access, AccessLevel::Owner)
        || (at_least(project.access, AccessLevel::Maintainer) && level < AccessLevel::Owner)
}

pub fn create_issue(viewer: &Viewer, project: &ProjectFacts) -> bool {
    viewer.signed_in() && read_project(viewer, project)
}

pub fn create_merge_request(viewer: &Viewer, project: &ProjectFacts) -> bool {
    viewer.admin || at_least(project.access, AccessLevel::Developer)
}

pub fn create_snippet(viewer: &Viewer, project: &ProjectFacts) -> bool {
    viewer.admin || at_least(project.access, AccessLevel::Reporter)
}

/// Read an issue, merge request, snippet or note (and so its reactions).
pub fn read_awardable(viewer: &Viewer, item: &AwardableFacts) -> bool {
    if viewer.admin {
        return true;
    }
    if !read_project(viewer, &item.project) {
        return false;
    }
    if let Some(visibility) = item.snippet_visibility {
        if !visible(viewer, visibility, item.project.access.is_some()) {
            return false;
        }
    }
    let author = item.author_id.is_some_and(|id| viewer.is(id));
    !item.confidential || author || at_least(item.project.access, AccessLevel::Reporter)
}

/// [`read_awardable`] for the issues of a readable project, or the notes on a
/// readable item, as a listing applies it in SQL: confidential issues and
/// internal notes to their author and Reporters+ (the store mirrors `admits`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfidentialListing {
    pub viewer_id: Option<i64>,
    /// Confidential ones by anyone are listed too.
    pub all: bool,
}

impl ConfidentialListing {
    pub fn admits(&self, confidential: bool, author_id: Option<i64>) -> bool {
        !confidential || self.all || (author_id.is_some() && author_id == self.viewer_id)
    }
}

pub fn confidential_listing(viewer: &Viewer, project: &ProjectFacts) -> ConfidentialListing {
    ConfidentialListing {
        viewer_id: viewer.user_id,
        all: viewer.admin || at_least(project.access, AccessLevel::Reporter),
    }
}

/// Comment on a readable item; an internal comment (which only Reporters+
/// and its author read) as GitLab allows it: Reporters+ and admins.
pub fn create_note(viewer: &Viewer, item: &AwardableFacts, internal: bool) -> bool {
    viewer.signed_in()
        && read_awardable(viewer, item)
        && (!internal || viewer.admin || at_least(item.project.access, AccessLevel::Reporter))
}

pub fn award_emoji(viewer: &Viewer, item: &AwardableFacts) -> bool {
    viewer.signed_in() && !item.system_note && read_awardable(viewer, item)
}

/// Remove a reaction: its author, or an admin.
pub fn destroy_award_emoji(viewer: &Viewer, award_user_id: i64) -> bool {
    viewer.admin || viewer.is(award_user_id)
}
