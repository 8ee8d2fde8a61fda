//! `GET/PUT /application/settings` (admins): the abuse limits, under GitLab's
//! names where GitLab has the setting, and Laurel's own names for the rest, and
//! GitLab's `allow_local_requests_from_web_hooks_and_services`.

use super::params::Params;
use super::{ApiError, Caller};
use crate::state::ServerState;
use app::domain::{limits, settings, Actor};
use app::store::AbuseLimits;
use axum::extract::State;
use axum::Json;
use serde::Serialize;

pub const ALLOW_LOCAL: &str = "allow_local_requests_from_web_hooks_and_services";

/// The instance's settings the API shows.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SettingsJson {
    #[serde(flatten)]
    limits: AbuseLimits,
    /// May webhooks target loopback and private network addresses?
    allow_local_requests_from_web_hooks_and_services: bool,
}

async fn read(state: &ServerState, actor: &Actor) -> Result<SettingsJson, ApiError> {
    Ok(SettingsJson {
        limits: limits::abuse_limits(&state.app, actor).await?,
        allow_local_requests_from_web_hooks_and_services: settings::instance_settings(&state.app, actor)
            .await?
            .allow_local_hook_requests,
    })
}

pub async fn show(State(state): State<ServerState>, Caller(actor): Caller) -> Result<Json<SettingsJson>, ApiError> {
    Ok(Json(read(&state, &actor).await?))
}

/// Changes the settings given; the others keep their values. Every value is
/// checked before any is saved.
pub async fn update(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Json<SettingsJson>, ApiError> {
    let mut l = limits::abuse_limits(&state.app, &actor).await?;
    for (name, slot) in l.fields_mut() {
        if let Some(value) = params.i64(name)? {
            *slot = i32::try_from(value).map_err(|_| ApiError::invalid(name))?;
        }
    }
    let allow_local = params.bool(ALLOW_LOCAL)?;
    limits::set_abuse_limits(&state.app, &actor, l).await?;
    if let Some(allow) = allow_local {
        settings::set_allow_local_hook_requests(&state.app, &actor, allow).await?;
    }
    Ok(Json(read(&state, &actor).await?))
}
