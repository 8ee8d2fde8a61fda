//! `GET/PUT /application/settings` (admins): the abuse limits, under GitLab's
//! names where GitLab has the setting, and Laurel's own names for the rest.

use super::params::Params;
use super::{ApiError, Caller};
use crate::state::ServerState;
use app::domain::limits;
use app::store::AbuseLimits;
use axum::extract::State;
use axum::Json;

/// The answer: every limit by its setting's name.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ApplicationSettings {
    max_login_attempts: i32,
    failed_login_attempts_unlock_period_in_minutes: i32,
    throttle_protected_paths_requests_per_period: i32,
    reactions_per_user_per_minute: i32,
    awards_per_group_per_hour: i32,
    award_emails_per_group_per_hour: i32,
}

impl From<AbuseLimits> for ApplicationSettings {
    fn from(limits: AbuseLimits) -> Self {
        let AbuseLimits {
            max_login_attempts,
            failed_login_attempts_unlock_period_in_minutes,
            throttle_protected_paths_requests_per_period,
            reactions_per_user_per_minute,
            awards_per_group_per_hour,
            award_emails_per_group_per_hour,
        } = limits;
        ApplicationSettings {
            max_login_attempts,
            failed_login_attempts_unlock_period_in_minutes,
            throttle_protected_paths_requests_per_period,
            reactions_per_user_per_minute,
            awards_per_group_per_hour,
            award_emails_per_group_per_hour,
        }
    }
}

pub async fn show(
    State(state): State<ServerState>,
    Caller(actor): Caller,
) -> Result<Json<ApplicationSettings>, ApiError> {
    Ok(Json(limits::abuse_limits(&state.app, &actor).await?.into()))
}

/// Changes the limits given; the others keep their values.
pub async fn update(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Json<ApplicationSettings>, ApiError> {
    let mut l = limits::abuse_limits(&state.app, &actor).await?;
    for (name, slot) in l.fields_mut() {
        if let Some(value) = params.i64(name)? {
            *slot = i32::try_from(value).map_err(|_| ApiError::invalid(name))?;
        }
    }
    Ok(Json(limits::set_abuse_limits(&state.app, &actor, l).await?.into()))
}
