//! What group webhooks are sent: GitLab's emoji events (`Emoji Hook`) and
//! Laurel's achievement events (`Achievement Hook`), built and queued in the
//! transaction of the change, one delivery per listening hook. A change in a
//! group with no listening hook costs one query.

use super::{AppState, DomainError, DomainResult};
use crate::events::{AwardableKind, AwardableRef, WorkItemKind};
use crate::store::{
    now, AchievementRow, AwardEmojiRow, HookRow, NamespaceRow, NewDelivery, ProjectRow, Tx, UserAchievementRow, UserRow,
};
use serde::Serialize;
use std::collections::HashMap;

/// Deliveries waiting for one hook beyond this are not queued (a receiver
/// down for long, on a busy group); the hook's log says so.
const MAX_PENDING_PER_HOOK: i64 = 10_000;

use crate::store::gitlab_time as iso;

/// GitLab's `visibility_level`.
fn visibility_level(visibility: &str) -> i64 {
    match visibility {
        "public" => 20,
        "internal" => 10,
        _ => 0,
    }
}

/// A person in a payload. GitLab no longer sends e-mail addresses in hooks.
#[derive(Serialize)]
struct HookUser {
    id: i64,
    name: String,
    username: String,
    avatar_url: Option<String>,
    email: &'static str,
}

impl HookUser {
    fn of(user: &UserRow, base: &str) -> Self {
        HookUser {
            id: user.id,
            name: user.name.clone(),
            username: user.username.clone(),
            avatar_url: super::uploads::user_avatar_url(base, user),
            email: "[REDACTED]",
        }
    }
}

#[derive(Serialize)]
struct HookProject {
    id: i64,
    name: String,
    description: String,
    web_url: String,
    avatar_url: Option<String>,
    git_ssh_url: Option<String>,
    git_http_url: Option<String>,
    namespace: String,
    visibility_level: i64,
    path_with_namespace: String,
    default_branch: Option<String>,
    ci_config_path: Option<String>,
    homepage: String,
    url: Option<String>,
    ssh_url: Option<String>,
    http_url: Option<String>,
}

#[derive(Serialize)]
struct EmojiAttributes {
    user_id: i64,
    created_at: String,
    id: i64,
    name: String,
    awardable_type: String,
    awardable_id: i64,
    updated_at: String,
    awarded_on_url: String,
}

#[derive(Serialize)]
struct HookNote {
    author_id: Option<i64>,
    created_at: String,
    id: i64,
    note: String,
    noteable_id: i64,
    noteable_type: String,
    project_id: i64,
    system: bool,
    internal: bool,
    updated_at: String,
    description: String,
    url: String,
}

#[derive(Serialize)]
struct HookWorkItem {
    author_id: Option<i64>,
    confidential: bool,
    created_at: String,
    description: String,
    id: i64,
    iid: i64,
    project_id: i64,
    state_id: i64,
    title: String,
    updated_at: String,
    url: String,
    state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_branch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_branch: Option<String>,
}

#[derive(Serialize)]
struct HookSnippet {
    id: i64,
    title: String,
    content: String,
    author_id: Option<i64>,
    project_id: i64,
    created_at: String,
    updated_at: String,
    file_name: String,
    visibility_level: i64,
    url: String,
}

/// GitLab's emoji event.
#[derive(Serialize)]
struct EmojiPayload {
    object_kind: &'static str,
    event_type: &'static str,
    user: HookUser,
    project_id: i64,
    project: HookProject,
    object_attributes: EmojiAttributes,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<HookNote>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issue: Option<HookWorkItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    merge_request: Option<HookWorkItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    project_snippet: Option<HookSnippet>,
}

#[derive(Serialize)]
struct HookGroup {
    group_id: i64,
    group_name: String,
    group_path: String,
    full_path: String,
}

#[derive(Serialize)]
struct HookAchievement {
    id: i64,
    name: String,
    description: Option<String>,
    avatar_url: Option<String>,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
struct AwardAttributes {
    id: i64,
    achievement_id: i64,
    user_id: i64,
    awarded_by_user_id: Option<i64>,
    revoked_by_user_id: Option<i64>,
    award_message: Option<String>,
    show_on_profile: bool,
    accepted_at: Option<String>,
    revoked_at: Option<String>,
    created_at: String,
    updated_at: String,
}

/// Laurel's achievement event: `event_type` is awarded, revoked, accepted,
/// declined or deleted; `user` did it, `recipient` holds (or held) the award.
#[derive(Serialize)]
struct AchievementPayload {
    object_kind: &'static str,
    event_type: &'static str,
    user: Option<HookUser>,
    group: HookGroup,
    achievement: HookAchievement,
    object_attributes: AwardAttributes,
    recipient: Option<HookUser>,
}

/// What kind of delivery is queued.
#[derive(Clone, Copy)]
pub(crate) struct Queued<'a> {
    /// `X-Gitlab-Event`.
    pub event_name: &'a str,
    /// The switch that sends it.
    pub trigger: &'a str,
    pub is_test: bool,
}

