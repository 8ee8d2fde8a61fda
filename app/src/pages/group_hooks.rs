//! A group's webhooks (Owners and admins): add, change, test and delete
//! hooks, and see each one's recent deliveries with a button to send one
//! again. Server HTML with plain form posts: no script needed. To anyone else
//! there is no such page.

use crate::i18n::{fill, td_string, Locale};
use crate::model::{DeliveryView, GroupHooksView, HookView};
use crate::server_fns::group_hooks::{get_group_hooks, DeleteHook, ResendDelivery, SaveHook, TestHook};
use crate::use_session;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn GroupHooksPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.with(|p| ["ns", "sub"].iter().filter_map(|k| p.get(k)).collect::<Vec<_>>().join("/"));
    let data = Resource::new(key, get_group_hooks);
    crate::pages::loaded::loaded_or_no_such_page(data, |view| view! { <Hooks view/> })
}

fn status_label(l: Locale, status: &str) -> String {
    match status {
        "temporarily_disabled" => td_string!(l, webhook_status_temporarily_disabled),
        "disabled" => td_string!(l, webhook_status_disabled),
        _ => td_string!(l, webhook_status_executable),
    }
    .to_string()
}

#[component]
fn Hooks(view: GroupHooksView) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let query = use_query_map();
    let error = move || query.with(|q| q.get("error"));
    let here = format!("/groups/{}/-/hooks", view.full_path);
    let dashboard = format!("/groups/{}/-/achievements", view.full_path);
    let title = {
        let name = view.name.clone();
        move || fill(td_string!(t(), webhooks_of), &[("group", &name)])
    };
    let empty = view.hooks.is_empty();
    view! {
        <section class="card hooks-page">
            <h1>{title}</h1>
            <p><a href=dashboard>{move || td_string!(t(), back_to_achievements)}</a></p>
            <p class="muted">{move || td_string!(t(), webhooks_intro)}</p>
            {move || {
                error()
                    .map(|message| {
                        view! { <p class="alert" role="alert">{td_string!(t(), action_refused)} " " {message}</p> }
                    })
            }}
            <details class="new-hook dialog">
                <summary class="button primary">{move || td_string!(t(), webhook_add)}</summary>
                <HookForm group=view.full_path.clone() next=here.clone() hook=None/>
            </details>
            {empty.then(|| view! { <p class="muted empty">{move || td_string!(t(), webhooks_empty)}</p> })}
        </section>
        {view
            .hooks
            .into_iter()
            .map(|hook| view! { <Hook hook group=view.full_path.clone() next=here.clone()/> })
            .collect_view()}
    }
}

