//! The home page: for a signed-in viewer what happened lately (awards and
//! reactions they may see, paged) next to their groups and shortcuts; for a
//! visitor what this instance is and its public groups and projects.

use crate::components::emblem::AchievementImage;
use crate::i18n::{ago, exact, fill, pieces, td_string, Locale, Piece};
use crate::model::{FeedEntry, GroupLink, HomeView, PersonLink, PlaceLink};
use crate::pages::loaded::loaded;
use crate::server_fns::items::get_home;
use crate::use_session;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn Home() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let older = move || query.with(|q| q.get("older").unwrap_or_default());
    let home = Resource::new(older, get_home);
    loaded(home, move |home| match session.get_untracked().user {
        Some(_) => view! { <SignedInHome home/> }.into_any(),
        None => view! { <VisitorHome home/> }.into_any(),
    })
}

#[component]
fn SignedInHome(home: HomeView) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let admin = session.get_untracked().user.is_some_and(|u| u.admin);
    let username = session.get_untracked().user.map(|u| u.username).unwrap_or_default();
    let profile = format!("/{username}");
    let paged = use_query_map().with_untracked(|q| q.get("older").is_some());
    let (mine, others): (Vec<GroupLink>, Vec<GroupLink>) = home.groups.into_iter().partition(|g| g.member);
    let now = chrono::Utc::now();
    let feed = if home.feed.is_empty() {
        view! {
            <div class="empty-state">
                <p>{move || td_string!(t(), feed_empty)}</p>
                <a class="button" href=profile.clone()>{move || td_string!(t(), home_your_profile)}</a>
            </div>
        }
        .into_any()
    } else {
        view! {
            <ol class="feed-list">
                {home.feed.into_iter().map(|entry| view! { <FeedLine entry now/> }).collect_view()}
            </ol>
        }
        .into_any()
    };
    view! {
        <div class="home">
            <section class="feed" aria-labelledby="feed-title">
                <h1 id="feed-title">{move || td_string!(t(), feed_title)}</h1>
                {feed}
                <nav class="pager" aria-label=move || td_string!(t(), feed_pages)>
                    {paged.then(|| view! { <a class="button" href="/">{move || td_string!(t(), feed_newest)}</a> })}
                    {home.older.map(|older| {
                        view! { <a class="button" href=format!("/?older={older}") rel="next">{move || td_string!(t(), feed_older)}</a> }
                    })}
                </nav>
            </section>
            <aside class="home-side">
                <section class="card" aria-labelledby="your-groups">
                    <h2 id="your-groups">{move || td_string!(t(), home_your_groups)}</h2>
                    {if mine.is_empty() {
                        view! { <p class="muted">{move || td_string!(t(), home_no_groups)}</p> }.into_any()
                    } else {
                        view! { <GroupList groups=mine/> }.into_any()
                    }}
                </section>
                {(!others.is_empty()).then(|| view! {
                    <section class="card" aria-labelledby="more-groups">
                        <h2 id="more-groups">{move || td_string!(t(), home_more_groups)}</h2>
                        <GroupList groups=others/>
                    </section>
                })}
                <section class="card" aria-labelledby="shortcuts">
                    <h2 id="shortcuts">{move || td_string!(t(), home_shortcuts)}</h2>
                    <ul class="place-list">
                        <li><a href=profile>{move || td_string!(t(), home_your_profile)}</a></li>
                        <li><a href="/-/profile">{move || td_string!(t(), nav_edit_profile)}</a></li>
                        {admin.then(|| view! { <li><a href="/admin">{move || td_string!(t(), admin_title)}</a></li> })}
                    </ul>
                </section>
                <ProjectList projects=home.projects/>
            </aside>
        </div>
    }
}

#[component]
fn VisitorHome(home: HomeView) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    view! {
        <section class="hero">
            <h1>{move || td_string!(t(), home_title)}</h1>
            <p class="tagline">{move || td_string!(t(), app_tagline)}</p>
            <p>{move || td_string!(t(), home_intro)}</p>
            <p><a class="button primary" href="/users/sign_in">{move || td_string!(t(), home_sign_in_cta)}</a></p>
        </section>
        <div class="places">
            <section class="card" aria-labelledby="public-groups">
                <h2 id="public-groups">{move || td_string!(t(), home_public_groups)}</h2>
                {if home.groups.is_empty() {
                    view! { <p class="muted">{move || td_string!(t(), home_no_public_groups)}</p> }.into_any()
                } else {
                    view! { <GroupList groups=home.groups/> }.into_any()
                }}
            </section>
            <ProjectList projects=home.projects/>
        </div>
    }
}

