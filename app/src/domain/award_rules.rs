//! Rule-based awards: Maintainers attach a rule to an achievement, chosen
//! from typed triggers (never SQL), see a preview of who meets it, and save
//! it; it then awards everyone who meets it (within the group's hourly award
//! limit, the rest at the next pass), at once when a reaction, an issue, a
//! merge request or a comment makes someone meet it, and in a periodic pass
//! (memberships, catching up). With `auto_revoke`, awards the rule made are
//! taken back from people who no longer meet it. Grants and revocations are
//! audited as made by the rule, announced live, mailed and sent to webhooks
//! exactly as hand-made ones.

use super::achievements::{self, Awarding, Loaded};
use super::{audit_concerning, Actor, AppState, DomainError, DomainResult};
use crate::events::{AwardableKind, AwardableRef};
use crate::policy;
use crate::store::{AchievementRow, AwardRuleRow, Concerns, Measure, NamespaceRow, NewRule, Tx, UserRow};
use std::time::Duration;
use tokio::sync::watch;

pub use crate::model::RULE_TRIGGERS as TRIGGERS;

/// Rules a group's achievements may have at most (each is evaluated every pass).
pub const MAX_RULES_PER_GROUP: i64 = 50;

/// People one pass (or a save) awards at most per rule; the next pass goes on.
const PER_PASS: usize = 500;
/// People a preview names.
pub const SAMPLE: i64 = 10;

/// A rule as a form or an API call gives it.
#[derive(Clone, Debug, Default)]
pub struct RuleInput {
    pub trigger: String,
    /// The count (days for `member_for_days`; `first_reaction_given` is 1).
    pub threshold: i64,
    /// `reactions_received` only: count this emoji alone.
    pub emoji: Option<String>,
    pub auto_revoke: bool,
}

/// A checked rule.
struct Checked {
    trigger: &'static str,
    threshold: i64,
    emoji: Option<&'static str>,
    auto_revoke: bool,
}

fn check(input: &RuleInput) -> DomainResult<Checked> {
    let Some(trigger) = TRIGGERS.iter().copied().find(|t| *t == input.trigger.trim()) else {
        return Err(DomainError::invalid(format!("Trigger must be one of: {}", TRIGGERS.join(", "))));
    };
    let threshold = match trigger {
        "first_reaction_given" => 1,
        "member_for_days" if !(1..=36_500).contains(&input.threshold) => {
            return Err(DomainError::invalid("Days must be from 1 to 36500"));
        }
        _ if !(1..=1_000_000).contains(&input.threshold) => {
            return Err(DomainError::invalid("Count must be from 1 to 1000000"));
        }
        _ => input.threshold,
    };
    let emoji = match input.emoji.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        None => None,
        Some(_) if trigger != "reactions_received" => {
            return Err(DomainError::invalid("Emoji applies to reactions received only"));
        }
        Some(name) => Some(
            super::award_emoji::canonical_name(name.trim_matches(':'))
                .ok_or_else(|| DomainError::invalid("Emoji is not a valid emoji name"))?,
        ),
    };
    Ok(Checked { trigger, threshold, emoji, auto_revoke: input.auto_revoke })
}

/// The rule in words, for the audit log and the pages: `reactions_received >= 10 (tada)`.
pub fn describe(rule: &AwardRuleRow) -> String {
    let emoji = rule.emoji.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
    format!("{} >= {}{emoji}", rule.trigger, rule.threshold)
}

/// The achievement, if the actor may set its rule (Maintainers+, as editing
/// it): unknown or unreadable ones are `404`, others who may see it `403`.
async fn managed(tx: &mut Tx, actor: &Actor, achievement_id: i64) -> DomainResult<Loaded> {
    let loaded = achievements::load(tx, actor, achievement_id).await?;
    let viewer = actor.viewer();
    if !policy::read_achievement(&viewer, &loaded.facts) {
        return Err(DomainError::NotFound("Achievement"));
    }
    if !policy::admin_achievement(&viewer, &loaded.facts) {
        return Err(if actor.user().is_some() { DomainError::Forbidden } else { DomainError::Unauthorized });
    }
    Ok(loaded)
}

