//! Where a plain form post (no JavaScript) sends the browser after its use case.
//! One contract for every page: on success to `next` (kept on this site), when
//! refused to the same page with `?error=<text>`. The text is what the person
//! can act on (validation and conflict messages); anything else is `refused`,
//! so no store or file-system detail ever reaches a URL.

use super::session::{safe_next, urlencode};
use crate::domain::{DomainError, DomainResult};
use crate::model::Done;

pub fn back<T>(next: &str, done: Done, result: &DomainResult<T>) {
    leptos_axum::redirect(&target(next, result.as_ref().map(|_| done)));
}

/// As [`back`] for a form that may come without `next` (an island's own call,
/// which stays on its page): no redirect then.
pub fn back_if<T>(next: Option<String>, done: Done, result: &DomainResult<T>) {
    if let Some(next) = next {
        back(&next, done, result)
    }
}

/// Where `back` sends the browser: `next` (kept on this site) with what was
/// done as `?done=` (a toast says it), or the refusal as `?error=`.
pub fn target(next: &str, outcome: Result<Done, &DomainError>) -> String {
    let next = safe_next(Some(next));
    let (rest, fragment) = next.split_once('#').map_or((next.as_str(), None), |(r, f)| (r, Some(f)));
    let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
    let err = match outcome {
        Ok(done) => {
            // `next`'s own query stays (a search, a page), but not an earlier outcome.
            let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
            let mut params: Vec<&str> = query
                .split('&')
                .filter(|p| !p.is_empty() && !p.starts_with("done=") && !p.starts_with("error="))
                .collect();
            let done = format!("done={}", done.code());
            params.push(&done);
            return format!("{path}?{}{fragment}", params.join("&"));
        }
        Err(err) => err,
    };
    let text = match err {
        DomainError::Invalid(messages) => messages.join(" "),
        DomainError::Conflict(message) => message.clone(),
        _ => "refused".to_string(),
    };
    let path = rest.split('?').next().unwrap_or("/");
    format!("{path}?error={}{fragment}", urlencode(&text))
}
