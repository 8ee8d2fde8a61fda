use crate::i18n::td_string;
use crate::server_fns::session::SignIn;
use crate::use_session;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

/// A plain form posting to the `sign_in` server function: it works without
/// JavaScript, and the full page load afterwards shows the new session everywhere.
#[component]
pub fn SignIn() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let error = move || query.with(|q| q.get("error"));
    let next = move || query.with(|q| q.get("next")).unwrap_or_else(|| "/".to_string());
    let t = move || session.get().lang.t();
    view! {
        <section class="card narrow">
            <h1>{move || td_string!(t(), sign_in_title)}</h1>
            {move || {
                error().map(|why| {
                    let text = move || {
                        if why == "locked" { td_string!(t(), sign_in_locked) } else { td_string!(t(), sign_in_failed) }
                    };
                    view! { <p class="alert" role="alert">{text}</p> }
                })
            }}
            <form class="stack" method="post" action={<SignIn as ServerFn>::PATH}>
                <input type="hidden" name="next" value=next/>
                <label for="login">{move || td_string!(t(), sign_in_login)}</label>
                <input id="login" name="login" type="text" autocomplete="username" required autofocus/>
                <label for="password">{move || td_string!(t(), sign_in_password)}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <button class="button primary" type="submit">{move || td_string!(t(), sign_in_submit)}</button>
            </form>
        </section>
    }
    .into_any()
}
