//! Achievements over REST (GitLab has only GraphQL for them), in GitLab's REST
//! conventions: a group's achievements and their awards, an award's revoke and
//! delete, a user's achievements in profile order, and the recipient's own
//! show/hide and order.
//!
//! Who may do what is the domain's (and `app::policy`'s) decision. Here a
//! refusal on a group whose achievements the caller can see is GitLab's
//! `403 Forbidden`; anything the caller cannot see is a `404`, worded as
//! GitLab words it (`404 Group Not Found`, `404 Achievement Not Found`). An
//! award addressed by id alone (`/user_achievements/:id`) is a `404` for every
//! refusal, so its existence is not told to those who may not act on it. Every
//! write needs a signed-in caller first (`401 Unauthorized`).

use super::openapi::{Api, Kind, Op};
use super::params::Params;
use super::users::UserBasic;
use super::{pagination, path_number, request_url, time, ApiError, Caller, Created};
use crate::state::ServerState;
use app::domain::achievements::{self, CreateAchievement, DisplayedAward, GroupAbilities};
use app::domain::achievements::{UpdateAchievement, UpdateAward};
use app::domain::{uploads, users, Actor, DomainError};
use app::model::Held;
use app::store::{AchievementRow, NamespaceRow, UserAchievementRow, UserRow};
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde::Serialize;
use std::collections::HashMap;

/// The routes, described.
pub fn document(api: Api) -> Api {
    let group = "/groups/{id}/achievements";
    let one = "/groups/{id}/achievements/{achievement_id}";
    let awards_of = "/groups/{id}/achievements/{achievement_id}/awards";
    api.get(
        group,
        list,
        Op::page::<AchievementJson>("A group's achievements, newest first").query(
            "search",
            Kind::Str,
            "Part of the name.",
        ),
    )
    .post(
        group,
        create,
        Op::one::<AchievementJson>("Create an achievement (Maintainers+)", 201)
            .field("name", Kind::Str, "Name, unique in the group (255 characters).")
            .optional("description", Kind::Str, "Description (1024 characters).")
            .optional("avatar", Kind::File, "An image: png, jpg, gif, bmp, tiff, ico or webp, at most 200 KB."),
    )
    .get(one, show, Op::one::<AchievementJson>("An achievement", 200))
    .put(
        one,
        update,
        Op::one::<AchievementJson>("Change an achievement (Maintainers+)", 200)
            .optional("name", Kind::Str, "Name.")
            .optional("description", Kind::Str, "Description; empty clears it.")
            .optional("avatar", Kind::File, "A new image."),
    )
    .delete(one, delete, Op::nothing("Delete an achievement and its awards (Maintainers+)"))
    .get(awards_of, awards, Op::page::<UserAchievementJson>("An achievement's unrevoked awards"))
    .post(
        awards_of,
        award,
        Op::one::<UserAchievementJson>("Award it (Maintainers+): user_id or username", 201)
            .optional("user_id", Kind::Int, "The recipient's id.")
            .optional("username", Kind::Str, "The recipient's username.")
            .optional("message", Kind::Str, "A message (200 characters)."),
    )
    .post(
        "/groups/{id}/achievements/{achievement_id}/awards/bulk",
        bulk,
        Op::one::<BulkReportJson>("Award it to the people a CSV file names (Maintainers+); a dry run first", 200)
            .optional("file", Kind::File, "The CSV file: `username` or `email`, optional `message` (10,000 lines).")
            .optional("dry_run", Kind::Bool, "Report what would happen, change nothing (the default; `false` applies).")
            .optional("format", Kind::Str, "`csv` for the report as a CSV file.")
            .or_csv(),
    )
    .post(
        "/user_achievements/{user_achievement_id}/revoke",
        revoke,
        Op::one::<UserAchievementJson>("Revoke an award (Maintainers+)", 201),
    )
    .delete("/user_achievements/{user_achievement_id}", delete_award, Op::nothing("Delete an award (Owners)"))
    .get(
        "/users/{id}/achievements",
        user_achievements,
        Op::page::<UserAchievementJson>("A user's achievements the caller may see, in profile order").query(
            "include_hidden",
            Kind::Bool,
            "Hidden and pending ones too (the user, the groups' Maintainers+).",
        ),
    )
    .put(
        "/user/achievements/priorities",
        priorities,
        Op::list::<UserAchievementJson>("Order the caller's awards; answers those whose place changed").field(
            "ids",
            Kind::Ints,
            "The caller's award ids, first shown first.",
        ),
    )
    .put(
        "/user/achievements/{user_achievement_id}",
        update_own_award,
        Op::one::<UserAchievementJson>("Show or hide one of the caller's awards", 200).field(
            "show_on_profile",
            Kind::Bool,
            "Shown on the profile.",
        ),
    )
}

