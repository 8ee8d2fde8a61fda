//! Achievements: create, edit, delete, award, revoke, and what recipients do with
//! their awards (hide, reorder, accept, decline).

use super::listing::{self, Listing, Window};
use super::uploads::{self, Upload};
use super::{audit, audit_concerning, facts, Actor, AppState, DomainError, DomainResult};
use super::{mail, outbox};
use crate::events::Event;
use crate::model::Held;
use crate::policy::{self, AwardFacts, AwardListing, GroupFacts, ProfileFacts};
use crate::store::{now, AchievementRow, AchievementSearch, Concerns, NamespaceRow, NewAward, ProfileAwards};
use crate::store::{StoreError, Tx};
use crate::store::{UserAchievementRow, UserRow};
use std::collections::{HashMap, HashSet};

pub const ALREADY_REVOKED: &str = "This achievement has already been revoked";

/// An achievement with its group and the actor's standing there.
#[derive(Clone)]
pub(crate) struct Loaded {
    pub(crate) achievement: AchievementRow,
    pub(crate) group: NamespaceRow,
    pub(crate) facts: GroupFacts,
}

pub(crate) async fn load(tx: &mut Tx, actor: &Actor, achievement_id: i64) -> DomainResult<Loaded> {
    let achievement = tx.achievement_by_id(achievement_id).await?.ok_or(DomainError::NotFound("Achievement"))?;
    let group = tx.namespace_by_id(achievement.namespace_id).await?.ok_or(DomainError::NotFound("Achievement"))?;
    let facts = facts::group_facts(tx, actor, &group).await?;
    Ok(Loaded { achievement, group, facts })
}

/// Loads an award about to be changed (in the changing transaction: on
/// PostgreSQL it is held until then) and its achievement. Revoked awards are
/// gone for every purpose but a second revoke (which must say so).
async fn load_award(tx: &mut Tx, actor: &Actor, award_id: i64) -> DomainResult<(UserAchievementRow, Loaded)> {
    let award = tx.award_by_id_for_update(award_id).await?.ok_or(DomainError::NotFound("User Achievement"))?;
    let loaded = load(tx, actor, award.achievement_id).await?;
    Ok((award, loaded))
}

/// Audits a change to an achievement's group's achievements (the entry
/// names the achievement as it was then), in the group's audit log.
async fn audit_achievement(
    tx: &mut Tx,
    actor: &Actor,
    achievement: &AchievementRow,
    subject_id: Option<i64>,
    what: (&str, &str, i64),
    mut details: serde_json::Value,
) -> DomainResult<()> {
    details["achievement"] = serde_json::Value::String(achievement.name.clone());
    let concerns =
        Concerns { group_id: Some(achievement.namespace_id), achievement_id: Some(achievement.id), subject_id };
    audit_concerning(tx, actor, concerns, what, details).await
}

/// Audits a change to one award and announces it (live, webhooks), in the
/// caller's transaction.
pub(crate) async fn announce_award_change(
    app: &AppState,
    tx: &mut Tx,
    actor: &Actor,
    (action, (award, achievement)): (&str, (&UserAchievementRow, &AchievementRow)),
    details: serde_json::Value,
) -> DomainResult<()> {
    let what = (action, "UserAchievement", award.id);
    audit_achievement(tx, actor, achievement, Some(award.user_id), what, details).await?;
    let hook_event = match action {
        "achievement_revoked" | "achievement_revoked_by_rule" => Some("revoked"),
        "user_achievement_deleted" => Some("deleted"),
        "user_achievement_accepted" => Some("accepted"),
        "user_achievement_declined" => Some("declined"),
        _ => None,
    };
    if let Some(event_type) = hook_event {
        let actor_id = actor.user().map(|u| u.id);
        super::hook_events::achievement(tx, app, actor_id, event_type, award, achievement).await?;
    }
    // Its credential no longer holds: the status list says so from now on.
    if matches!(hook_event, Some("revoked" | "deleted" | "declined")) {
        tx.revoke_credential(award.id).await?;
    }
    let group_id = achievement.namespace_id;
    let event = Event::UserAchievementChanged { user_achievement_id: award.id, user_id: award.user_id, group_id };
    app.publish(tx, event).await
}

/// Audits a change to one award, announces it, and commits.
async fn commit_award_change(
    app: &AppState,
    mut tx: Tx,
    actor: &Actor,
    action: &str,
    (award, achievement): (&UserAchievementRow, &AchievementRow),
    details: serde_json::Value,
) -> DomainResult<()> {
    announce_award_change(app, &mut tx, actor, (action, (award, achievement)), details).await?;
    app.commit(tx).await
}

/// The actor's own unrevoked award (recipients act on these alone), and its achievement.
async fn load_own_award(
    tx: &mut Tx,
    actor: &Actor,
    award_id: i64,
) -> DomainResult<(UserAchievementRow, AchievementRow)> {
    let (award, loaded) = load_award(tx, actor, award_id).await?;
    if award.revoked_by_user_id.is_some()
        || !policy::update_owned_user_achievement(&actor.viewer(), award.user_id, &loaded.facts)
    {
        return Err(DomainError::NotFound("User Achievement"));
    }
    Ok((award, loaded.achievement))
}

