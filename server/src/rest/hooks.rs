//! `GET/POST/PUT/DELETE /groups/:id/hooks[/:hook_id]` (Owners and admins), a
//! hook test, and its recent deliveries with a resend, in GitLab's shapes.

use super::openapi::{Api, Kind, Op};
use super::params::Params;
use super::{pagination, path_number, time, unmodified_since, ApiError, Caller, Created};
use crate::state::ServerState;
use app::domain::webhooks::{self, HookInput, EVENT_SWITCHES};
use app::store::{HookDeliveryRow, HookRow};
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use std::collections::HashMap;

pub fn document(api: Api) -> Api {
    let hooks = "/groups/{id}/hooks";
    let hook = "/groups/{id}/hooks/{hook_id}";
    let fields = |op: Op| {
        let op = op
            .optional("name", Kind::Str, "Name.")
            .optional("description", Kind::Str, "Description.")
            .optional("token", Kind::Str, "Secret sent as `X-Gitlab-Token` (never shown again; empty removes it).")
            .optional(
                "signing_token",
                Kind::Str,
                "`whsec_` and a base64 key: signs deliveries the Standard Webhooks way (never shown again).",
            )
            .optional("enable_ssl_verification", Kind::Bool, "Check the receiver's TLS certificate (default true).");
        EVENT_SWITCHES.iter().fold(op, |op, switch| op.optional(switch, Kind::Bool, "An event switch."))
    };
    api.get(hooks, list, Op::list::<HookJson>("A group's webhooks (Owners)"))
        .post(hooks, create, fields(Op::one::<HookJson>("Add a webhook (Owners)", 201).field("url", Kind::Str, "URL.")))
        .get(hook, show, Op::one::<HookJson>("A webhook (Owners)", 200))
        .put(
            hook,
            update,
            fields(Op::one::<HookJson>("Change a webhook (Owners)", 200).optional("url", Kind::Str, "URL.")),
        )
        .delete(hook, delete, Op::nothing("Delete a webhook (Owners; `If-Unmodified-Since` honoured)"))
        .post(
            "/groups/{id}/hooks/{hook_id}/test/{trigger}",
            test,
            Op::one::<MessageJson>("Send a test event: `emoji_events` or `achievement_events` (Owners)", 201),
        )
        .get(
            "/groups/{id}/hooks/{hook_id}/events",
            events,
            Op::page::<HookEventJson>("A webhook's recent deliveries, newest first (Owners)"),
        )
        .post(
            "/groups/{id}/hooks/{hook_id}/events/{hook_log_id}/resend",
            resend,
            Op::one::<MessageJson>("Send a delivery again, with its Idempotency-Key (Owners)", 201),
        )
}

/// A group hook in GitLab's shape and order; `token` and `signing_token` are never shown.
#[derive(Serialize, utoipa::ToSchema)]
pub struct HookJson {
    id: i64,
    url: String,
    name: String,
    description: String,
    created_at: String,
    push_events: bool,
    tag_push_events: bool,
    merge_requests_events: bool,
    repository_update_events: bool,
    enable_ssl_verification: bool,
    /// `executable`, `temporarily_disabled` or `disabled`.
    alert_status: &'static str,
    disabled_until: Option<String>,
    url_variables: Vec<String>,
    push_events_branch_filter: Option<String>,
    branch_filter_strategy: &'static str,
    custom_webhook_template: Option<String>,
    custom_headers: Vec<String>,
    group_id: i64,
    issues_events: bool,
    confidential_issues_events: bool,
    note_events: bool,
    confidential_note_events: bool,
    pipeline_events: bool,
    wiki_page_events: bool,
    job_events: bool,
    deployment_events: bool,
    feature_flag_events: bool,
    releases_events: bool,
    milestone_events: bool,
    subgroup_events: bool,
    emoji_events: bool,
    resource_access_token_events: bool,
    member_events: bool,
    vulnerability_events: bool,
    project_events: bool,
    /// Laurel's: awards made, revoked, accepted, declined, deleted.
    achievement_events: bool,
}

