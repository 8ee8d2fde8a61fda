//! The unit tests of `app/src/server_fns/session.rs`.

use app::server_fns::session::safe_next;

#[test]
fn next_stays_on_this_site() {
    assert_eq!(safe_next(Some("/alice")), "/alice");
    assert_eq!(safe_next(Some("//evil.example")), "/");
    assert_eq!(safe_next(Some("https://evil.example")), "/");
    assert_eq!(safe_next(Some("/\\evil")), "/");
    assert_eq!(safe_next(None), "/");
    // What a browser would turn into another site.
    assert_eq!(safe_next(Some("/\t/evil.example")), "/");
    assert_eq!(safe_next(Some("/\n/evil.example")), "/");
    assert_eq!(safe_next(Some("/\\/evil.example")), "/");
    assert_eq!(safe_next(Some(" //evil.example")), "/");
    assert_eq!(safe_next(Some("/\u{0}x")), "/");
    assert_eq!(safe_next(Some("javascript:alert(1)")), "/");
    // Dot segments that leave `//` in front.
    for next in
        ["/.//evil.example/x", "/./\\evil.example", "/%2e//evil.example", "/a/..//evil.example", "/..//evil.example"]
    {
        assert_eq!(safe_next(Some(next)), "/", "{next}");
    }
    // Kept, and always a valid header value.
    assert_eq!(safe_next(Some("/groups/a/-/achievements?page=2#x")), "/groups/a/-/achievements?page=2#x");
    assert_eq!(safe_next(Some("/caf\u{e9} x")), "/caf%C3%A9%20x");
    assert_eq!(safe_next(Some("/a/../../b")), "/b");
}