/// Trims and checks name and description (Rails-style messages).
fn validate(name: &str, description: Option<&str>) -> DomainResult<()> {
    let mut errors = super::text::one_line_field("Name", name, 255);
    errors.extend(super::text::too_long("Description", description, 1024));
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

pub(crate) fn validate_message(message: Option<&str>) -> DomainResult<()> {
    if message.is_some_and(|m| m.chars().count() > 200) {
        return Err(DomainError::invalid("Award message is too long (maximum is 200 characters)"));
    }
    Ok(())
}

fn name_taken(err: StoreError) -> DomainError {
    match err {
        StoreError::Unique(_) => DomainError::invalid("Name has already been taken"),
        other => other.into(),
    }
}

pub struct CreateAchievement {
    pub namespace_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub avatar: Option<Upload>,
}

pub async fn create_achievement(
    app: &AppState,
    actor: &Actor,
    input: CreateAchievement,
) -> DomainResult<AchievementRow> {
    let mut content_type = None;
    if let Some(avatar) = &input.avatar {
        // Only someone who may create here makes the server decode an image.
        let mut read = app.store.read().await?;
        let group = read.namespace_by_id(input.namespace_id).await?.filter(|ns| ns.kind == "group");
        let facts = match &group {
            Some(group) => Some(facts::group_facts(&mut read, actor, group).await?),
            None => None,
        };
        drop(read);
        if !facts.is_some_and(|f| policy::admin_achievement(&actor.viewer(), &f)) {
            return Err(DomainError::NotFound("Namespace"));
        }
        content_type = Some(uploads::verify_avatar_off_runtime(avatar).await?);
    }
    let mut tx = app.store.write().await?;
    let group = tx
        .namespace_by_id(input.namespace_id)
        .await?
        .filter(|ns| ns.kind == "group")
        .ok_or(DomainError::NotFound("Namespace"))?;
    let facts = facts::group_facts(&mut tx, actor, &group).await?;
    if !policy::admin_achievement(&actor.viewer(), &facts) {
        return Err(DomainError::NotFound("Namespace"));
    }
    let name = input.name.trim();
    let description = input.description.as_deref().map(str::trim);
    validate(name, description)?;
    let mut achievement = tx.insert_achievement(group.id, name, description).await.map_err(name_taken)?;
    if let (Some(avatar), Some(content_type)) = (&input.avatar, content_type) {
        let file = uploads::store_avatar(&mut tx, achievement.id, avatar, content_type).await?;
        achievement = tx.update_achievement(achievement.id, name, description, Some(&file)).await?;
    }
    let what = ("achievement_created", "Achievement", achievement.id);
    audit_achievement(&mut tx, actor, &achievement, None, what, serde_json::json!({ "name": name })).await?;
    let holders = Some(Vec::new());
    app.publish(
        &mut tx,
        Event::AchievementChanged { achievement_id: achievement.id, group_id: group.id, deleted: false, holders },
    )
    .await?;
    app.commit(tx).await?;
    Ok(achievement)
}

/// At most this many holders are named in an event about their achievement.
const HOLDERS_IN_EVENT: usize = 500;

/// Who holds an achievement, to name in an event about it; `None` when too many.
async fn holders_to_tell(tx: &mut Tx, achievement_id: i64) -> DomainResult<Option<Vec<i64>>> {
    let ids = tx.achievement_holder_ids(achievement_id, HOLDERS_IN_EVENT as i64 + 1).await?;
    Ok((ids.len() <= HOLDERS_IN_EVENT).then_some(ids))
}

pub struct UpdateAchievement {
    pub name: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    pub avatar: Option<Upload>,
}

pub async fn update_achievement(
    app: &AppState,
    actor: &Actor,
    achievement_id: i64,
    input: UpdateAchievement,
) -> DomainResult<AchievementRow> {
    let mut content_type = None;
    if let Some(upload) = &input.avatar {
        // Only someone who may edit it makes the server decode an image.
        let mut read = app.store.read().await?;
        let Loaded { facts, .. } = load(&mut read, actor, achievement_id).await?;
        drop(read);
        if !policy::admin_achievement(&actor.viewer(), &facts) {
            return Err(DomainError::NotFound("Achievement"));
        }
        content_type = Some(uploads::verify_avatar_off_runtime(upload).await?);
    }
    let mut tx = app.store.write().await?;
    let Loaded { achievement, group, facts } = load(&mut tx, actor, achievement_id).await?;
    if !policy::admin_achievement(&actor.viewer(), &facts) {
        return Err(DomainError::NotFound("Achievement"));
    }
    let name = input.name.as_deref().map(str::trim).unwrap_or(&achievement.name).to_string();
    let description = match input.description {
        Some(d) => d.map(|d| d.trim().to_string()),
        None => achievement.description.clone(),
    };
    validate(&name, description.as_deref())?;
    let mut avatar = achievement.avatar.clone();
    if let (Some(upload), Some(content_type)) = (&input.avatar, content_type) {
        avatar = Some(uploads::store_avatar(&mut tx, achievement.id, upload, content_type).await?);
    }
    let updated = tx
        .update_achievement(achievement.id, &name, description.as_deref(), avatar.as_deref())
        .await
        .map_err(name_taken)?;
    let what = ("achievement_updated", "Achievement", achievement.id);
    audit_achievement(&mut tx, actor, &updated, None, what, serde_json::json!({ "name": name })).await?;
    let holders = holders_to_tell(&mut tx, achievement.id).await?;
    app.publish(
        &mut tx,
        Event::AchievementChanged { achievement_id: achievement.id, group_id: group.id, deleted: false, holders },
    )
    .await?;
    app.commit(tx).await?;
    Ok(updated)
}

/// Deletes an achievement and, by cascade, all its awards.
pub async fn delete_achievement(app: &AppState, actor: &Actor, achievement_id: i64) -> DomainResult<AchievementRow> {
    let mut tx = app.store.write().await?;
    let Loaded { achievement, group, facts } = load(&mut tx, actor, achievement_id).await?;
    if !policy::admin_achievement(&actor.viewer(), &facts) {
        return Err(DomainError::NotFound("Achievement"));
    }
    let holders = holders_to_tell(&mut tx, achievement.id).await?;
    tx.revoke_credentials_of_achievement(achievement.id).await?;
    tx.delete_achievement(achievement.id).await?;
    let what = ("achievement_deleted", "Achievement", achievement.id);
    audit_achievement(&mut tx, actor, &achievement, None, what, serde_json::json!({ "name": achievement.name }))
        .await?;
    app.publish(
        &mut tx,
        Event::AchievementChanged { achievement_id: achievement.id, group_id: group.id, deleted: true, holders },
    )
    .await?;
    app.commit(tx).await?;
    Ok(achievement)
}

/// Awards an achievement (again: a user may hold one N times). When the instance
/// does not auto-accept, the award starts hidden until the recipient accepts it.
pub async fn award_achievement(
    app: &AppState,
    actor: &Actor,
    achievement_id: i64,
    user_id: i64,
    award_message: Option<String>,
) -> DomainResult<UserAchievementRow> {
    let awarder = actor.require_user().map_err(|_| DomainError::NotFound("Achievement"))?.clone();
    let mut tx = app.store.write().await?;
    let Loaded { achievement, group, facts } = load(&mut tx, actor, achievement_id).await?;
    if !policy::award_achievement(&actor.viewer(), &facts) {
        return Err(DomainError::NotFound("Achievement"));
    }
    let message = award_message.map(|m| m.trim().to_string()).filter(|m| !m.is_empty());
    validate_message(message.as_deref())?;
    let Some(recipient) = tx.user_by_id(user_id).await? else {
        return Err(DomainError::invalid(format!("Couldn't find User with 'id'={user_id}")));
    };
    let mut awarding = Awarding::read(&mut tx, awarder.id, &achievement, &group).await?;
    awarding.within_limit(&mut tx, 1).await?;
    let (award, mailed) = awarding.record(app, &mut tx, actor, &recipient, message.as_deref()).await?;
    app.commit(tx).await?;
    if let Some(signal) = app.outbox.as_ref().filter(|_| mailed) {
        signal.wake();
    }
    Ok(award)
}

/// What writing awards of one achievement needs, read once however many are
/// written (one by hand, or a whole file).
pub(crate) struct Awarding<'a> {
    awarder_id: i64,
    achievement: &'a AchievementRow,
    group: &'a NamespaceRow,
    /// Awards start accepted unless the instance asks recipients first.
    accepted: bool,
    limits: crate::model::AbuseLimits,
    mail_slots: outbox::MailSlots,
    /// The hooks that hear of these awards, read once.
    hooks: super::hook_events::Listeners,
    /// Made by this rule (its description), not by hand.
    rule: Option<String>,
}

