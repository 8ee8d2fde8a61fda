//! `GET/PUT/DELETE /groups/:id/achievements/:achievement_id/rule` and
//! `POST .../rule/preview` (Laurel's; Maintainers+): an achievement's
//! automatic award rule, and who it would award now.

use super::openapi::{Api, Kind, Op};
use super::params::Params;
use super::users::UserBasic;
use super::{time, ApiError, Caller};
use crate::state::ServerState;
use app::domain::award_rules::{self, RuleInput, TRIGGERS};
use app::store::AwardRuleRow;
use axum::extract::{Path, State};
use axum::Json;
use http::StatusCode;
use serde::Serialize;
use std::collections::HashMap;

pub fn document(api: Api) -> Api {
    let path = "/groups/{id}/achievements/{achievement_id}/rule";
    let fields = |op: Op| {
        op.field("trigger", Kind::Str, "reactions_received, issues_opened, merge_requests_opened, comments_written, first_reaction_given or member_for_days.")
            .optional("threshold", Kind::Int, "The count (days for member_for_days; first_reaction_given is 1).")
            .optional("emoji", Kind::Str, "reactions_received: count this emoji only.")
            .optional("auto_revoke", Kind::Bool, "Take the award back from people who no longer meet the rule.")
    };
    api.get(path, show, Op::one::<RuleJson>("An achievement's automatic award rule (Maintainers+)", 200))
        .put(path, save, fields(Op::one::<RuleJson>("Set the rule and award who meets it now (Maintainers+)", 200)))
        .delete(path, remove, Op::nothing("Remove the rule; the awards it made stay (Maintainers+)"))
        .post(
            "/groups/{id}/achievements/{achievement_id}/rule/preview",
            preview,
            fields(Op::one::<PreviewJson>("Who a rule would award now, changing nothing (Maintainers+)", 200)),
        )
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RuleJson {
    achievement_id: i64,
    trigger: String,
    threshold: i64,
    emoji: Option<String>,
    auto_revoke: bool,
    /// The rule in words (`reactions_received >= 10 (tada)`).
    description: String,
    created_by_user_id: Option<i64>,
    created_at: String,
    updated_at: String,
    /// After a save: how many it awarded at once (the rest, past the group's
    /// hourly award limit, at the next passes).
    #[serde(skip_serializing_if = "Option::is_none")]
    awarded_now: Option<usize>,
}

impl RuleJson {
    fn of(rule: &AwardRuleRow, awarded_now: Option<usize>) -> Self {
        RuleJson {
            achievement_id: rule.achievement_id,
            trigger: rule.trigger.clone(),
            threshold: rule.threshold,
            emoji: rule.emoji.clone(),
            auto_revoke: rule.auto_revoke,
            description: award_rules::describe(rule),
            created_by_user_id: rule.created_by,
            created_at: time(rule.created_at),
            updated_at: time(rule.updated_at),
            awarded_now,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PreviewJson {
    /// How many people meet it and do not hold the achievement.
    matching: i64,
    /// The first of them (up to 10).
    sample: Vec<UserBasic>,
}

fn input(params: &Params) -> Result<RuleInput, ApiError> {
    let trigger = params.required("trigger")?;
    if !TRIGGERS.contains(&trigger.as_str()) {
        return Err(ApiError::BadRequest("trigger does not have a valid value".into()));
    }
    Ok(RuleInput {
        trigger,
        threshold: params.i64("threshold")?.unwrap_or(1),
        emoji: params.str("emoji")?,
        auto_revoke: params.bool("auto_revoke")?.unwrap_or(false),
    })
}

async fn show(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<Json<RuleJson>, ApiError> {
    let (achievement, _) = super::achievements::addressed(&state, &actor, &path).await?;
    match award_rules::rule(&state.app, &actor, achievement.id).await? {
        (_, Some(rule)) => Ok(Json(RuleJson::of(&rule, None))),
        (_, None) => Err(app::domain::DomainError::NotFound("Award Rule").into()),
    }
}

async fn save(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    params: Params,
) -> Result<Json<RuleJson>, ApiError> {
    actor.require_user()?;
    let (achievement, _) = super::achievements::addressed(&state, &actor, &path).await?;
    let (rule, awarded) = award_rules::save_rule(&state.app, &actor, achievement.id, &input(&params)?).await?;
    Ok(Json(RuleJson::of(&rule, Some(awarded))))
}

async fn remove(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<StatusCode, ApiError> {
    actor.require_user()?;
    let (achievement, _) = super::achievements::addressed(&state, &actor, &path).await?;
    award_rules::delete_rule(&state.app, &actor, achievement.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn preview(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    params: Params,
) -> Result<Json<PreviewJson>, ApiError> {
    actor.require_user()?;
    let (achievement, _) = super::achievements::addressed(&state, &actor, &path).await?;
    let found = award_rules::preview(&state.app, &actor, achievement.id, &input(&params)?).await?;
    let base = &state.app.instance.external_url;
    Ok(Json(PreviewJson {
        matching: found.matching,
        sample: found.sample.iter().map(|u| UserBasic::of(u, base)).collect(),
    }))
}
