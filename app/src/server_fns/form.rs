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

fn target(next: &str, refused: Option<&DomainError>) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;

    #[test]
    fn refusals_name_only_what_the_person_can_act_on() {
        assert_eq!(target("/g/-/achievements?x=1", None), "/g/-/achievements?x=1");
        let invalid = DomainError::Invalid(vec!["Name can't be blank".into()]);
        assert_eq!(
            target("/g/-/achievements?x=1", Some(&invalid)),
            "/g/-/achievements?error=Name%20can%27t%20be%20blank"
        );
        let store = DomainError::from(StoreError::Unique("users_secret_index".into()));
        assert_eq!(target("/admin", Some(&store)), "/admin?error=refused");
        assert_eq!(target("/-/profile#password", Some(&DomainError::Forbidden)), "/-/profile?error=refused#password");
        assert_eq!(target("//evil.example", Some(&DomainError::Forbidden)), "/?error=refused");
    }
}