impl<'a> Awarding<'a> {
    pub(crate) async fn read(
        tx: &mut Tx,
        awarder_id: i64,
        achievement: &'a AchievementRow,
        group: &'a NamespaceRow,
    ) -> DomainResult<Awarding<'a>> {
        // What it counts against the group's hourly limits is counted by one
        // awarding at a time.
        tx.lock_group(group.id).await?;
        let accepted = tx.auto_accept_awarded_achievements().await?;
        let limits = tx.abuse_limits().await?;
        let mail_slots = outbox::MailSlots::new(limits.award_emails_per_group_per_hour);
        let hooks = super::hook_events::Listeners::read(tx, group.id, "achievement_events").await?;
        Ok(Awarding { awarder_id, achievement, group, accepted, limits, mail_slots, hooks, rule: None })
    }

    /// Awards made by a rule: audited as such.
    pub(crate) fn by_rule(self, rule: String) -> Self {
        Awarding { rule: Some(rule), ..self }
    }

    /// How many more awards the group's hourly limit allows now.
    pub(crate) async fn room(&self, tx: &mut Tx) -> DomainResult<usize> {
        let limit = i64::from(self.limits.awards_per_group_per_hour);
        if limit <= 0 {
            return Ok(usize::MAX);
        }
        let (recent, _) = tx.group_awards_since(self.group.id, now() - chrono::Duration::hours(1)).await?;
        Ok(usize::try_from(limit.saturating_sub(recent)).unwrap_or(0))
    }

    /// Refuses `n` more awards past the group's hourly limit.
    pub(crate) async fn within_limit(&self, tx: &mut Tx, n: usize) -> DomainResult<()> {
        let limit = i64::from(self.limits.awards_per_group_per_hour);
        if limit <= 0 {
            return Ok(());
        }
        let hour = chrono::Duration::hours(1);
        let (recent, oldest) = tx.group_awards_since(self.group.id, now() - hour).await?;
        if recent.saturating_add(n as i64) > limit {
            let frees_at = oldest.map(|at| at + hour).unwrap_or_else(|| now() + hour);
            let retry_after = (frees_at - now()).num_seconds().clamp(1, 3600) as u64;
            return Err(DomainError::RateLimited { retry_after });
        }
        Ok(())
    }

    /// Writes one award with its audit entry, its event and its mail, in the
    /// caller's transaction (the mail is written with the award: both or
    /// neither). Whether a mail was written.
    pub(crate) async fn record(
        &mut self,
        app: &AppState,
        tx: &mut Tx,
        actor: &Actor,
        recipient: &UserRow,
        message: Option<&str>,
    ) -> DomainResult<(UserAchievementRow, bool)> {
        let achievement = self.achievement;
        let award = tx
            .insert_award(NewAward {
                achievement_id: achievement.id,
                user_id: recipient.id,
                awarded_by_user_id: self.awarder_id,
                award_message: message,
                accepted: self.accepted,
            })
            .await?;
        let (action, details) = match &self.rule {
            None => (
                "achievement_awarded",
                serde_json::json!({ "achievement_id": achievement.id, "user_id": recipient.id }),
            ),
            Some(rule) => (
                "achievement_awarded_by_rule",
                serde_json::json!({ "achievement_id": achievement.id, "user_id": recipient.id, "rule": rule }),
            ),
        };
        let what = (action, "UserAchievement", award.id);
        audit_achievement(tx, actor, achievement, Some(recipient.id), what, details).await?;
        let event = Event::AchievementAwarded {
            user_achievement_id: award.id,
            achievement_id: achievement.id,
            user_id: recipient.id,
            group_id: self.group.id,
        };
        app.publish(tx, event).await?;
        let actor_id = actor.user().map(|u| u.id);
        let hooks = &mut self.hooks;
        super::hook_events::achievement_to(tx, app, hooks, actor_id, "awarded", &award, achievement).await?;
        // Recipients who turned achievements off, or are blocked, or were
        // mailed as often as anyone is in an hour, get no mail; the award stands.
        let mailed = app.outbox.is_some()
            && recipient.achievements_enabled
            && !recipient.is_blocked()
            && outbox::recipient_has_room(tx, &recipient.email).await?;
        if mailed {
            let base = &app.instance.external_url;
            let mail = mail::award_mail(base, recipient, achievement, self.group, message, !self.accepted);
            let due = self.mail_slots.next(tx, self.group.id).await?;
            outbox::enqueue(tx, Some(self.group.id), &mail, due).await?;
        }
        Ok((award, mailed))
    }
}

