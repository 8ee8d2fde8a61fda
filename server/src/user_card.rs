//! `/-/users/<username>/card`: the user card a page's script shows when a
//! username is hovered, focused or tapped, loaded on demand. An HTML
//! fragment: their initial, name and username, and their top achievements
//! as the caller may see them (`achievements::top_achievements`); a profile
//! the caller may not read is not found.

use crate::embeds::language;
use crate::rest::{ApiError, Caller};
use crate::state::ServerState;
use app::components::emblem::AchievementImage;
use app::domain::text::escape_html as escape;
use app::domain::{achievements, users};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue};
use leptos::prelude::*;

/// Top achievements a card shows.
const SHOWN: usize = 3;

pub async fn card(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path(username): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let user = users::find_user(&state.app, &actor, &username).await?;
    let top = achievements::top_achievements(&state.app, &actor, &[user.id], SHOWN).await?.remove(&user.id);
    let words = language(None, Some(&headers)).card_words();
    let initial: String = user.name.chars().next().unwrap_or('?').to_uppercase().collect();
    let list = match top.unwrap_or_default() {
        shown if shown.is_empty() => format!(r#"<p class="muted">{}</p>"#, escape(words.none)),
        shown => {
            let items: String = shown
                .iter()
                .map(|a| {
                    // The achievement's picture as pages draw it: its image, else its emblem.
                    let picture = view! {
                        <AchievementImage id=a.id name=a.name.clone() avatar_url=a.avatar_url.clone() size=20/>
                    }
                    .to_html();
                    format!("<li>{picture}<span>{}</span></li>", escape(&a.name))
                })
                .collect();
            format!(r#"<p class="user-card-title">{}</p><ul class="user-card-top">{items}</ul>"#, escape(words.top))
        }
    };
    let html = format!(
        concat!(
            r#"<div class="user-card-head"><span class="user-card-initial" aria-hidden="true">{initial}</span>"#,
            r#"<span><strong>{name}</strong><br><span class="muted">@{username}</span></span></div>"#,
            r#"{list}<a class="user-card-link" href="/{username}">{profile}</a>"#
        ),
        initial = escape(&initial),
        name = escape(&user.name),
        username = escape(&user.username),
        list = list,
        profile = escape(words.profile),
    );
    let mut response = html.into_response();
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    // What the caller may see: theirs only, briefly.
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=60"));
    out.insert(header::VARY, HeaderValue::from_static("Cookie, Accept-Language"));
    Ok(response)
}
