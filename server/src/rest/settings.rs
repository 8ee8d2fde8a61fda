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
    for (name, slot) in l.fields_mut() {
        if let Some(value) = params.i64(name)? {
            *slot = i32::try_from(value).map_err(|_| ApiError::invalid(name))?;
        }
    }
    Ok(Json(limits::set_abuse_limits(&state.app, &actor, l).await?))
}
