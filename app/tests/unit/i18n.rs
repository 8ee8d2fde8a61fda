//! The unit tests of `app/src/i18n.rs`.

use app::i18n::*;

/// Every language has every key, with the same `{placeholders}`, and no
/// string is empty (leptos_i18n would only warn and fall back to English).
#[test]
fn catalogues_are_complete() {
    fn load(json: &str) -> serde_json::Map<String, serde_json::Value> {
        serde_json::from_str(json).expect("a JSON object")
    }
    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text.split('{').skip(1).filter_map(|rest| rest.split('}').next()).collect();
        found.sort_unstable();
        found
    }
    let en = load(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en.json")));
    for (code, other) in [
        ("ko", load(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/ko.json")))),
        ("ja", load(include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/ja.json")))),
    ] {
        let en_keys: Vec<&String> = en.keys().collect();
        let keys: Vec<&String> = other.keys().collect();
        assert_eq!(keys, en_keys, "{code}.json has other keys than en.json");
        for (key, text) in &other {
            let (text, english) = (text.as_str().expect("a string"), en[key].as_str().expect("a string"));
            assert!(!text.trim().is_empty(), "{code}.{key} is empty");
            assert_eq!(placeholders(text), placeholders(english), "{code}.{key} has other placeholders");
        }
    }
}

#[test]
fn fill_replaces_each_placeholder() {
    assert_eq!(fill("{name}: {pos} of {total}", &[("name", &"A"), ("pos", &2), ("total", &3)]), "A: 2 of 3");
    assert_eq!(td_string!(Lang::Ja.t(), achievements), "アチーブメント");
    assert_eq!(td_string!(Lang::Ko.t(), achievements), "성취");
}

#[test]
fn ago_says_how_long_ago_in_each_language() {
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z").expect("date").with_timezone(&chrono::Utc);
    let en = |then: &str| ago(Lang::En.t(), then, now).expect("a date");
    assert_eq!(en("2026-11-22T11:59:30Z"), "just now");
    assert_eq!(en("2026-11-22T11:59:00Z"), "1 minute ago");
    assert_eq!(en("2026-11-22T11:15:00Z"), "45 minutes ago");
    assert_eq!(en("2026-11-22T09:00:00+00:00"), "3 hours ago");
    assert_eq!(en("2026-11-21T10:00:00Z"), "yesterday");
    assert_eq!(en("2026-11-19T12:00:00Z"), "3 days ago");
    assert_eq!(en("2026-08-22T12:00:00Z"), "3 months ago");
    assert_eq!(en("2024-11-01T12:00:00Z"), "2 years ago");
    assert_eq!(en("2027-01-01T00:00:00Z"), "just now", "a date in the future is not negative");
    assert_eq!(ago(Lang::Ko.t(), "2026-11-19T12:00:00Z", now).as_deref(), Some("3일 전"));
    assert_eq!(ago(Lang::Ja.t(), "2026-11-19T12:00:00Z", now).as_deref(), Some("3日前"));
    assert_eq!(ago(Lang::En.t(), "not a date", now), None);
    assert_eq!(exact("2026-11-19T14:03:09+09:00"), "2026-11-19 05:03 UTC");
}

#[test]
fn accept_language_picks_the_first_supported() {
    assert_eq!(Lang::from_accept_language("fr-FR,ko;q=0.8,en;q=0.5"), Some(Lang::Ko));
    assert_eq!(Lang::from_accept_language("ja-JP"), Some(Lang::Ja));
    assert_eq!(Lang::from_accept_language("de"), None);
    assert_eq!(Lang::from_accept_language(""), None);
}

/// A sentence with links splits at its placeholders, in the order written.
#[test]
fn pieces_split_at_placeholders() {
    use Piece::*;
    assert_eq!(pieces("{user} received {badge}"), vec![Slot("user"), Text(" received "), Slot("badge")]);
    assert_eq!(
        pieces("{user}さんが{badge}を受け取りました"),
        vec![Slot("user"), Text("さんが"), Slot("badge"), Text("を受け取りました")]
    );
    assert_eq!(pieces("no slots"), vec![Text("no slots")]);
    assert_eq!(pieces("open { never closed"), vec![Text("open { never closed")]);
    assert_eq!(pieces(""), vec![]);
}