pub async fn revoke_award(app: &AppState, actor: &Actor, award_id: i64) -> DomainResult<UserAchievementRow> {
    let revoker = actor.require_user().map_err(|_| DomainError::NotFound("User Achievement"))?.clone();
    let mut tx = app.store.write().await?;
    let (award, loaded) = load_award(&mut tx, actor, award_id).await?;
    if !policy::award_achievement(&actor.viewer(), &loaded.facts) {
        return Err(DomainError::NotFound("User Achievement"));
    }
    let revoked = tx.revoke_award(award.id, revoker.id).await?.ok_or_else(|| DomainError::invalid(ALREADY_REVOKED))?;
    let details = serde_json::json!({ "user_id": award.user_id });
    commit_award_change(app, tx, actor, "achievement_revoked", (&revoked, &loaded.achievement), details).await?;
    Ok(revoked)
}

/// Hard-deletes an award (Owners only). Returns the row as it was.
pub async fn delete_award(app: &AppState, actor: &Actor, award_id: i64) -> DomainResult<UserAchievementRow> {
    let mut tx = app.store.write().await?;
    let (award, loaded) = load_award(&mut tx, actor, award_id).await?;
    if !policy::destroy_user_achievement(&actor.viewer(), &loaded.facts) {
        return Err(DomainError::NotFound("User Achievement"));
    }
    tx.delete_award(award.id).await?;
    let details = serde_json::json!({ "user_id": award.user_id, "achievement_id": award.achievement_id });
    commit_award_change(app, tx, actor, "user_achievement_deleted", (&award, &loaded.achievement), details).await?;
    Ok(award)
}

pub struct UpdateAward {
    pub show_on_profile: Option<bool>,
    /// `Some(None)` clears the message.
    pub award_message: Option<Option<String>>,
}

