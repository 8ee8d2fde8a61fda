//! The unit tests of `app/src/domain/users.rs`.

use app::domain::users::*;

#[test]
fn paths_follow_gitlab_rules_and_avoid_reserved_names() {
    for ok in ["alice", "a.b-c_d", "x1"] {
        assert!(valid_path(ok) && !reserved_path(ok), "{ok}");
    }
    for bad in ["", "-alice", "alice.", "a b", "a/b", "repo.git", "ünï"] {
        assert!(!valid_path(bad), "{bad}");
    }
    for reserved in ["admin", "API", "users", "favicon.ico", "-"] {
        assert!(reserved_path(reserved), "{reserved}");
    }
}
