//! `GET /groups/:id/audit_events` (Owners and admins), in GitLab's shape: what
//! was done to the group's achievements and awards, newest first.

use super::openapi::{Api, Kind, Op};
use super::params::Params;
use super::{pagination, time, ApiError, Caller};
use crate::state::ServerState;
use app::domain::audit_log::{self, day_start, AuditFilter};
use axum::extract::{OriginalUri, Path, State};
use axum::response::Response;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
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
}

/// A time as GitLab's filters take it: ISO 8601 with a zone, or a date.
/// `end_of_day`: a bare date means the end of that day (for `created_before`).
fn moment(params: &Params, name: &str, end_of_day: bool) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(text) = params.str(name).filter(|t| !t.trim().is_empty()) else { return Ok(None) };
    let text = text.trim();
    // Years 1 to 9999: what both databases store and compare as times.
    let sane = |year: i32| (1..=9999).contains(&year);
    if let Some(at) = DateTime::parse_from_rfc3339(text).ok().filter(|at| sane(at.year())) {
        // Inclusive: everything up to and including that moment.
        let at = at.with_timezone(&Utc);
        return Ok(Some(if end_of_day { at + chrono::Duration::milliseconds(1) } else { at }));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|d| sane(d.year()))
        .ok_or_else(|| ApiError::invalid(name))?;
    let day = if end_of_day { day.succ_opt().ok_or_else(|| ApiError::invalid(name))? } else { day };
    Ok(Some(day_start(day)))
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
        person: params.str("username"),
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
                },
                created_at: time(e.created_at),
            }
        })
        .collect();
    let url = format!("{}{}", state.app.instance.external_url, uri.path());
    Ok(pagination::paginated(items, page, found.entries.total as i64, &url))
}
