//! Every user-visible string, in English, Korean and Japanese, through
//! `leptos_i18n`: the catalogues are `app/locales/{en,ko,ja}.json`, loaded at
//! compile time (a key missing from a language is a build warning and falls back
//! to English; a key used in code but absent from the catalogue is a compile
//! error). Pages read a string with `td_string!(t(), key)`, where `t()` is the
//! page's [`Locale`].

use serde::{Deserialize, Serialize};

// `load_locales!` reads `[package.metadata.leptos-i18n]` and the catalogues at
// compile time. Its successor, build.rs code generation, pulls ICU's data
// tooling (CLDR sources, networking) into every build for features Laurel does
// not use, so the macro stays.
#[allow(deprecated)]
mod catalogue {
    leptos_i18n::load_locales!();
}
pub use catalogue::i18n::Locale;
pub use leptos_i18n::td_string;

/// Fills a catalogue string's `{name}` placeholders. (`leptos_i18n`'s own
/// `{{ name }}` interpolation in strings needs its build.rs code generation.)
pub fn fill(template: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |text, (key, value)| text.replace(&format!("{{{key}}}"), &value.to_string()))
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    Ko,
    Ja,
}

/// The cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "laurel_lang";

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ko, Lang::Ja];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
            Lang::Ja => "ja",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().get(..2)?.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            "ja" => Some(Lang::Ja),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        header.split(',').filter_map(|part| Lang::from_code(part.split(';').next()?)).next()
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ko => "한국어",
            Lang::Ja => "日本語",
        }
    }

    /// The `leptos_i18n` locale the strings are read in.
    pub fn t(self) -> Locale {
        match self {
            Lang::En => Locale::en,
            Lang::Ko => Locale::ko,
            Lang::Ja => Locale::ja,
        }
    }
}

/// How long ago `then` (RFC 3339) was, seen at `now`, in words: "3 days ago".
/// `None` if `then` is not a date.
pub fn ago(l: Locale, then: &str, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
    let then = chrono::DateTime::parse_from_rfc3339(then).ok()?;
    let seconds = (now - then.with_timezone(&chrono::Utc)).num_seconds().max(0);
    let (minutes, hours, days) = (seconds / 60, seconds / 3600, seconds / 86_400);
    let n = |count: i64, one: &'static str, many: &'static str| {
        if count == 1 {
            one.to_string()
        } else {
            fill(many, &[("n", &count)])
        }
    };
    Some(match () {
        _ if minutes < 1 => td_string!(l, just_now).to_string(),
        _ if hours < 1 => n(minutes, td_string!(l, minute_ago), td_string!(l, minutes_ago)),
        _ if days < 1 => n(hours, td_string!(l, hour_ago), td_string!(l, hours_ago)),
        _ if days < 30 => n(days, td_string!(l, day_ago), td_string!(l, days_ago)),
        _ if days < 365 => n(days / 30, td_string!(l, month_ago), td_string!(l, months_ago)),
        _ => n(days / 365, td_string!(l, year_ago), td_string!(l, years_ago)),
    })
}

/// The exact moment, for a tooltip: `2026-11-19 14:03 UTC`.
pub fn exact(then: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(then)
        .map(|t| t.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| then.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let en = load(include_str!("../locales/en.json"));
        for (code, other) in
            [("ko", load(include_str!("../locales/ko.json"))), ("ja", load(include_str!("../locales/ja.json")))]
        {
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
        let now =
            chrono::DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z").expect("date").with_timezone(&chrono::Utc);
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
}
