//! A project: its issues and merge requests, each leading to its page.

use crate::i18n::td_string;
use crate::model::ItemSummary;
use crate::pages::item::project_path;
use crate::pages::loaded::loaded;
use crate::server_fns::items::get_project;
use crate::use_session;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let session = use_session();
    let t = move || session.get().lang.t();
    let project = Resource::new(move || params.with(project_path), get_project);
    loaded(project, move |p| {
        let base = format!("/{}", p.path);
        view! {
            <section class="project">
                <h1>{p.name.clone()}</h1>
                <p class="muted">{p.path.clone()}</p>
                {(!p.description.trim().is_empty()).then(|| view! { <p>{p.description.clone()}</p> })}
                <h2 id="issues">{move || td_string!(t(), issues)}</h2>
                <ItemList items=p.issues href=format!("{base}/-/issues") sigil="#" empty=move || td_string!(t(), no_issues)/>
                <h2 id="merge_requests">{move || td_string!(t(), merge_requests)}</h2>
                <ItemList
                    items=p.merge_requests
                    href=format!("{base}/-/merge_requests")
                    sigil="!"
                    empty=move || td_string!(t(), no_merge_requests)
                />
            </section>
        }
    })
}

#[component]
fn ItemList(
    items: Vec<ItemSummary>,
    href: String,
    sigil: &'static str,
    empty: impl Fn() -> &'static str + Send + Sync + 'static,
) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    view! {
        <ul class="item-list">
            {items
                .into_iter()
                .map(|i| {
                    view! {
                        <li>
                            <a href=format!("{href}/{}", i.iid)>
                                <span class="muted">{format!("{sigil}{}", i.iid)}</span>
                                " "
                                {i.title.clone()}
                            </a>
                            <span class="votes">{format!("👍 {}  👎 {}", i.upvotes, i.downvotes)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
