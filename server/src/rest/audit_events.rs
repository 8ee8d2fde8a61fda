//! `GET /groups/:id/audit_events` (Owners and admins), in GitLab's shape: what
//! was done to the group's achievements and awards, newest first.

use super::openapi::{Api, Kind, Op};
use super::params::Params;
use super::{pagination, time, ApiError, Caller};
use crate::state::ServerState;
use app::domain::audit_log::{self, AuditFilter};
use axum::extract::{OriginalUri, Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Serialize;

pub fn document(api: Api) -> Api {
    api.get(
        "/groups/{id}/audit_events",
        list,
        Op::page::<AuditEventJson>("A group's audit events (Owners): its achievements and awards, newest first")
            .query("created_after", Kind::Str, "On or after this time (ISO 8601, or a date).")
            .query("created_before", Kind::Str, "On or before this time (ISO 8601, or a date: the whole day).")
            .query("username", Kind::Str, "Done by this person, or to them.")
            .query("achievement_id", Kind::Int, "About this achievement."),
    )
}

/// An audit event as GitLab's API answers it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditEventJson {
    id: i64,
    author_id: Option<i64>,
    /// The group.
    entity_id: i64,
    entity_type: &'static str,
    event_name: String,
    details: AuditDetailsJson,
    created_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditDetailsJson {
    author_name: Option<String>,
    /// What was done (`achievement_awarded`, ...).
    custom_message: String,
    target_id: i64,
    target_type: String,
    /// The achievement's name at the time.
    target_details: Option<String>,
    entity_path: String,
    achievement_id: Option<i64>,
    /// To whom (an award's recipient).
    user_id: Option<i64>,
    /// The automatic award rule that did it, in words.
    rule: Option<String>,
}

/// A time filter as GitLab takes it (ISO 8601, or a date); `400` if not one.
fn moment(params: &Params, name: &str, until: bool) -> Result<Option<DateTime<Utc>>, ApiError> {
    match params.str(name)?.filter(|t| !t.trim().is_empty()) {
        Some(text) => audit_log::bound(&text, until).map(Some).ok_or_else(|| ApiError::invalid(name)),
        None => Ok(None),
    }
}

async fn list(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(group): Path<String>,
    uri: OriginalUri,
    params: Params,
) -> Result<Response, ApiError> {
    let page = params.page()?;
    let filter = AuditFilter {
        person: params.str("username")?,
        achievement_id: params.i64("achievement_id")?,
        from: moment(&params, "created_after", false)?,
        until: moment(&params, "created_before", true)?,
    };
    let found = audit_log::group_audit(&state.app, &actor, &group, &filter, page.window()).await?;
    let (group_id, path) = (found.group.id, found.group.full_path.clone());
    let items: Vec<AuditEventJson> = found
        .entries
        .items
        .into_iter()
        .map(|e| {
            let details: serde_json::Value = serde_json::from_str(&e.details).unwrap_or_default();
            AuditEventJson {
                id: e.id,
                author_id: e.actor_id,
                entity_id: group_id,
                entity_type: "Group",
                event_name: e.action.clone(),
                details: AuditDetailsJson {
                    author_name: e.actor_name,
                    custom_message: e.action,
                    target_id: e.target_id,
                    target_type: e.target_type,
                    target_details: details["achievement"].as_str().map(str::to_string),
                    entity_path: path.clone(),
                    achievement_id: e.achievement_id,
                    user_id: e.subject_id,
                    rule: details["rule"].as_str().map(str::to_string),
                },
                created_at: time(e.created_at),
            }
        })
        .collect();
    Ok(pagination::paginated(items, page, found.entries.total as i64, &super::request_url(&state, &uri)))
}
