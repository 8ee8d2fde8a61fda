//! `/admin`: counts, a chart of awards and reactions over time, the
//! `achievements` flag (instance and per group), auto-accept, users, and the
//! abuse limits, and the recent audit log. Every control is a plain form.

use crate::i18n::{td_string, Locale};
use crate::model::AdminView;
use crate::server_fns::admin::{
    get_admin, CreateUser, SetAllowLocalHooks, SetAutoAccept, SetFlag, SetLimits, UnlockUser, UpdateUser,
};
use crate::use_session;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// A label in the reader's language.
type Label = fn(Locale) -> &'static str;

/// A limit's label in the reader's language, by its name in `AbuseLimits::fields`.
fn limit_label(locale: Locale, name: &'static str) -> &'static str {
    match name {
        "max_login_attempts" => td_string!(locale, limit_max_login_attempts),
        "failed_login_attempts_unlock_period_in_minutes" => td_string!(locale, limit_lock_minutes),
        "throttle_protected_paths_requests_per_period" => td_string!(locale, limit_sign_in_per_ip),
        "throttle_unauthenticated_api_requests_per_period" => td_string!(locale, limit_api_per_ip),
        "reactions_per_user_per_minute" => td_string!(locale, limit_reactions),
        "awards_per_group_per_hour" => td_string!(locale, limit_awards),
        "award_emails_per_group_per_hour" => td_string!(locale, limit_award_emails),
        _ => name,
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_admin());
    // As in GitLab: to anyone but an admin, there is no such page.
    crate::pages::loaded::loaded_or_no_such_page(data, |view| view! { <Dashboard view/> })
}

/// A two-series bar chart (awards, reactions per day) as inline SVG, with the
/// same figures in a table for screen readers.
#[component]
fn ActivityChart(activity: Vec<(String, i64, i64)>) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let max = activity.iter().map(|(_, a, r)| (*a).max(*r)).max().unwrap_or(0).max(1) as f64;
    let (width, height, pad) = (600.0, 160.0, 4.0);
    let slot = width / activity.len().max(1) as f64;
    let bar = (slot - pad) / 2.0;
    let bars = activity
        .iter()
        .enumerate()
        .map(|(i, (day, awards, reactions))| {
            let x = i as f64 * slot + pad / 2.0;
            let h_a = *awards as f64 / max * (height - 10.0);
            let h_r = *reactions as f64 / max * (height - 10.0);
            view! {
                <g>
                    <title>{format!("{day}: {awards} / {reactions}")}</title>
                    <rect class="bar-awards" x=x y=height - h_a width=bar height=h_a/>
                    <rect class="bar-reactions" x=x + bar y=height - h_r width=bar height=h_r/>
                </g>
            }
        })
        .collect_view();
    let first = activity.first().map(|d| d.0.clone()).unwrap_or_default();
    let last = activity.last().map(|d| d.0.clone()).unwrap_or_default();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {width} {height}") role="img" aria-labelledby="activity-caption" preserveAspectRatio="none">
                {bars}
            </svg>
            <figcaption id="activity-caption">
                <span class="legend legend-awards">{move || td_string!(t(), count_awards)}</span>
                " "
                <span class="legend legend-reactions">{move || td_string!(t(), count_reactions)}</span>
                " · " {first} " – " {last}
            </figcaption>
            <details>
                <summary>{move || td_string!(t(), activity_title)}</summary>
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">{move || td_string!(t(), day)}</th>
                            <th scope="col">{move || td_string!(t(), count_awards)}</th>
                            <th scope="col">{move || td_string!(t(), count_reactions)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {activity
                            .into_iter()
                            .filter(|(_, a, r)| *a > 0 || *r > 0)
                            .map(|(day, a, r)| view! { <tr><td>{day}</td><td>{a}</td><td>{r}</td></tr> })
                            .collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}

/// A button that switches the flag for the instance (`group` empty) or a group.
#[component]
fn FlagForm(group: String, enabled: bool) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    view! {
        <form method="post" action={<SetFlag as ServerFn>::PATH} class="inline">
            <input type="hidden" name="group" value=group/>
            <input type="hidden" name="enabled" value=(!enabled).to_string()/>
            <button class="button" type="submit">{move || if enabled { td_string!(t(), turn_off) } else { td_string!(t(), turn_on) }}</button>
        </form>
    }
    .into_any()
}

#[component]
fn Dashboard(view: AdminView) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let query = use_query_map();
    let error = move || query.with(|q| q.get("error"));
    let c = view.counts;
    let counters: [(Label, i64); 6] = [
        (|l| td_string!(l, count_users), c.users),
        (|l| td_string!(l, count_groups), c.groups),
        (|l| td_string!(l, count_projects), c.projects),
        (|l| td_string!(l, count_achievements), c.achievements),
        (|l| td_string!(l, count_awards), c.awards),
        (|l| td_string!(l, count_reactions), c.reactions),
    ];
    let state = move |on: bool| if on { td_string!(t(), enabled) } else { td_string!(t(), disabled) };
    view! {
        {view! {
        <section class="card admin">
            <h1>{move || td_string!(t(), admin_title)}</h1>
            {move || error().map(|m| view! { <p class="alert" role="alert">{td_string!(t(), action_refused)} " " {m}</p> })}
            <ul class="counters">
                {counters
                    .into_iter()
                    .map(|(label, n)| view! { <li><span class="counter">{n}</span> <span class="muted">{move || label(t())}</span></li> })
                    .collect_view()}
            </ul>
            <h2>{move || td_string!(t(), activity_title)}</h2>
            <ActivityChart activity=view.activity.clone()/>
        </section>
        }.into_any()}
        {view! {
        <section class="card admin">
            <h2>{move || td_string!(t(), feature_flag)}</h2>
            <table class="data">
                <tbody>
                    <tr>
                        <th scope="row">{move || td_string!(t(), instance_wide)}</th>
                        <td>{move || state(view.achievements_enabled)}</td>
                        <td><FlagForm group=String::new() enabled=view.achievements_enabled/></td>
                    </tr>
                    {view
                        .groups
                        .iter()
                        .map(|g| {
                            let on = g.achievements_enabled;
                            view! {
                                <tr>
                                    <th scope="row"><a href=format!("/groups/{}/-/achievements", g.full_path)>{g.full_path.clone()}</a></th>
                                    <td>{move || state(on)}</td>
                                    <td><FlagForm group=g.full_path.clone() enabled=on/></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <form method="post" action={<SetAutoAccept as ServerFn>::PATH} class="setting">
                <input type="hidden" name="enabled" value=(!view.auto_accept).to_string()/>
                <span>{move || td_string!(t(), auto_accept)} ": " <strong>{move || state(view.auto_accept)}</strong></span>
                <button class="button" type="submit">{move || if view.auto_accept { td_string!(t(), turn_off) } else { td_string!(t(), turn_on) }}</button>
            </form>
            <form method="post" action={<SetAllowLocalHooks as ServerFn>::PATH} class="setting">
                <input type="hidden" name="enabled" value=(!view.allow_local_hooks).to_string()/>
                <span>{move || td_string!(t(), allow_local_hooks)} ": " <strong>{move || state(view.allow_local_hooks)}</strong></span>
                <button class="button" type="submit">{move || if view.allow_local_hooks { td_string!(t(), turn_off) } else { td_string!(t(), turn_on) }}</button>
            </form>
        </section>
        }.into_any()}
        {view! {
        <section class="card admin">
            <h2>{move || td_string!(t(), users_title)}</h2>
            <table class="data">
                <tbody>
                    {view
                        .users
                        .iter()
                        .map(|u| {
                            let (id, admin, blocked, locked) = (u.id, u.admin, u.blocked, u.locked);
                            view! {
                                <tr>
                                    <th scope="row"><a href=format!("/{}", u.username) data-user-card=u.username.clone()>{u.username.clone()}</a></th>
                                    <td>
                                        {u.name.clone()}
                                        {admin.then(|| view! { " " <span class="state">{move || td_string!(t(), admin_badge)}</span> })}
                                        {blocked.then(|| view! { " " <span class="state state-confidential">{move || td_string!(t(), blocked_badge)}</span> })}
                                        {locked.then(|| view! { " " <span class="state state-confidential">{move || td_string!(t(), locked_badge)}</span> })}
                                    </td>
                                    <td class="actions">
                                        {locked.then(|| view! {
                                            <form method="post" action={<UnlockUser as ServerFn>::PATH} class="inline">
                                                <input type="hidden" name="id" value=id/>
                                                <button class="button subtle" type="submit">{move || td_string!(t(), unlock)}</button>
                                            </form>
                                        })}
                                        <form method="post" action={<UpdateUser as ServerFn>::PATH} class="inline">
                                            <input type="hidden" name="id" value=id/>
                                            <input type="hidden" name="admin" value=(!admin).to_string()/>
                                            <button class="button subtle" type="submit">
                                                {move || if admin { td_string!(t(), remove_admin) } else { td_string!(t(), make_admin) }}
                                            </button>
                                        </form>
                                        <form method="post" action={<UpdateUser as ServerFn>::PATH} class="inline">
                                            <input type="hidden" name="id" value=id/>
                                            <input type="hidden" name="blocked" value=(!blocked).to_string()/>
                                            <button class="button subtle" type="submit">
                                                {move || if blocked { td_string!(t(), unblock) } else { td_string!(t(), block) }}
                                            </button>
                                        </form>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <details class="create-user">
                <summary class="button primary">{move || td_string!(t(), create_user)}</summary>
                <form class="stack" method="post" action={<CreateUser as ServerFn>::PATH}>
                    <label for="new-username">{move || td_string!(t(), field_username)}</label>
                    <input id="new-username" type="text" name="username" required/>
                    <label for="new-name">{move || td_string!(t(), field_name)}</label>
                    <input id="new-name" type="text" name="name" required/>
                    <label for="new-email">{move || td_string!(t(), field_email)}</label>
                    <input id="new-email" type="email" name="email" required/>
                    <label for="new-password">{move || td_string!(t(), sign_in_password)}</label>
                    <input id="new-password" type="password" name="password" minlength="8" required autocomplete="new-password"/>
                    <button class="button primary" type="submit">{move || td_string!(t(), create_user)}</button>
                </form>
            </details>
        </section>
        }.into_any()}
        {view! {
        <section class="card admin">
            <h2>{move || td_string!(t(), limits_title)}</h2>
            <p class="muted">{move || td_string!(t(), limits_hint)}</p>
            <form class="stack limits" method="post" action={<SetLimits as ServerFn>::PATH}>
                {view.limits
                    .fields()
                    .into_iter()
                    .map(|(name, value)| {
                        let id = format!("limit-{name}");
                        view! {
                            <label for=id.clone()>{move || limit_label(t(), name)}</label>
                            <input id=id type="number" name=name min="0" max="1000000" required value=value/>
                        }
                    })
                    .collect_view()}
                <button class="button primary" type="submit">{move || td_string!(t(), save_limits)}</button>
            </form>
        </section>
        }.into_any()}
        {view! {
        <section class="card admin">
            <h2>{move || td_string!(t(), audit_log)}</h2>
            <ol class="audit">
                {view
                    .audit
                    .into_iter()
                    .map(|e| {
                        view! {
                            <li>
                                <time datetime=e.at.clone()>{e.at.replace('T', " ").trim_end_matches('Z').to_string()}</time>
                                " " <strong>{e.actor}</strong> " " <code>{e.action}</code> " " <span class="muted">{e.target}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
        }.into_any()}
    }
    .into_any()
}