/// An achievement as REST answers it.
#[derive(Clone, Serialize, utoipa::ToSchema)]
pub struct AchievementJson {
    id: i64,
    name: String,
    description: Option<String>,
    avatar_url: Option<String>,
    /// The awarding group, or `null` when the caller may not see it.
    namespace_id: Option<i64>,
    /// The group's achievements page, when the group is visible.
    web_url: Option<String>,
    /// How many people hold it (as the caller may count them: hidden awards
    /// only for those who may see them), and how many members its group has
    /// (direct or inherited); `null` where the caller may not see the group.
    holders_count: Option<usize>,
    members_count: Option<usize>,
    /// The holders' share of the members, in whole percent (holders from
    /// outside the group count as members).
    holders_percent: Option<usize>,
    created_at: String,
    updated_at: String,
}

impl AchievementJson {
    fn of(state: &ServerState, achievement: &AchievementRow, group: Option<&NamespaceRow>, held: Option<Held>) -> Self {
        let instance = &state.app.instance;
        AchievementJson {
            id: achievement.id,
            name: achievement.name.clone(),
            description: achievement.description.clone(),
            avatar_url: uploads::achievement_avatar_url(instance, achievement),
            namespace_id: group.map(|g| g.id),
            web_url: group.map(|g| format!("{}/groups/{}/-/achievements", instance.external_url, g.full_path)),
            holders_count: held.map(|h| h.holders),
            members_count: held.map(|h| h.members),
            holders_percent: held.map(|h| h.percent()),
            created_at: time(achievement.created_at),
            updated_at: time(achievement.updated_at),
        }
    }
}

/// Achievements with their groups as the caller may see them, each with how
/// widely it is held (counted once per achievement).
async fn achievements_json(
    state: &ServerState,
    actor: &Actor,
    items: &[(&AchievementRow, Option<&NamespaceRow>)],
) -> Result<Vec<AchievementJson>, ApiError> {
    let ids: Vec<i64> = items.iter().map(|(a, _)| a.id).collect();
    let held = achievements::held(&state.app, actor, &ids).await?;
    Ok(items.iter().map(|(a, group)| AchievementJson::of(state, a, *group, held.get(&a.id).copied())).collect())
}

async fn achievement_json(
    state: &ServerState,
    actor: &Actor,
    achievement: &AchievementRow,
    group: Option<&NamespaceRow>,
) -> Result<AchievementJson, ApiError> {
    let found = achievements_json(state, actor, &[(achievement, group)]).await?.into_iter().next();
    Ok(found.ok_or(DomainError::NotFound("Achievement"))?)
}

/// An award (a user achievement) as REST answers it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserAchievementJson {
    id: i64,
    achievement: AchievementJson,
    user: Option<UserBasic>,
    awarded_by_user: Option<UserBasic>,
    award_message: Option<String>,
    show_on_profile: bool,
    /// Profile order: 0 first; `null` after every ordered one.
    priority: Option<i64>,
    /// Pending awards (the instance does not auto-accept) wait for the recipient.
    accepted: bool,
    created_at: String,
    updated_at: String,
    revoked_at: Option<String>,
    revoked_by_user: Option<UserBasic>,
}

