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

/// "Held by 12 members, 8%": how widely an achievement is held.
pub fn held_line(l: Locale, held: crate::model::Held) -> String {
    let template = if held.holders == 1 { td_string!(l, rarity_detail_one) } else { td_string!(l, rarity_detail) };
    fill(template, &[("n", &held.holders), ("p", &held.percent())])
}

/// A piece of a catalogue string split at its `{name}` placeholders: for
/// sentences whose values are links, in each language's own word order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Slot(&'a str),
}

/// `"{user} received {badge}"` as `[Slot("user"), Text(" received "), Slot("badge")]`.
pub fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        out.push(Piece::Slot(&rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
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

/// The words of the embeds (SVG badges and the framable card, which the
/// server writes outside the page components), in one language.
#[derive(Clone, Copy, Debug)]
pub struct EmbedWords {
    pub achievements: &'static str,
    /// `{user}`, `{count}`.
    pub title: &'static str,
    /// `{count}`.
    pub more: &'static str,
    /// `{achievement}`, `{user}`, `{group}`.
    pub award_title: &'static str,
    pub none: &'static str,
}

impl Lang {
    pub fn embed_words(self) -> EmbedWords {
        let l = self.t();
        EmbedWords {
            achievements: td_string!(l, embed_achievements),
            title: td_string!(l, embed_title),
            more: td_string!(l, embed_more),
            award_title: td_string!(l, embed_award_title),
            none: td_string!(l, embed_none),
        }
    }
}

/// The words of the user card (a fragment the server writes for the script
/// that shows it), in one language.
#[derive(Clone, Copy, Debug)]
pub struct CardWords {
    pub top: &'static str,
    pub none: &'static str,
    pub profile: &'static str,
}

impl Lang {
    pub fn card_words(self) -> CardWords {
        let l = self.t();
        CardWords { top: td_string!(l, card_top), none: td_string!(l, card_none), profile: td_string!(l, card_profile) }
    }
}
