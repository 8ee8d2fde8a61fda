//! The fields of an achievement's create and edit forms (name, description,
//! image) beside a live preview of its card, and a check of the image's size
//! and type before upload (the server still decodes and decides).

use crate::components::emblem::Emblem;
use crate::i18n::td_string;
use crate::model::SessionInfo;
use crate::use_session;
use leptos::either::Either;
use leptos::prelude::*;

const MAX_BYTES: f64 = 204_800.0;
const EXTENSIONS: [&str; 8] = ["png", "jpg", "jpeg", "gif", "bmp", "tiff", "ico", "webp"];

/// What is wrong with a chosen file, by name and size, if anything.
pub fn avatar_problem(file_name: &str, size: f64) -> Option<AvatarProblem> {
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if !EXTENSIONS.contains(&ext.as_str()) {
        Some(AvatarProblem::Type)
    } else if size > MAX_BYTES {
        Some(AvatarProblem::Size)
    } else {
        None
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AvatarProblem {
    Size,
    Type,
}

/// `prefix` makes the fields' ids unique on the page; `id` is the achievement
/// being edited (its emblem), `None` when creating one.
#[island]
pub fn AchievementFields(
    prefix: String,
    id: Option<i64>,
    name: String,
    description: String,
    current: Option<String>,
    session: SessionInfo,
) -> impl IntoView {
    crate::provide_session(session);
    let session = use_session();
    let t = move || session.get().lang.t();
    let image = RwSignal::new(current);
    let problem = RwSignal::new(None::<AvatarProblem>);
    let typed_name = RwSignal::new(name.clone());
    let typed_description = RwSignal::new(description.clone());
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            let found = avatar_problem(&file.name(), file.size());
            problem.set(found);
            if found.is_some() {
                input.set_value("");
            } else if let Ok(url) = web_sys::Url::create_object_url_with_blob(&file) {
                image.set(Some(url));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let (name_id, description_id, avatar_id) =
        (format!("{prefix}-name"), format!("{prefix}-description"), format!("{prefix}-avatar"));
    let help_id = format!("{avatar_id}-help");
    let preview_name = move || {
        let typed = typed_name.get();
        if typed.trim().is_empty() {
            td_string!(t(), preview_placeholder).to_string()
        } else {
            typed
        }
    };
    view! {
        <div class="achievement-fields">
            <div class="stack">
                <label for=name_id.clone()>{move || td_string!(t(), field_name)}</label>
                <input
                    id=name_id
                    type="text"
                    name="name"
                    required
                    maxlength="255"
                    value=name
                    on:input=move |ev| typed_name.set(event_target_value(&ev))
                />
                <label for=description_id.clone()>{move || td_string!(t(), field_description)}</label>
                <textarea
                    id=description_id
                    name="description"
                    maxlength="1024"
                    rows="3"
                    on:input=move |ev| typed_description.set(event_target_value(&ev))
                >
                    {textarea_text(description)}
                </textarea>
                <label for=avatar_id.clone()>{move || td_string!(t(), field_avatar)}</label>
                <input
                    id=avatar_id
                    type="file"
                    name="avatar"
                    accept=".png,.jpg,.jpeg,.gif,.bmp,.tiff,.ico,.webp"
                    aria-describedby=help_id.clone()
                    on:change=on_change
                />
                <p class="muted help" id=help_id>{move || td_string!(t(), avatar_help)}</p>
                {move || {
                    problem
                        .get()
                        .map(|p| {
                            view! {
                                <p class="alert" role="alert">
                                    {match p {
                                        AvatarProblem::Size => td_string!(t(), avatar_too_big),
                                        AvatarProblem::Type => td_string!(t(), avatar_bad_type),
                                    }}
                                </p>
                            }
                        })
                }}
            </div>
            // What the card will look like: a copy of the fields, so hidden
            // from assistive technology.
            <figure class="card-preview">
                <figcaption class="muted">{move || td_string!(t(), preview)}</figcaption>
                <div class="preview-head" aria-hidden="true">
                    {move || match image.get() {
                        Some(src) => Either::Left(view! { <img class="achievement-avatar" src=src alt="" width="56" height="56"/> }),
                        None => Either::Right(view! { <Emblem id=id.unwrap_or(0) name=typed_name.get() size=56 class="achievement-avatar"/> }),
                    }}
                    <div>
                        <strong class="preview-title">{preview_name}</strong>
                        <p class="muted">{move || typed_description.get()}</p>
                    </div>
                </div>
            </figure>
        </div>
    }
}

/// A `<textarea>`'s starting text. Leptos' server rendering writes a
/// textarea's children unescaped (tachys 0.2 treats it as it treats
/// `<script>`), so a description holding `</textarea>` ended the element and
/// what followed it was markup in the page of whoever opened the editor. The
/// server's HTML has it escaped (a browser reads the entities in a textarea
/// back as the text); the browser side hydrates that text and never writes
/// it, so it keeps the text as it is.
fn textarea_text(text: String) -> String {
    if cfg!(feature = "ssr") {
        text.replace('&', "&amp;").replace('<', "&lt;")
    } else {
        text
    }
}