/// The recipient shows or hides an award; awarding-group Maintainers+ may edit its
/// message. Each field is checked on its own.
pub async fn update_award(
    app: &AppState,
    actor: &Actor,
    award_id: i64,
    input: UpdateAward,
) -> DomainResult<UserAchievementRow> {
    let mut tx = app.store.write().await?;
    let (award, loaded) = load_award(&mut tx, actor, award_id).await?;
    let viewer = actor.viewer();
    let may_show = policy::update_owned_user_achievement(&viewer, award.user_id, &loaded.facts);
    let may_message = policy::award_achievement(&viewer, &loaded.facts);
    if award.revoked_by_user_id.is_some()
        || (input.show_on_profile.is_some() && !may_show)
        || (input.award_message.is_some() && !may_message)
        || !(may_show || may_message)
    {
        return Err(DomainError::NotFound("User Achievement"));
    }
    let message = match input.award_message {
        Some(m) => m.map(|m| m.trim().to_string()).filter(|m| !m.is_empty()),
        None => award.award_message.clone(),
    };
    validate_message(message.as_deref())?;
    let show = input.show_on_profile.unwrap_or(award.show_on_profile);
    let updated = tx.update_award(award.id, show, message.as_deref(), award.accepted_at).await?;
    let details = serde_json::json!({ "show_on_profile": show });
    commit_award_change(app, tx, actor, "user_achievement_updated", (&award, &loaded.achievement), details).await?;
    Ok(updated)
}

/// The recipient accepts a pending award: it becomes visible on the profile.
pub async fn accept_award(app: &AppState, actor: &Actor, award_id: i64) -> DomainResult<UserAchievementRow> {
    let mut tx = app.store.write().await?;
    let (award, achievement) = load_own_award(&mut tx, actor, award_id).await?;
    let accepted_at = award.accepted_at.or_else(|| Some(crate::store::now()));
    let updated = tx.update_award(award.id, true, award.award_message.as_deref(), accepted_at).await?;
    commit_award_change(app, tx, actor, "user_achievement_accepted", (&updated, &achievement), serde_json::json!({}))
        .await?;
    Ok(updated)
}

/// The recipient declines a pending award: it is removed (the audit log keeps it).
pub async fn decline_award(app: &AppState, actor: &Actor, award_id: i64) -> DomainResult<UserAchievementRow> {
    let mut tx = app.store.write().await?;
    let (award, achievement) = load_own_award(&mut tx, actor, award_id).await?;
    if award.accepted_at.is_some() {
        return Err(DomainError::invalid("Only pending awards can be declined"));
    }
    tx.delete_award(award.id).await?;
    let details = serde_json::json!({ "achievement_id": award.achievement_id });
    commit_award_change(app, tx, actor, "user_achievement_declined", (&award, &achievement), details).await?;
    Ok(award)
}

/// Sets the recipient's profile order. The listed awards (highest first) get
/// priorities 0..n-1; every other award of the user that had a priority loses it.
/// Returns the awards whose priority changed. Any id that is not the actor's own
/// unrevoked award fails the whole call, changing nothing.
pub async fn set_priorities(app: &AppState, actor: &Actor, award_ids: &[i64]) -> DomainResult<Vec<UserAchievementRow>> {
    let user = actor.require_user().map_err(|_| DomainError::NotFound("User Achievement"))?.clone();
    let unique: HashSet<i64> = award_ids.iter().copied().collect();
    if unique.len() != award_ids.len() {
        return Err(DomainError::invalid("User achievement ids must be unique"));
    }
    let mut tx = app.store.write().await?;
    let owned = tx.awards_of_user_unchecked(user.id).await?;
    for id in award_ids {
        let award = owned.iter().find(|a| a.id == *id).ok_or(DomainError::NotFound("User Achievement"))?;
        let loaded = load(&mut tx, actor, award.achievement_id).await?;
        if !policy::update_owned_user_achievement(&actor.viewer(), award.user_id, &loaded.facts) {
            return Err(DomainError::NotFound("User Achievement"));
        }
    }
    let mut changed = Vec::new();
    for award in &owned {
        let wanted = award_ids.iter().position(|id| *id == award.id).map(|p| p as i64);
        if award.priority != wanted {
            changed.push(tx.set_award_priority(award.id, wanted).await?);
        }
    }
    audit(&mut tx, actor, "user_achievements_reordered", "User", user.id, serde_json::json!({ "order": award_ids }))
        .await?;
    app.publish(&mut tx, Event::UserAchievementsReordered { user_id: user.id }).await?;
    app.commit(tx).await?;
    // In the order the caller gave, then the ones that lost their priority.
    changed.sort_by_key(|a| (a.priority.is_none(), a.priority, a.id));
    Ok(changed)
}

/// A page of a group's achievements (newest first) whose name contains
/// `search`, only those in `ids` when given, if the actor may read them.
pub async fn list_group_achievements(
    app: &AppState,
    actor: &Actor,
    group: &str,
    search: &str,
    ids: Option<&[i64]>,
    window: Window,
) -> DomainResult<Listing<AchievementRow>> {
    let mut tx = app.store.read().await?;
    let (group, facts) = super::groups::readable_group(&mut tx, actor, group).await?;
    if !policy::read_achievement(&actor.viewer(), &facts) {
        return Ok(Listing::empty());
    }
    let q = AchievementSearch { namespace_id: group.id, search, ids };
    let total = listing::count(tx.count_achievements(&q).await?);
    let range = window.range(total);
    let (limit, offset) = listing::limit_offset(&range);
    let items = tx.list_achievements(&q, limit, offset).await?;
    Ok(Listing { total, start: range.start, items })
}

