//! The home page's activity feed: recent awards and reactions, newest first,
//! each let through `app::policy` as every other listing of it is, and the
//! groups a home page lists.
//!
//! Awards and reactions live in two tables with rising ids, so the feed merges
//! two keyset streams (newest id first) and its cursor is one position in
//! each. A request reads at most [`SCAN_BUDGET`] candidates per stream, so a
//! viewer who may see little of a busy instance gets a short page and an
//! "older" link rather than a long request.

use super::{facts, Actor, AppState, DomainError, DomainResult};
use crate::events::{AwardableKind, AwardableRef};
use crate::policy::{self, AwardFacts, GroupFacts};
use crate::store::{AchievementRow, AchievementSearch, AwardEmojiRow, NamespaceRow, Tx, UserAchievementRow, UserRow};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::hash::Hash;

/// Entries per page.
pub const PAGE: usize = 20;
/// Candidates read from the database at a time.
const BATCH: i64 = 50;
/// Candidates one request reads per stream, at most.
pub const SCAN_BUDGET: usize = 300;

/// Where a page starts: below these ids in each stream (`None`: the newest;
/// `Some(0)`: the stream is done).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeedCursor {
    pub awards_before: Option<i64>,
    pub reactions_before: Option<i64>,
}

impl FeedCursor {
    /// The cursor as a link carries it (`120-57`); `None` for anything else.
    pub fn parse(s: &str) -> Option<FeedCursor> {
        let (a, r) = s.split_once('-')?;
        let id = |s: &str| s.parse::<i64>().ok().filter(|id| *id >= 0);
        Some(FeedCursor { awards_before: Some(id(a)?), reactions_before: Some(id(r)?) })
    }

    pub fn encode(&self) -> String {
        format!("{}-{}", self.awards_before.unwrap_or(i64::MAX), self.reactions_before.unwrap_or(i64::MAX))
    }
}

/// What a reaction was given to, as a feed names and links it.
#[derive(Clone, Debug)]
pub struct ReactionTarget {
    pub title: String,
    /// `group/project#3`, `group/project!1`, `group/project$2`.
    pub reference: String,
    /// The page to open, from the site root (`/group/project/-/issues/3#note_9`).
    pub web_path: String,
    /// The reaction is on a comment of the item.
    pub on_comment: bool,
}

/// One feed entry, with the rows it shows (a page holds at most [`PAGE`], so
/// the larger variant costs nothing worth a box).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Activity {
    Award { award: UserAchievementRow, achievement: AchievementRow, group: NamespaceRow, recipient: UserRow },
    Reaction { reaction: AwardEmojiRow, user: UserRow, target: ReactionTarget },
}

impl Activity {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Activity::Award { award, .. } => award.created_at,
            Activity::Reaction { reaction, .. } => reaction.created_at,
        }
    }
}

pub struct FeedPage {
    pub entries: Vec<Activity>,
    /// The next page, if there may be one.
    pub older: Option<FeedCursor>,
}

/// One stream's position: what it has read and let through, not yet shown.
struct Stream {
    /// Read everything at and above this id (0: nothing is left).
    next_below: i64,
    /// Below the last entry this page showed from the stream.
    shown_below: i64,
    queue: VecDeque<(i64, Activity)>,
    scanned: usize,
}

impl Stream {
    fn new(before: Option<i64>) -> Stream {
        let start = before.unwrap_or(i64::MAX);
        Stream { next_below: start, shown_below: start, queue: VecDeque::new(), scanned: 0 }
    }

    fn done(&self) -> bool {
        self.next_below <= 0
    }

    fn wants_more(&self) -> bool {
        self.queue.is_empty() && !self.done() && self.scanned < SCAN_BUDGET
    }

    /// Takes in one batch, as read (`rows` ids descending).
    fn read(&mut self, read: usize, last_id: Option<i64>) {
        self.scanned += read;
        self.next_below = match last_id {
            Some(id) if read as i64 == BATCH => id,
            _ => 0,
        };
    }

    fn take(&mut self) -> Option<Activity> {
        let (id, entry) = self.queue.pop_front()?;
        self.shown_below = id;
        Some(entry)
    }

    /// Where the next page goes on: below what was read when all of it was
    /// shown or left out, else below what was shown.
    fn cursor(&self) -> i64 {
        if self.queue.is_empty() {
            self.next_below.max(0)
        } else {
            self.shown_below
        }
    }
}

