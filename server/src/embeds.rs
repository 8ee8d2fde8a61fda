//! Embeds: a profile's achievements where its owner shares them. Public,
//! cacheable (`ETag`, `Cache-Control`), and showing only what a visitor may
//! see (`app::domain::embeds`):
//! - `/<username>/achievements.svg?layout=strip|count`: a badge to put in a
//!   README or a forum signature;
//! - `/-/awards/<id>/badge.svg`: one award;
//! - `/-/embed/<username>`: a small HTML card, the only page that may be
//!   framed by other sites;
//! - `/-/oembed?url=...`: oEmbed 1.0 (JSON), so chat and blog tools unfurl a
//!   profile's achievements as that card.

use crate::rest::ApiError;
use crate::state::ServerState;
use app::domain::embeds::{self, PublicAward, PublicAwards};
use app::domain::text::escape_html as escape;
use app::i18n::{fill, EmbedWords, Lang};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Marks a response that other sites may frame (the security headers leave
/// out `X-Frame-Options` for it).
#[derive(Clone, Copy)]
pub struct Framable;

/// How long shared caches may keep an embed before asking again.
const MAX_AGE: &str = "public, max-age=300";
/// At most this many awards are drawn in a strip; the rest are counted.
const STRIP: usize = 6;
/// Names are cut to this many characters in a strip.
const NAME_CHARS: usize = 24;

#[derive(Deserialize)]
pub struct BadgeQuery {
    layout: Option<String>,
    lang: Option<String>,
}

/// The language asked for (`?lang=`), else the one chosen on this site (its
/// cookie), else the browser's, else English. Public embeds pass no headers
/// (`None`): shared caches keep one copy per URL, so only `?lang=` chooses.
pub(crate) fn language(lang: Option<&str>, headers: Option<&HeaderMap>) -> Lang {
    let chosen = || {
        let headers = headers?;
        app::domain::auth::cookie_value(headers, app::i18n::LANG_COOKIE)
            .and_then(Lang::from_code)
            .or_else(|| headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok().and_then(Lang::from_accept_language))
    };
    lang.and_then(Lang::from_code).or_else(chosen).unwrap_or_default()
}

/// The width text takes in the badges' 11 px sans-serif, near enough: wide
/// (CJK) characters count double.
fn text_width(text: &str) -> u32 {
    text.chars().map(|c| if (c as u32) >= 0x1100 { 12 } else { 7 }).sum()
}

fn cut(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        name.to_string()
    } else {
        format!("{}…", name.chars().take(NAME_CHARS - 1).collect::<String>())
    }
}