/// Deliveries waiting per hook, counted once per transaction (a file of
/// awards queues thousands; counting each time would cost as much again).
pub(crate) type Pending = HashMap<i64, i64>;

/// Queues `payload` for each of `hooks` (one event: one event UUID), due now or
/// when a hook disabled for a while comes back.
pub(crate) async fn enqueue(
    tx: &mut Tx,
    hooks: &[HookRow],
    kind: Queued<'_>,
    payload: &str,
    pending: &mut Pending,
) -> DomainResult<()> {
    let event_uuid = super::webhooks::uuid_v4();
    let at = now();
    for hook in hooks {
        let waiting = match pending.get(&hook.id) {
            Some(n) => *n,
            None => tx.count_pending_deliveries(hook.id).await?,
        };
        if waiting >= MAX_PENDING_PER_HOOK {
            tracing::warn!(
                "webhook {}: {MAX_PENDING_PER_HOOK} deliveries waiting; {} not queued",
                hook.id,
                kind.event_name
            );
            continue;
        }
        pending.insert(hook.id, waiting + 1);
        let not_before = hook.disabled_until.filter(|until| *until > at).unwrap_or(at);
        tx.insert_delivery(&NewDelivery {
            hook_id: hook.id,
            event_name: kind.event_name,
            trigger: kind.trigger,
            idempotency_key: &super::webhooks::uuid_v4(),
            event_uuid: &event_uuid,
            is_test: kind.is_test,
            payload,
            not_before,
        })
        .await?;
    }
    Ok(())
}

/// The hooks above a namespace with `trigger` on.
pub(crate) async fn listening(tx: &mut Tx, namespace_id: i64, trigger: &str) -> DomainResult<Vec<HookRow>> {
    let mut hooks = tx.hooks_above(namespace_id).await?;
    hooks.retain(|hook| hook.has_event(trigger));
    Ok(hooks)
}

fn to_json(payload: &impl Serialize) -> DomainResult<String> {
    serde_json::to_string(payload).map_err(|err| DomainError::invalid(format!("webhook payload: {err}")))
}

/// Queues an emoji event for a reaction given (`added`) or taken back by
/// `actor_id`. A reaction on a confidential issue or an internal comment goes
/// only to hooks that also take confidential issue or note events.
pub(crate) async fn emoji(
    tx: &mut Tx,
    app: &AppState,
    actor_id: Option<i64>,
    project: &ProjectRow,
    (item, award): (AwardableRef, &AwardEmojiRow),
    added: bool,
) -> DomainResult<()> {
    let mut hooks = listening(tx, project.namespace_id, "emoji_events").await?;
    if hooks.is_empty() {
        return Ok(());
    }
    let payload = emoji_payload(tx, app, actor_id, project, (item, award), added).await?;
    if payload.note.as_ref().is_some_and(|n| n.internal) {
        hooks.retain(|h| h.has_event("confidential_note_events"));
    }
    if payload.issue.as_ref().is_some_and(|i| i.confidential) {
        hooks.retain(|h| h.has_event("confidential_issues_events"));
    }
    if hooks.is_empty() {
        return Ok(());
    }
    let kind = Queued { event_name: "Emoji Hook", trigger: "emoji_events", is_test: false };
    enqueue(tx, &hooks, kind, &to_json(&payload)?, &mut Pending::new()).await
}

