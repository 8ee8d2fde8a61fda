//! A group's audit log (Owners and admins): who created, edited, awarded,
//! revoked, deleted, accepted and declined, filtered by person, achievement
//! and dates. Server HTML with a plain GET form: no script needed. To anyone
//! else there is no such page, as in GitLab.

use crate::i18n::{fill, td_string, Locale};
use crate::model::GroupAuditView;
use crate::server_fns::group_audit::get_group_audit;
use crate::server_fns::session::urlencode;
use crate::use_session;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// An entry's action in the reader's language (its code if unknown).
fn action_label(l: Locale, action: &str) -> String {
    match action {
        "achievement_created" => td_string!(l, audit_achievement_created),
        "achievement_updated" => td_string!(l, audit_achievement_updated),
        "achievement_deleted" => td_string!(l, audit_achievement_deleted),
        "achievement_awarded" => td_string!(l, audit_achievement_awarded),
        "achievement_revoked" => td_string!(l, audit_achievement_revoked),
        "user_achievement_deleted" => td_string!(l, audit_user_achievement_deleted),
        "user_achievement_updated" => td_string!(l, audit_user_achievement_updated),
        "user_achievement_accepted" => td_string!(l, audit_user_achievement_accepted),
        "user_achievement_declined" => td_string!(l, audit_user_achievement_declined),
        "reaction_set_changed" => td_string!(l, audit_reaction_set_changed),
        "webhook_created" => td_string!(l, audit_webhook_created),
        "achievement_awarded_by_rule" => td_string!(l, audit_achievement_awarded_by_rule),
        "achievement_revoked_by_rule" => td_string!(l, audit_achievement_revoked_by_rule),
        "award_rule_saved" => td_string!(l, audit_award_rule_saved),
        "award_rule_deleted" => td_string!(l, audit_award_rule_deleted),
        "webhook_updated" => td_string!(l, audit_webhook_updated),
        "webhook_deleted" => td_string!(l, audit_webhook_deleted),
        other => other,
    }
    .to_string()
}

#[component]
pub fn GroupAuditPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let group = params.with(|p| ["ns", "sub"].iter().filter_map(|k| p.get(k)).collect::<Vec<_>>().join("/"));
        query.with(|q| {
            let text = |name: &str| q.get(name).unwrap_or_default();
            let achievement = q.get("achievement").and_then(|a| a.parse::<i64>().ok());
            let page = q.get("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(1);
            (group, text("person"), achievement, text("from"), text("until"), page)
        })
    };
    let data = Resource::new(key, |(group, person, achievement, from, until, page)| {
        get_group_audit(group, person, achievement, from, until, page)
    });
    crate::pages::loaded::loaded_or_no_such_page(data, |view| view! { <AuditLog view/> })
}

#[component]
fn AuditLog(view: GroupAuditView) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let here = format!("/groups/{}/-/achievements/audit", view.full_path);
    let dashboard = format!("/groups/{}/-/achievements", view.full_path);
    let title = {
        let name = view.name.clone();
        move || fill(td_string!(t(), audit_log_of), &[("group", &name)])
    };
    let page_link = {
        let base = here.clone();
        let filters: Vec<String> = filter_pairs(&view).iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
        move |page: i64| {
            let mut query = filters.clone();
            query.push(format!("page={page}"));
            format!("{base}?{}", query.join("&"))
        }
    };
    let selected = view.achievement;
    view! {
        <section class="card audit-log">
            <h1>{title}</h1>
            <p><a href=dashboard>{move || td_string!(t(), back_to_achievements)}</a></p>
            <form class="audit-filters" method="get" action=here.clone() role="search">
                <div class="field">
                    <label for="audit-person">{move || td_string!(t(), audit_person)}</label>
                    <input
                        id="audit-person"
                        name="person"
                        type="search"
                        value=view.person.clone()
                        autocomplete="off"
                        placeholder=move || td_string!(t(), audit_person_hint)
                    />
                </div>
                <div class="field">
                    <label for="audit-achievement">{move || td_string!(t(), audit_achievement)}</label>
                    <select id="audit-achievement" name="achievement">
                        <option value="" selected=selected.is_none()>{move || td_string!(t(), audit_any_achievement)}</option>
                        {view
                            .achievements
                            .iter()
                            .map(|(id, name)| {
                                view! { <option value=id.to_string() selected=selected == Some(*id)>{name.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="audit-from">{move || td_string!(t(), audit_from)}</label>
                    <input id="audit-from" name="from" type="date" value=view.from.clone()/>
                </div>
                <div class="field">
                    <label for="audit-until">{move || td_string!(t(), audit_until)}</label>
                    <input id="audit-until" name="until" type="date" value=view.until.clone()/>
                </div>
                <div class="actions">
                    <button class="button primary" type="submit">{move || td_string!(t(), audit_filter)}</button>
                    <a class="button" href=here.clone()>{move || td_string!(t(), audit_clear)}</a>
                </div>
            </form>
            {if view.entries.is_empty() {
                view! { <p class="muted empty">{move || td_string!(t(), audit_empty)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="audit-table">
                            <thead>
                                <tr>
                                    <th scope="col">{move || td_string!(t(), audit_when)}</th>
                                    <th scope="col">{move || td_string!(t(), audit_who)}</th>
                                    <th scope="col">{move || td_string!(t(), audit_what)}</th>
                                    <th scope="col">{move || td_string!(t(), audit_achievement)}</th>
                                    <th scope="col">{move || td_string!(t(), audit_whom)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {view
                                    .entries
                                    .into_iter()
                                    .map(|e| {
                                        let shown = e.at.replace('T', " ").trim_end_matches('Z').to_string();
                                        let action = e.action.clone();
                                        let person = |name: Option<String>| match name {
                                            Some(name) => view! { <a href=format!("/{name}")>{format!("@{name}")}</a> }.into_any(),
                                            None => view! { <span class="muted">"—"</span> }.into_any(),
                                        };
                                        view! {
                                            <tr>
                                                <td><time datetime=e.at.clone()>{shown}</time></td>
                                                <td>{person(e.actor)}</td>
                                                <td>
                                                    {move || action_label(t(), &action)}
                                                    {e.rule.map(|rule| view! { <br/><code class="audit-rule">{rule}</code> })}
                                                </td>
                                                <td>{e.achievement.unwrap_or_default()}</td>
                                                <td>{person(e.subject)}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
            <nav class="pager" aria-label=move || td_string!(t(), pagination)>
                {(view.page > 1).then(|| view! { <a class="button" href=page_link.clone()(view.page - 1)>{move || td_string!(t(), previous)}</a> })}
                {view.has_next.then(|| view! { <a class="button" href=page_link.clone()(view.page + 1)>{move || td_string!(t(), next)}</a> })}
            </nav>
        </section>
    }
    .into_any()
}

/// The filters as query pairs (empty ones left out), for the pager's links.
fn filter_pairs(view: &GroupAuditView) -> Vec<(&'static str, String)> {
    let achievement = view.achievement.map(|a| a.to_string()).unwrap_or_default();
    [("person", &view.person), ("achievement", &achievement), ("from", &view.from), ("until", &view.until)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect()
}