/// Awards with the people they name (one lookup for all of them) and their
/// achievements as the caller may see them.
async fn awards_json(
    state: &ServerState,
    awards: Vec<(UserAchievementRow, AchievementJson)>,
) -> Result<Vec<UserAchievementJson>, ApiError> {
    let mut ids: Vec<i64> = awards
        .iter()
        .flat_map(|(a, _)| [Some(a.user_id), a.awarded_by_user_id, a.revoked_by_user_id])
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let base = &state.app.instance.external_url;
    let people: HashMap<i64, UserRow> =
        users::users_by_ids(&state.app, &ids).await?.into_iter().map(|u| (u.id, u)).collect();
    let person = |id: Option<i64>| id.and_then(|id| people.get(&id)).map(|u| UserBasic::of(u, base));
    Ok(awards
        .into_iter()
        .map(|(award, achievement)| UserAchievementJson {
            id: award.id,
            achievement,
            user: person(Some(award.user_id)),
            awarded_by_user: person(award.awarded_by_user_id),
            award_message: award.award_message.clone(),
            show_on_profile: award.show_on_profile,
            priority: award.priority,
            accepted: award.accepted_at.is_some(),
            created_at: time(award.created_at),
            updated_at: time(award.updated_at),
            revoked_at: award.revoked_at.map(time),
            revoked_by_user: person(award.revoked_by_user_id),
        })
        .collect())
}

/// Awards of achievements the caller reached by id (the achievement and its
/// group as the caller may see them, each looked up once).
async fn awards_of_reachable(
    state: &ServerState,
    actor: &Actor,
    awards: Vec<UserAchievementRow>,
) -> Result<Vec<UserAchievementJson>, ApiError> {
    let mut reached: Vec<(AchievementRow, Option<NamespaceRow>)> = Vec::new();
    for award in &awards {
        if !reached.iter().any(|(a, _)| a.id == award.achievement_id) {
            // One the caller can no longer reach (its group turned achievements
            // off) is left out of the answer, not a failure of what was done.
            let achievement = match achievements::find_achievement(&state.app, actor, award.achievement_id).await {
                Ok(found) => found,
                Err(DomainError::NotFound(_)) => continue,
                Err(other) => return Err(other.into()),
            };
            let group = achievements::visible_group(&state.app, actor, &achievement).await?;
            reached.push((achievement, group));
        }
    }
    let items: Vec<_> = reached.iter().map(|(a, g)| (a, g.as_ref())).collect();
    let described = achievements_json(state, actor, &items).await?;
    let mut rows = Vec::new();
    for award in awards {
        let at = reached.iter().position(|(a, _)| a.id == award.achievement_id);
        if let Some(json) = at.and_then(|i| described.get(i)) {
            rows.push((award, json.clone()));
        }
    }
    awards_json(state, rows).await
}

async fn one_award(
    state: &ServerState,
    actor: &Actor,
    award: UserAchievementRow,
) -> Result<Json<UserAchievementJson>, ApiError> {
    let found = awards_of_reachable(state, actor, vec![award]).await?.into_iter().next();
    Ok(Json(found.ok_or(DomainError::NotFound("User Achievement"))?))
}

/// `:id` and `:achievement_id`, the achievement checked to be the group's.
pub(super) async fn addressed(
    state: &ServerState,
    actor: &Actor,
    path: &HashMap<String, String>,
) -> Result<(AchievementRow, GroupAbilities), ApiError> {
    let group = path.get("id").ok_or_else(|| ApiError::missing("id"))?;
    let achievement_id = path_number(path, "achievement_id")?;
    Ok(achievements::group_achievement(&state.app, actor, group, achievement_id).await?)
}

/// The addressed achievement, for a signed-in caller who may manage the
/// group's achievements (`401`, `403`, `404` otherwise).
async fn managed(
    state: &ServerState,
    actor: &Actor,
    path: &HashMap<String, String>,
) -> Result<AchievementRow, ApiError> {
    actor.require_user()?;
    let (achievement, abilities) = addressed(state, actor, path).await?;
    must_manage(&abilities)?;
    Ok(achievement)
}