async fn emoji_payload(
    tx: &mut Tx,
    app: &AppState,
    actor_id: Option<i64>,
    project: &ProjectRow,
    (item, award): (AwardableRef, &AwardEmojiRow),
    added: bool,
) -> DomainResult<EmojiPayload> {
    let base = app.instance.external_url.as_str();
    // Who did it: the author, or an admin who took someone's reaction away.
    let user_id = actor_id.unwrap_or(award.user_id);
    let user = tx.user_by_id(user_id).await?.ok_or(DomainError::NotFound("User"))?;
    let namespace = tx.namespace_by_id(project.namespace_id).await?.ok_or(DomainError::NotFound("Namespace"))?;
    let web_url = format!("{base}/{}", project.full_path);
    let mut payload = EmojiPayload {
        object_kind: "emoji",
        event_type: if added { "award" } else { "revoke" },
        user: HookUser::of(&user, base),
        project_id: project.id,
        project: HookProject {
            id: project.id,
            name: project.name.clone(),
            description: project.description.clone(),
            web_url: web_url.clone(),
            avatar_url: None,
            git_ssh_url: None,
            git_http_url: None,
            namespace: namespace.name,
            visibility_level: visibility_level(&project.visibility),
            path_with_namespace: project.full_path.clone(),
            default_branch: None,
            ci_config_path: None,
            homepage: web_url.clone(),
            url: None,
            ssh_url: None,
            http_url: None,
        },
        object_attributes: EmojiAttributes {
            user_id: award.user_id,
            created_at: iso(award.created_at),
            id: award.id,
            name: award.name.clone(),
            awardable_type: award.awardable_type.clone(),
            awardable_id: award.awardable_id,
            updated_at: iso(award.updated_at),
            awarded_on_url: String::new(),
        },
        note: None,
        issue: None,
        merge_request: None,
        project_snippet: None,
    };
    // The thing reacted to, or for a comment the thing it is on.
    let (on, note) = match item.kind {
        AwardableKind::Note => {
            let note = tx.note_by_id(item.id).await?.ok_or(DomainError::NotFound("Note"))?;
            let kind = AwardableKind::parse(&note.noteable_type).ok_or(DomainError::NotFound("Note"))?;
            (AwardableRef { kind, id: note.noteable_id }, Some(note))
        }
        _ => (item, None),
    };
    let on_url = match on.kind.work_item() {
        Some(kind) => {
            let row = tx.work_item_by_id(kind, on.id).await?.ok_or(DomainError::NotFound(on.kind.display_name()))?;
            let url = format!("{web_url}/-/{}/{}", kind.segment(), row.iid);
            let state_id = match row.state.as_str() {
                "closed" => 2,
                "merged" => 3,
                "locked" => 4,
                _ => 1,
            };
            let hook_item = HookWorkItem {
                author_id: row.author_id,
                confidential: row.confidential,
                created_at: iso(row.created_at),
                description: row.description,
                id: row.id,
                iid: row.iid,
                project_id: row.project_id,
                state_id,
                title: row.title,
                updated_at: iso(row.updated_at),
                url: url.clone(),
                state: row.state,
                source_branch: row.source_branch,
                target_branch: row.target_branch,
            };
            match kind {
                WorkItemKind::Issue => payload.issue = Some(hook_item),
                WorkItemKind::MergeRequest => payload.merge_request = Some(hook_item),
            }
            url
        }
        None => {
            let s = tx.snippet_by_id(on.id).await?.ok_or(DomainError::NotFound("Snippet"))?;
            let url = format!("{web_url}/-/snippets/{}", s.id);
            payload.project_snippet = Some(HookSnippet {
                id: s.id,
                title: s.title,
                content: s.content,
                author_id: s.author_id,
                project_id: s.project_id,
                created_at: iso(s.created_at),
                updated_at: iso(s.updated_at),
                file_name: s.file_name,
                visibility_level: visibility_level(&s.visibility),
                url: url.clone(),
            });
            url
        }
    };
    payload.object_attributes.awarded_on_url = match note {
        Some(note) => {
            let url = format!("{on_url}#note_{}", note.id);
            payload.note = Some(HookNote {
                author_id: note.author_id,
                created_at: iso(note.created_at),
                id: note.id,
                note: note.body.clone(),
                noteable_id: note.noteable_id,
                noteable_type: note.noteable_type,
                project_id: note.project_id,
                system: note.system,
                internal: note.confidential,
                updated_at: iso(note.updated_at),
                description: note.body,
                url: url.clone(),
            });
            url
        }
        None => on_url,
    };
    Ok(payload)
}

/// Queues an achievement event about one award (`event_type`: awarded,
/// revoked, accepted, declined, deleted), done by `actor_id` (none: by Laurel).
pub(crate) async fn achievement(
    tx: &mut Tx,
    app: &AppState,
    actor_id: Option<i64>,
    event_type: &'static str,
    award: &UserAchievementRow,
    achievement: &AchievementRow,
) -> DomainResult<()> {
    let mut hooks = Listeners::read(tx, achievement.namespace_id, "achievement_events").await?;
    achievement_to(tx, app, &mut hooks, actor_id, event_type, award, achievement).await
}

/// The hooks a run of awards goes to, read once, and their queues.
#[derive(Default)]
pub(crate) struct Listeners {
    hooks: Vec<HookRow>,
    pending: Pending,
}

impl Listeners {
    pub(crate) async fn read(tx: &mut Tx, namespace_id: i64, trigger: &str) -> DomainResult<Listeners> {
        Ok(Listeners { hooks: listening(tx, namespace_id, trigger).await?, pending: Pending::new() })
    }
}

