//! The practical limit: a minimal axum app on the same store whose handlers
//! run the same SQL statements as the real endpoints, in the same
//! transactions, and nothing else. Keep each `min_*` handler in step with the
//! domain function it mirrors (named on each).

use app::events::{AwardableKind, AwardableRef, EmojiCount, Event, WorkItemKind};
use app::store::{AwardEmojiRow, NewAudit, ProfileAwards, ProjectKey, Store, Tx, UserRow};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Serves the limit app on a free port; its base URL.
pub async fn start(store: Store) -> String {
    let app = Router::new()
        .route("/min/user_achievements/{username}", get(min_user_achievements))
        .route("/min/projects/{project}/issues/{iid}/award_emoji", post(min_add_award_emoji))
        .route("/min/projects/{project}/issues/{iid}/award_emoji/{id}", delete(min_remove_award_emoji))
        .with_state(store);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

pub type MinResult = Result<(StatusCode, Json<Value>), StatusCode>;

pub fn internal<E>(_: E) -> StatusCode {
    StatusCode::INTERNAL_SERVER_ERROR
}

/// `users::find_user` then `achievements::user_awards` for an anonymous viewer:
/// the user by name, by id, the awarding groups with each group's flag, the
/// count and the page of listed awards, and each distinct achievement once.
pub async fn min_user_achievements(State(store): State<Store>, Path(username): Path<String>) -> MinResult {
    let mut tx = store.read().await.map_err(internal)?;
    let found = tx.user_by_username(&username).await.map_err(internal)?.ok_or(StatusCode::NOT_FOUND)?;
    tx.commit().await.map_err(internal)?;
    let mut tx = store.read().await.map_err(internal)?;
    let user = tx.user_by_id(found.id).await.map_err(internal)?.ok_or(StatusCode::NOT_FOUND)?;
    let mut groups = HashMap::new();
    for group_id in tx.awarding_groups_of_user(user.id).await.map_err(internal)? {
        let group = tx.namespace_by_id(group_id).await.map_err(internal)?.ok_or(StatusCode::NOT_FOUND)?;
        tx.feature_flag("achievements", Some(group.id)).await.map_err(internal)?;
        groups.insert(group_id, group);
    }
    let listed: Vec<i64> = groups.keys().copied().collect();
    let q = ProfileAwards { user_id: user.id, groups: &listed, hidden_in: &[], only: None };
    tx.count_profile_awards(&q).await.map_err(internal)?;
    let mut achievements = HashMap::new();
    let mut out = Vec::new();
    for award in tx.profile_awards(&q, 100, 0).await.map_err(internal)? {
        if let std::collections::hash_map::Entry::Vacant(slot) = achievements.entry(award.achievement_id) {
            let achievement = tx.achievement_by_id(award.achievement_id).await.map_err(internal)?;
            slot.insert(achievement.ok_or(StatusCode::NOT_FOUND)?);
        }
        let achievement = &achievements[&award.achievement_id];
        let group = groups.get(&achievement.namespace_id).ok_or(StatusCode::NOT_FOUND)?;
        out.push(json!({
            "id": award.id, "awardMessage": award.award_message,
            "achievement": {
                "name": achievement.name, "description": achievement.description, "avatarUrl": achievement.avatar,
                "namespace": { "fullPath": group.full_path, "name": group.name },
            },
        }));
    }
    tx.commit().await.map_err(internal)?;
    Ok((StatusCode::OK, Json(Value::Array(out))))
}

/// `auth::authenticate`: the token by digest with its user, one statement outside a transaction.
pub async fn min_user(store: &Store, headers: &HeaderMap) -> Result<UserRow, StatusCode> {
    let token = headers.get("PRIVATE-TOKEN").and_then(|v| v.to_str().ok()).ok_or(StatusCode::UNAUTHORIZED)?;
    let mut tx = store.one_statement().await.map_err(internal)?;
    let holder = tx.token_holder(&app::domain::auth::digest(token)).await.map_err(internal)?;
    holder.map(|(_, user)| user).ok_or(StatusCode::UNAUTHORIZED)
}

/// `awardable::resolve` for an issue by iid: the project with the actor's
/// access (project membership, namespace, inherited group level: one
/// statement), the issue by iid and then by id.
pub async fn min_resolve_issue(tx: &mut Tx, user: &UserRow, project_id: i64, iid: i64) -> Result<i64, StatusCode> {
    let found = tx.project_with_access(ProjectKey::Id(project_id), user.id).await.map_err(internal)?;
    let (project, _) = found.ok_or(StatusCode::NOT_FOUND)?;
    let issue = tx.work_item_by_iid(WorkItemKind::Issue, project.id, iid).await.map_err(internal)?;
    let issue = issue.ok_or(StatusCode::NOT_FOUND)?;
    tx.work_item_by_id(WorkItemKind::Issue, issue.id).await.map_err(internal)?;
    Ok(issue.id)
}

/// `award_emoji::finish`: the tallies, the audit row, the event, the commit.
pub async fn min_finish(
    mut tx: Tx,
    user: &UserRow,
    issue_id: i64,
    award: &AwardEmojiRow,
    added: bool,
) -> Result<(), StatusCode> {
    let counts = tx.award_emoji_counts("Issue", issue_id).await.map_err(internal)?;
    tx.insert_audit(NewAudit {
        actor_id: Some(user.id),
        actor_name: Some(&user.username),
        action: if added { "award_emoji_added" } else { "award_emoji_removed" },
        target_type: "Issue",
        target_id: issue_id,
        details: json!({ "name": award.name, "award_id": award.id }),
        concerns: Default::default(),
    })
    .await
    .map_err(internal)?;
    let event = Event::ReactionChanged {
        awardable: AwardableRef { kind: AwardableKind::Issue, id: issue_id },
        name: award.name.clone(),
        user_id: user.id,
        username: user.username.clone(),
        added,
        counts: counts
            .into_iter()
            .map(|(name, count)| EmojiCount {
                emoji: app::domain::award_emoji::emoji_char(&name).unwrap_or_default().to_string(),
                name,
                count,
            })
            .collect(),
    };
    tx.publish(event, "bench").await.map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(())
}

/// `award_emoji::add_award_emoji` as REST calls it.
pub async fn min_add_award_emoji(
    State(store): State<Store>,
    Path((project_id, iid)): Path<(i64, i64)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> MinResult {
    let name = query.get("name").ok_or(StatusCode::BAD_REQUEST)?;
    let user = min_user(&store, &headers).await?;
    let mut tx = store.write().await.map_err(internal)?;
    let issue_id = min_resolve_issue(&mut tx, &user, project_id, iid).await?;
    let award = tx.insert_award_emoji(user.id, "Issue", issue_id, name).await.map_err(internal)?;
    let award = award.ok_or(StatusCode::NOT_FOUND)?;
    min_finish(tx, &user, issue_id, &award, true).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": award.id, "name": award.name }))))
}

/// `award_emoji::remove_award_emoji` as REST calls it.
pub async fn min_remove_award_emoji(
    State(store): State<Store>,
    Path((project_id, iid, id)): Path<(i64, i64, i64)>,
    headers: HeaderMap,
) -> StatusCode {
    let run = async {
        let user = min_user(&store, &headers).await?;
        let mut tx = store.write().await.map_err(internal)?;
        let issue_id = min_resolve_issue(&mut tx, &user, project_id, iid).await?;
        let award = tx.award_emoji_by_id(id).await.map_err(internal)?.ok_or(StatusCode::NOT_FOUND)?;
        if award.user_id != user.id {
            return Err(StatusCode::UNAUTHORIZED);
        }
        tx.delete_award_emoji(id).await.map_err(internal)?;
        min_finish(tx, &user, issue_id, &award, false).await?;
        Ok(StatusCode::NO_CONTENT)
    };
    run.await.unwrap_or_else(|status| status)
}
