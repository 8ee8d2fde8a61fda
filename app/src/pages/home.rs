use crate::i18n::td_string;
use crate::server_fns::items::get_home;
use crate::use_session;
use leptos::prelude::*;

#[component]
pub fn Home() -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let places = Resource::new(|| (), |_| get_home());
    view! {
        <section class="hero">
            <h1>{move || td_string!(t(), home_title)}</h1>
            <p class="tagline">{move || td_string!(t(), app_tagline)}</p>
            <p>{move || td_string!(t(), home_intro)}</p>
            {move || {
                session
                    .get()
                    .user
                    .map(|user| {
                        view! {
                            <p class="signed-in">
                                {td_string!(t(), home_signed_in_as)} " " <strong>{user.name.clone()}</strong> " · "
                                <a href=format!("/{}", user.username)>{td_string!(t(), home_your_profile)}</a>
                            </p>
                        }
                    })
            }}
        </section>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let places = places.await.ok()?;
                Some(view! {
                    <div class="places">
                        <section class="card">
                            <h2>{move || td_string!(t(), nav_groups)}</h2>
                            <ul class="place-list">
                                {places
                                    .groups
                                    .into_iter()
                                    .map(|g| {
                                        view! {
                                            <li>
                                                <a href=format!("/groups/{}/-/achievements", g.full_path)>{g.name.clone()}</a>
                                                " " <span class="muted">{g.full_path.clone()}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </section>
                        <section class="card">
                            <h2>{move || td_string!(t(), projects)}</h2>
                            <ul class="place-list">
                                {places
                                    .projects
                                    .into_iter()
                                    .map(|p| {
                                        view! {
                                            <li>
                                                <a href=format!("/{}", p.full_path)>{p.name.clone()}</a>
                                                " " <span class="muted">{p.full_path.clone()}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </section>
                    </div>
                })
            })}
        </Suspense>
    }
    .into_any()
}
