//! An avatar file field with a preview and a check of size and type before
//! upload (the server still decodes and decides).

use crate::i18n::td_string;
use crate::model::SessionInfo;
use crate::use_session;
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

#[island]
pub fn AvatarInput(id: String, current: Option<String>, session: SessionInfo) -> impl IntoView {
    crate::provide_session(session);
    let session = use_session();
    let t = move || session.get().lang.t();
    let preview = RwSignal::new(current);
    let problem = RwSignal::new(None::<AvatarProblem>);
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
                preview.set(Some(url));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let help_id = format!("{id}-help");
    view! {
        <label for=id.clone()>{move || td_string!(t(), field_avatar)}</label>
        <div class="avatar-input">
            {move || preview.get().map(|src| view! { <img class="achievement-avatar" src=src alt="" width="56" height="56"/> })}
            <input
                id=id
                type="file"
                name="avatar"
                accept=".png,.jpg,.jpeg,.gif,.bmp,.tiff,.ico,.webp"
                aria-describedby=help_id.clone()
                on:change=on_change
            />
        </div>
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
    }
}
