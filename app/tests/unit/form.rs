//! The unit tests of `app/src/server_fns/form.rs`.

use app::domain::DomainError;
use app::server_fns::form::*;
use app::store::StoreError;

#[test]
fn refusals_name_only_what_the_person_can_act_on() {
    assert_eq!(target("/g/-/achievements?x=1", None), "/g/-/achievements?x=1");
    let invalid = DomainError::Invalid(vec!["Name can't be blank".into()]);
    assert_eq!(target("/g/-/achievements?x=1", Some(&invalid)), "/g/-/achievements?error=Name%20can%27t%20be%20blank");
    let store = DomainError::from(StoreError::Unique("users_secret_index".into()));
    assert_eq!(target("/admin", Some(&store)), "/admin?error=refused");
    assert_eq!(target("/-/profile#password", Some(&DomainError::Forbidden)), "/-/profile?error=refused#password");
    assert_eq!(target("//evil.example", Some(&DomainError::Forbidden)), "/?error=refused");
}
