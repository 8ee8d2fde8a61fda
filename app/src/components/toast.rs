//! The toast: what the form post that led here did ("Achievement awarded."),
//! from the page's `?done=` (`model::Done`). It floats at the bottom of the
//! screen from the first paint (no layout shift), is a polite live region, and
//! closes with its link, which works without scripts; `enhance.js` says it
//! again once the page has loaded (a region filled at load is not announced),
//! hides it after a few seconds and drops `done` from the address.

use crate::i18n::{td_string, Locale};
use crate::model::Done;
use crate::server_fns::session::urlencode;
use crate::use_session;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

#[component]
pub fn Toast() -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let query = use_query_map();
    let location = use_location();
    move || {
        let done = query.with(|q| q.get("done")).and_then(|code| Done::parse(&code))?;
        // The same page without `done`, for the close link.
        let rest: Vec<String> = query.with(|q| {
            q.clone()
                .into_iter()
                .filter(|(key, _)| key != "done")
                .map(|(key, value)| format!("{key}={}", urlencode(&value)))
                .collect()
        });
        let path = location.pathname.get();
        let close = if rest.is_empty() { path } else { format!("{path}?{}", rest.join("&")) };
        Some(view! {
            <div class="toast" role="status" aria-live="polite" data-toast>
                <span class="toast-text">{move || said(t(), done)}</span>
                <a class="toast-close" href=close aria-label=move || td_string!(t(), dismiss)>
                    <span aria-hidden="true">"×"</span>
                </a>
            </div>
        })
    }
}

pub fn said(l: Locale, done: Done) -> &'static str {
    match done {
        Done::Created => td_string!(l, done_created),
        Done::Updated => td_string!(l, done_updated),
        Done::Deleted => td_string!(l, done_deleted),
        Done::Awarded => td_string!(l, done_awarded),
        Done::Revoked => td_string!(l, done_revoked),
        Done::AwardDeleted => td_string!(l, done_award_deleted),
        Done::Shown => td_string!(l, done_shown),
        Done::Hidden => td_string!(l, done_hidden),
        Done::Reordered => td_string!(l, done_reordered),
        Done::Accepted => td_string!(l, done_accepted),
        Done::Declined => td_string!(l, done_declined),
        Done::Saved => td_string!(l, saved),
        Done::TokenRevoked => td_string!(l, token_revoked),
        Done::PasswordChanged => td_string!(l, password_changed),
        Done::Sent => td_string!(l, sent),
    }
}