/// `403 Forbidden` unless the caller may manage the group's achievements.
fn must_manage(abilities: &GroupAbilities) -> Result<(), ApiError> {
    if abilities.manage {
        Ok(())
    } else {
        Err(DomainError::Forbidden.into())
    }
}

/// `GET /groups/:id/achievements` (`search` by name), newest first.
async fn list(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(group): Path<String>,
    uri: OriginalUri,
    params: Params,
) -> Result<Response, ApiError> {
    let page = params.page()?;
    let search = params.str("search")?.unwrap_or_default();
    let (group_row, _) = achievements::group_abilities(&state.app, &actor, &group).await?;
    let found = achievements::list_group_achievements(&state.app, &actor, &group, &search, None, page.window()).await?;
    let items: Vec<AchievementJson> =
        achievements_json(&state, &actor, &found.items.iter().map(|a| (a, Some(&group_row))).collect::<Vec<_>>())
            .await?;
    Ok(pagination::paginated(items, page, found.total as i64, &request_url(&state, &uri)))
}

/// `GET /groups/:id/achievements/:achievement_id`.
async fn show(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<Json<AchievementJson>, ApiError> {
    let (achievement, _) = addressed(&state, &actor, &path).await?;
    let group = achievements::visible_group(&state.app, &actor, &achievement).await?;
    Ok(Json(achievement_json(&state, &actor, &achievement, group.as_ref()).await?))
}

/// `POST /groups/:id/achievements`: `name`, `description`, `avatar` (multipart).
async fn create(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(group): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    actor.require_user()?;
    let (group_row, abilities) = achievements::group_abilities(&state.app, &actor, &group).await?;
    if !abilities.read {
        return Err(DomainError::NotFound("Group").into());
    }
    must_manage(&abilities)?;
    let input = CreateAchievement {
        namespace_id: group_row.id,
        name: params.required("name")?,
        description: params.str("description")?,
        avatar: params.file("avatar"),
    };
    let achievement = achievements::create_achievement(&state.app, &actor, input).await?;
    Ok(Created(achievement_json(&state, &actor, &achievement, Some(&group_row)).await?).into_response())
}

/// `PUT /groups/:id/achievements/:achievement_id`: any of `name`,
/// `description` (empty clears it), `avatar` (multipart).
async fn update(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    params: Params,
) -> Result<Json<AchievementJson>, ApiError> {
    let achievement = managed(&state, &actor, &path).await?;
    let input = UpdateAchievement {
        name: params.str("name")?,
        description: params.str("description")?.map(|d| Some(d).filter(|d| !d.trim().is_empty())),
        avatar: params.file("avatar"),
    };
    if input.name.is_none() && input.description.is_none() && input.avatar.is_none() {
        return Err(ApiError::BadRequest(
            "name, description, avatar are missing, at least one parameter must be provided".into(),
        ));
    }
    let updated = achievements::update_achievement(&state.app, &actor, achievement.id, input).await?;
    let group = achievements::visible_group(&state.app, &actor, &updated).await?;
    Ok(Json(achievement_json(&state, &actor, &updated, group.as_ref()).await?))
}

/// `DELETE /groups/:id/achievements/:achievement_id`, with all its awards.
async fn delete(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<StatusCode, ApiError> {
    let achievement = managed(&state, &actor, &path).await?;
    achievements::delete_achievement(&state.app, &actor, achievement.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /groups/:id/achievements/:achievement_id/awards`: unrevoked awards by
/// id, those the caller may see (hidden and pending ones for Maintainers+).
async fn awards(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    uri: OriginalUri,
    params: Params,
) -> Result<Response, ApiError> {
    let page = params.page()?;
    let (achievement, _) = addressed(&state, &actor, &path).await?;
    let group = achievements::visible_group(&state.app, &actor, &achievement).await?;
    let held = achievements::achievement_awards(&state.app, &actor, achievement.id, page.window()).await?;
    let described = achievement_json(&state, &actor, &achievement, group.as_ref()).await?;
    let rows = held.items.into_iter().map(|h| (h.award, described.clone())).collect();
    let items = awards_json(&state, rows).await?;
    Ok(pagination::paginated(items, page, held.total as i64, &request_url(&state, &uri)))
}

/// `POST /groups/:id/achievements/:achievement_id/awards`: `user_id` or
/// `username` (exactly one), optional `message`.
async fn award(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    params: Params,
) -> Result<Response, ApiError> {
    let achievement = managed(&state, &actor, &path).await?;
    let user_id = match (params.i64("user_id")?, params.str("username")?.filter(|u| !u.is_empty())) {
        (Some(id), None) => id,
        (None, Some(username)) => users::user_by_username(&state.app, username.trim_start_matches('@')).await?.id,
        (Some(_), Some(_)) => return Err(ApiError::BadRequest("user_id, username are mutually exclusive".into())),
        (None, None) => {
            return Err(ApiError::BadRequest(
                "user_id, username are missing, exactly one parameter must be provided".into(),
            ))
        }
    };
    let message = params.str("message")?;
    let award = achievements::award_achievement(&state.app, &actor, achievement.id, user_id, message).await?;
    let group = achievements::visible_group(&state.app, &actor, &achievement).await?;
    let described = achievement_json(&state, &actor, &achievement, group.as_ref()).await?;
    let json = awards_json(&state, vec![(award, described)]).await?;
    let one = json.into_iter().next().ok_or(DomainError::NotFound("User Achievement"))?;
    Ok(Created(one).into_response())
}

/// `POST /user_achievements/:user_achievement_id/revoke` (Maintainers+ of the
/// awarding group): the award, revoked.
async fn revoke(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    actor.require_user()?;
    let id = path_number(&path, "user_achievement_id")?;
    let revoked = achievements::revoke_award(&state.app, &actor, id).await?;
    Ok(Created(one_award(&state, &actor, revoked).await?.0).into_response())
}

/// `DELETE /user_achievements/:user_achievement_id` (Owners of the awarding group).
async fn delete_award(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
) -> Result<StatusCode, ApiError> {
    actor.require_user()?;
    let id = path_number(&path, "user_achievement_id")?;
    achievements::delete_award(&state.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /users/:id/achievements` (`include_hidden` for the recipient and the
/// awarding groups' Maintainers+): what the caller may see, in profile order.
async fn user_achievements(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    uri: OriginalUri,
    params: Params,
) -> Result<Response, ApiError> {
    let page = params.page()?;
    let user_id: i64 = id.parse().map_err(|_| DomainError::NotFound("User"))?;
    let include_hidden = params.bool("include_hidden")?.unwrap_or(false);
    let found = achievements::user_awards(&state.app, &actor, user_id, include_hidden, page.window()).await?;
    let shown: Vec<_> = found.items.iter().map(|d| (&d.achievement, d.group.as_ref())).collect();
    let described = achievements_json(&state, &actor, &shown).await?;
    let rows =
        found.items.into_iter().zip(described).map(|(DisplayedAward { award, .. }, json)| (award, json)).collect();
    let items = awards_json(&state, rows).await?;
    Ok(pagination::paginated(items, page, found.total as i64, &request_url(&state, &uri)))
}

/// `PUT /user/achievements/priorities`: `ids`, the caller's awards in the order
/// wanted (first shown first); any award left out loses its place. The awards
/// whose place changed.
async fn priorities(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    params: Params,
) -> Result<Json<Vec<UserAchievementJson>>, ApiError> {
    actor.require_user()?;
    let ids = params.i64_list("ids")?.ok_or_else(|| ApiError::missing("ids"))?;
    let changed = achievements::set_priorities(&state.app, &actor, &ids).await?;
    Ok(Json(awards_of_reachable(&state, &actor, changed).await?))
}

/// `PUT /user/achievements/:user_achievement_id`: `show_on_profile`, for the
/// caller's own award.
async fn update_own_award(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    params: Params,
) -> Result<Json<UserAchievementJson>, ApiError> {
    actor.require_user()?;
    let id = path_number(&path, "user_achievement_id")?;
    let show = params.bool("show_on_profile")?.ok_or_else(|| ApiError::missing("show_on_profile"))?;
    // Showing and hiding is the recipient's alone (the domain refuses anyone else).
    let input = UpdateAward { show_on_profile: Some(show), award_message: None };
    let award = achievements::update_award(&state.app, &actor, id, input).await?;
    one_award(&state, &actor, award).await
}

/// A bulk award's report.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BulkReportJson {
    /// Whether the awards were made (else a dry run).
    applied: bool,
    /// Lines per outcome: `award`, `unknown`, `blocked`, `already_holds`, `duplicate`, `invalid`.
    counts: std::collections::BTreeMap<&'static str, usize>,
    lines: Vec<BulkLineJson>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BulkLineJson {
    line: usize,
    /// The username or e-mail as written.
    given: String,
    /// Who it names (a line given by e-mail does not say whose it is).
    username: Option<String>,
    outcome: &'static str,
    /// For a duplicate: the line that named them first.
    first_line: Option<usize>,
    /// For an invalid line: why.
    reason: Option<String>,
}

/// `POST /groups/:id/achievements/:achievement_id/awards/bulk`: `file`
/// (multipart) or `csv` (text), `dry_run`, `format=csv`.
async fn bulk(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(path): Path<HashMap<String, String>>,
    params: Params,
) -> Result<Response, ApiError> {
    use app::domain::bulk_award::{self, Outcome};
    let achievement = managed(&state, &actor, &path).await?;
    let text = match (params.file("file"), params.str("csv")?) {
        (Some(upload), _) => String::from_utf8(upload.bytes).map_err(|_| ApiError::invalid("file"))?,
        (None, Some(text)) => text,
        (None, None) => {
            return Err(ApiError::BadRequest("file, csv are missing, exactly one parameter must be provided".into()))
        }
    };
    // A dry run unless asked to apply: the report comes first.
    let apply = !params.bool("dry_run")?.unwrap_or(true);
    let report = bulk_award::bulk_award(&state.app, &actor, achievement.id, &text, apply).await?;
    let lines: Vec<BulkLineJson> = report
        .lines
        .iter()
        .map(|l| BulkLineJson {
            line: l.line,
            given: l.given.clone(),
            username: l.user.as_ref().filter(|_| !l.by_email).map(|u| u.username.clone()),
            outcome: l.outcome.code(),
            first_line: match l.outcome {
                Outcome::Duplicate(first) => Some(first),
                _ => None,
            },
            reason: match &l.outcome {
                Outcome::Invalid(why) => Some(why.clone()),
                _ => None,
            },
        })
        .collect();
    if params.str("format")?.as_deref() == Some("csv") {
        let mut out = String::from("line,given,username,outcome,first_line,reason\n");
        for l in &lines {
            let cells = [
                l.line.to_string(),
                l.given.clone(),
                l.username.clone().unwrap_or_default(),
                l.outcome.to_string(),
                l.first_line.map(|f| f.to_string()).unwrap_or_default(),
                l.reason.clone().unwrap_or_default(),
            ];
            let quoted: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&quoted.join(","));
            out.push('\n');
        }
        let headers = [
            (http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (http::header::CONTENT_DISPOSITION, "attachment; filename=\"bulk-award-report.csv\""),
        ];
        return Ok((headers, out).into_response());
    }
    let codes = ["award", "unknown", "blocked", "already_holds", "duplicate", "invalid"];
    let counts = codes.iter().map(|c| (*c, report.count(c))).collect();
    Ok(Json(BulkReportJson { applied: report.applied, counts, lines }).into_response())
}

/// A CSV cell, quoted when it must be, and never read as a formula by a
/// spreadsheet (a leading `=`, `+`, `-`, `@` is prefixed with `'`).
fn csv_cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}