/// One award as a profile shows it.
#[derive(Clone, Debug)]
pub struct DisplayedAward {
    pub award: UserAchievementRow,
    pub achievement: AchievementRow,
    /// The awarding group, or `None` when the viewer may not see it ("a private namespace").
    pub group: Option<NamespaceRow>,
}

/// A page of a user's awards in profile order. Hidden and pending awards are
/// included only when asked for and only for viewers who may see them;
/// nothing when the profile's achievements are not visible to the viewer. The
/// policy decides, per awarding group, what is listed; the database filters
/// and pages.
pub async fn user_awards(
    app: &AppState,
    actor: &Actor,
    user_id: i64,
    include_hidden: bool,
    window: Window,
) -> DomainResult<Listing<DisplayedAward>> {
    profile_awards(app, actor, user_id, include_hidden, window, None).await
}

/// One award of `user_id`'s, when their profile lists it to `actor` (hidden
/// and pending ones not counted): what `user_awards` would list, without
/// reading the rest.
pub async fn user_award(
    app: &AppState,
    actor: &Actor,
    user_id: i64,
    award_id: i64,
) -> DomainResult<Option<DisplayedAward>> {
    let found = profile_awards(app, actor, user_id, false, Window::first(1), Some(award_id)).await?;
    Ok(found.items.into_iter().next())
}

async fn profile_awards(
    app: &AppState,
    actor: &Actor,
    user_id: i64,
    include_hidden: bool,
    window: Window,
    only: Option<i64>,
) -> DomainResult<Listing<DisplayedAward>> {
    let mut tx = app.store.read().await?;
    let user = tx.user_by_id(user_id).await?.ok_or(DomainError::NotFound("User"))?;
    let viewer = actor.viewer();
    let recipient = facts::profile_facts(&user);
    if !policy::read_user_achievements(&viewer, &recipient) {
        return Ok(Listing::empty());
    }
    let mut groups: HashMap<i64, (NamespaceRow, GroupFacts)> = HashMap::new();
    let (mut listed, mut hidden_in) = (Vec::new(), Vec::new());
    for group_id in tx.awarding_groups_of_user(user.id).await? {
        let Some(group) = tx.namespace_by_id(group_id).await? else { continue };
        let facts = facts::group_facts(&mut tx, actor, &group).await?;
        let Some(rule) = policy::award_listing(&viewer, &facts) else { continue };
        if rule.admits(&AwardFacts { recipient, shown: true }) {
            listed.push(group_id);
            if include_hidden && rule.admits(&AwardFacts { recipient, shown: false }) {
                hidden_in.push(group_id);
            }
        }
        groups.insert(group_id, (group, facts));
    }
    let q = ProfileAwards { user_id: user.id, groups: &listed, hidden_in: &hidden_in, only };
    let total = listing::count(tx.count_profile_awards(&q).await?);
    let range = window.range(total);
    let (limit, offset) = listing::limit_offset(&range);
    let mut items = Vec::new();
    // A user often holds one achievement many times: load each once.
    let mut achievements: HashMap<i64, AchievementRow> = HashMap::new();
    for award in tx.profile_awards(&q, limit, offset).await? {
        let achievement = match achievements.get(&award.achievement_id) {
            Some(known) => known.clone(),
            None => {
                let row =
                    tx.achievement_by_id(award.achievement_id).await?.ok_or(DomainError::NotFound("Achievement"))?;
                achievements.insert(row.id, row.clone());
                row
            }
        };
        let (group, facts) =
            groups.get(&achievement.namespace_id).cloned().ok_or(DomainError::NotFound("Achievement"))?;
        let group = policy::read_award_namespace(&viewer, &facts).then_some(group);
        items.push(DisplayedAward { award, achievement, group });
    }
    Ok(Listing { total, start: range.start, items })
}

/// Most people named on one page: more are shown without an icon.
pub const MAX_TOP_ACHIEVEMENTS: usize = 500;

