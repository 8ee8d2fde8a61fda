// What the crate's macros read at compile time: rebuild when it changes.
// sqlx::migrate! embeds the migrations, leptos_i18n::load_locales! the
// catalogues (once a build script names a path, cargo watches only the paths
// named, so each must be).
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-changed=locales");
}
