//! Server-rendered regions that follow changes live. A page names its stream
//! (`data-live-stream`) and its regions (`data-live-region`). When the stream
//! says that what this viewer sees there changed, `/-/enhance.js` reads the
//! page again and swaps each region whose HTML differs (later, if the viewer is
//! using it), then says so in the page's status line. The page's own route
//! decides what the viewer sees; the stream only says when to look.

use crate::i18n::td_string;
use crate::use_session;
use leptos::prelude::*;

/// The stream's address: `path`, `query`, and the mark of what the page shows
/// now (a change made before the stream opened is told at once).
pub fn stream(path: &str, query: &[(&str, &str)], mark: &str) -> String {
    let mut url = format!("{path}?");
    for (name, value) in query.iter().chain([("seen", mark)].iter()) {
        url.push_str(name);
        url.push('=');
        url.push_str(&encode(value));
        url.push('&');
    }
    url.pop();
    url
}

fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The status line that says a region was brought up to date.
#[component]
pub fn LiveStatus() -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    view! { <p class="visually-hidden" role="status" data-live-said=move || td_string!(t(), live_updated)></p> }
}
