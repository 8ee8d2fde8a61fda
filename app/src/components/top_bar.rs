//! The bar on every page, one row on a phone as on a desk: the mark, then for
//! visitors the language and "Sign in", for signed-in people their avatar,
//! which opens the account menu (profile, edit profile, admin, language, sign
//! out). The menu is a disclosure (`<details>`): keyboard operable and working
//! without JavaScript; `/-/menus.js` closes it on Escape and outside clicks.

use crate::components::icon::{Icon, Svg};
use crate::i18n::td_string;
use crate::i18n::Lang;
use crate::server_fns::session::{SetLanguage, SignOut};
use crate::use_session;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_location;

#[component]
pub fn TopBar() -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    view! {
        <leptos_meta::Html {..} lang=move || session.get().lang.code()/>
        <header class="top-bar">
            <a class="brand" href="/">
                <span class="brand-mark"><Svg icon=Icon::Medal/></span>
                <span class="brand-name">"Laurel"</span>
            </a>
            <nav class="top-nav" aria-label=move || td_string!(t(), nav_home)>
                {move || match session.get().user {
                    Some(user) => {
                        let initial = user.name.chars().next().unwrap_or('?').to_string();
                        view! {
                            <details class="account-menu">
                                <summary class="account-button">
                                    <span class="visually-hidden">{td_string!(t(), nav_account_menu)} " "</span>
                                    <span class="avatar-dot" aria-hidden="true">{initial}</span>
                                    <span class="account-name">{user.username.clone()}</span>
                                    <Svg icon=Icon::ChevronDown/>
                                </summary>
                                <div class="menu-panel">
                                    <a class="menu-item user-link" href=format!("/{}", user.username)>
                                        <Svg icon=Icon::User/>
                                        <span class="menu-who">
                                            <span>{user.name.clone()}</span>
                                            <span class="muted">"@" {user.username.clone()}</span>
                                        </span>
                                    </a>
                                    <a class="menu-item" href="/-/profile">
                                        <Svg icon=Icon::Edit/>
                                        {td_string!(t(), nav_edit_profile)}
                                    </a>
                                    {user
                                        .admin
                                        .then(|| {
                                            view! {
                                                <a class="menu-item" href="/admin">
                                                    <Svg icon=Icon::Shield/>
                                                    {td_string!(t(), nav_admin)}
                                                </a>
                                            }
                                        })}
                                    <div class="menu-item menu-language">
                                        <Svg icon=Icon::Globe/>
                                        <LanguageSwitch/>
                                    </div>
                                    <form class="menu-sign-out" method="post" action={<SignOut as ServerFn>::PATH}>
                                        <button class="menu-item" type="submit">
                                            <Svg icon=Icon::SignOut/>
                                            {td_string!(t(), nav_sign_out)}
                                        </button>
                                    </form>
                                </div>
                            </details>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <LanguageSwitch/>
                            <a class="button primary" href="/users/sign_in">{td_string!(t(), nav_sign_in)}</a>
                        }
                            .into_any()
                    }
                }}
            </nav>
        </header>
    }
    .into_any()
}

/// The language select; `/-/enhance.js` submits it on change, a button
/// does without JavaScript.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let here = move || {
        let search = location.search.get();
        if search.is_empty() {
            location.pathname.get()
        } else {
            format!("{}?{}", location.pathname.get(), search)
        }
    };
    let t = move || session.get().lang.t();
    view! {
        <form class="lang-switch" method="post" action={<SetLanguage as ServerFn>::PATH}>
            <input type="hidden" name="next" value=here/>
            <label class="visually-hidden" for="lang-select">{move || td_string!(t(), nav_language)}</label>
            <select id="lang-select" name="lang">
                {Lang::ALL
                    .into_iter()
                    .map(|lang| {
                        view! {
                            <option value=lang.code() selected=move || session.get().lang == lang>
                                {lang.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <noscript>
                <button type="submit">{move || td_string!(t(), nav_language)}</button>
            </noscript>
        </form>
    }
}
