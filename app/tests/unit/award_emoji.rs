//! The unit tests of `app/src/domain/award_emoji.rs`.

use app::domain::award_emoji::*;

#[test]
fn aliases_normalise_to_gitlab_names() {
    assert_eq!(canonical_name("+1"), Some("thumbsup"));
    assert_eq!(canonical_name("thumbsup"), Some("thumbsup"));
    assert_eq!(canonical_name("-1"), Some("thumbsdown"));
    assert_eq!(canonical_name("tada"), Some("tada"));
    assert_eq!(canonical_name("satisfied"), Some("laughing"));
    assert_eq!(canonical_name("not_an_emoji_at_all"), None);
    assert_eq!(canonical_name(""), None);
    assert_eq!(emoji_char("thumbsup"), Some("👍"));
    let info = emoji_info("thumbsup").expect("thumbs up");
    assert_eq!((info.emoji, info.description, info.unicode.as_str()), ("👍", "thumbs up", "1f44d"));
}
