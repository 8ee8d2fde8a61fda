//! The unit tests of `app/src/server_fns/form.rs`.

use app::domain::DomainError;
use app::model::Done;
use app::server_fns::form::*;
use app::store::StoreError;

#[test]
fn refusals_name_only_what_the_person_can_act_on() {
    let invalid = DomainError::Invalid(vec!["Name can't be blank".into()]);
    assert_eq!(target("/g/-/achievements?x=1", Err(&invalid)), "/g/-/achievements?error=Name%20can%27t%20be%20blank");
    // The server's own trouble says nothing of its insides.
    let store = DomainError::from(StoreError::UnsupportedUrl);
    assert_eq!(target("/admin", Err(&store)), "/admin?error=refused");
    // Something another request took a moment ago: as the check would say.
    let taken = DomainError::from(StoreError::Unique("users_secret_index".into()));
    assert_eq!(target("/admin", Err(&taken)), "/admin?error=Has%20already%20been%20taken");
    assert_eq!(target("/-/profile#password", Err(&DomainError::Forbidden)), "/-/profile?error=refused#password");
    assert_eq!(target("//evil.example", Err(&DomainError::Forbidden)), "/?error=refused");
}

/// Success goes back to `next` with what was done, for the toast; the page's
/// own query stays, an earlier outcome does not.
#[test]
fn success_says_what_was_done() {
    assert_eq!(target("/g/-/achievements?x=1", Ok(Done::Awarded)), "/g/-/achievements?x=1&done=awarded");
    assert_eq!(target("/g/-/achievements?done=revoked&error=no", Ok(Done::Created)), "/g/-/achievements?done=created");
    assert_eq!(target("/-/profile#tokens", Ok(Done::TokenRevoked)), "/-/profile?done=token_revoked#tokens");
    assert_eq!(target("//evil.example", Ok(Done::Saved)), "/?done=saved");
    for done in Done::ALL {
        assert_eq!(Done::parse(done.code()), Some(done));
    }
    assert_eq!(Done::parse("rm -rf"), None);
}
