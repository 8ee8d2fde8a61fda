//! `GET/PUT /application/settings` (admins): the abuse limits, under GitLab's
//! names where GitLab has the setting, and Laurel's own names for the rest.

use super::params::Params;
use super::{ApiError, Caller};
use crate::state::ServerState;
use app::domain::limits;
use app::store::AbuseLimits;
use axum::extract::State;
use axum::Json;

pub async fn show(State(state): State<ServerState>, Caller(actor): Caller) -> Result<Json<AbuseLimits>, ApiError> {
    Ok(Json(limits::abuse_limits(&state.app, &actor).await?))
}

/// Changes the limits given; the others keep their values.
pub async fn update(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Json<AbuseLimits>, ApiError> {
    let mut l = limits::abuse_limits(&state.app, &actor).await?;
    let fields: [(&str, &mut i32); 6] = [
        ("max_login_attempts", &mut l.max_login_attempts),
        ("failed_login_attempts_unlock_period_in_minutes", &mut l.failed_login_attempts_unlock_period_in_minutes),
        ("throttle_protected_paths_requests_per_period", &mut l.throttle_protected_paths_requests_per_period),
        ("reactions_per_user_per_minute", &mut l.reactions_per_user_per_minute),
        ("awards_per_group_per_hour", &mut l.awards_per_group_per_hour),
        ("award_emails_per_group_per_hour", &mut l.award_emails_per_group_per_hour),
    ];
    for (name, slot) in fields {
        if let Some(value) = params.i64(name)? {
            *slot = i32::try_from(value).map_err(|_| ApiError::invalid(name))?;
        }
    }
    Ok(Json(limits::set_abuse_limits(&state.app, &actor, l).await?))
}
