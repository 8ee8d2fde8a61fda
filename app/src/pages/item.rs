//! An issue or merge request with its comments, each with a live reaction bar.

use crate::components::emblem::AchievementImage;
use crate::components::reactions::ReturnTo;
use crate::components::reactions::{watch_live, LiveReactions, ReactionBar};
use crate::events::WorkItemKind;
use crate::i18n::{fill, td_string};
use crate::model::{ItemView, Reactable};
use crate::model::{ReactionChoices, SessionInfo};
use crate::pages::loaded::loaded;
use crate::server_fns::items::get_item;
use crate::{provide_session, use_session};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The project path from the route's segments (`/:ns[/:sub]/:project/...`).
pub fn project_path(params: &leptos_router::params::ParamsMap) -> String {
    ["ns", "sub", "project"].iter().filter_map(|k| params.get(k)).collect::<Vec<_>>().join("/")
}

#[component]
pub fn ItemPage(kind: WorkItemKind) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let session = use_session();
    let key = move || {
        let notes_page = query.with(|q| q.get("notes_page").and_then(|p| p.parse::<i64>().ok()));
        params.with(|p| (project_path(p), p.get("iid").and_then(|i| i.parse::<i64>().ok()).unwrap_or(0), notes_page))
    };
    let item = Resource::new(key, move |(project, iid, notes_page)| get_item(project, kind, iid, notes_page));
    loaded(item, move |view| view! { <ItemBody view kind session=session.get_untracked()/> })
}

/// The reactions of the item and its comments, live: the one island that
/// owns the page's stream. The page itself is server-rendered HTML passed in as
/// children; only its reaction bars (islands inside) hydrate.
#[island]
fn LiveItem(
    reactions: Vec<Reactable>,
    choices: String,
    session: SessionInfo,
    return_to: String,
    children: Children,
) -> impl IntoView {
    provide_session(session);
    provide_context(ReactionChoices::decode(&choices));
    let item = reactions.first().map(|r| r.item);
    let live = LiveReactions::provide(reactions);
    if let Some(item) = item {
        watch_live(live, item);
    }
    provide_context(ReturnTo(return_to));
    children()
}

/// The item and its comments (server-rendered; no WASM).
#[component]
fn ItemBody(view: ItemView, kind: WorkItemKind, session: SessionInfo) -> impl IntoView {
    let lang = session.lang;
    let t = move || lang.t();
    let reactions: Vec<Reactable> =
        std::iter::once(view.reactions.clone()).chain(view.notes.iter().map(|n| n.reactions.clone())).collect();
    let (sigil, list) = (kind.prefix(), kind.segment());
    let here = format!("/{}/-/{list}/{}", view.project_path, view.iid);
    let paged = view.notes_page;
    // A reaction given without JavaScript comes back to the page of comments it was on.
    let return_to = if paged.page < paged.pages { format!("{here}?notes_page={}", paged.page) } else { here.clone() };
    let choices = view.choices.encode();
    let state = match view.state.as_str() {
        "closed" => td_string!(t(), state_closed),
        "merged" => td_string!(t(), state_merged),
        _ => td_string!(t(), state_opened),
    };
    let project_href = format!("/{}", view.project_path);
    view! {
        <LiveItem reactions choices session return_to>
            <article class="item">
                <nav class="crumbs" aria-label="breadcrumb">
                    <a href=project_href.clone()>{view.project_name.clone()}</a>
                    " / "
                    <a href=format!("{project_href}#{list}")>
                        {move || match kind {
                            WorkItemKind::Issue => td_string!(t(), issues),
                            WorkItemKind::MergeRequest => td_string!(t(), merge_requests),
                        }}
                    </a>
                    " / "
                    <span>{format!("{sigil}{}", view.iid)}</span>
                </nav>
                <header class="item-head">
                    <h1>{view.title.clone()} " " <span class="muted">{format!("{sigil}{}", view.iid)}</span></h1>
                    <p class="muted">
                        <span class=format!("state state-{}", view.state)>{state}</span>
                        {view.confidential.then(|| view! { " " <span class="state state-confidential">{move || td_string!(t(), confidential)}</span> })}
                        " " {move || td_string!(t(), opened_by)} " "
                        <a href=format!("/{}", view.author) data-user-card=view.author.clone()>{view.author_name.clone()}</a>
                        <AuthorTop top=view.author_top.clone()/>
                        " · " <time datetime=view.created_at.clone()>{view.created_at.chars().take(10).collect::<String>()}</time>
                    </p>
                </header>
                {(!view.description.trim().is_empty()).then(|| view! { <div class="item-description">{view.description.clone()}</div> })}
                <ReactionBar item=view.reactions.item can_react=view.reactions.can_react/>
                <section class="notes" aria-labelledby="comments-heading">
                    <h2 id="comments-heading">{move || td_string!(t(), comments)}</h2>
                    <CommentPages paged here=here.clone() lang/>
                    {if view.notes.is_empty() {
                        Either::Left(view! { <p class="muted">{move || td_string!(t(), no_comments)}</p> })
                    } else {
                        Either::Right(
                        view! {
                            <ol class="note-list">
                                {view
                                    .notes
                                    .into_iter()
                                    .map(|note| {
                                        view! {
                                            <li class="note" id=format!("note_{}", note.id)>
                                                <p class="note-meta">
                                                    <a href=format!("/{}", note.author) data-user-card=note.author.clone()>{note.author_name.clone()}</a>
                                                    <AuthorTop top=note.author_top.clone()/>
                                                    " · " <time datetime=note.created_at.clone()>{note.created_at.chars().take(10).collect::<String>()}</time>
                                                    {note.internal.then(|| view! { " " <span class="state state-confidential">{move || td_string!(t(), internal_note)}</span> })}
                                                </p>
                                                <div class="note-body">{note.body.clone()}</div>
                                                <ReactionBar item=note.reactions.item can_react=note.reactions.can_react/>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                        })
                    }}
                    <CommentPages paged here lang/>
                </section>
            </article>
        </LiveItem>
    }
}

/// Where the shown comments are among all of them, and links to the pages
/// before and after; nothing when they fit on one page.
#[component]
fn CommentPages(paged: crate::model::NotesPage, here: String, lang: crate::i18n::Lang) -> impl IntoView {
    let range = fill(
        td_string!(lang.t(), comments_range),
        &[("from", &paged.first), ("to", &paged.last), ("total", &paged.total)],
    );
    let link = move |page: usize| format!("{here}?notes_page={page}");
    (paged.pages > 1).then(|| {
        let earlier = (paged.page > 1).then(|| {
            view! { <a href=link(paged.page - 1) rel="prev">{td_string!(lang.t(), earlier_comments)}</a> }
        });
        let later = (paged.page < paged.pages).then(|| {
            view! { <a href=link(paged.page + 1) rel="next">{td_string!(lang.t(), later_comments)}</a> }
        });
        view! {
            <nav class="pager" aria-label=td_string!(lang.t(), comment_pages)>
                {earlier}
                <span class="muted">{range}</span>
                {later}
            </nav>
        }
    })
}

/// An author's top achievement, a small icon after their name, named for
/// screen readers ("Top achievement: …") and on hover.
#[component]
fn AuthorTop(top: Option<crate::model::TopAchievement>) -> impl IntoView {
    let session = use_session();
    top.map(|top| {
        let label = fill(td_string!(session.get_untracked().lang.t(), top_achievement), &[("name", &top.name)]);
        view! {
            " "
            <span class="author-top" role="img" aria-label=label.clone() title=label>
                <AchievementImage id=top.id name=top.name avatar_url=top.avatar_url size=18/>
            </span>
        }
    })
}
