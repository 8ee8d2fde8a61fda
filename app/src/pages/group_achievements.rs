//! `/groups/<full_path>/-/achievements`: a group's achievements, who holds
//! them, and for Maintainers and Owners the controls to manage and award them.
//! Every control is a plain form (works without JavaScript); the server decides.

use crate::components::achievement_fields::AchievementFields;
use crate::components::emblem::AchievementImage;
use crate::components::icon::{Icon, Svg};
use crate::components::search_as_you_type::Suggestions;
use crate::i18n::{fill, held_line, td_string};
use crate::model::{AchievementCard, GroupAchievementsView, Holder, Rarity, SessionInfo};
use crate::pages::live_region::{stream, LiveStatus};
use crate::server_fns::group_achievements::{
    get_group_achievements, search_users, AwardAchievement, DeleteAchievement, DeleteAward, RevokeAward,
    SaveAchievement, SaveReactionSet,
};
use crate::use_session;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

fn group_path(params: &leptos_router::params::ParamsMap) -> String {
    ["ns", "sub"].iter().filter_map(|k| params.get(k)).collect::<Vec<_>>().join("/")
}

#[component]
pub fn GroupAchievementsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let search = query.with(|q| q.get("search").unwrap_or_default());
        let page = query.with(|q| q.get("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(1));
        (params.with(group_path), search, page)
    };
    let data = Resource::new(key, |(group, search, page)| get_group_achievements(group, search, page));
    crate::pages::loaded::loaded(data, |view| view! { <Dashboard view/> })
}

