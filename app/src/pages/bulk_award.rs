//! Bulk award: one achievement to the people a CSV file names. The file goes
//! to the REST endpoint with the browser's session. With scripts
//! (`/-/enhance.js`) the page shows the upload's progress, the dry run's report
//! line by line, then applies it and offers the report to download; without
//! them, each button answers with the report as a CSV file.

use crate::i18n::{fill, td_string, Locale};
use crate::model::BulkAwardView;
use crate::server_fns::bulk_award::get_bulk_award;
use crate::use_session;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn BulkAwardPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        params.with(|p| {
            let group = ["ns", "sub"].iter().filter_map(|k| p.get(k)).collect::<Vec<_>>().join("/");
            (group, p.get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0))
        })
    };
    let data = Resource::new(key, |(group, id)| get_bulk_award(group, id));
    crate::pages::loaded::loaded_or_no_such_page(data, |view| view! { <BulkAward view/> })
}

/// What the script says, in the reader's language, as one JSON object.
fn strings(l: Locale) -> String {
    serde_json::json!({
        "award": td_string!(l, bulk_outcome_award),
        "unknown": td_string!(l, bulk_outcome_unknown),
        "blocked": td_string!(l, bulk_outcome_blocked),
        "already_holds": td_string!(l, bulk_outcome_already_holds),
        "duplicate": td_string!(l, bulk_outcome_duplicate),
        "invalid": td_string!(l, bulk_outcome_invalid),
        "counts": td_string!(l, bulk_counts),
        "dry_run": td_string!(l, bulk_dry_run),
        "applied": td_string!(l, bulk_applied),
        "apply": td_string!(l, bulk_apply),
        "nobody": td_string!(l, bulk_nobody),
        "download": td_string!(l, bulk_download),
        "failed": td_string!(l, bulk_failed),
        "line": td_string!(l, bulk_line),
        "given": td_string!(l, bulk_given),
        "person": td_string!(l, bulk_person),
        "outcome": td_string!(l, bulk_outcome),
        "report": td_string!(l, bulk_report),
        "done": td_string!(l, bulk_done),
    })
    .to_string()
}

/// 10000 as 10,000.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[component]
fn BulkAward(view: BulkAwardView) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let dashboard = format!("/groups/{}/-/achievements#achievement-{}", view.full_path, view.achievement_id);
    let action = format!("/api/v4/groups/{}/achievements/{}/awards/bulk", view.group_id, view.achievement_id);
    let title = {
        let name = view.achievement_name.clone();
        move || fill(td_string!(t(), bulk_title), &[("achievement", &name)])
    };
    let lines = thousands(view.max_lines);
    let help = move || fill(td_string!(t(), bulk_help), &[("lines", &lines)]);
    let by_email = view.by_email;
    view! {
        <section class="card bulk-award" data-bulk-award data-strings=move || strings(t())>
            <h1>{title}</h1>
            <p><a href=dashboard>{move || td_string!(t(), back_to_achievements)}</a></p>
            <p class="muted">{help}</p>
            {by_email.then(|| view! { <p class="muted">{move || td_string!(t(), bulk_email_admins)}</p> })}
            <p class="muted">{move || td_string!(t(), bulk_sample)}</p>
            <pre class="bulk-sample">"username,message\ncarol,Thank you for the docs!\ndave,"</pre>
            <form class="stack bulk-form" method="post" enctype="multipart/form-data" action=action>
                <input type="hidden" name="format" value="csv"/>
                <label for="bulk-file">{move || td_string!(t(), bulk_file)}</label>
                <input id="bulk-file" type="file" name="file" accept=".csv,text/csv,text/plain" required/>
                <div class="actions">
                    <button class="button primary" type="submit" name="dry_run" value="true">{move || td_string!(t(), bulk_check)}</button>
                    <button class="button bulk-apply-direct" type="submit" name="dry_run" value="false">{move || td_string!(t(), bulk_apply_direct)}</button>
                </div>
                <p class="muted help bulk-no-script">{move || td_string!(t(), bulk_no_script)}</p>
            </form>
            <div class="bulk-progress" hidden>
                <label for="bulk-progress-bar">{move || td_string!(t(), bulk_sending)}</label>
                <progress id="bulk-progress-bar" max="100" value="0"></progress>
            </div>
            <div class="bulk-result" aria-live="polite"></div>
        </section>
    }
}