#[component]
fn Hook(hook: HookView, group: String, next: String) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let heading_id = format!("hook-{}-title", hook.id);
    let labelled_by = heading_id.clone();
    let title = if hook.name.is_empty() { hook.url.clone() } else { hook.name.clone() };
    let status = hook.status.clone();
    let status_class = format!("badge hook-status {}", hook.status);
    let summary = {
        let (emoji, achievement) = (hook.emoji_events, hook.achievement_events);
        let (token, signed) = (hook.has_token, hook.has_signing_token);
        move || {
            let l = t();
            let mut said: Vec<&str> = Vec::new();
            if emoji {
                said.push(td_string!(l, webhook_emoji_short));
            }
            if achievement {
                said.push(td_string!(l, webhook_achievement_short));
            }
            if !(emoji || achievement) {
                said.push(td_string!(l, webhook_no_events));
            }
            if token {
                said.push(td_string!(l, webhook_token_set));
            }
            if signed {
                said.push(td_string!(l, webhook_signed));
            }
            said.join(" · ")
        }
    };
    let paused = hook.disabled_until.clone().map(|until| {
        let shown = until.replace('T', " ").trim_end_matches('Z').to_string();
        move || fill(td_string!(t(), webhook_paused_until), &[("time", &shown)])
    });
    let id = hook.id.to_string();
    let test_form = {
        let (group, next, id) = (group.clone(), next.clone(), id.clone());
        move |trigger: &'static str| {
            let label = move || {
                if trigger == "emoji_events" {
                    td_string!(t(), webhook_test_emoji)
                } else {
                    td_string!(t(), webhook_test_achievement)
                }
            };
            view! {
                <form method="post" action={<TestHook as ServerFn>::PATH}>
                    <input type="hidden" name="group" value=group.clone()/>
                    <input type="hidden" name="hook_id" value=id.clone()/>
                    <input type="hidden" name="trigger" value=trigger/>
                    <input type="hidden" name="next" value=next.clone()/>
                    <button class="button" type="submit">{label}</button>
                </form>
            }
        }
    };
    let deliveries = hook.deliveries.clone();
    view! {
        <section class="card hook" id=format!("hook-{}", hook.id) aria-labelledby=labelled_by>
            <div class="card-head">
                <h2 id=heading_id>{title}</h2>
                <span class=status_class>{move || status_label(t(), &status)}</span>
            </div>
            <p class="hook-url"><code>{hook.url.clone()}</code></p>
            <p class="muted">{summary}</p>
            {paused.map(|text| view! { <p class="alert" role="status">{text}</p> })}
            <div class="actions hook-actions">
                {test_form("emoji_events")}
                {test_form("achievement_events")}
                <details class="manage dialog">
                    <summary class="button">{move || td_string!(t(), edit)}</summary>
                    <HookForm group=group.clone() next=next.clone() hook=Some(hook.clone())/>
                </details>
                <details class="manage">
                    <summary class="button subtle danger-text">{move || td_string!(t(), delete)}</summary>
                    <form method="post" action={<DeleteHook as ServerFn>::PATH} class="confirm">
                        <p>{move || td_string!(t(), webhook_delete_confirm)}</p>
                        <input type="hidden" name="group" value=group.clone()/>
                        <input type="hidden" name="hook_id" value=id.clone()/>
                        <input type="hidden" name="next" value=next.clone()/>
                        <button class="button danger" type="submit">{move || td_string!(t(), confirm_delete)}</button>
                    </form>
                </details>
            </div>
            <h3>{move || td_string!(t(), webhook_deliveries)}</h3>
            <Deliveries deliveries group next hook_id=hook.id/>
        </section>
    }
}