/// The achievement and its rule, if any (Maintainers+).
pub async fn rule(
    app: &AppState,
    actor: &Actor,
    achievement_id: i64,
) -> DomainResult<(AchievementRow, Option<AwardRuleRow>)> {
    let mut tx = app.store.read().await?;
    let loaded = managed(&mut tx, actor, achievement_id).await?;
    let rule = tx.award_rule(achievement_id).await?;
    Ok((loaded.achievement, rule))
}

/// Who a rule would award now: how many, and the first few.
#[derive(Clone, Debug)]
pub struct Preview {
    pub matching: i64,
    pub sample: Vec<UserRow>,
}

fn unsaved(achievement_id: i64, rule: &Checked) -> AwardRuleRow {
    AwardRuleRow {
        achievement_id,
        trigger: rule.trigger.to_string(),
        threshold: rule.threshold,
        emoji: rule.emoji.map(str::to_string),
        auto_revoke: rule.auto_revoke,
        created_by: None,
        created_at: crate::store::now(),
        updated_at: crate::store::now(),
    }
}

/// What saving `input` would do now, changing nothing (Maintainers+).
pub async fn preview(app: &AppState, actor: &Actor, achievement_id: i64, input: &RuleInput) -> DomainResult<Preview> {
    let checked = check(input)?;
    let mut tx = app.store.read().await?;
    let loaded = managed(&mut tx, actor, achievement_id).await?;
    let rule = unsaved(achievement_id, &checked);
    let measure = Measure::of(&rule).ok_or_else(|| DomainError::invalid("Trigger is unknown"))?;
    let group = loaded.group.id;
    let matching = tx.count_rule_matches(group, &rule, &measure).await?;
    let sample = tx.rule_matches(group, &rule, &measure, None, SAMPLE).await?;
    Ok(Preview { matching, sample })
}

/// Saves the rule (replacing the one there was) and awards everyone who
/// meets it now, within the group's hourly award limit (the periodic pass
/// goes on with the rest). How many were awarded now.
pub async fn save_rule(
    app: &AppState,
    actor: &Actor,
    achievement_id: i64,
    input: &RuleInput,
) -> DomainResult<(AwardRuleRow, usize)> {
    let user = actor.require_user()?.clone();
    let checked = check(input)?;
    let mut tx = app.store.write().await?;
    let Loaded { group, .. } = managed(&mut tx, actor, achievement_id).await?;
    tx.lock_group(group.id).await?;
    // Checked again under it: the actor's level as it is now.
    let Loaded { achievement, group, .. } = managed(&mut tx, actor, achievement_id).await?;
    let replacing = tx.award_rule(achievement.id).await?.is_some();
    if !replacing && tx.count_group_award_rules(group.id).await? >= MAX_RULES_PER_GROUP {
        return Err(DomainError::invalid(format!("A group has at most {MAX_RULES_PER_GROUP} award rules")));
    }
    let new = NewRule {
        trigger: checked.trigger,
        threshold: checked.threshold,
        emoji: checked.emoji,
        auto_revoke: checked.auto_revoke,
        created_by: user.id,
    };
    let rule = tx.put_award_rule(achievement.id, &new).await?;
    audit_rule(&mut tx, actor, "award_rule_saved", &rule, &achievement).await?;
    let (awarded, mailed) = grant(app, &mut tx, &rule, (&achievement, &group), None).await?;
    app.commit(tx).await?;
    wake_mail(app, mailed);
    Ok((rule, awarded))
}

/// Removes the rule; the awards it made stay.
pub async fn delete_rule(app: &AppState, actor: &Actor, achievement_id: i64) -> DomainResult<()> {
    let mut tx = app.store.write().await?;
    let Loaded { achievement, .. } = managed(&mut tx, actor, achievement_id).await?;
    let rule = tx.award_rule(achievement.id).await?.ok_or(DomainError::NotFound("Award Rule"))?;
    tx.delete_award_rule(achievement.id).await?;
    audit_rule(&mut tx, actor, "award_rule_deleted", &rule, &achievement).await?;
    app.commit(tx).await
}

