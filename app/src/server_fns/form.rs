//! Where a plain form post (no JavaScript) sends the browser after its use case.
//! One contract for every page: on success to `next` (kept on this site), when
//! refused to the same page with `?error=<text>`. The text is what the person
//! can act on (validation and conflict messages); anything else is `refused`,
//! so no store or file-system detail ever reaches a URL.

use super::session::{safe_next, urlencode};
use crate::domain::{DomainError, DomainResult};

pub fn back<T>(next: &str, result: &DomainResult<T>) {
    leptos_axum::redirect(&target(next, result.as_ref().err()));
}

/// Where `back` sends the browser: `next` (kept on this site), with the refusal
/// as `?error=` when there is one.
pub fn target(next: &str, refused: Option<&DomainError>) -> String {
    let next = safe_next(Some(next));
    let Some(err) = refused else { return next };
    let text = match err {
        DomainError::Invalid(messages) => messages.join(" "),
        DomainError::Conflict(message) => message.clone(),
        _ => "refused".to_string(),
    };
    let (rest, fragment) = next.split_once('#').map_or((next.as_str(), None), |(r, f)| (r, Some(f)));
    let path = rest.split('?').next().unwrap_or("/");
    let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
    format!("{path}?error={}{fragment}", urlencode(&text))
}
