//! An achievement's automatic award rule (Maintainers+): the rule in words,
//! a form whose Preview (a plain GET) shows how many people meet it now and
//! some of them, then Save (which awards them), and Remove.

use crate::i18n::{fill, td_string, Locale};
use crate::model::{AwardRuleView, RuleView, RULE_TRIGGERS};
use crate::server_fns::award_rules::{get_award_rule, DeleteAwardRule, SaveAwardRule};
use crate::use_session;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn AwardRulePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let (group, id) = params.with(|p| {
            let group = ["ns", "sub"].iter().filter_map(|k| p.get(k)).collect::<Vec<_>>().join("/");
            (group, p.get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0))
        });
        let preview = query.with(|q| {
            q.get("trigger").map(|trigger| RuleView {
                trigger,
                threshold: q.get("threshold").and_then(|t| t.trim().parse().ok()).unwrap_or(0),
                emoji: q.get("emoji").unwrap_or_default(),
                auto_revoke: q.get("auto_revoke").is_some(),
            })
        });
        (group, id, preview)
    };
    let data = Resource::new(key, |(group, id, preview)| get_award_rule(group, id, preview));
    crate::pages::loaded::loaded_or_no_such_page(data, |view| view! { <AwardRule view/> })
}

fn trigger_label(l: Locale, trigger: &str) -> String {
    match trigger {
        "reactions_received" => td_string!(l, trigger_reactions_received),
        "issues_opened" => td_string!(l, trigger_issues_opened),
        "merge_requests_opened" => td_string!(l, trigger_merge_requests_opened),
        "comments_written" => td_string!(l, trigger_comments_written),
        "first_reaction_given" => td_string!(l, trigger_first_reaction_given),
        "member_for_days" => td_string!(l, trigger_member_for_days),
        other => other,
    }
    .to_string()
}

/// A rule in words: "Received 10 🎉 reactions on their issues, merge requests or comments".
pub fn rule_words(l: Locale, rule: &RuleView) -> String {
    let count = rule.threshold.to_string();
    let emoji = emojis::get_by_shortcode(rule.emoji.trim().trim_matches(':'))
        .map(|e| e.as_str().to_string())
        .unwrap_or_else(|| rule.emoji.clone());
    let text = match (rule.trigger.as_str(), rule.emoji.is_empty()) {
        ("reactions_received", true) => td_string!(l, rule_reactions_received),
        ("reactions_received", false) => td_string!(l, rule_reactions_received_emoji),
        ("issues_opened", _) => td_string!(l, rule_issues_opened),
        ("merge_requests_opened", _) => td_string!(l, rule_merge_requests_opened),
        ("comments_written", _) => td_string!(l, rule_comments_written),
        ("first_reaction_given", _) => td_string!(l, rule_first_reaction_given),
        ("member_for_days", _) => td_string!(l, rule_member_for_days),
        (other, _) => other,
    };
    fill(text, &[("count", &count), ("emoji", &emoji)])
}