impl HookJson {
    fn of(h: &HookRow) -> Self {
        let on = |switch: &str| h.has_event(switch);
        HookJson {
            id: h.id,
            url: h.url.clone(),
            name: h.name.clone(),
            description: h.description.clone(),
            created_at: time(h.created_at),
            push_events: on("push_events"),
            tag_push_events: on("tag_push_events"),
            merge_requests_events: on("merge_requests_events"),
            repository_update_events: on("repository_update_events"),
            enable_ssl_verification: h.enable_ssl_verification,
            alert_status: webhooks::alert_status(h),
            disabled_until: h.disabled_until.filter(|_| webhooks::alert_status(h) == "temporarily_disabled").map(time),
            url_variables: Vec::new(),
            push_events_branch_filter: None,
            branch_filter_strategy: "wildcard",
            custom_webhook_template: None,
            custom_headers: Vec::new(),
            group_id: h.group_id,
            issues_events: on("issues_events"),
            confidential_issues_events: on("confidential_issues_events"),
            note_events: on("note_events"),
            confidential_note_events: on("confidential_note_events"),
            pipeline_events: on("pipeline_events"),
            wiki_page_events: on("wiki_page_events"),
            job_events: on("job_events"),
            deployment_events: on("deployment_events"),
            feature_flag_events: on("feature_flag_events"),
            releases_events: on("releases_events"),
            milestone_events: on("milestone_events"),
            subgroup_events: on("subgroup_events"),
            emoji_events: on("emoji_events"),
            resource_access_token_events: on("resource_access_token_events"),
            member_events: on("member_events"),
            vulnerability_events: on("vulnerability_events"),
            project_events: on("project_events"),
            achievement_events: on("achievement_events"),
        }
    }
}

/// One delivery, as GitLab lists a hook's events.
#[derive(Serialize, utoipa::ToSchema)]
pub struct HookEventJson {
    id: i64,
    url: String,
    /// The event switch that sent it.
    trigger: String,
    /// `X-Gitlab-Event`.
    event_name: String,
    idempotency_key: String,
    /// The payload sent.
    #[schema(value_type = Object)]
    request_data: serde_json::Value,
    /// The receiver's status code, or `internal error` when none came.
    response_status: Option<String>,
    response_body: Option<String>,
    internal_error_message: Option<String>,
    /// Seconds the last attempt took.
    execution_duration: Option<f64>,
    attempts: i32,
    /// `pending`, `delivered` or `failed`.
    state: &'static str,
    next_attempt_at: Option<String>,
    created_at: String,
    updated_at: String,
}

impl HookEventJson {
    fn of(d: HookDeliveryRow, url: &str) -> Self {
        let state = if d.delivered_at.is_some() {
            "delivered"
        } else if d.gave_up_at.is_some() {
            "failed"
        } else {
            "pending"
        };
        let response_status = match (d.response_status, &d.internal_error) {
            (Some(code), _) => Some(code.to_string()),
            (None, Some(_)) => Some("internal error".to_string()),
            (None, None) => None,
        };
        HookEventJson {
            id: d.id,
            url: url.to_string(),
            request_data: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null),
            trigger: d.trigger,
            event_name: d.event_name,
            idempotency_key: d.idempotency_key,
            response_status,
            response_body: d.response_body,
            internal_error_message: d.internal_error,
            execution_duration: d.execution_duration,
            attempts: d.attempts,
            state,
            next_attempt_at: (state == "pending").then(|| time(d.next_attempt_at)),
            created_at: time(d.created_at),
            updated_at: time(d.updated_at),
        }
    }
}

/// `{"message": "201 Created"}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct MessageJson {
    message: &'static str,
}

