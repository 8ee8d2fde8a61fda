//! The one icon set for UI controls: inline SVG line icons (24×24, stroked in
//! the text colour), so they follow light and dark and need no request. A
//! control's name comes from its text or label; the icon is decoration.

use leptos::prelude::*;

/// The icons the controls use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Icon {
    /// Laurel's mark: a medal on a ribbon.
    Medal,
    ChevronDown,
    User,
    Edit,
    Shield,
    Globe,
    SignOut,
    /// "More actions": three dots.
    More,
}

impl Icon {
    /// The SVG path data (stroke only).
    fn path(self) -> &'static str {
        match self {
            Icon::Medal => "M8 2h8l-2.5 6.2M8 2l2.5 6.2M12 22a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13Zm0-9.5 1.1 2.3 2.4.3-1.8 1.7.5 2.4-2.2-1.2-2.2 1.2.5-2.4-1.8-1.7 2.4-.3Z",
            Icon::ChevronDown => "m6 9 6 6 6-6",
            Icon::User => "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm-7.5 8.5a7.5 7.5 0 0 1 15 0",
            Icon::Edit => "M4 20h4L19 9l-4-4L4 16v4Zm9-13 4 4",
            Icon::Shield => "M12 3 5 6v5.5c0 4.4 3 7.9 7 9.5 4-1.6 7-5.1 7-9.5V6l-7-3Z",
            Icon::Globe => "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18Zm-9-9h18M12 3c2.5 2.5 3.6 5.5 3.6 9s-1.1 6.5-3.6 9c-2.5-2.5-3.6-5.5-3.6-9S9.5 5.5 12 3Z",
            Icon::More => "M5 12h.01M12 12h.01M19 12h.01",
            Icon::SignOut => "M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3M10 17l5-5-5-5M15 12H3",
        }
    }
}

/// An icon, hidden from assistive technology (the control names itself).
#[component]
pub fn Svg(icon: Icon) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
            <path d=icon.path()/>
        </svg>
    }
}
