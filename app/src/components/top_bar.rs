//! The bar on every page: home, language switcher, and the user menu.

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
        <leptos_meta::Html {..} lang=move || session.get().lang.code()/>
        <header class="top-bar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"🏅"</span>
                <span class="brand-name">"Laurel"</span>
            </a>
            <nav class="top-nav" aria-label=move || td_string!(t(), nav_home)>
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
                {move || match session.get().user {
                    Some(user) => {
                        view! {
                            <a class="user-link" href=format!("/{}", user.username)>
                                <span class="avatar-dot" aria-hidden="true">
                                    {user.name.chars().next().unwrap_or('?').to_string()}
                                </span>
                                <span>{user.username.clone()}</span>
                            </a>
                            <a class="button subtle" href="/-/profile">{td_string!(t(), nav_edit_profile)}</a>
                            {user.admin.then(|| view! { <a class="button subtle" href="/admin">{td_string!(t(), nav_admin)}</a> })}
                            <form method="post" action={<SignOut as ServerFn>::PATH}>
                                <button class="button subtle" type="submit">{td_string!(t(), nav_sign_out)}</button>
                            </form>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <a class="button" href="/users/sign_in">{td_string!(t(), nav_sign_in)}</a>
                        }
                            .into_any()
                    }
                }}
            </nav>
        </header>
    }
    .into_any()
}