/// The fields a create or an edit gives. A URL that is not one at all is
/// GitLab's `422 {"error": "Invalid url given"}`.
fn input(params: &Params) -> Result<HookInput, ApiError> {
    let url = params.str("url")?;
    if url.as_deref().is_some_and(|u| webhooks::parse_url(u).is_none()) {
        return Err(ApiError::Unprocessable("Invalid url given".into()));
    }
    let mut events = Vec::new();
    for switch in EVENT_SWITCHES {
        if let Some(on) = params.bool(switch)? {
            events.push((switch.to_string(), on));
        }
    }
    Ok(HookInput {
        url,
        name: params.str("name")?,
        description: params.str("description")?,
        token: params.str("token")?,
        signing_token: params.str("signing_token")?,
        enable_ssl_verification: params.bool("enable_ssl_verification")?,
        events,
    })
}

async fn list(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(group): Path<String>,
) -> Result<Json<Vec<HookJson>>, ApiError> {
    let (_, hooks) = webhooks::list_hooks(&state.app, &actor, &group).await?;
    Ok(Json(hooks.iter().map(HookJson::of).collect()))
}

async fn show(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<Json<HookJson>, ApiError> {
    let (group, hook_id) = addressed(&path)?;
    Ok(Json(HookJson::of(&webhooks::hook(&state.app, &actor, group, hook_id).await?)))
}

/// The group (id or path) and the hook id of the path.
fn addressed(path: &HashMap<String, String>) -> Result<(&str, i64), ApiError> {
    let group = path.get("id").ok_or_else(|| ApiError::missing("id"))?;
    Ok((group, path_number(path, "hook_id")?))
}

async fn create(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(group): Path<String>,
    params: Params,
) -> Result<Created<HookJson>, ApiError> {
    actor.require_user()?;
    if params.str("url")?.is_none() {
        return Err(ApiError::missing("url"));
    }
    let hook = webhooks::create_hook(&state.app, &actor, &group, input(&params)?).await?;
    Ok(Created(HookJson::of(&hook)))
}

async fn update(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    params: Params,
) -> Result<Json<HookJson>, ApiError> {
    actor.require_user()?;
    let (group, hook_id) = addressed(&path)?;
    let hook = webhooks::update_hook(&state.app, &actor, group, hook_id, input(&params)?).await?;
    Ok(Json(HookJson::of(&hook)))
}

async fn delete(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    actor.require_user()?;
    let (group, hook_id) = addressed(&path)?;
    webhooks::delete_hook(&state.app, &actor, group, hook_id, unmodified_since(&headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn test(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    actor.require_user()?;
    let (group, hook_id) = addressed(&path)?;
    let trigger = path.get("trigger").ok_or_else(|| ApiError::missing("trigger"))?;
    if !webhooks::SENT_EVENTS.iter().any(|(switch, _)| switch == trigger) {
        return Err(ApiError::BadRequest("trigger does not have a valid value".into()));
    }
    webhooks::test_hook(&state.app, &actor, group, hook_id, trigger).await?;
    Ok(Created(MessageJson { message: "201 Created" }).into_response())
}

async fn events(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    uri: OriginalUri,
    params: Params,
) -> Result<Response, ApiError> {
    let (group, hook_id) = addressed(&path)?;
    let page = params.page()?;
    let (hook, found) = webhooks::deliveries(&state.app, &actor, group, hook_id, page.window()).await?;
    let items: Vec<HookEventJson> = found.items.into_iter().map(|d| HookEventJson::of(d, &hook.url)).collect();
    Ok(pagination::paginated(items, page, found.total as i64, &super::request_url(&state, &uri)))
}

async fn resend(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<Created<MessageJson>, ApiError> {
    actor.require_user()?;
    let (group, hook_id) = addressed(&path)?;
    let delivery_id = path_number(&path, "hook_log_id")?;
    webhooks::resend(&state.app, &actor, group, hook_id, delivery_id).await?;
    Ok(Created(MessageJson { message: "201 Created" }))
}