async fn audit_rule(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    rule: &AwardRuleRow,
    achievement: &AchievementRow,
) -> DomainResult<()> {
    let concerns =
        Concerns { group_id: Some(achievement.namespace_id), achievement_id: Some(achievement.id), subject_id: None };
    let details = serde_json::json!({
        "achievement": achievement.name, "rule": describe(rule), "auto_revoke": rule.auto_revoke,
    });
    audit_concerning(tx, actor, concerns, (action, "AwardRule", achievement.id), details).await
}

fn wake_mail(app: &AppState, mailed: bool) {
    if let Some(signal) = app.outbox.as_ref().filter(|_| mailed) {
        signal.wake();
    }
}

/// Awards the rule's achievement to those who meet it and do not hold it
/// (`only`: that person alone), as many as the group's hourly limit and
/// [`PER_PASS`] allow, in the caller's transaction. How many, and whether
/// mail was queued. Nobody while the group's achievements are switched off.
async fn grant(
    app: &AppState,
    tx: &mut Tx,
    rule: &AwardRuleRow,
    (achievement, group): (&AchievementRow, &NamespaceRow),
    only: Option<i64>,
) -> DomainResult<(usize, bool)> {
    tx.lock_group(group.id).await?;
    tx.lock_award_rule(rule.achievement_id).await?;
    // As it is now: changed or deleted since it was read, it is that.
    let Some(rule) = &tx.award_rule(rule.achievement_id).await? else { return Ok((0, false)) };
    let (Some(measure), Some(maker)) = (Measure::of(rule), rule.created_by) else { return Ok((0, false)) };
    if !super::facts::achievements_enabled(tx, group).await? {
        return Ok((0, false));
    }
    let mut awarding = Awarding::read(tx, maker, achievement, group).await?.by_rule(describe(rule));
    let room = awarding.room(tx).await?.min(PER_PASS);
    if room == 0 {
        return Ok((0, false));
    }
    let people = tx.rule_matches(group.id, rule, &measure, only, room as i64).await?;
    let mut mailed = false;
    for person in &people {
        let (award, mail) = awarding.record(app, tx, &Actor::Anonymous, person, None).await?;
        tx.mark_granted_by_rule(award.id).await?;
        mailed |= mail;
    }
    Ok((people.len(), mailed))
}

/// Takes back the awards the rule made from people who no longer meet it
/// (none while the group's achievements are switched off).
async fn revoke_unmet(
    app: &AppState,
    tx: &mut Tx,
    rule: &AwardRuleRow,
    (achievement, group): (&AchievementRow, &NamespaceRow),
) -> DomainResult<usize> {
    tx.lock_group(group.id).await?;
    tx.lock_award_rule(rule.achievement_id).await?;
    let Some(rule) = &tx.award_rule(rule.achievement_id).await? else { return Ok(0) };
    let (Some(measure), Some(maker)) = (Measure::of(rule), rule.created_by) else { return Ok(0) };
    if !super::facts::achievements_enabled(tx, group).await? {
        return Ok(0);
    }
    let unmet = tx.rule_grants_unmet(group.id, rule, &measure).await?;
    for award in &unmet {
        if let Some(revoked) = tx.revoke_award(award.id, maker).await? {
            let details = serde_json::json!({ "user_id": award.user_id, "rule": describe(rule) });
            let change = ("achievement_revoked_by_rule", (&revoked, achievement));
            achievements::announce_award_change(app, tx, &Actor::Anonymous, change, details).await?;
        }
    }
    Ok(unmet.len())
}

/// A change that may make someone meet a rule (in the change's transaction):
/// a reaction given on `item` by `giver`, or an issue, merge request or
/// comment by `author`. Costs one query when no rule listens.
pub(crate) enum Activity {
    Reaction { item: AwardableRef, giver: i64 },
    Opened { kind: AwardableKind, author: i64 },
}

