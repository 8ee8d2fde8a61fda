//! `/-/verify` (public): anyone checks an achievement credential this server
//! issued, pasted or baked into an image (PNG or SVG), and is told plainly
//! what holds: "Valid: awarded to … by … on …", or which check failed.
//! A plain form (no script needed): it posts to `/-/verify/upload`, which
//! sends the credential on to this page's address.

use crate::i18n::{fill, td_string, Locale};
use crate::model::{CredentialCheck, Verdict, VerificationView};
use crate::server_fns::verify::get_verification;
use crate::use_session;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn VerifyPage() -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let query = use_query_map();
    let asked = move || query.with(|q| (q.get("credential"), q.get("award").and_then(|a| a.parse::<i64>().ok())));
    // Asked about something (an award that never was included) that is not there.
    let unreadable = move || query.with(|q| q.get("unreadable").is_some() || q.get("award").is_some());
    let result = Resource::new(asked, |(credential, award)| get_verification(credential, award));
    view! {
        <section class="card verify-page">
            <h1>{move || td_string!(t(), verify_title)}</h1>
            <p class="muted">{move || td_string!(t(), verify_intro)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match result.await {
                        Ok(Some(found)) => view! { <Outcome found/> }.into_any(),
                        Ok(None) if unreadable() => view! { <NothingFound/> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(_) => view! { <p class="alert" role="alert">{move || td_string!(t(), verify_failed)}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <form class="verify-form" method="post" action="/-/verify/upload" enctype="multipart/form-data">
                <label for="verify-credential">{move || td_string!(t(), verify_paste_label)}</label>
                <textarea id="verify-credential" name="credential" rows="5" spellcheck="false" autocomplete="off"></textarea>
                <label for="verify-image">{move || td_string!(t(), verify_upload_label)}</label>
                <input id="verify-image" type="file" name="image" accept="image/png,image/svg+xml,.png,.svg"/>
                <p><button type="submit" class="button primary">{move || td_string!(t(), verify_submit)}</button></p>
            </form>
        </section>
    }
}

#[component]
fn NothingFound() -> impl IntoView {
    let session = use_session();
    view! { <p class="alert" role="alert">{move || td_string!(session.get().lang.t(), verify_nothing_found)}</p> }
}

fn check_line(l: Locale, check: CredentialCheck, held: bool) -> &'static str {
    match (check, held) {
        (CredentialCheck::Format, true) => td_string!(l, verify_check_format_ok),
        (CredentialCheck::Format, false) => td_string!(l, verify_check_format_failed),
        (CredentialCheck::Issuer, true) => td_string!(l, verify_check_issuer_ok),
        (CredentialCheck::Issuer, false) => td_string!(l, verify_check_issuer_failed),
        (CredentialCheck::Signature, true) => td_string!(l, verify_check_signature_ok),
        (CredentialCheck::Signature, false) => td_string!(l, verify_check_signature_failed),
        (CredentialCheck::Dates, true) => td_string!(l, verify_check_dates_ok),
        (CredentialCheck::Dates, false) => td_string!(l, verify_check_dates_failed),
        (CredentialCheck::Status, true) => td_string!(l, verify_check_status_ok),
        (CredentialCheck::Status, false) => td_string!(l, verify_check_status_failed),
    }
}

/// The verdict in words: what holds, or what does not.
fn headline(l: Locale, found: &VerificationView) -> String {
    let unknown = "?".to_string();
    match found.verdict {
        Verdict::Valid if found.recipient.is_none() => td_string!(l, verify_valid_private).to_string(),
        Verdict::Valid => fill(
            td_string!(l, verify_valid),
            &[
                ("achievement", found.achievement.as_ref().unwrap_or(&unknown)),
                ("recipient", found.recipient.as_ref().unwrap_or(&unknown)),
                ("issuer", found.issuer.as_ref().unwrap_or(&unknown)),
                ("date", found.awarded_on.as_ref().unwrap_or(&unknown)),
            ],
        ),
        Verdict::Revoked => td_string!(l, verify_revoked).to_string(),
        Verdict::Invalid => td_string!(l, verify_invalid).to_string(),
        Verdict::Unreadable => td_string!(l, verify_unreadable).to_string(),
        Verdict::Foreign => {
            fill(td_string!(l, verify_foreign), &[("issuer", found.foreign_issuer.as_ref().unwrap_or(&unknown))])
        }
    }
}

#[component]
fn Outcome(found: VerificationView) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let valid = found.verdict == Verdict::Valid;
    let class = if valid { "verdict valid" } else { "verdict invalid" };
    let line = {
        let found = found.clone();
        move || headline(t(), &found)
    };
    let recipient = found.recipient_url.clone().zip(found.recipient.clone()).map(|(href, name)| {
        view! { <p><a href=href>"@" {name}</a></p> }
    });
    let image =
        found.image.clone().map(|src| view! { <img class="verdict-image" src=src alt="" width="64" height="64"/> });
    let checks = found.checks.clone();
    view! {
        <div class=class role="status" aria-live="polite" data-verdict=format!("{:?}", found.verdict).to_lowercase()>
            {image}
            <div>
                <p class="verdict-line"><strong>{line}</strong></p>
                {recipient}
                <h2 class="verdict-checks-title">{move || td_string!(t(), verify_checks)}</h2>
                <ul class="verdict-checks">
                    {checks
                        .into_iter()
                        .map(|(check, held)| {
                            let mark = if held { "✓" } else { "✗" };
                            let class = if held { "held" } else { "failed" };
                            view! {
                                <li class=class>
                                    <span aria-hidden="true">{mark}" "</span>
                                    {move || check_line(t(), check, held)}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
        </div>
    }
}
