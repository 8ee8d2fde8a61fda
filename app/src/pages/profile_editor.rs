//! `/-/profile`: the signed-in user's settings and achievements manager.

use crate::components::award_manager::AwardManager;
use crate::i18n::td_string;
use crate::model::{ProfileSettings, UiError};
use crate::pages::live_region::{stream, LiveStatus};
use crate::server_fns::profile::{
    get_profile_settings, ChangePassword, RespondToAward, RevokeOwnToken, SaveProfileSettings,
};
use crate::use_session;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ProfileEditor() -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let settings = Resource::new(|| (), |_| get_profile_settings());
    let refused = move |err: &UiError| {
        (*err == UiError::Unauthorized).then(|| {
            // A page that needs a session sends visitors to sign in, and back.
            #[cfg(feature = "ssr")]
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(http::StatusCode::FOUND);
                response.insert_header(
                    http::header::LOCATION,
                    http::HeaderValue::from_static("/users/sign_in?next=/-/profile"),
                );
            }
            view! {
                <section class="card narrow">
                    <p>{move || td_string!(t(), sign_in_required)}</p>
                    <a class="button primary" href="/users/sign_in?next=/-/profile">{move || td_string!(t(), nav_sign_in)}</a>
                </section>
            }
            .into_any()
        })
    };
    crate::pages::loaded::loaded_or(settings, |s| view! { <EditorBody s/> }, refused)
}

