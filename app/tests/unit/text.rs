//! The unit tests of `app/src/domain/text.rs`.

use app::domain::text::*;

#[test]
fn one_line_fields_get_gitlabs_messages() {
    assert_eq!(one_line_field("Name", "  ", 255), vec!["Name can't be blank"]);
    assert_eq!(one_line_field("Title", &"x".repeat(256), 255), vec!["Title is too long (maximum is 255 characters)"]);
    assert_eq!(one_line_field("Name", "a\tb", 255), vec!["Name can't contain control characters"]);
    assert!(one_line_field("Name", "가나다 ✓", 5).is_empty(), "counted in characters, not bytes");
    assert_eq!(message_html("<b>&\n'"), "<p>&lt;b&gt;&amp;<br>&#39;</p>");
}