/// As [`achievement`], to hooks the caller read (a run of awards reads them once).
pub(crate) async fn achievement_to(
    tx: &mut Tx,
    app: &AppState,
    hooks: &mut Listeners,
    actor_id: Option<i64>,
    event_type: &'static str,
    award: &UserAchievementRow,
    achievement: &AchievementRow,
) -> DomainResult<()> {
    if hooks.hooks.is_empty() {
        return Ok(());
    }
    // Owners do not learn who holds their achievements behind a private
    // profile or a block (`policy::award_listing`): nor do their hooks.
    match tx.user_by_id(award.user_id).await? {
        Some(recipient) if !recipient.private_profile && !recipient.is_blocked() => {}
        _ => return Ok(()),
    }
    let group = tx.namespace_by_id(achievement.namespace_id).await?.ok_or(DomainError::NotFound("Group"))?;
    let payload = achievement_payload(tx, app, actor_id, event_type, award, achievement, &group).await?;
    let kind = Queued { event_name: "Achievement Hook", trigger: "achievement_events", is_test: false };
    enqueue(tx, &hooks.hooks, kind, &to_json(&payload)?, &mut hooks.pending).await
}

async fn achievement_payload(
    tx: &mut Tx,
    app: &AppState,
    actor_id: Option<i64>,
    event_type: &'static str,
    award: &UserAchievementRow,
    achievement: &AchievementRow,
    group: &NamespaceRow,
) -> DomainResult<AchievementPayload> {
    let base = app.instance.external_url.as_str();
    let user = match actor_id {
        Some(id) => tx.user_by_id(id).await?.map(|u| HookUser::of(&u, base)),
        None => None,
    };
    let recipient = tx.user_by_id(award.user_id).await?.map(|u| HookUser::of(&u, base));
    Ok(AchievementPayload {
        object_kind: "achievement",
        event_type,
        user,
        group: HookGroup {
            group_id: group.id,
            group_name: group.name.clone(),
            group_path: group.path.clone(),
            full_path: group.full_path.clone(),
        },
        achievement: HookAchievement {
            id: achievement.id,
            name: achievement.name.clone(),
            description: achievement.description.clone(),
            avatar_url: super::uploads::achievement_avatar_url(&app.instance, achievement),
            created_at: iso(achievement.created_at),
            updated_at: iso(achievement.updated_at),
        },
        object_attributes: AwardAttributes {
            id: award.id,
            achievement_id: award.achievement_id,
            user_id: award.user_id,
            awarded_by_user_id: award.awarded_by_user_id,
            revoked_by_user_id: award.revoked_by_user_id,
            award_message: award.award_message.clone(),
            show_on_profile: award.show_on_profile,
            accepted_at: award.accepted_at.map(iso),
            revoked_at: award.revoked_at.map(iso),
            created_at: iso(award.created_at),
            updated_at: iso(award.updated_at),
        },
        recipient,
    })
}

/// A hook test's payload: the group's newest reaction on an issue (on a
/// confidential one only for a hook that takes confidential issues' events,
/// as a real event would be), or its newest award, as the event it made.
pub(crate) async fn sample(
    tx: &mut Tx,
    app: &AppState,
    actor: &super::Actor,
    (group, hook): (&NamespaceRow, &HookRow),
    trigger: &str,
) -> DomainResult<String> {
    if trigger == "emoji_events" {
        let confidential = hook.has_event("confidential_issues_events");
        let award = tx.latest_issue_reaction_in_group(group.id, confidential).await?.ok_or_else(|| {
            DomainError::invalid("Ensure an issue of the group's projects has a reaction to send as a test")
        })?;
        let item = AwardableRef { kind: AwardableKind::Issue, id: award.awardable_id };
        let issue = tx.work_item_by_id(WorkItemKind::Issue, item.id).await?.ok_or(DomainError::NotFound("Issue"))?;
        let project = tx.project_by_id(issue.project_id).await?.ok_or(DomainError::NotFound("Project"))?;
        to_json(&emoji_payload(tx, app, Some(award.user_id), &project, (item, &award), true).await?)
    } else {
        let award = tx
            .latest_award_in_group(group.id)
            .await?
            .ok_or_else(|| DomainError::invalid("Ensure the group has awarded an achievement to send as a test"))?;
        let achievement =
            tx.achievement_by_id(award.achievement_id).await?.ok_or(DomainError::NotFound("Achievement"))?;
        let actor_id = actor.user().map(|u| u.id);
        to_json(&achievement_payload(tx, app, actor_id, "awarded", &award, &achievement, group).await?)
    }
}