/// A badge of labelled parts, shields style: `parts` are (text, colour).
fn badge(title: &str, parts: &[(String, &str)]) -> String {
    let widths: Vec<u32> = parts.iter().map(|(text, _)| text_width(text) + 16).collect();
    let total: u32 = widths.iter().sum();
    let mut x = 0;
    let mut boxes = String::new();
    let mut texts = String::new();
    for ((text, colour), width) in parts.iter().zip(&widths) {
        boxes.push_str(&format!(r#"<rect x="{x}" width="{width}" height="20" fill="{colour}"/>"#));
        texts.push_str(&format!(r#"<text x="{}" y="14">{}</text>"#, x + width / 2, escape(text)));
        x += width;
    }
    let title = escape(title);
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" viewBox="0 0 {total} 20" role="img" aria-label="{title}">"#,
            "<title>{title}</title>",
            r#"<clipPath id="r"><rect width="{total}" height="20" rx="4"/></clipPath>"#,
            r#"<g clip-path="url(#r)">{boxes}</g>"#,
            r##"<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,Noto Sans,sans-serif" font-size="11">{texts}</g>"##,
            "</svg>\n"
        ),
        total = total,
        title = title,
        boxes = boxes,
        texts = texts,
    )
}

const LABEL: &str = "#555";
const LAUREL: &str = "#2f6b3f";
const MORE: &str = "#5b3cc4";

/// Each achievement once, with how many times it is held, in profile order.
fn grouped(shown: &PublicAwards) -> Vec<(&PublicAward, usize)> {
    let mut held: Vec<(&PublicAward, usize)> = Vec::new();
    for award in &shown.awards {
        match held.iter_mut().find(|(first, _)| first.achievement == award.achievement) {
            Some((_, times)) => *times += 1,
            None => held.push((award, 1)),
        }
    }
    held
}

fn held_name(name: &str, times: usize) -> String {
    if times > 1 {
        format!("{name} ×{times}")
    } else {
        name.to_string()
    }
}

/// The profile badge: a count of awards, or a strip of the first
/// achievements' names (one held several times shows "×N").
fn profile_badge(words: EmbedWords, shown: &PublicAwards, strip: bool) -> String {
    let label = words.achievements.to_string();
    let count = shown.awards.len();
    let title = fill(words.title, &[("user", &shown.username), ("count", &count)]);
    if !strip || count == 0 {
        return badge(&title, &[(label, LABEL), (count.to_string(), LAUREL)]);
    }
    let held = grouped(shown);
    let mut parts = vec![(label, LABEL)];
    parts.extend(held.iter().take(STRIP).map(|(award, times)| (held_name(&cut(&award.achievement), *times), LAUREL)));
    if held.len() > STRIP {
        parts.push((fill(words.more, &[("count", &(held.len() - STRIP))]), MORE));
    }
    badge(&title, &parts)
}

/// The answer for `body`, or `304` when the asker's copy is current.
fn cacheable(headers: &HeaderMap, content_type: &'static str, body: String, framable: bool) -> Response {
    let digest = format!("{:x}", Sha256::digest(body.as_bytes()));
    let tag = format!("\"{}\"", &digest[..16]);
    let current = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|known| known.split(',').any(|t| t.trim().trim_start_matches("W/") == tag));
    let mut response = if current { StatusCode::NOT_MODIFIED.into_response() } else { body.into_response() };
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(MAX_AGE));
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Ok(tag) = HeaderValue::from_str(&tag) {
        out.insert(header::ETAG, tag);
    }
    if framable {
        // Any site may frame it; it runs no script, loads only this site's
        // images, and links out in a new tab.
        out.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; \
                 form-action 'none'; frame-ancestors *",
            ),
        );
        response.extensions_mut().insert(Framable);
    }
    response
}

/// `/<username>/achievements.svg`.
pub async fn profile_svg(
    State(state): State<ServerState>,
    Path(username): Path<String>,
    Query(query): Query<BadgeQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let strip = match query.layout.as_deref() {
        None | Some("strip") => true,
        Some("count") => false,
        Some(_) => return Err(ApiError::BadRequest("layout does not have a valid value".into())),
    };
    let shown = embeds::public_awards(&state.app, &username).await?;
    let svg = profile_badge(language(query.lang.as_deref(), None).embed_words(), &shown, strip);
    Ok(cacheable(&headers, "image/svg+xml", svg, false))
}

/// `/-/awards/<id>/badge.svg`.
pub async fn award_svg(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    Query(query): Query<BadgeQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::invalid("id"))?;
    let (holder, award) = embeds::public_award(&state.app, id).await?;
    let words = language(query.lang.as_deref(), None).embed_words();
    let title =
        fill(words.award_title, &[("achievement", &award.achievement), ("user", &holder), ("group", &award.group)]);
    let svg = badge(&title, &[(cut(&award.group), LABEL), (cut(&award.achievement), LAUREL)]);
    Ok(cacheable(&headers, "image/svg+xml", svg, false))
}