/// What one request has loaded, so each group, user and item is read once.
#[derive(Default)]
struct Seen {
    achievements: HashMap<i64, Option<AchievementRow>>,
    groups: HashMap<i64, Option<(NamespaceRow, GroupFacts)>>,
    users: HashMap<i64, Option<UserRow>>,
    targets: HashMap<AwardableRef, Option<ReactionTarget>>,
}

/// A page of the activity the actor may see (signed in only: a visitor's home
/// page shows the instance instead, and strangers cannot make it scan).
pub async fn home_feed(app: &AppState, actor: &Actor, cursor: FeedCursor) -> DomainResult<FeedPage> {
    if actor.id().is_none() {
        return Err(DomainError::Unauthorized);
    }
    let mut tx = app.store.read().await?;
    let mut seen = Seen::default();
    let mut awards = Stream::new(cursor.awards_before);
    let mut reactions = Stream::new(cursor.reactions_before);
    let mut entries = Vec::new();
    while entries.len() < PAGE {
        while awards.wants_more() {
            read_awards(&mut tx, actor, &mut seen, &mut awards).await?;
        }
        while reactions.wants_more() {
            read_reactions(&mut tx, actor, &mut seen, &mut reactions).await?;
        }
        // The newer head goes first; a stream that ran out of budget with
        // nothing queued stops the page (its unread rows may be newer).
        let from_awards = match (awards.queue.front(), reactions.queue.front()) {
            (Some((_, a)), Some((_, r))) => a.at() >= r.at(),
            (Some(_), None) if reactions.done() => true,
            (None, Some(_)) if awards.done() => false,
            _ => break,
        };
        let stream = if from_awards { &mut awards } else { &mut reactions };
        entries.extend(stream.take());
    }
    let next = FeedCursor { awards_before: Some(awards.cursor()), reactions_before: Some(reactions.cursor()) };
    let older = (next.awards_before != Some(0) || next.reactions_before != Some(0)).then_some(next);
    Ok(FeedPage { entries, older })
}

async fn read_awards(tx: &mut Tx, actor: &Actor, seen: &mut Seen, stream: &mut Stream) -> DomainResult<()> {
    let rows = tx.recent_awards_unchecked(Some(stream.next_below), BATCH).await?;
    stream.read(rows.len(), rows.last().map(|r| r.id));
    let viewer = actor.viewer();
    for award in rows {
        let Some(achievement) = achievement(tx, seen, award.achievement_id).await? else { continue };
        let Some((group, group_facts)) = group(tx, actor, seen, achievement.namespace_id).await? else { continue };
        let Some(recipient) = user(tx, seen, award.user_id).await? else { continue };
        let facts = AwardFacts {
            recipient: facts::profile_facts(&recipient),
            shown: award.show_on_profile && award.accepted_at.is_some(),
        };
        if policy::read_achievement(&viewer, &group_facts)
            && policy::read_user_achievement(&viewer, &facts, &group_facts)
        {
            stream.queue.push_back((award.id, Activity::Award { award, achievement, group, recipient }));
        }
    }
    Ok(())
}

async fn read_reactions(tx: &mut Tx, actor: &Actor, seen: &mut Seen, stream: &mut Stream) -> DomainResult<()> {
    let rows = tx.recent_award_emoji_unchecked(Some(stream.next_below), BATCH).await?;
    stream.read(rows.len(), rows.last().map(|r| r.id));
    let viewer = actor.viewer();
    for reaction in rows {
        let Some(kind) = AwardableKind::parse(&reaction.awardable_type) else { continue };
        let item = AwardableRef { kind, id: reaction.awardable_id };
        let Some(target) = target(tx, actor, seen, item).await? else { continue };
        let Some(user) = user(tx, seen, reaction.user_id).await? else { continue };
        // As a profile's activity: people with a private profile keep theirs to themselves.
        if policy::read_user_profile(&viewer, &facts::profile_facts(&user)) {
            stream.queue.push_back((reaction.id, Activity::Reaction { reaction, user, target }));
        }
    }
    Ok(())
}

