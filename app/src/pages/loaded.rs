//! The shape every page that loads one thing shares: a loading line, then the
//! page, "404" when the thing is missing (or hidden from the viewer), a page's
//! own answer to a refusal where it has one, and a generic error otherwise.

use crate::i18n::td_string;
use crate::model::UiError;
use crate::pages::not_found::NotFound;
use crate::use_session;
use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

pub fn loaded<T, V>(
    data: Resource<Result<T, UiError>>,
    page: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> AnyView
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    loaded_or(data, page, |_| None)
}

/// As [`loaded`] for a page only some may open (an admin's, an Owner's): to
/// anyone refused there is no such page (GitLab's 404), whether signed in or not.
pub fn loaded_or_no_such_page<T, V>(
    data: Resource<Result<T, UiError>>,
    page: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> AnyView
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let refused = |err: &UiError| {
        matches!(err, UiError::Forbidden | UiError::Unauthorized).then(|| view! { <NotFound/> }.into_any())
    };
    loaded_or(data, page, refused)
}

/// As [`loaded`], with the page's own view for some refusals (`None`: the usual one).
pub fn loaded_or<T, V>(
    data: Resource<Result<T, UiError>>,
    page: impl Fn(T) -> V + Clone + Send + Sync + 'static,
    refused: impl Fn(&UiError) -> Option<AnyView> + Clone + Send + Sync + 'static,
) -> AnyView
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let session = use_session();
    let t = move || session.get().lang.t();
    view! {
        <Suspense fallback=move || view! { <p class="muted">{td_string!(t(), loading)}</p> }>
            {move || {
                let (page, refused) = (page.clone(), refused.clone());
                Suspend::new(async move {
                    match data.await {
                        Ok(found) => page(found).into_any(),
                        Err(err) => match refused(&err) {
                            Some(own) => own,
                            None if err == UiError::NotFound => view! { <NotFound/> }.into_any(),
                            None => view! { <p class="alert">{move || td_string!(t(), error_generic)}</p> }.into_any(),
                        },
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}