#[component]
fn EditorBody(s: ProfileSettings) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let query = use_query_map();
    let failed = move || query.with(|q| q.get("error").is_some());
    let (pending, managed): (Vec<_>, Vec<_>) = s.awards.into_iter().partition(|a| a.pending);
    let portable: Vec<(i64, String)> = managed.iter().map(|a| (a.id, a.name.clone())).collect();
    let tokens = s.tokens;
    let live = stream("/-/live/awards/mine", &[], &s.live_mark);
    view! {
        <section class="card editor" data-live-stream=live>
            <h1>{move || td_string!(t(), edit_profile_title)}</h1>
            <p>
                <a href=format!("/{}", s.username)>{format!("@{}", s.username)}</a>
            </p>
            <Show when=failed>
                <p class="alert" role="alert">{move || td_string!(t(), order_failed)}</p>
            </Show>
            <form class="settings" method="post" action={<SaveProfileSettings as ServerFn>::PATH}>
                <label class="check">
                    <input type="checkbox" name="achievements_enabled" value="on" checked=s.achievements_enabled/>
                    {move || td_string!(t(), display_achievements)}
                </label>
                <label class="check">
                    <input type="checkbox" name="private_profile" value="on" checked=s.private_profile/>
                    {move || td_string!(t(), private_profile)}
                </label>
                <p class="muted help">{move || td_string!(t(), private_profile_help)}</p>
                <button class="button primary" type="submit">{move || td_string!(t(), save)}</button>
            </form>
        </section>
        <LiveStatus/>
        <div data-live-region="pending">
        {(!pending.is_empty())
            .then(|| {
                view! {
                    <section class="card editor">
                        <h2>{move || td_string!(t(), pending_awards)}</h2>
                        <ul class="pending-list">
                            {pending
                                .into_iter()
                                .map(|a| {
                                    view! {
                                        <li>
                                            <span class="award-name">{a.name.clone()}</span>
                                            <span class="muted">
                                                {a.group.clone().unwrap_or_else(|| td_string!(t(), private_namespace).to_string())}
                                            </span>
                                            <form method="post" action={<RespondToAward as ServerFn>::PATH}>
                                                <input type="hidden" name="id" value=a.id/>
                                                <input type="hidden" name="accept" value="true"/>
                                                <input type="hidden" name="next" value="/-/profile"/>
                                                <button class="button primary" type="submit">{move || td_string!(t(), accept)}</button>
                                            </form>
                                            <form method="post" action={<RespondToAward as ServerFn>::PATH}>
                                                <input type="hidden" name="id" value=a.id/>
                                                <input type="hidden" name="accept" value="false"/>
                                                <input type="hidden" name="next" value="/-/profile"/>
                                                <button class="button subtle" type="submit">{move || td_string!(t(), decline)}</button>
                                            </form>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })}
        </div>
        <section class="card editor">
            <h2>{move || td_string!(t(), manage_achievements)}</h2>
            <div data-live-region="manager">
                {if managed.is_empty() {
                    view! { <p class="muted">{move || td_string!(t(), no_achievements)}</p> }.into_any()
                } else {
                    view! { <AwardManager awards=managed session=session.get_untracked()/> }.into_any()
                }}
            </div>
        </section>
        <Share web_url=s.web_url.clone() shared=s.achievements_enabled && !s.private_profile/>
        <div data-live-region="portable">
            {(!portable.is_empty()).then(|| view! { <Portable awards=portable/> })}
        </div>
        <AccessTokens tokens/>
        <PasswordForm/>
    }
    .into_any()
}

/// The profile's achievements to put elsewhere: a badge (its layout picked
/// here, previewed as visitors will see it) as Markdown, HTML or a link (which
/// oEmbed-aware tools unfurl). Plain HTML: a script shows the copy buttons and
/// changes the layout in place; without one, "Show" reloads with it.
#[component]
fn Share(web_url: String, shared: bool) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let query = use_query_map();
    let layout = query.with_untracked(|q| q.get("share")).filter(|l| l == "count").unwrap_or_else(|| "strip".into());
    let badge = format!("{web_url}/achievements.svg?layout={layout}");
    let alt = td_string!(t(), share_badge_alt).to_string();
    let markdown = format!("[![{alt}]({badge})]({web_url})");
    let html = format!(r#"<a href="{web_url}"><img src="{badge}" alt="{alt}"></a>"#);
    let field = move |id: &'static str, label: fn(crate::i18n::Locale) -> &'static str, value: String| {
        view! {
            <label for=id>{move || label(t())}</label>
            <div class="share-row">
                <input id=id type="text" readonly value=value data-share-snippet=""/>
                <button type="button" class="button" data-copy=id hidden>{move || td_string!(t(), share_copy)}</button>
            </div>
        }
    };
    view! {
        <section class="card editor share share-panel" id="share">
            <h2>{move || td_string!(t(), share_title)}</h2>
            {if shared {
                view! {
                    <p class="muted">{move || td_string!(t(), share_help)}</p>
                    <form method="get" action="/-/profile#share" class="share-layout">
                        <label for="share-layout">{move || td_string!(t(), share_layout)}</label>
                        <select id="share-layout" name="share" data-share-layout="">
                            <option value="strip" selected=layout == "strip">{move || td_string!(t(), share_layout_strip)}</option>
                            <option value="count" selected=layout == "count">{move || td_string!(t(), share_layout_count)}</option>
                        </select>
                        <button type="submit" class="button subtle" data-share-show="">{move || td_string!(t(), share_show)}</button>
                    </form>
                    <p class="share-preview">
                        <span class="muted">{move || td_string!(t(), share_preview)}</span>
                        <img src=badge.clone() alt=alt.clone() data-share-preview=""/>
                    </p>
                    {field("share-markdown", |l| td_string!(l, share_markdown), markdown)}
                    {field("share-html", |l| td_string!(l, share_html), html)}
                    {field("share-link", |l| td_string!(l, share_link), web_url.clone())}
                    <p class="visually-hidden" role="status" data-copied=move || td_string!(t(), share_copied)></p>
                }
                    .into_any()
            } else {
                view! { <p class="muted">{move || td_string!(t(), share_private)}</p> }.into_any()
            }}
        </section>
    }
}

/// Each award as an Open Badges 3.0 credential to take elsewhere: the signed
/// credential itself, and baked into a PNG or an SVG badge (plain links).
#[component]
fn Portable(awards: Vec<(i64, String)>) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    view! {
        <section class="card editor portable">
            <h2>{move || td_string!(t(), credential_downloads_label)}</h2>
            <ul class="portable-list">
                {awards
                    .into_iter()
                    .map(|(id, name)| {
                        let base = format!("/api/v4/user_achievements/{id}/credential");
                        // A file name of plain characters (the badges' names come from the server).
                        let file: String = name
                            .chars()
                            .map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' })
                            .take(60)
                            .collect();
                        view! {
                            <li>
                                <span class="award-name">{name}</span>
                                <a class="button subtle" href=base.clone() download=format!("{file}.jwt")>
                                    {move || td_string!(t(), credential_download)}
                                </a>
                                <a class="button subtle" href=format!("{base}.png") download="">
                                    {move || td_string!(t(), credential_download_png)}
                                </a>
                                <a class="button subtle" href=format!("{base}.svg") download="">
                                    {move || td_string!(t(), credential_download_svg)}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p><a href="/-/verify">{move || td_string!(t(), verify_link)}</a></p>
        </section>
    }
}

/// The user's personal access tokens, each revocable (a plain form).
#[component]
fn AccessTokens(tokens: Vec<crate::model::OwnToken>) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    view! {
        <section class="card editor" id="tokens">
            <h2>{move || td_string!(t(), tokens_title)}</h2>
            {if tokens.is_empty() {
                view! { <p class="muted">{move || td_string!(t(), tokens_none)}</p> }.into_any()
            } else {
                view! {
                    <table class="data tokens">
                        <thead>
                            <tr>
                                <th scope="col">{move || td_string!(t(), token_name)}</th>
                                <th scope="col">{move || td_string!(t(), token_scopes)}</th>
                                <th scope="col">{move || td_string!(t(), token_expires)}</th>
                                <th scope="col">{move || td_string!(t(), token_state)}</th>
                                <th scope="col"><span class="visually-hidden">{move || td_string!(t(), token_revoke)}</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {tokens
                                .into_iter()
                                .map(|token| {
                                    let active = token.active;
                                    let expires = token.expires_at.clone();
                                    view! {
                                        <tr>
                                            <td>{token.name.clone()}</td>
                                            <td>{token.scopes.clone()}</td>
                                            <td>{move || expires.clone().unwrap_or_else(|| td_string!(t(), token_never).to_string())}</td>
                                            <td>
                                                {move || if active { td_string!(t(), token_active) } else { td_string!(t(), token_inactive) }}
                                            </td>
                                            <td>
                                                {active
                                                    .then(|| {
                                                        view! {
                                                            <form method="post" action={<RevokeOwnToken as ServerFn>::PATH}>
                                                                <input type="hidden" name="id" value=token.id/>
                                                                <button class="button subtle" type="submit">{move || td_string!(t(), token_revoke)}</button>
                                                            </form>
                                                        }
                                                    })}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
        </section>
    }
}

/// Changing one's own password takes the current one; other sessions end.
#[component]
fn PasswordForm() -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let query = use_query_map();
    let failed = move || query.with(|q| q.get("password_failed").is_some());
    view! {
        <section class="card editor" id="password">
            <h2>{move || td_string!(t(), password_title)}</h2>
            <Show when=failed>
                <p class="alert" role="alert">{move || td_string!(t(), password_failed)}</p>
            </Show>
            <form class="settings" method="post" action={<ChangePassword as ServerFn>::PATH}>
                <label for="current-password">{move || td_string!(t(), password_current)}</label>
                <input id="current-password" type="password" name="current_password" autocomplete="current-password" required/>
                <label for="new-password">{move || td_string!(t(), password_new)}</label>
                <input id="new-password" type="password" name="new_password" autocomplete="new-password" minlength="8" required/>
                <p class="muted help">{move || td_string!(t(), password_help)}</p>
                <button class="button primary" type="submit">{move || td_string!(t(), password_change)}</button>
            </form>
        </section>
    }
}
