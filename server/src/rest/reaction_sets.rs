//! `GET/PUT /groups/:id/reaction_set` (Laurel's; GitLab has none): the emoji a
//! group's projects take. Reading is for whoever may read the group; setting is
//! for its Owners and admins.

use super::openapi::{Api, Kind, Op};
use super::params::Params;
use super::{ApiError, Caller};
use crate::state::ServerState;
use app::domain::reaction_sets;
use app::model::ReactionChoices;
use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;

pub fn document(api: Api) -> Api {
    let path = "/groups/{id}/reaction_set";
    api.get(path, show, Op::one::<ReactionSetJson>("The emoji the group's projects take", 200)).put(
        path,
        update,
        Op::one::<ReactionSetJson>("Choose the emoji the group's projects take (Owners)", 200)
            .optional("emoji", Kind::Strs, "Emoji names (empty: every emoji).")
            .optional("downvotes", Kind::Bool, "Whether thumbsdown is allowed (default true)."),
    )
}

/// The set that applies to the group's projects.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReactionSetJson {
    /// The emoji names allowed; empty: every emoji.
    emoji: Vec<String>,
    downvotes: bool,
    /// Whether the group chose it (else it follows a parent group, or allows every emoji).
    own: bool,
}

impl ReactionSetJson {
    fn of(applies: ReactionChoices, own: bool) -> Self {
        let emoji = applies.only.unwrap_or_default().into_iter().map(|(name, _)| name).collect();
        ReactionSetJson { emoji, downvotes: applies.downvotes, own }
    }
}

async fn show(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(group): Path<String>,
) -> Result<Json<ReactionSetJson>, ApiError> {
    let (_, own, applies) = reaction_sets::group_set(&state.app, &actor, &group).await?;
    Ok(Json(ReactionSetJson::of(applies, own.is_some())))
}

async fn update(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(group): Path<String>,
    params: Params,
) -> Result<Json<ReactionSetJson>, ApiError> {
    actor.require_user()?;
    let emoji = params.list("emoji");
    let downvotes = params.bool("downvotes")?.unwrap_or(true);
    reaction_sets::set_group_set(&state.app, &actor, &group, &emoji, downvotes).await?;
    let (_, own, applies) = reaction_sets::group_set(&state.app, &actor, &group).await?;
    Ok(Json(ReactionSetJson::of(applies, own.is_some())))
}
