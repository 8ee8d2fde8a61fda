//! The unit tests of `server/src/rest/mod.rs`.

use app::policy::ApiUse;
use http::Method;
use server::rest::*;

#[test]
fn requests_map_to_gitlab_scope_classes() {
    assert_eq!(api_use(&Method::GET, "/api/v4/user"), ApiUse::ReadUsers);
    assert_eq!(api_use(&Method::GET, "/api/v4/users/3"), ApiUse::ReadUsers);
    assert_eq!(api_use(&Method::GET, "/api/v4/version"), ApiUse::ReadUsers);
    assert_eq!(api_use(&Method::GET, "/api/v4/userx"), ApiUse::Read);
    assert_eq!(api_use(&Method::HEAD, "/api/v4/projects/1/issues"), ApiUse::Read);
    assert_eq!(api_use(&Method::PUT, "/api/v4/users/3"), ApiUse::Write);
    assert_eq!(api_use(&Method::POST, "/api/v3/projects/1/issues/1/award_emoji"), ApiUse::Write);
    assert_eq!(api_use(&Method::GET, "/api/v4/personal_access_tokens/self"), ApiUse::OwnToken);
    assert_eq!(api_use(&Method::DELETE, "/api/v4/personal_access_tokens/self"), ApiUse::OwnToken);
    assert_eq!(api_use(&Method::POST, "/api/v4/personal_access_tokens/self/rotate"), ApiUse::Write);
}
