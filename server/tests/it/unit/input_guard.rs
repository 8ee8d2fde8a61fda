//! The unit tests of `server/src/input_guard.rs`.

use server::input_guard::*;

#[test]
fn nul_and_broken_utf8_are_caught_however_encoded() {
    assert!(clean_encoded(b"/api/v4/users?search=caf%C3%A9"));
    assert!(!clean_encoded(b"name=a%00b"));
    assert!(!clean_encoded(b"name=%FF"));
    assert!(!clean_encoded(b"/api/v4/projects/a%00"));
    assert!(clean_encoded(b"name=100%"));
    assert!(clean_json(&serde_json::json!({ "input": { "name": ["ok", { "deep": "fine" }] } })));
    assert!(!clean_json(&serde_json::json!({ "variables": { "input": { "name": "a\u{0}b" } } })));
    assert!(!clean_json(&serde_json::json!({ "a\u{0}": 1 })));
}
