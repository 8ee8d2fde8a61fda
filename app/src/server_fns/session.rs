//! Sign in, sign out, language, and who is signed in.

#[cfg(feature = "ssr")]
use crate::i18n::Lang;
use crate::model::{SessionInfo, UiError};
use leptos::prelude::*;

/// A local path to go back to, never another site. `next` is parsed as a
/// browser would (WHATWG URL rules: tabs and newlines dropped, `\\` read as `/`)
/// against a placeholder origin; anything that leaves that origin, or is not a
/// plain path, is `/`. The answer is the URL's own serialisation, so it is
/// always a valid header value.
#[cfg(feature = "ssr")]
pub fn safe_next(next: Option<&str>) -> String {
    const HERE: &str = "http://laurel.invalid/";
    let Some(next) = next.filter(|n| n.starts_with('/')) else { return "/".to_string() };
    let Ok(base) = url::Url::parse(HERE) else { return "/".to_string() };
    match base.join(next) {
        // A path that starts with `//` after dot segments are resolved
        // (`/.//evil.example`) is another site's URL once it is a `Location`.
        Ok(target)
            if target.origin() == base.origin()
                && !next.contains(|c: char| c.is_control())
                && !target.path().starts_with("//") =>
        {
            let mut local = target.path().to_string();
            if let Some(query) = target.query() {
                local.push('?');
                local.push_str(query);
            }
            if let Some(fragment) = target.fragment() {
                local.push('#');
                local.push_str(fragment);
            }
            local
        }
        _ => "/".to_string(),
    }
}

#[server(endpoint = "session")]
pub async fn get_session() -> Result<SessionInfo, UiError> {
    use super::ssr;
    let app = ssr::state()?;
    let headers = ssr::headers().await?;
    Ok(session_info(&app, &headers).await)
}

/// Who is signed in (by the session cookie; anyone else is a visitor) and in
/// which language, for the request with these headers.
#[cfg(feature = "ssr")]
pub async fn session_info(app: &crate::domain::AppState, headers: &http::HeaderMap) -> SessionInfo {
    use crate::domain::auth::{authenticate_session, Credentials};
    use crate::i18n::LANG_COOKIE;
    let credentials = Credentials::from_headers(headers, app.instance.session_cookie());
    let actor = authenticate_session(app, credentials).await.map(|auth| auth.actor);
    let actor = actor.unwrap_or(crate::domain::Actor::Anonymous);
    let cookie_lang = crate::domain::auth::cookie_value(headers, LANG_COOKIE).and_then(Lang::from_code);
    let header_lang =
        headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Lang::from_accept_language);
    SessionInfo {
        user: actor.user().map(|u| crate::model::SessionUser {
            id: u.id,
            username: u.username.clone(),
            name: u.name.clone(),
            admin: u.admin,
        }),
        lang: cookie_lang.or(header_lang).unwrap_or_default(),
    }
}

/// Signs in and goes to `next`; on failure back to the form with `?error=1`
/// (or `?error=locked` once failed sign-ins locked the account).
/// Works as a plain HTML form post (no JavaScript needed).
#[server(endpoint = "sign_in")]
pub async fn sign_in(login: String, password: String, next: Option<String>) -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::auth::{self, SESSION_DAYS};
    let app = ssr::state()?;
    let next = safe_next(next.as_deref());
    match auth::sign_in(&app, &login, &password).await {
        Ok((secret, _user)) => {
            let secure = if app.instance.external_url.starts_with("https://") { "; Secure" } else { "" };
            let cookie = format!(
                "{}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
                app.instance.session_cookie(),
                SESSION_DAYS * 24 * 3600
            );
            set_cookie(&cookie);
            leptos_axum::redirect(&next);
            Ok(())
        }
        Err(err @ (crate::domain::DomainError::Unauthorized | crate::domain::DomainError::AccountLocked)) => {
            let why = if matches!(err, crate::domain::DomainError::AccountLocked) { "locked" } else { "1" };
            let back = format!("/users/sign_in?error={why}&next={}", urlencode(&next));
            leptos_axum::redirect(&back);
            Ok(())
        }
        Err(other) => Err(ssr::ui_error(other)),
    }
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), UiError> {
    use super::ssr;
    use crate::domain::auth::{self, Credentials};
    let app = ssr::state()?;
    let headers = ssr::headers().await?;
    let cookie = app.instance.session_cookie();
    if let Some(session) = Credentials::from_headers(&headers, cookie).session {
        auth::sign_out(&app, session).await.map_err(ssr::ui_error)?;
    }
    let secure = if cookie.starts_with("__Host-") { "; Secure" } else { "" };
    set_cookie(&format!("{cookie}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"));
    leptos_axum::redirect("/");
    Ok(())
}

/// Remembers the language for a year and goes back to `next`.
#[server(endpoint = "set_language")]
pub async fn set_language(lang: String, next: Option<String>) -> Result<(), UiError> {
    use crate::i18n::LANG_COOKIE;
    let lang = Lang::from_code(&lang).ok_or_else(|| UiError::Invalid(vec!["Language is not supported".into()]))?;
    set_cookie(&format!("{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000", lang.code()));
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

#[cfg(feature = "ssr")]
fn set_cookie(cookie: &str) {
    if let (Some(response), Ok(value)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(cookie))
    {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// Percent-encodes a URL part (`/` kept). The toast uses it in the browser too.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
