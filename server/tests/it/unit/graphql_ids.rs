//! The unit tests of `server/src/graphql/ids.rs`.

use server::graphql::ids::parse_gid;

#[test]
fn global_ids_name_their_model() {
    assert_eq!(parse_gid("gid://gitlab/User/7", &["User"]), Some(7));
    assert_eq!(parse_gid("gid://gitlab/Group/3", &["Namespace", "Group"]), Some(3));
    assert_eq!(parse_gid("gid://gitlab/Project/3", &["Namespace", "Group"]), None);
    assert_eq!(parse_gid("gid://gitlab/User/abc", &["User"]), None);
    assert_eq!(parse_gid("gid://gitlab/User/-1", &["User"]), None);
    assert_eq!(parse_gid("7", &["User"]), None);
}