/// Each of `users`' top achievements (the first `per_user` different ones
/// their profile shows) as `actor` may see them: the profile's achievements
/// readable, the award listed, and its group one the actor may read (never
/// "a private namespace"). For a whole page at once: one query for the
/// people, one for their shown achievements, and the facts of each awarding
/// group once.
pub async fn top_achievements(
    app: &AppState,
    actor: &Actor,
    users: &[i64],
    per_user: usize,
) -> DomainResult<HashMap<i64, Vec<crate::model::TopAchievement>>> {
    let mut users: Vec<i64> = users.to_vec();
    users.sort_unstable();
    users.dedup();
    users.truncate(MAX_TOP_ACHIEVEMENTS);
    let viewer = actor.viewer();
    let mut tx = app.store.read().await?;
    let profiles: HashMap<i64, ProfileFacts> = tx
        .users_by_ids(&users)
        .await?
        .iter()
        .map(facts::profile_facts)
        .filter(|p| policy::read_user_achievements(&viewer, p))
        .map(|p| (p.user_id, p))
        .collect();
    let mut groups: HashMap<i64, Option<GroupFacts>> = HashMap::new();
    let mut top: HashMap<i64, Vec<(i64, crate::model::TopAchievement)>> = HashMap::new();
    for held in tx.shown_achievements_of(&users).await? {
        let Some(recipient) = profiles.get(&held.holder_id).copied() else { continue };
        let theirs = top.get(&held.holder_id).map(Vec::as_slice).unwrap_or_default();
        if theirs.len() >= per_user || theirs.iter().any(|(id, _)| *id == held.achievement.id) {
            continue;
        }
        let namespace = held.achievement.namespace_id;
        if let std::collections::hash_map::Entry::Vacant(slot) = groups.entry(namespace) {
            let facts = match tx.namespace_by_id(namespace).await? {
                Some(group) => Some(facts::group_facts(&mut tx, actor, &group).await?),
                None => None,
            };
            slot.insert(facts);
        }
        let Some(Some(group)) = groups.get(&namespace) else { continue };
        let listed = policy::award_listing(&viewer, group)
            .is_some_and(|rule| rule.admits(&AwardFacts { recipient, shown: true }));
        if listed && policy::read_award_namespace(&viewer, group) {
            let avatar_url = uploads::achievement_avatar_url(&app.instance, &held.achievement);
            let shown =
                crate::model::TopAchievement { id: held.achievement.id, name: held.achievement.name, avatar_url };
            top.entry(held.holder_id).or_default().push((held.achievement.id, shown));
        }
    }
    Ok(top.into_iter().map(|(user, shown)| (user, shown.into_iter().map(|(_, a)| a).collect())).collect())
}

/// An achievement the actor can reach: through its group's listing, or because
/// it was awarded to someone (achievements belong to their holders, so a shown
/// award makes its achievement readable). `None` when the feature is off.
pub async fn find_achievement(app: &AppState, actor: &Actor, achievement_id: i64) -> DomainResult<AchievementRow> {
    let mut tx = app.store.read().await?;
    let Loaded { achievement, facts, .. } = load(&mut tx, actor, achievement_id).await?;
    if !facts.achievements_enabled {
        return Err(DomainError::NotFound("Achievement"));
    }
    Ok(achievement)
}

/// The achievement's group, if the actor may see it (else "a private namespace").
pub async fn visible_group(
    app: &AppState,
    actor: &Actor,
    achievement: &AchievementRow,
) -> DomainResult<Option<NamespaceRow>> {
    let mut tx = app.store.read().await?;
    let Loaded { group, facts, .. } = load(&mut tx, actor, achievement.id).await?;
    Ok(policy::read_award_namespace(&actor.viewer(), &facts).then_some(group))
}

/// An award as a listing of an achievement's holders shows it.
#[derive(Clone, Debug)]
pub struct HeldAward {
    pub award: UserAchievementRow,
    pub holder: UserRow,
}

/// How the actor's listings of an achievement's awards filter them, or `None`
/// when the actor may list none (the group's achievements are not readable).
async fn award_listing(tx: &mut Tx, actor: &Actor, achievement_id: i64) -> DomainResult<Option<AwardListing>> {
    let Loaded { facts, .. } = load(tx, actor, achievement_id).await?;
    let viewer = actor.viewer();
    if !policy::read_achievement(&viewer, &facts) {
        return Ok(None);
    }
    Ok(policy::award_listing(&viewer, &facts))
}

