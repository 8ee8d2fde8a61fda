//! Projects, issues and merge requests as their pages show them.

use crate::model::{ItemView, ProjectView, UiError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Which list an item page belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemKind {
    Issue,
    MergeRequest,
}

#[cfg(feature = "ssr")]
mod shape {
    use crate::domain::award_emoji;
    use crate::domain::{Actor, AppState, DomainResult};
    use crate::events::AwardableRef;
    use crate::model::{Reactable, ReactionView};

    /// An item's reactions as the reaction bar shows them.
    pub async fn reactable(app: &AppState, actor: &Actor, item: AwardableRef) -> DomainResult<Reactable> {
        let (reactors, can_react) = award_emoji::reactors(app, actor, item).await?;
        let me = actor.id();
        let reactions = reactors
            .into_iter()
            .map(|r| ReactionView {
                emoji: award_emoji::emoji_char(&r.name).unwrap_or_default().to_string(),
                count: r.users.len() as i64,
                mine: r.users.iter().any(|(id, _)| Some(*id) == me),
                users: r.users.into_iter().map(|(_, name)| name).collect(),
                name: r.name,
            })
            .collect();
        Ok(Reactable { item, reactions, can_react })
    }

    pub fn time(t: chrono::DateTime<chrono::Utc>) -> String {
        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}

/// An issue or merge request with its notes and everyone's reactions.
#[server(endpoint = "item")]
pub async fn get_item(project: String, kind: ItemKind, iid: i64) -> Result<ItemView, UiError> {
    use super::ssr;
    use crate::domain::listing::{self, Window};
    use crate::domain::{projects, users};
    use crate::events::{AwardableKind, AwardableRef};
    use crate::model::NoteView;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let fail = ssr::ui_error;
    let (item, title, description, state, confidential, author_id, created_at) = match kind {
        ItemKind::Issue => {
            let i = projects::find_issue(&app, &actor, &project, iid).await.map_err(fail)?;
            let item = AwardableRef { kind: AwardableKind::Issue, id: i.id };
            (item, i.title, i.description, i.state, i.confidential, i.author_id, i.created_at)
        }
        ItemKind::MergeRequest => {
            let m = projects::find_merge_request(&app, &actor, &project, iid).await.map_err(fail)?;
            let item = AwardableRef { kind: AwardableKind::MergeRequest, id: m.id };
            (item, m.title, m.description, m.state, false, m.author_id, m.created_at)
        }
    };
    let (project_row, _) = projects::find_project(&app, &actor, &project).await.map_err(fail)?;
    let notes = projects::list_notes(&app, &actor, item, projects::NoteKinds::All, Window::first(listing::WHOLE))
        .await
        .map_err(fail)?
        .items;
    let mut ids: Vec<i64> = notes.iter().filter_map(|n| n.author_id).chain(author_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let people = users::users_by_ids(&app, &ids).await.map_err(fail)?;
    let who = |id: Option<i64>| {
        people
            .iter()
            .find(|u| Some(u.id) == id)
            .map(|u| (u.username.clone(), u.name.clone()))
            .unwrap_or_else(|| ("ghost".into(), "Ghost".into()))
    };
    let mut note_views = Vec::new();
    for note in notes.into_iter().filter(|n| !n.system) {
        let (author, author_name) = who(note.author_id);
        let on = AwardableRef { kind: AwardableKind::Note, id: note.id };
        note_views.push(NoteView {
            id: note.id,
            author,
            author_name,
            body: note.body,
            created_at: shape::time(note.created_at),
            internal: note.confidential,
            reactions: shape::reactable(&app, &actor, on).await.map_err(fail)?,
        });
    }
    let (author, author_name) = who(author_id);
    Ok(ItemView {
        iid,
        title,
        description,
        state,
        confidential,
        author,
        author_name,
        created_at: shape::time(created_at),
        project_path: project_row.full_path,
        project_name: project_row.name,
        reactions: shape::reactable(&app, &actor, item).await.map_err(fail)?,
        notes: note_views,
    })
}

/// A project with its issues and merge requests (newest first).
#[server(endpoint = "project")]
pub async fn get_project(path: String) -> Result<ProjectView, UiError> {
    use super::ssr;
    use crate::domain::listing::Window;
    use crate::domain::{award_emoji, projects, users};
    use crate::events::AwardableKind;
    use crate::model::ItemSummary;
    use std::collections::HashMap;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let fail = ssr::ui_error;
    let (project, _) = projects::find_project(&app, &actor, &path).await.map_err(fail)?;
    let id = project.id.to_string();
    let issues = projects::list_issues(&app, &actor, &id, Window::first(100)).await.map_err(fail)?.items;
    let merge_requests =
        projects::list_merge_requests(&app, &actor, &id, Window::first(100)).await.map_err(fail)?.items;
    let mut ids: Vec<i64> =
        issues.iter().filter_map(|i| i.author_id).chain(merge_requests.iter().filter_map(|m| m.author_id)).collect();
    ids.sort_unstable();
    ids.dedup();
    let people = users::users_by_ids(&app, &ids).await.map_err(fail)?;
    let author =
        |id: Option<i64>| people.iter().find(|u| Some(u.id) == id).map(|u| u.username.clone()).unwrap_or_default();
    let ids: Vec<i64> = issues.iter().map(|i| i.id).collect();
    let issue_votes = award_emoji::votes_of(&app, AwardableKind::Issue, &ids).await.map_err(fail)?;
    let ids: Vec<i64> = merge_requests.iter().map(|m| m.id).collect();
    let mr_votes = award_emoji::votes_of(&app, AwardableKind::MergeRequest, &ids).await.map_err(fail)?;
    let summary = |votes: &HashMap<i64, award_emoji::Votes>, id, iid, title, state, author_id| {
        let v = votes.get(&id).copied().unwrap_or_default();
        ItemSummary { iid, title, state, author: author(author_id), upvotes: v.up, downvotes: v.down }
    };
    let issue_rows: Vec<ItemSummary> =
        issues.into_iter().map(|i| summary(&issue_votes, i.id, i.iid, i.title, i.state, i.author_id)).collect();
    let mr_rows: Vec<ItemSummary> =
        merge_requests.into_iter().map(|m| summary(&mr_votes, m.id, m.iid, m.title, m.state, m.author_id)).collect();
    Ok(ProjectView {
        path: project.full_path,
        name: project.name,
        description: project.description,
        issues: issue_rows,
        merge_requests: mr_rows,
    })
}

/// Emoji for the picker's search box.
#[server(endpoint = "emoji_search")]
pub async fn search_emoji(query: String) -> Result<Vec<(String, String)>, UiError> {
    let query: String = query.chars().take(40).collect();
    Ok(crate::domain::award_emoji::search_emoji(&query, 48)
        .into_iter()
        .map(|(name, emoji)| (name.to_string(), emoji.to_string()))
        .collect())
}

/// The groups and projects the viewer may read, for the home page.
#[server(endpoint = "home")]
pub async fn get_home() -> Result<crate::model::HomeView, UiError> {
    use super::ssr;
    use crate::domain::{groups, projects};
    use crate::model::{HomeView, PlaceLink};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let groups = groups::list_groups(&app, &actor, "", 100, 0).await.map_err(ssr::ui_error)?;
    let projects = projects::list_projects(&app, &actor, 100, 0).await.map_err(ssr::ui_error)?;
    Ok(HomeView {
        groups: groups.into_iter().map(|g| PlaceLink { full_path: g.full_path, name: g.name }).collect(),
        projects: projects.into_iter().map(|p| PlaceLink { full_path: p.full_path, name: p.name }).collect(),
    })
}