#[component]
fn Deliveries(deliveries: Vec<DeliveryView>, group: String, next: String, hook_id: i64) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    if deliveries.is_empty() {
        return view! { <p class="muted empty">{move || td_string!(t(), webhook_no_deliveries)}</p> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="deliveries">
                <thead>
                    <tr>
                        <th scope="col">{move || td_string!(t(), delivery_when)}</th>
                        <th scope="col">{move || td_string!(t(), delivery_event)}</th>
                        <th scope="col">{move || td_string!(t(), delivery_result)}</th>
                        <th scope="col">{move || td_string!(t(), delivery_attempts)}</th>
                        <th scope="col">{move || td_string!(t(), delivery_duration)}</th>
                        <th scope="col"><span class="visually-hidden">{move || td_string!(t(), delivery_resend)}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {deliveries
                        .into_iter()
                        .map(|d| {
                            let shown = d.at.replace('T', " ").trim_end_matches('Z').to_string();
                            let state = d.state.clone();
                            let state_class = format!("delivery-state {}", d.state);
                            let result = {
                                let (status, error) = (d.response_status, d.error.clone());
                                move || {
                                    let l = t();
                                    let word = match state.as_str() {
                                        "delivered" => td_string!(l, delivery_delivered),
                                        "failed" => td_string!(l, delivery_failed),
                                        _ => td_string!(l, delivery_pending),
                                    };
                                    match (status, &error) {
                                        (Some(code), _) => format!("{word} · HTTP {code}"),
                                        (None, Some(why)) => format!("{word} · {why}"),
                                        (None, None) => word.to_string(),
                                    }
                                }
                            };
                            let duration = d.duration_ms.map(|ms| format!("{ms} ms")).unwrap_or_default();
                            view! {
                                <tr>
                                    <td><time datetime=d.at.clone()>{shown}</time></td>
                                    <td>{d.event.clone()}</td>
                                    <td class=state_class>{result}</td>
                                    <td>{d.attempts}</td>
                                    <td>{duration}</td>
                                    <td>
                                        <form method="post" action={<ResendDelivery as ServerFn>::PATH}>
                                            <input type="hidden" name="group" value=group.clone()/>
                                            <input type="hidden" name="hook_id" value=hook_id.to_string()/>
                                            <input type="hidden" name="delivery_id" value=d.id.to_string()/>
                                            <input type="hidden" name="next" value=next.clone()/>
                                            <button class="button subtle" type="submit">{move || td_string!(t(), delivery_resend)}</button>
                                        </form>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Adds a hook (`hook` none) or changes one.
#[component]
fn HookForm(group: String, next: String, hook: Option<HookView>) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let prefix = hook.as_ref().map(|h| format!("hook-{}", h.id)).unwrap_or_else(|| "new-hook".into());
    let field = |name: &str| format!("{prefix}-{name}");
    let (url, name) = hook.as_ref().map(|h| (h.url.clone(), h.name.clone())).unwrap_or_default();
    let (emoji, achievement, confidential, ssl) = hook
        .as_ref()
        .map(|h| (h.emoji_events, h.achievement_events, h.confidential_events, h.enable_ssl_verification))
        .unwrap_or((true, true, false, true));
    let has_token = hook.as_ref().is_some_and(|h| h.has_token);
    let heading_id = field("form-title");
    let labelled_by = heading_id.clone();
    let editing = hook.is_some();
    let heading = move || if editing { td_string!(t(), edit) } else { td_string!(t(), webhook_add) };
    view! {
        <div class="dialog-panel" role="dialog" aria-labelledby=labelled_by>
            <h2 id=heading_id>{heading}</h2>
            <button type="button" class="dialog-close" data-close-dialog hidden aria-label=move || td_string!(t(), close)>
                <span aria-hidden="true">"×"</span>
            </button>
            <form class="stack" method="post" action={<SaveHook as ServerFn>::PATH}>
                <input type="hidden" name="group" value=group/>
                <input type="hidden" name="next" value=next/>
                {hook.as_ref().map(|h| view! { <input type="hidden" name="hook_id" value=h.id.to_string()/> })}
                <label for=field("url")>{move || td_string!(t(), webhook_url)}</label>
                <input id=field("url") type="url" name="url" value=url required placeholder="https://example.com/hooks/laurel"/>
                <label for=field("name")>{move || td_string!(t(), webhook_name)}</label>
                <input id=field("name") type="text" name="name" value=name maxlength="255"/>
                <label for=field("token")>{move || td_string!(t(), webhook_token)}</label>
                <input id=field("token") type="password" name="token" autocomplete="new-password" maxlength="255"/>
                <p class="muted help">{move || td_string!(t(), webhook_token_help)}</p>
                {has_token.then(|| view! {
                    <label class="check">
                        <input type="checkbox" name="clear_token" value="on"/>
                        {move || td_string!(t(), webhook_clear_token)}
                    </label>
                })}
                <label for=field("signing")>{move || td_string!(t(), webhook_signing_token)}</label>
                <input id=field("signing") type="password" name="signing_token" autocomplete="new-password" placeholder="whsec_…"/>
                <p class="muted help">{move || td_string!(t(), webhook_signing_help)}</p>
                <fieldset>
                    <legend>{move || td_string!(t(), webhook_events)}</legend>
                    <label class="check">
                        <input type="checkbox" name="emoji_events" value="on" checked=emoji/>
                        {move || td_string!(t(), webhook_emoji_events)}
                    </label>
                    <label class="check">
                        <input type="checkbox" name="achievement_events" value="on" checked=achievement/>
                        {move || td_string!(t(), webhook_achievement_events)}
                    </label>
                    <label class="check">
                        <input type="checkbox" name="confidential_events" value="on" checked=confidential/>
                        {move || td_string!(t(), webhook_confidential_events)}
                    </label>
                </fieldset>
                <label class="check">
                    <input type="checkbox" name="enable_ssl_verification" value="on" checked=ssl/>
                    {move || td_string!(t(), webhook_ssl)}
                </label>
                <button class="button primary" type="submit">{move || td_string!(t(), save)}</button>
            </form>
        </div>
    }
}