#[component]
fn Dashboard(view: GroupAchievementsView) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let query = use_query_map();
    let error = move || query.with(|q| q.get("error"));
    let here = format!("/groups/{}/-/achievements", view.full_path);
    let title = {
        let name = view.name.clone();
        move || fill(td_string!(t(), group_achievements), &[("group", &name)])
    };
    let page_link = {
        let here = here.clone();
        let search = view.search.clone();
        move |page: i64| {
            if search.is_empty() {
                format!("{here}?page={page}")
            } else {
                format!("{here}?search={}&page={page}", search.replace(' ', "+"))
            }
        }
    };
    let (can_manage, can_delete_awards) = (view.can_manage, view.can_delete_awards);
    let page = view.page.to_string();
    let live = stream(
        &format!("/-/live/awards/group/{}", view.group_id),
        &[("search", &view.search), ("page", &page)],
        &view.live_mark,
    );
    view! {
        <section class="card dashboard" data-live-stream=live data-in-place data-failed=move || td_string!(t(), error_generic)>
            <h1>{title}</h1>
            <p class="muted">
                {view.full_path.clone()}
                {can_delete_awards.then(|| {
                    let audit = format!("/groups/{}/-/achievements/audit", view.full_path);
                    let hooks = format!("/groups/{}/-/hooks", view.full_path);
                    view! {
                        " · " <a href=audit>{move || td_string!(t(), audit_log_link)}</a>
                        " · " <a href=hooks>{move || td_string!(t(), webhooks_link)}</a>
                    }
                })}
            </p>
            {move || {
                error()
                    .map(|message| {
                        view! { <p class="alert" role="alert">{td_string!(t(), action_refused)} " " {message}</p> }
                    })
            }}
            <form class="search" method="get" action=here.clone() role="search">
                <label class="visually-hidden" for="achievement-search">{move || td_string!(t(), search_achievements)}</label>
                <input id="achievement-search" type="search" name="search" value=view.search.clone() placeholder=move || td_string!(t(), search_achievements)/>
                <button class="button" type="submit">{move || td_string!(t(), search)}</button>
            </form>
            {can_manage
                .then(|| {
                    view! {
                        <details class="new-achievement dialog">
                            <summary class="button primary">{move || td_string!(t(), new_achievement)}</summary>
                            <AchievementForm group=view.full_path.clone() next=here.clone() card=None/>
                        </details>
                    }
                })}
            {view.reaction_set.clone().map(|(emoji, downvotes)| {
                view! {
                    <details class="reaction-set dialog">
                        <summary class="button">{move || td_string!(t(), reaction_set)}</summary>
                        <div class="dialog-panel" role="dialog" aria-labelledby="reaction-set-title">
                            <h2 id="reaction-set-title">{move || td_string!(t(), reaction_set)}</h2>
                            <button type="button" class="dialog-close" data-close-dialog hidden aria-label=move || td_string!(t(), close)>
                                <span aria-hidden="true">"×"</span>
                            </button>
                            <form class="stack" method="post" action={<SaveReactionSet as ServerFn>::PATH}>
                                <input type="hidden" name="group" value=view.full_path.clone()/>
                                <input type="hidden" name="next" value=here.clone()/>
                                <label for="reaction-set-emoji">{move || td_string!(t(), reaction_set_emoji)}</label>
                                <input id="reaction-set-emoji" type="text" name="emoji" value=emoji autocomplete="off" placeholder="thumbsup tada heart rocket eyes"/>
                                <p class="muted help">{move || td_string!(t(), reaction_set_help)}</p>
                                <label class="check">
                                    <input type="checkbox" name="downvotes" value="on" checked=downvotes/>
                                    {move || td_string!(t(), reaction_set_downvotes)}
                                </label>
                                <button class="button primary" type="submit">{move || td_string!(t(), save)}</button>
                            </form>
                        </div>
                    </details>
                }
            })}
        </section>
        <LiveStatus/>
        <div data-live-region="cards" data-in-place>
        {if view.achievements.is_empty() {
            view! { <p class="muted empty">{move || td_string!(t(), no_results)}</p> }.into_any()
        } else {
            view! {
                <ul class="achievement-cards">
                    {view
                        .achievements
                        .into_iter()
                        .map(|card| {
                            view! {
                                <Card card group=view.full_path.clone() next=here.clone() can_manage can_delete_awards/>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
        <nav class="pager" aria-label=move || td_string!(t(), pagination)>
            {(view.page > 1).then(|| view! { <a class="button" href=page_link(view.page - 1)>{move || td_string!(t(), previous)}</a> })}
            {view.has_next.then(|| view! { <a class="button" href=page_link(view.page + 1)>{move || td_string!(t(), next)}</a> })}
        </nav>
        </div>
    }
    .into_any()
}

/// Create (no card) or edit an achievement, with an avatar file, in a dialog
/// (`details.dialog`: opens and closes without scripts) with a live preview.
#[component]
fn AchievementForm(group: String, next: String, card: Option<AchievementCard>) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let prefix = card.as_ref().map_or("new".to_string(), |c| format!("a{}", c.id));
    let (id, name, description, avatar) = match &card {
        Some(c) => (Some(c.id), c.name.clone(), c.description.clone().unwrap_or_default(), c.avatar_url.clone()),
        None => (None, String::new(), String::new(), None),
    };
    let (title_id, labelled_by) = (format!("{prefix}-title"), format!("{prefix}-title"));
    let title = move || match id {
        Some(_) => td_string!(t(), edit_achievement),
        None => td_string!(t(), new_achievement),
    };
    view! {
        <div class="dialog-panel" role="dialog" aria-labelledby=labelled_by>
            <h2 id=title_id>{title}</h2>
            // Shown and wired by enhance.js (without scripts the backdrop closes).
            <button type="button" class="dialog-close" data-close-dialog hidden aria-label=move || td_string!(t(), close)>
                <span aria-hidden="true">"×"</span>
            </button>
            <form class="stack achievement-form" method="post" enctype="multipart/form-data" action={<SaveAchievement as ServerFn>::PATH}>
                <input type="hidden" name="group" value=group/>
                {id.map(|id| view! { <input type="hidden" name="id" value=id/> })}
                <input type="hidden" name="next" value=next/>
                <AchievementFields prefix id name description current=avatar session=session.get_untracked()/>
                <button class="button primary" type="submit">
                    {move || if id.is_some() { td_string!(t(), save) } else { td_string!(t(), create) }}
                </button>
            </form>
        </div>
    }
    .into_any()
}

#[component]
fn Card(
    card: AchievementCard,
    group: String,
    next: String,
    can_manage: bool,
    can_delete_awards: bool,
) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let id = card.id;
    let count = card.awards;
    let mut people: Vec<&Holder> = Vec::new();
    for h in &card.holders {
        if !people.iter().any(|p| p.username == h.username) {
            people.push(h);
        }
    }
    // The holders as an avatar stack: the first few faces, then how many more.
    const FACES: usize = 5;
    let more = card.held.holders.max(people.len()).saturating_sub(FACES.min(people.len()));
    let faces = people
        .iter()
        .take(FACES)
        .map(|h| {
            view! {
                <li>
                    <a class="avatar-dot" href=format!("/{}", h.username) title=h.name.clone() data-user-card=h.username.clone()>
                        <span aria-hidden="true">{h.name.chars().next().unwrap_or('?').to_string()}</span>
                        <span class="visually-hidden">{h.name.clone()}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    let more_faces = (more > 0)
        .then(|| view! { <li class="faces-more">{move || fill(td_string!(t(), more_holders), &[("n", &more)])}</li> });
    let holders_line = move || fill(td_string!(t(), holders), &[("n", &count)]);
    view! {
        <li class="achievement-card" id=format!("achievement-{id}")>
            <div class="card-head">
                <AchievementImage
                    id=card.id
                    name=card.name.clone()
                    avatar_url=card.avatar_url.clone()
                    size=56
                    class="achievement-avatar"
                />
                <div>
                    <h2>{card.name.clone()}</h2>
                    {card.description.clone().map(|d| view! { <p class="muted">{d}</p> })}
                </div>
            </div>
            {if count == 0 {
                view! { <p class="muted">{move || td_string!(t(), not_yet_awarded)}</p> }.into_any()
            } else {
                view! {
                    <div class="holders-summary">
                        <ul class="faces">{faces}{more_faces}</ul>
                        <p class="muted">{holders_line}</p>
                        {card.held.rarity().map(|rarity| {
                            let (label, class) = match rarity {
                                Rarity::Rare => (td_string!(t(), rarity_rare), "rarity rare"),
                                Rarity::Uncommon => (td_string!(t(), rarity_uncommon), "rarity uncommon"),
                                Rarity::Common => (td_string!(t(), rarity_common), "rarity common"),
                            };
                            let detail = held_line(t(), card.held);
                            view! {
                                <p class="rarity-line">
                                    <span class=class>{label}</span>
                                    " "
                                    <span class="muted">{detail}</span>
                                </p>
                            }
                        })}
                    </div>
                }
                    .into_any()
            }}
            {can_manage
                .then(|| {
                    let holders = card.holders.clone();
                    let next_award = next.clone();
                    let name = card.name.clone();
                    let count = card.awards;
                    view! {
                        <div class="card-actions">
                            <details class="manage award-action">
                                <summary class="button primary">{move || td_string!(t(), award)}</summary>
                                <AwardForm achievement_id=id next=next_award session=session.get_untracked()/>
                            </details>
                            <details class="card-menu">
                                <summary class="button subtle icon-button">
                                    <span class="visually-hidden">{move || fill(td_string!(t(), more_actions), &[("name", &name)])}</span>
                                    <Svg icon=Icon::More/>
                                </summary>
                                <div class="card-menu-panel">
                                    <details class="manage dialog">
                                        <summary class="button subtle">{move || td_string!(t(), edit)}</summary>
                                        <AchievementForm group=group.clone() next=next.clone() card=Some(card.clone())/>
                                    </details>
                                    <a class="button subtle" href=format!("/groups/{group}/-/achievements/{id}/bulk")>
                                        {move || td_string!(t(), bulk_link)}
                                    </a>
                                    <a class="button subtle" href=format!("/groups/{group}/-/achievements/{id}/rule")>
                                        {move || td_string!(t(), rule_link)}
                                    </a>
                                    <details class="manage">
                                        <summary class="button subtle danger-text">{move || td_string!(t(), delete)}</summary>
                                        <form method="post" action={<DeleteAchievement as ServerFn>::PATH} class="confirm">
                                            <p>{move || td_string!(t(), delete_confirm)}</p>
                                            <input type="hidden" name="id" value=id/>
                                            <input type="hidden" name="next" value=next.clone()/>
                                            <button class="button danger" type="submit">{move || td_string!(t(), confirm_delete)}</button>
                                        </form>
                                    </details>
                                </div>
                            </details>
                        </div>
                        {(!holders.is_empty())
                            .then(|| {
                                view! {
                                    <details class="history">
                                        <summary>{move || fill(td_string!(t(), award_history), &[("n", &count)])}</summary>
                                        <ul class="holders">
                                            {holders
                                                .into_iter()
                                                .map(|h| view! { <HolderRow h next=next.clone() can_delete_awards/> })
                                                .collect_view()}
                                        </ul>
                                    </details>
                                }
                            })}
                    }
                })}
        </li>
    }
    .into_any()
}

#[component]
fn HolderRow(h: Holder, next: String, can_delete_awards: bool) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    view! {
        <li>
            <a href=format!("/{}", h.username) data-user-card=h.username.clone()>{h.name.clone()}</a>
            " " <span class="muted">{format!("@{}", h.username)} " · " {h.awarded_at.chars().take(10).collect::<String>()}</span>
            {h.message.clone().map(|m| view! { <q>{m}</q> })}
            <form method="post" action={<RevokeAward as ServerFn>::PATH}>
                <input type="hidden" name="id" value=h.award_id/>
                <input type="hidden" name="next" value=next.clone()/>
                <button class="button subtle" type="submit" aria-label=format!("{} {}", td_string!(t(), revoke), h.username)>
                    {move || td_string!(t(), revoke)}
                </button>
            </form>
            {can_delete_awards
                .then(|| {
                    view! {
                        <form method="post" action={<DeleteAward as ServerFn>::PATH}>
                            <input type="hidden" name="id" value=h.award_id/>
                            <input type="hidden" name="next" value=next.clone()/>
                            <button class="button subtle danger-text" type="submit" aria-label=format!("{} {}", td_string!(t(), delete_award), h.username)>
                                {move || td_string!(t(), delete_award)}
                            </button>
                        </form>
                    }
                })}
        </li>
    }
    .into_any()
}

/// The name being typed in a comma-separated list of recipients.
fn last_name(typed: &str) -> &str {
    typed.rsplit(',').next().unwrap_or("")
}

/// Award to one or several people found by a type-ahead search.
#[island]
fn AwardForm(achievement_id: i64, next: String, session: SessionInfo) -> impl IntoView {
    crate::provide_session(session);
    let session = use_session();
    let t = move || session.get().lang.t();
    // Suggest for the name being typed (the part after the last comma).
    let search = Suggestions::new();
    let list = format!("award-users-{achievement_id}");
    view! {
        <form class="stack award-form" method="post" action={<AwardAchievement as ServerFn>::PATH}>
            <input type="hidden" name="achievement_id" value=achievement_id/>
            <input type="hidden" name="next" value=next/>
            <label for=format!("award-to-{achievement_id}")>{move || td_string!(t(), award_to)}</label>
            <input
                id=format!("award-to-{achievement_id}")
                type="text"
                name="recipients"
                required
                autocomplete="off"
                list=list.clone()
                on:input=move |ev| search.input(event_target_value(&ev), last_name, 2, search_users)
            />
            <datalist id=list>
                {move || {
                    let prefix = search.typed.with_untracked(|typed| {
                        typed.rsplit_once(',').map(|(head, _)| format!("{head}, ")).unwrap_or_default()
                    });
                    search
                        .found
                        .get()
                        .into_iter()
                        .map(|(username, name)| view! { <option value=format!("{prefix}{username}")>{name}</option> })
                        .collect_view()
                }}
            </datalist>
            <label for=format!("award-message-{achievement_id}")>{move || td_string!(t(), award_message)}</label>
            <input id=format!("award-message-{achievement_id}") type="text" name="message" maxlength="200"/>
            <button class="button primary" type="submit">{move || td_string!(t(), award)}</button>
        </form>
    }
}
