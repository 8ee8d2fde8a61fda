//! The emblem of an achievement without an uploaded image: drawn from the
//! achievement itself (a colour and a shape from its id, the initials of its
//! name), so neighbours do not look alike and the same achievement looks the
//! same everywhere. Decoration only: the name is always written beside it.

use leptos::either::Either;
use leptos::prelude::*;

const SHAPES: [&str; 4] = ["circle", "shield", "hexagon", "rosette"];
const HUES: usize = 8;

/// What an emblem is drawn from: its shape, its colour (0..8) and its letters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmblemLook {
    pub shape: &'static str,
    pub hue: usize,
    pub initials: String,
}

impl EmblemLook {
    /// The colour steps with the id, and the shape too (shifted once more
    /// every eighth id), so achievements made one after another (neighbours on
    /// a dashboard) never share a colour, and 32 in a row never share both.
    pub fn of(id: i64, name: &str) -> Self {
        let hue = id.rem_euclid(HUES as i64) as usize;
        let step = id.rem_euclid(SHAPES.len() as i64) + id.div_euclid(HUES as i64).rem_euclid(SHAPES.len() as i64);
        let shape = SHAPES[step.rem_euclid(SHAPES.len() as i64) as usize];
        Self { shape, hue, initials: initials(name) }
    }
}

/// Up to two letters: the first of the first two words (one for a name in a
/// script without spaces between words, such as Japanese).
pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let firsts = words.iter().filter_map(|w| w.chars().find(|c| c.is_alphanumeric()));
    let wide = |c: &char| (*c as u32) >= 0x1100;
    let mut out: Vec<char> = Vec::new();
    for c in firsts {
        if out.len() == 2 || (out.len() == 1 && (wide(&out[0]) || wide(&c))) {
            break;
        }
        out.push(c);
    }
    out.into_iter().flat_map(char::to_uppercase).collect()
}

/// The outline of a shape in a 64×64 box. Written out, not computed: float
/// formatting would add its code to the WASM bundle.
fn outline(shape: &str) -> &'static str {
    match shape {
        "shield" => "M32 3 57 11v19c0 15-10 26-25 31C17 56 7 45 7 30V11Z",
        "hexagon" => "M32 3 57 17.5v29L32 61 7 46.5v-29Z",
        // Twelve points, alternating between radius 30 and 25.
        "rosette" => {
            "M32 2 38.5 7.9 47 6 49.7 14.3 58 17 56.1 25.5 62 32 56.1 38.5 58 47 49.7 49.7 47 58 38.5 56.1 \
             32 62 25.5 56.1 17 58 14.3 49.7 6 47 7.9 38.5 2 32 7.9 25.5 6 17 14.3 14.3 17 6 25.5 7.9Z"
        }
        _ => "M32 3a29 29 0 1 0 0.01 0Z",
    }
}

/// An achievement's emblem, `size` pixels square.
#[component]
pub fn Emblem(id: i64, name: String, size: u32, #[prop(optional)] class: &'static str) -> impl IntoView {
    let look = EmblemLook::of(id, &name);
    let class = format!("emblem hue-{} {class}", look.hue);
    let font = if look.initials.chars().count() > 1 { "20" } else { "24" };
    view! {
        <svg
            class=class
            viewBox="0 0 64 64"
            width=size
            height=size
            aria-hidden="true"
            focusable="false"
            data-emblem=format!("{}-{}-{}", look.shape, look.hue, look.initials)
        >
            <path class="emblem-shape" d=outline(look.shape)/>
            <circle class="emblem-ring" cx="32" cy="32" r="19"/>
            <text x="32" y="33" text-anchor="middle" dominant-baseline="central" font-size=font>
                {look.initials.clone()}
            </text>
        </svg>
    }
}

/// An achievement's picture: its uploaded image, else its emblem.
#[component]
pub fn AchievementImage(
    id: i64,
    name: String,
    avatar_url: Option<String>,
    size: u32,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    match avatar_url {
        Some(src) => Either::Left(view! { <img class=class src=src alt="" width=size height=size/> }),
        None => Either::Right(view! { <Emblem id name size class/> }),
    }
}