/// A page of an achievement's unrevoked awards, by id, with their holders:
/// for whoever may read the group's achievements, as `policy::award_listing`
/// lets each through (hidden and pending ones, and private or blocked holders,
/// left out for those who may not see them).
pub async fn achievement_awards(
    app: &AppState,
    actor: &Actor,
    achievement_id: i64,
    window: Window,
) -> DomainResult<Listing<HeldAward>> {
    let mut tx = app.store.read().await?;
    let Some(rule) = award_listing(&mut tx, actor, achievement_id).await? else { return Ok(Listing::empty()) };
    let total = listing::count(tx.count_achievement_awards(achievement_id, &rule).await?);
    let range = window.range(total);
    let (limit, offset) = listing::limit_offset(&range);
    let awards = tx.achievement_awards(achievement_id, &rule, limit, offset).await?;
    let mut ids: Vec<i64> = awards.iter().map(|a| a.user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let holders: HashMap<i64, UserRow> = tx.users_by_ids(&ids).await?.into_iter().map(|u| (u.id, u)).collect();
    let items = awards
        .into_iter()
        .filter_map(|award| Some(HeldAward { holder: holders.get(&award.user_id)?.clone(), award }))
        .collect();
    Ok(Listing { total, start: range.start, items })
}

/// A page of the distinct holders of those awards, by user id.
pub async fn achievement_holders(
    app: &AppState,
    actor: &Actor,
    achievement_id: i64,
    window: Window,
) -> DomainResult<Listing<UserRow>> {
    let mut tx = app.store.read().await?;
    let Some(rule) = award_listing(&mut tx, actor, achievement_id).await? else { return Ok(Listing::empty()) };
    let total = listing::count(tx.count_achievement_holders(achievement_id, &rule).await?);
    let range = window.range(total);
    let (limit, offset) = listing::limit_offset(&range);
    let items = tx.achievement_holders(achievement_id, &rule, limit, offset).await?;
    Ok(Listing { total, start: range.start, items })
}

/// What the actor may do with a group's achievements: for showing controls
/// only; every action checks again.
#[derive(Clone, Copy, Debug)]
pub struct GroupAbilities {
    /// See the group's achievements (the feature is on and the group readable).
    pub read: bool,
    pub manage: bool,
    /// Award and revoke (one by one, or from a file).
    pub award: bool,
    pub delete_awards: bool,
}

pub async fn group_abilities(
    app: &AppState,
    actor: &Actor,
    group: &str,
) -> DomainResult<(NamespaceRow, GroupAbilities)> {
    let mut tx = app.store.read().await?;
    let (group, facts) = super::groups::readable_group(&mut tx, actor, group).await?;
    let viewer = actor.viewer();
    let abilities = GroupAbilities {
        read: policy::read_achievement(&viewer, &facts),
        manage: policy::admin_achievement(&viewer, &facts),
        award: policy::award_achievement(&viewer, &facts),
        delete_awards: policy::destroy_user_achievement(&viewer, &facts),
    };
    Ok((group, abilities))
}

/// An achievement addressed through its group (id or full path), as REST does:
/// the group must be readable, its achievements too, and the achievement must
/// be one of them. With what the actor may do there (for the surface's choice
/// between "forbidden" and "not found"; every action checks again).
pub async fn group_achievement(
    app: &AppState,
    actor: &Actor,
    group: &str,
    achievement_id: i64,
) -> DomainResult<(AchievementRow, GroupAbilities)> {
    let (group, abilities) = group_abilities(app, actor, group).await?;
    let mut tx = app.store.read().await?;
    let achievement = tx.achievement_by_id(achievement_id).await?;
    match achievement {
        Some(achievement) if abilities.read && achievement.namespace_id == group.id => Ok((achievement, abilities)),
        _ => Err(DomainError::NotFound("Achievement")),
    }
}

/// How widely each of `achievement_ids` is held, for those the actor may see
/// with their group (others are left out): distinct holders as the actor may
/// count them (hidden awards and private holders only where the actor may see
/// them), and the group's members. One count and one member count per group.
pub async fn held(app: &AppState, actor: &Actor, achievement_ids: &[i64]) -> DomainResult<HashMap<i64, Held>> {
    let glances = glance(app, actor, achievement_ids, 0).await?;
    Ok(glances.into_iter().map(|(id, glance)| (id, glance.held)).collect())
}

/// An achievement at a glance, as the actor may see it: how many awards, how
/// widely held, and its first awards with their holders.
#[derive(Clone, Debug)]
pub struct Glance {
    pub awards: usize,
    pub held: Held,
    pub first: Vec<HeldAward>,
}

/// Each of `achievement_ids` the actor may see with their group (others are
/// left out) at a glance, with its first `faces` awards by id. For a page of
/// achievements at once: per group, its facts, members, counts and first
/// awards each read once, whatever the number of achievements.
pub async fn glance(
    app: &AppState,
    actor: &Actor,
    achievement_ids: &[i64],
    faces: usize,
) -> DomainResult<HashMap<i64, Glance>> {
    let mut tx = app.store.read().await?;
    let viewer = actor.viewer();
    let mut by_group: HashMap<i64, Vec<i64>> = HashMap::new();
    for achievement in tx.achievements_by_ids(achievement_ids).await? {
        by_group.entry(achievement.namespace_id).or_default().push(achievement.id);
    }
    let mut found = HashMap::new();
    for (group_id, ids) in by_group {
        let Some(group) = tx.namespace_by_id(group_id).await? else { continue };
        let facts = facts::group_facts(&mut tx, actor, &group).await?;
        let visible = policy::read_achievement(&viewer, &facts) && policy::read_award_namespace(&viewer, &facts);
        let Some(rule) = policy::award_listing(&viewer, &facts).filter(|_| visible) else { continue };
        let members = super::groups::count_members(&mut tx, group).await?;
        let counts: HashMap<i64, (i64, i64)> =
            tx.count_listed_awards(&ids, &rule).await?.into_iter().map(|(id, a, h)| (id, (a, h))).collect();
        let mut first = match faces {
            0 => Vec::new(),
            n => tx.first_listed_awards(&ids, &rule, i64::try_from(n).unwrap_or(i64::MAX)).await?,
        };
        first.sort_unstable_by_key(|award| award.id);
        let mut people: Vec<i64> = first.iter().map(|a| a.user_id).collect();
        people.sort_unstable();
        people.dedup();
        let holders: HashMap<i64, UserRow> = tx.users_by_ids(&people).await?.into_iter().map(|u| (u.id, u)).collect();
        for id in ids {
            let (awards, holding) = counts.get(&id).copied().unwrap_or((0, 0));
            let glance = Glance {
                awards: listing::count(awards),
                held: Held { holders: listing::count(holding), members },
                first: first
                    .iter()
                    .filter(|award| award.achievement_id == id)
                    .filter_map(|award| {
                        Some(HeldAward { holder: holders.get(&award.user_id)?.clone(), award: award.clone() })
                    })
                    .collect(),
            };
            found.insert(id, glance);
        }
    }
    Ok(found)
}
