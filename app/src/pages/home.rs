use crate::use_session;
use leptos::prelude::*;

#[component]
pub fn Home() -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    view! {
        <section class="hero">
            <h1>{move || t().home_title}</h1>
            <p class="tagline">{move || t().app_tagline}</p>
            <p>{move || t().home_intro}</p>
            {move || {
                session
                    .get()
                    .user
                    .map(|user| {
                        view! {
                            <p class="signed-in">
                                {t().home_signed_in_as} " " <strong>{user.name.clone()}</strong> " · "
                                <a href=format!("/{}", user.username)>{t().home_your_profile}</a>
                            </p>
                        }
                    })
            }}
        </section>
    }
}