/// The card's HTML: the holder and each award (image, name, group, date).
fn card(lang: Lang, shown: &PublicAwards) -> String {
    let words = lang.embed_words();
    let title = fill(words.title, &[("user", &shown.username), ("count", &shown.awards.len())]);
    let items: String = grouped(shown)
        .into_iter()
        .map(|(a, times)| {
            let picture = match &a.avatar_url {
                Some(src) => format!(r#"<img src="{}" alt="" width="32" height="32">"#, escape(src)),
                None => r#"<span class="disc" aria-hidden="true"></span>"#.to_string(),
            };
            format!(
                r#"<li>{picture}<span><strong>{}</strong><br><small>{} · <time datetime="{date}">{date}</time></small></span></li>"#,
                escape(&held_name(&a.achievement, times)),
                escape(&a.group),
                date = escape(&a.awarded_on),
            )
        })
        .collect();
    let empty = if shown.awards.is_empty() { format!("<p>{}</p>", escape(words.none)) } else { String::new() };
    format!(
        concat!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title><style>",
            "body{{margin:0;font:14px/1.4 system-ui,sans-serif;color:#1d1d24;background:#fff}}",
            "main{{padding:12px}}h1{{font-size:15px;margin:0 0 8px}}a{{color:#5b3cc4}}",
            "ul{{list-style:none;margin:0;padding:0;display:grid;gap:8px}}li{{display:flex;gap:8px;align-items:center}}",
            "img,.disc{{width:32px;height:32px;border-radius:50%;flex:none}}.disc{{background:#2f6b3f;display:inline-block}}",
            "small{{color:#5b5b6b}}@media (prefers-color-scheme:dark){{body{{color:#ececf2;background:#1d1d26}}",
            "a{{color:#a48cf0}}small{{color:#a9a9b8}}}}</style></head><body><main>",
            "<h1><a href=\"{url}\" target=\"_blank\" rel=\"noopener\">{title}</a></h1>{empty}<ul>{items}</ul>",
            "</main></body></html>\n"
        ),
        lang = lang.code(),
        title = escape(&title),
        url = escape(&shown.web_url),
        empty = empty,
        items = items,
    )
}

/// `/-/embed/<username>`: the framable card.
pub async fn embed_card(
    State(state): State<ServerState>,
    Path(username): Path<String>,
    Query(query): Query<BadgeQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let shown = embeds::public_awards(&state.app, &username).await?;
    let html = card(language(query.lang.as_deref(), None), &shown);
    Ok(cacheable(&headers, "text/html; charset=utf-8", html, true))
}

#[derive(Deserialize)]
pub struct OembedQuery {
    url: Option<String>,
    format: Option<String>,
    maxwidth: Option<String>,
    maxheight: Option<String>,
}

/// The username a shared URL names on this instance: its profile, its
/// badge or its card.
pub fn username_in(base: &str, url: &str) -> Option<String> {
    let path = url.strip_prefix(base)?.split(['?', '#']).next()?;
    if !path.starts_with('/') {
        return None;
    }
    let path = path.trim_end_matches('/');
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let name = match segments.as_slice() {
        [name] | [name, "achievements.svg"] => *name,
        ["-", "embed", name] => *name,
        _ => return None,
    };
    (!name.is_empty() && name != "-").then(|| name.to_string())
}

/// `/-/oembed?url=...`: oEmbed 1.0, JSON only (`format=xml` is `501`, as the
/// spec says), a `rich` answer whose HTML frames the card.
pub async fn oembed(
    State(state): State<ServerState>,
    Query(query): Query<OembedQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    match query.format.as_deref() {
        None | Some("json") => {}
        Some(_) => return Ok((StatusCode::NOT_IMPLEMENTED, "501 Not Implemented: only format=json").into_response()),
    }
    let base = state.app.instance.external_url.trim_end_matches('/').to_string();
    let url = query.url.ok_or_else(|| ApiError::missing("url"))?;
    let unknown = || ApiError::Domain(app::domain::DomainError::NotFound("User"));
    let username = username_in(&base, &url).ok_or_else(unknown)?;
    let shown = embeds::public_awards(&state.app, &username).await?;
    // The card's natural size, never more than the consumer's maximum.
    let bound = |given: Option<&String>, natural: u32| {
        given.and_then(|v| v.parse::<u32>().ok()).map_or(natural, |max| max.min(natural))
    };
    let width = bound(query.maxwidth.as_ref(), 400);
    let rows = shown.awards.len().clamp(1, 8) as u32;
    let height = bound(query.maxheight.as_ref(), 56 + rows * 40);
    let title = fill(Lang::En.embed_words().title, &[("user", &shown.username), ("count", &shown.awards.len())]);
    let src = format!("{base}/-/embed/{}", shown.username);
    let html = format!(
        r#"<iframe src="{}" width="{width}" height="{height}" title="{}" style="border:0" loading="lazy"></iframe>"#,
        escape(&src),
        escape(&title)
    );
    let body = serde_json::json!({
        "version": "1.0",
        "type": "rich",
        "provider_name": "Laurel",
        "provider_url": base,
        "title": title,
        "author_name": shown.name,
        "author_url": shown.web_url,
        "html": html,
        "width": width,
        "height": height,
        "cache_age": 300,
    });
    Ok(cacheable(&headers, "application/json", body.to_string(), false))
}
