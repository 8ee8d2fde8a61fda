use crate::components::emblem::AchievementImage;
use crate::i18n::{ago, exact, held_line, td_string, Locale};
use crate::model::ProfileAchievement;
use crate::pages::live_region::{stream, LiveStatus};
use crate::pages::loaded::loaded;
use crate::server_fns::profile::get_profile;
use crate::use_session;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn Profile() -> impl IntoView {
    let params = use_params_map();
    let session = use_session();
    let username = move || params.with(|p| p.get("username").unwrap_or_default());
    let profile = Resource::new(username, get_profile);
    let t = move || session.get().lang.t();
    loaded(profile, move |p| {
        let initial = p.name.chars().next().unwrap_or('?').to_string();
        let live = stream(&format!("/-/live/awards/profile/{}", p.user_id), &[], &p.live_mark);
        // oEmbed discovery: tools that unfurl links find the profile's card.
        let base = p.web_url.strip_suffix(&format!("/{}", p.username)).unwrap_or(&p.web_url).to_string();
        let oembed = format!("{base}/-/oembed?url={}", p.web_url.replace(':', "%3A").replace('/', "%2F"));
        view! {
            <leptos_meta::Link rel="alternate" type_="application/json+oembed" href=oembed/>
            <section class="profile" data-live-stream=live>
                <div class="profile-head">
                    <div class="avatar-large" aria-hidden="true">{initial}</div>
                    <div>
                        <h1>{p.name.clone()}</h1>
                        <p class="muted">"@" {p.username.clone()}</p>
                        {(!p.bio.trim().is_empty()).then(|| view! { <p>{p.bio.clone()}</p> })}
                        // The link to share: selectable without scripts; enhance.js
                        // shows the copy button and says when it copied.
                        <div class="share">
                            <label for="profile-link">{move || td_string!(t(), share_profile)}</label>
                            <div class="share-row">
                                <input id="profile-link" type="url" readonly value=p.web_url.clone()/>
                                <button type="button" class="button" data-copy="profile-link" hidden>
                                    {move || td_string!(t(), copy_link)}
                                </button>
                            </div>
                            <p class="visually-hidden" role="status" data-copied=move || td_string!(t(), copied)></p>
                        </div>
                    </div>
                </div>
                <h2>{move || td_string!(t(), achievements)}</h2>
                <div data-live-region="achievements">
                    {if p.achievements.is_empty() {
                        view! { <p class="muted">{move || td_string!(t(), no_achievements)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="achievement-list">
                                {p.achievements.into_iter().map(|a| view! { <AchievementBadge a/> }).collect_view()}
                            </ul>
                        }
                            .into_any()
                    }}
                </div>
                <LiveStatus/>
            </section>
        }
    })
}

/// The words before and after the date in "Awarded {when}", in each language's
/// own order.
fn around_when(l: Locale) -> (&'static str, &'static str) {
    td_string!(l, awarded_when).split_once("{when}").unwrap_or(("", ""))
}

#[component]
fn AchievementBadge(a: ProfileAchievement) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let count = a.awards.len();
    // The newest award: relative ("3 days ago"), the exact moment on hover.
    let latest = a.awards.iter().map(|aw| aw.awarded_at.clone()).max().unwrap_or_default();
    let now = chrono::Utc::now();
    let (stamp, exact_time) = (latest.clone(), exact(&latest));
    let group = a.group.clone();
    view! {
        <li class="achievement" tabindex="0">
            <AchievementImage
                id=a.achievement_id
                name=a.name.clone()
                avatar_url=a.avatar_url.clone()
                size=64
                class="achievement-icon"
            />
            <span class="achievement-name">{a.name.clone()}</span>
            {(count > 1).then(|| view! { <span class="badge">{format!("{count}x")}</span> })}
            <div class="achievement-detail" role="tooltip">
                <strong>{a.name.clone()}</strong>
                {a.description.clone().map(|d| view! { <p>{d}</p> })}
                <p class="muted">
                    {move || around_when(t()).0}
                    <time datetime=stamp title=exact_time>
                        {move || ago(t(), &latest, now).unwrap_or_else(|| latest.clone())}
                    </time>
                    {move || around_when(t()).1}
                </p>
                <p class="muted">
                    {move || td_string!(t(), awarded_by)} " "
                    {match group.clone() {
                        Some(path) => view! { <span>{path}</span> }.into_any(),
                        None => view! { <em>{move || td_string!(t(), private_namespace)}</em> }.into_any(),
                    }}
                </p>
                {a.held.map(|held| view! { <p class="muted">{move || held_line(t(), held)}</p> })}
                {a.awards.iter().filter_map(|aw| aw.message.clone()).map(|m| view! { <blockquote>{m}</blockquote> }).collect_view()}
            </div>
        </li>
    }
    .into_any()
}