#[component]
fn GroupList(groups: Vec<GroupLink>) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    view! {
        <ul class="place-list">
            {groups
                .into_iter()
                .map(|g| {
                    let count = g.achievements.map(|n| {
                        view! { <span class="count-pill">{move || achievement_count(t(), n)}</span> }
                    });
                    view! {
                        <li>
                            <a href=format!("/groups/{}/-/achievements", g.full_path)>{g.name.clone()}</a>
                            " " {count}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn ProjectList(projects: Vec<PlaceLink>) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    (!projects.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="projects">
                <h2 id="projects">{move || td_string!(t(), projects)}</h2>
                <ul class="place-list">
                    {projects
                        .into_iter()
                        .map(|p| {
                            view! {
                                <li>
                                    <a href=format!("/{}", p.full_path)>{p.name.clone()}</a>
                                    " " <span class="muted">{p.full_path.clone()}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

fn achievement_count(l: Locale, n: i64) -> String {
    match n {
        1 => td_string!(l, achievement_count_one).to_string(),
        n => fill(td_string!(l, achievement_count), &[("n", &n)]),
    }
}

fn person(p: &PersonLink) -> AnyView {
    view! { <a class="person" href=format!("/{}", p.username) data-user-card=p.username.clone()>{p.name.clone()}</a> }
        .into_any()
}

/// One feed line: a picture, a sentence whose names are links, the message, when.
#[component]
fn FeedLine(entry: FeedEntry, now: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let at = match &entry {
        FeedEntry::Award { at, .. } | FeedEntry::Reaction { at, .. } => at.clone(),
    };
    let (picture, sentence, message) = match entry {
        FeedEntry::Award { recipient, achievement_id, achievement, avatar_url, group, message, .. } => {
            let picture = view! {
                <AchievementImage id=achievement_id name=achievement.clone() avatar_url size=40 class="feed-picture"/>
            }
            .into_any();
            let sentence = move || {
                pieces(td_string!(t(), feed_award))
                    .into_iter()
                    .map(|piece| match piece {
                        Piece::Slot("user") => person(&recipient),
                        Piece::Slot("achievement") => view! {
                            <a class="feed-achievement" href=format!("/groups/{}/-/achievements#achievement-{achievement_id}", group.full_path)>
                                {achievement.clone()}
                            </a>
                        }
                        .into_any(),
                        Piece::Slot("group") => {
                            view! { <a href=format!("/groups/{}/-/achievements", group.full_path)>{group.name.clone()}</a> }
                                .into_any()
                        }
                        Piece::Text(text) | Piece::Slot(text) => text.to_string().into_any(),
                    })
                    .collect_view()
            };
            (picture, sentence.into_any(), message)
        }
        FeedEntry::Reaction { user, name, emoji, title, reference, href, on_comment, .. } => {
            let picture =
                view! { <span class="feed-picture feed-emoji" aria-hidden="true">{emoji.clone()}</span> }.into_any();
            let sentence = move || {
                let template =
                    if on_comment { td_string!(t(), feed_reaction_comment) } else { td_string!(t(), feed_reaction) };
                pieces(template)
                    .into_iter()
                    .map(|piece| match piece {
                        Piece::Slot("user") => person(&user),
                        Piece::Slot("emoji") => {
                            view! { <span class="feed-emoji-inline" title=format!(":{name}:")>{emoji.clone()}</span> }
                                .into_any()
                        }
                        Piece::Slot("item") => view! {
                            <a href=href.clone()>{title.clone()}</a> " " <span class="muted">{reference.clone()}</span>
                        }
                        .into_any(),
                        Piece::Text(text) | Piece::Slot(text) => text.to_string().into_any(),
                    })
                    .collect_view()
            };
            (picture, sentence.into_any(), None)
        }
    };
    let (exact_time, stamp) = (exact(&at), at.clone());
    view! {
        <li class="feed-entry">
            {picture}
            <div class="feed-body">
                <p>{sentence}</p>
                {message.map(|m| view! { <blockquote class="feed-message">{m}</blockquote> })}
                <time class="muted" datetime=stamp title=exact_time>
                    {move || ago(t(), &at, now).unwrap_or_else(|| at.clone())}
                </time>
            </div>
        </li>
    }
}