pub(crate) async fn on_activity(
    app: &AppState,
    tx: &mut Tx,
    namespace_id: i64,
    activity: Activity,
) -> DomainResult<()> {
    let triggers: &[&str] = match &activity {
        Activity::Reaction { .. } => &["reactions_received", "first_reaction_given"],
        Activity::Opened { kind: AwardableKind::Issue, .. } => &["issues_opened"],
        Activity::Opened { kind: AwardableKind::MergeRequest, .. } => &["merge_requests_opened"],
        Activity::Opened { kind: AwardableKind::Note, .. } => &["comments_written"],
        Activity::Opened { kind: AwardableKind::Snippet, .. } => &[],
    };
    let rules = tx.award_rules_above(namespace_id, triggers).await?;
    if rules.is_empty() {
        return Ok(());
    }
    let owner = match &activity {
        Activity::Reaction { item, .. } => owner_of(tx, *item).await?,
        Activity::Opened { author, .. } => Some(*author),
    };
    let mut ruled = Vec::with_capacity(rules.len());
    for rule in rules {
        if let Some(achievement) = tx.achievement_by_id(rule.achievement_id).await? {
            ruled.push((rule, achievement));
        }
    }
    // The rules' groups (this one and those above it) are held first, in
    // one order, before any rule: rules come by achievement, and taking each
    // rule's group as it came could hold two groups in opposite orders.
    let mut groups: Vec<i64> = ruled.iter().map(|(_, achievement)| achievement.namespace_id).collect();
    groups.sort_unstable();
    groups.dedup();
    for group in groups {
        tx.lock_group(group).await?;
    }
    let mut mailed = false;
    for (rule, achievement) in ruled {
        let person = match (&activity, rule.trigger.as_str()) {
            (Activity::Reaction { giver, .. }, "first_reaction_given") => Some(*giver),
            (Activity::Reaction { .. }, _) => owner,
            (Activity::Opened { author, .. }, _) => Some(*author),
        };
        let Some(person) = person else { continue };
        let Some(group) = tx.namespace_by_id(achievement.namespace_id).await? else { continue };
        mailed |= grant(app, tx, &rule, (&achievement, &group), Some(person)).await?.1;
    }
    wake_mail(app, mailed);
    Ok(())
}

/// Who wrote the issue, merge request or comment (snippets count for no rule).
async fn owner_of(tx: &mut Tx, item: AwardableRef) -> DomainResult<Option<i64>> {
    Ok(match item.kind {
        AwardableKind::Note => tx.note_by_id(item.id).await?.and_then(|n| n.author_id),
        AwardableKind::Snippet => None,
        kind => match kind.work_item() {
            Some(kind) => tx.work_item_by_id(kind, item.id).await?.and_then(|w| w.author_id),
            None => None,
        },
    })
}

/// One pass over every rule: awards who meets it (memberships, and whatever
/// the limit held back), and with `auto_revoke` takes back what no longer
/// holds. Each rule in a transaction of its own. How many awards changed.
pub async fn run_pass(app: &AppState) -> DomainResult<usize> {
    let rules = {
        let mut tx = app.store.read().await?;
        tx.all_award_rules().await?
    };
    let mut changed = 0;
    for rule in rules {
        let mut tx = app.store.write().await?;
        // Read again under the write lock: it may have changed or gone.
        let Some(rule) = tx.award_rule(rule.achievement_id).await? else { continue };
        let Some(achievement) = tx.achievement_by_id(rule.achievement_id).await? else { continue };
        let Some(group) = tx.namespace_by_id(achievement.namespace_id).await? else { continue };
        let (granted, mailed) = grant(app, &mut tx, &rule, (&achievement, &group), None).await?;
        let revoked =
            if rule.auto_revoke { revoke_unmet(app, &mut tx, &rule, (&achievement, &group)).await? } else { 0 };
        app.commit(tx).await?;
        wake_mail(app, mailed);
        changed += granted + revoked;
    }
    Ok(changed)
}

/// Runs [`run_pass`] every `every` until `stop` turns true.
pub async fn run(app: AppState, every: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
        match run_pass(&app).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("award rules: {n} awards made or revoked"),
            Err(err) => tracing::warn!("award rules: {err}"),
        }
    }
}
