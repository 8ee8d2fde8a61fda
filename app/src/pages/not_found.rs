use crate::i18n::td_string;
use crate::use_session;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let session = use_session();
    view! {
        <section class="card">
            <h1>"404"</h1>
            <p>{move || td_string!(session.get().lang.t(), not_found)}</p>
        </section>
    }
    .into_any()
}