/// `key`'s entry in `map`, from `load` the first time (a future does nothing
/// until awaited, so a known key reads nothing).
async fn once<K: Hash + Eq, T: Clone>(
    map: &mut HashMap<K, Option<T>>,
    key: K,
    load: impl Future<Output = DomainResult<Option<T>>>,
) -> DomainResult<Option<T>> {
    if let Some(known) = map.get(&key) {
        return Ok(known.clone());
    }
    let loaded = load.await?;
    map.insert(key, loaded.clone());
    Ok(loaded)
}

async fn achievement(tx: &mut Tx, seen: &mut Seen, id: i64) -> DomainResult<Option<AchievementRow>> {
    once(&mut seen.achievements, id, async { Ok(tx.achievement_by_id(id).await?) }).await
}

async fn group(
    tx: &mut Tx,
    actor: &Actor,
    seen: &mut Seen,
    id: i64,
) -> DomainResult<Option<(NamespaceRow, GroupFacts)>> {
    once(&mut seen.groups, id, async {
        let Some(group) = tx.namespace_by_id(id).await? else { return Ok(None) };
        let facts = facts::group_facts(tx, actor, &group).await?;
        Ok(Some((group, facts)))
    })
    .await
}

async fn user(tx: &mut Tx, seen: &mut Seen, id: i64) -> DomainResult<Option<UserRow>> {
    once(&mut seen.users, id, async { Ok(tx.user_by_id(id).await?) }).await
}

/// The item a reaction is on, if the actor may read it (`policy::read_awardable`).
async fn target(
    tx: &mut Tx,
    actor: &Actor,
    seen: &mut Seen,
    item: AwardableRef,
) -> DomainResult<Option<ReactionTarget>> {
    once(&mut seen.targets, item, async {
        let project = match facts::awardable(tx, actor, item).await {
            Ok(found) if policy::read_awardable(&actor.viewer(), &found.facts) => found.project,
            Ok(_) | Err(DomainError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other),
        };
        describe(tx, item, &project.full_path).await
    })
    .await
}

/// Title, reference and page of a readable item.
async fn describe(tx: &mut Tx, item: AwardableRef, project_path: &str) -> DomainResult<Option<ReactionTarget>> {
    let (kind, id, note) = match item.kind {
        AwardableKind::Note => {
            let Some(note) = tx.note_by_id(item.id).await? else { return Ok(None) };
            let Some(kind) = AwardableKind::parse(&note.noteable_type) else { return Ok(None) };
            (kind, note.noteable_id, Some(note.id))
        }
        kind => (kind, item.id, None),
    };
    let (title, reference, mut web_path) = match kind.work_item() {
        Some(work) => {
            let Some(row) = tx.work_item_by_id(work, id).await? else { return Ok(None) };
            let path = format!("/{project_path}/-/{}/{}", work.segment(), row.iid);
            (row.title, format!("{project_path}{}{}", work.prefix(), row.iid), path)
        }
        None => {
            let Some(snippet) = tx.snippet_by_id(id).await? else { return Ok(None) };
            (snippet.title, format!("{project_path}${}", snippet.id), format!("/{project_path}"))
        }
    };
    if let Some(note) = note {
        web_path.push_str(&format!("#note_{note}"));
    }
    Ok(Some(ReactionTarget { title, reference, web_path, on_comment: note.is_some() }))
}

/// A group as a home page lists it.
#[derive(Clone, Debug)]
pub struct HomeGroup {
    pub group: NamespaceRow,
    /// The actor belongs to it (directly or through a parent group).
    pub member: bool,
    /// Its achievements, if the actor may list them.
    pub achievements: Option<i64>,
}

/// The groups the actor may read (of the first 100), with what they hold:
/// `policy::read_group` as `groups::list_groups` applies it, with each group's
/// facts loaded once for both questions.
pub async fn home_groups(app: &AppState, actor: &Actor) -> DomainResult<Vec<HomeGroup>> {
    let mut tx = app.store.read().await?;
    let viewer = actor.viewer();
    let mut out = Vec::new();
    for group in tx.list_groups("", 100, 0).await? {
        let facts = facts::group_facts(&mut tx, actor, &group).await?;
        if !policy::read_group(&viewer, &facts) {
            continue;
        }
        let achievements = if policy::read_achievement(&viewer, &facts) {
            let q = AchievementSearch { namespace_id: group.id, search: "", ids: None };
            Some(tx.count_achievements(&q).await?)
        } else {
            None
        };
        out.push(HomeGroup { member: facts.access.is_some(), achievements, group });
    }
    Ok(out)
}