#[component]
fn AwardRule(view: AwardRuleView) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let query = use_query_map();
    let error = move || query.with(|q| q.get("error"));
    let here = format!("/groups/{}/-/achievements/{}/rule", view.full_path, view.achievement_id);
    let dashboard = format!("/groups/{}/-/achievements#achievement-{}", view.full_path, view.achievement_id);
    let title = {
        let name = view.achievement_name.clone();
        move || fill(td_string!(t(), rule_title), &[("achievement", &name)])
    };
    let form = view.form.clone();
    let id = view.achievement_id.to_string();
    view! {
        <section class="card award-rule">
            <h1>{title}</h1>
            <p><a href=dashboard>{move || td_string!(t(), back_to_achievements)}</a></p>
            <p class="muted">{move || td_string!(t(), rule_intro)}</p>
            {move || {
                error()
                    .map(|message| {
                        view! { <p class="alert" role="alert">{td_string!(t(), action_refused)} " " {message}</p> }
                    })
            }}
            {match view.current.clone() {
                Some(rule) => {
                    let words = rule.clone();
                    view! {
                        <div class="current-rule">
                            <h2>{move || td_string!(t(), rule_current)}</h2>
                            <p class="rule-words">{move || rule_words(t(), &words)}</p>
                            {rule.auto_revoke.then(|| view! { <p class="muted">{move || td_string!(t(), rule_auto_revoke_on)}</p> })}
                            <form method="post" action={<DeleteAwardRule as ServerFn>::PATH}>
                                <input type="hidden" name="achievement_id" value=id.clone()/>
                                <input type="hidden" name="next" value=here.clone()/>
                                <button class="button subtle danger-text" type="submit">{move || td_string!(t(), rule_remove)}</button>
                            </form>
                        </div>
                    }
                        .into_any()
                }
                None => view! { <p class="muted">{move || td_string!(t(), rule_none)}</p> }.into_any(),
            }}
            <h2>{move || td_string!(t(), rule_choose)}</h2>
            <form class="stack rule-form" method="get" action=here.clone()>
                <label for="rule-trigger">{move || td_string!(t(), rule_trigger)}</label>
                <select id="rule-trigger" name="trigger">
                    {RULE_TRIGGERS
                        .iter()
                        .map(|trigger| {
                            let selected = form.trigger == *trigger;
                            view! { <option value=*trigger selected=selected>{move || trigger_label(t(), trigger)}</option> }
                        })
                        .collect_view()}
                </select>
                <label for="rule-threshold">{move || td_string!(t(), rule_threshold)}</label>
                <input id="rule-threshold" name="threshold" type="number" min="1" max="1000000" value=form.threshold.to_string() required/>
                <p class="muted help">{move || td_string!(t(), rule_threshold_help)}</p>
                <label for="rule-emoji">{move || td_string!(t(), rule_emoji)}</label>
                <input id="rule-emoji" name="emoji" type="text" value=form.emoji.clone() autocomplete="off" placeholder="tada"/>
                <label class="check">
                    <input type="checkbox" name="auto_revoke" value="on" checked=form.auto_revoke/>
                    {move || td_string!(t(), rule_auto_revoke)}
                </label>
                <button class="button" type="submit">{move || td_string!(t(), rule_preview)}</button>
            </form>
            {view.problem.clone().map(|problem| view! { <p class="alert" role="alert">{problem}</p> })}
            {view.preview.clone().map(|(matching, sample)| {
                let rule = view.form.clone();
                let count = matching.to_string();
                let words = rule.clone();
                view! {
                    <div class="rule-preview" role="status">
                        <h2>{move || td_string!(t(), rule_preview_title)}</h2>
                        <p class="rule-words">{move || rule_words(t(), &words)}</p>
                        <p class="rule-matching">{move || fill(td_string!(t(), rule_matching), &[("count", &count)])}</p>
                        {(!sample.is_empty()).then(|| view! {
                            <ul class="rule-sample">
                                {sample.iter().map(|name| view! { <li><a href=format!("/{name}")>{format!("@{name}")}</a></li> }).collect_view()}
                            </ul>
                        })}
                        <form method="post" action={<SaveAwardRule as ServerFn>::PATH}>
                            <input type="hidden" name="achievement_id" value=id.clone()/>
                            <input type="hidden" name="trigger" value=rule.trigger.clone()/>
                            <input type="hidden" name="threshold" value=rule.threshold.to_string()/>
                            <input type="hidden" name="emoji" value=rule.emoji.clone()/>
                            {rule.auto_revoke.then(|| view! { <input type="hidden" name="auto_revoke" value="on"/> })}
                            <input type="hidden" name="next" value=here.clone()/>
                            <button class="button primary" type="submit">{move || td_string!(t(), rule_save)}</button>
                        </form>
                    </div>
                }
            })}
        </section>
    }
}
