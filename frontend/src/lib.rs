//! The browser entry point: hydrates the interactive islands of the
//! server-rendered page (everything else stays plain HTML).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    app::mark_hydrated();
}
