//! Projects, issues and merge requests as their pages show them.

use crate::events::WorkItemKind;
use crate::model::{ItemView, ProjectView, UiError};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod shape {
    use crate::domain::award_emoji;
    use crate::domain::{Actor, AppState, DomainResult};
    use crate::events::AwardableRef;
    use crate::model::{Reactable, ReactionView};

    /// An item's reactions as the reaction bar shows them.
    pub async fn reactable(app: &AppState, actor: &Actor, item: AwardableRef) -> DomainResult<Reactable> {
        Ok(reactions(actor, item, award_emoji::reactors(app, actor, item).await?))
    }

    /// `item`'s reactions, read, as the reaction bar shows them to `actor`.
    pub fn reactions(
        actor: &Actor,
        item: AwardableRef,
        (reactors, can_react): (Vec<award_emoji::EmojiReactors>, bool),
    ) -> Reactable {
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
        Reactable { item, reactions, can_react }
    }

    pub fn time(t: chrono::DateTime<chrono::Utc>) -> String {
        t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}

/// Comments on one page of an issue or merge request.
pub const NOTES_PER_PAGE: usize = 100;

/// An issue or merge request with a page of its comments (`notes_page` from 1;
/// the last, with the newest, when not given) and everyone's reactions.
#[server(endpoint = "item")]
pub async fn get_item(
    project: String,
    kind: WorkItemKind,
    iid: i64,
    notes_page: Option<i64>,
) -> Result<ItemView, UiError> {
    use super::ssr;
    use crate::domain::listing::Window;
    use crate::domain::{awardable, projects, users};
    use crate::events::{AwardableKind, AwardableRef};
    use crate::model::{NoteView, NotesPage};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let fail = ssr::ui_error;
    let row = awardable::find_work_item(&app, &actor, &project, kind, iid).await.map_err(fail)?;
    let item = AwardableRef { kind: kind.awardable(), id: row.id };
    let (project_row, _) = projects::find_project(&app, &actor, &project).await.map_err(fail)?;
    // A page before the first (0, negative) is the first.
    let asked = notes_page.map(|page| usize::try_from(page).unwrap_or(0));
    let window = Window::page(asked, NOTES_PER_PAGE);
    let notes = projects::list_notes(&app, &actor, item, projects::NoteKinds::Comments, window).await.map_err(fail)?;
    let (page, pages) = Window::page_of(notes.start, notes.total, NOTES_PER_PAGE);
    let (first, last) = (notes.start + 1, notes.start + notes.items.len());
    let notes_page = NotesPage { page, pages, first, last, total: notes.total };
    let notes = notes.items;
    let mut ids: Vec<i64> = notes.iter().filter_map(|n| n.author_id).chain(row.author_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let people = users::users_by_ids(&app, &ids).await.map_err(fail)?;
    // Everyone's top achievement at once, as this viewer may see it.
    let tops = crate::domain::achievements::top_achievements(&app, &actor, &ids, 1).await.map_err(fail)?;
    let top = |id: Option<i64>| id.and_then(|id| tops.get(&id)?.first().cloned());
    let who = |id: Option<i64>| {
        people
            .iter()
            .find(|u| Some(u.id) == id)
            .map(|u| (u.username.clone(), u.name.clone()))
            .unwrap_or_else(|| ("ghost".into(), "Ghost".into()))
    };
    let reactors = crate::domain::award_emoji::note_reactors(&app, &actor, item, &notes).await.map_err(fail)?;
    let mut note_views = Vec::new();
    for (note, reactors) in notes.into_iter().zip(reactors) {
        let (author, author_name) = who(note.author_id);
        let on = AwardableRef { kind: AwardableKind::Note, id: note.id };
        note_views.push(NoteView {
            id: note.id,
            author,
            author_name,
            author_top: top(note.author_id),
            body: note.body,
            created_at: shape::time(note.created_at),
            internal: note.confidential,
            reactions: shape::reactions(&actor, on, reactors),
        });
    }
    let (author, author_name) = who(row.author_id);
    Ok(ItemView {
        iid,
        title: row.title,
        description: row.description,
        state: row.state,
        confidential: row.confidential,
        author,
        author_name,
        author_top: top(row.author_id),
        created_at: shape::time(row.created_at),
        choices: crate::domain::reaction_sets::for_namespace(&app, project_row.namespace_id).await.map_err(fail)?,
        project_path: project_row.full_path,
        project_name: project_row.name,
        reactions: shape::reactable(&app, &actor, item).await.map_err(fail)?,
        notes: note_views,
        notes_page,
    })
}

/// A project with its issues and merge requests (newest first).
#[server(endpoint = "project")]
pub async fn get_project(path: String) -> Result<ProjectView, UiError> {
    use super::ssr;
    use crate::domain::listing::Window;
    use crate::domain::{award_emoji, awardable, projects, users};
    use crate::model::ItemSummary;
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let fail = ssr::ui_error;
    let (project, _) = projects::find_project(&app, &actor, &path).await.map_err(fail)?;
    let id = project.id.to_string();
    let mut lists = Vec::new();
    for kind in [WorkItemKind::Issue, WorkItemKind::MergeRequest] {
        let rows = awardable::list_work_items(&app, &actor, &id, kind, Window::first(100)).await.map_err(fail)?;
        lists.push((kind, rows.items));
    }
    let mut ids: Vec<i64> = lists.iter().flat_map(|(_, rows)| rows.iter().filter_map(|r| r.author_id)).collect();
    ids.sort_unstable();
    ids.dedup();
    let people = users::users_by_ids(&app, &ids).await.map_err(fail)?;
    let author =
        |id: Option<i64>| people.iter().find(|u| Some(u.id) == id).map(|u| u.username.clone()).unwrap_or_default();
    let mut summaries = Vec::new();
    for (kind, rows) in lists {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let votes = award_emoji::votes_of(&app, kind.awardable(), &ids).await.map_err(fail)?;
        let summary = |r: crate::store::WorkItemRow| {
            let v = votes.get(&r.id).copied().unwrap_or_default();
            ItemSummary {
                iid: r.iid,
                title: r.title,
                state: r.state,
                author: author(r.author_id),
                upvotes: v.up,
                downvotes: v.down,
            }
        };
        summaries.push(rows.into_iter().map(summary).collect::<Vec<_>>());
    }
    let merge_requests = summaries.pop().unwrap_or_default();
    let issues = summaries.pop().unwrap_or_default();
    Ok(ProjectView {
        path: project.full_path,
        name: project.name,
        description: project.description,
        issues,
        merge_requests,
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

/// The home page: the viewer's feed from `older` on (a cursor from the page
/// before; the newest when empty or not one), groups and projects.
#[server(endpoint = "home")]
pub async fn get_home(older: String) -> Result<crate::model::HomeView, UiError> {
    use super::ssr;
    use crate::domain::feed::{self, Activity, FeedCursor};
    use crate::domain::{projects, uploads};
    use crate::model::{FeedEntry, GroupLink, HomeView, PersonLink, PlaceLink};
    let app = ssr::state()?;
    let actor = ssr::actor(&app).await?;
    let stamp = |at: chrono::DateTime<chrono::Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let person = |u: &crate::store::UserRow| PersonLink { username: u.username.clone(), name: u.name.clone() };
    let (feed, older) = if actor.id().is_some() {
        let cursor = FeedCursor::parse(&older).unwrap_or_default();
        let page = feed::home_feed(&app, &actor, cursor).await.map_err(ssr::ui_error)?;
        let entries = page
            .entries
            .into_iter()
            .map(|entry| match entry {
                Activity::Award { award, achievement, group, recipient } => FeedEntry::Award {
                    recipient: person(&recipient),
                    achievement_id: achievement.id,
                    avatar_url: uploads::achievement_avatar_url(&app.instance, &achievement),
                    achievement: achievement.name,
                    group: PlaceLink { full_path: group.full_path, name: group.name },
                    message: award.award_message,
                    at: stamp(award.created_at),
                },
                Activity::Reaction { reaction, user, target } => FeedEntry::Reaction {
                    user: person(&user),
                    emoji: crate::domain::award_emoji::emoji_char(&reaction.name).unwrap_or_default().to_string(),
                    name: reaction.name,
                    title: target.title,
                    reference: target.reference,
                    href: target.web_path,
                    on_comment: target.on_comment,
                    at: stamp(reaction.created_at),
                },
            })
            .collect();
        (entries, page.older.map(|c| c.encode()))
    } else {
        (Vec::new(), None)
    };
    let groups = feed::home_groups(&app, &actor).await.map_err(ssr::ui_error)?;
    let projects = projects::list_projects(&app, &actor, 100, 0).await.map_err(ssr::ui_error)?;
    Ok(HomeView {
        feed,
        older,
        groups: groups
            .into_iter()
            .map(|g| GroupLink {
                full_path: g.group.full_path,
                name: g.group.name,
                member: g.member,
                achievements: g.achievements,
            })
            .collect(),
        projects: projects.into_iter().map(|p| PlaceLink { full_path: p.full_path, name: p.name }).collect(),
    })
}
