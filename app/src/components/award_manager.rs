//! The profile editor's achievements manager: reorder by dragging (mouse and
//! touch, through pointer events, with a drop indicator and auto-scroll), by
//! keyboard (a labelled handle: Space or Enter picks up, arrows move, Home/End,
//! Space drops, Escape cancels and restores) or with a move menu (up, down,
//! top, bottom); show or hide each award. Everything is announced in a live
//! region, applied at once, saved in one call, and rolled back with a message
//! if the server refuses. Without JavaScript the menu and the visibility
//! buttons are plain forms.

use crate::components::emblem::AchievementImage;
use crate::i18n::{fill, td_string, Locale};
use crate::model::{ManagedAward, SessionInfo};
use crate::server_fns::profile::{reorder_awards, set_award_shown, ReorderAwards, SetAwardShown};
use crate::use_session;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

const EDITOR: &str = "/-/profile";

/// What the live region says about a reorder.
#[derive(Clone, Copy)]
enum Said {
    PickedUp,
    MovedTo,
    DroppedAt,
    Cancelled,
}

/// The announcement, in the page's language, of `name` now at `pos` of `total`.
fn say(l: Locale, said: Said, name: &str, pos: usize, total: usize) -> String {
    match said {
        Said::PickedUp => fill(td_string!(l, picked_up), &[("name", &name), ("pos", &pos), ("total", &total)]),
        Said::MovedTo => fill(td_string!(l, moved_to), &[("name", &name), ("pos", &pos), ("total", &total)]),
        Said::DroppedAt => fill(td_string!(l, dropped_at), &[("name", &name), ("pos", &pos), ("total", &total)]),
        Said::Cancelled => fill(td_string!(l, reorder_cancelled), &[("name", &name), ("pos", &pos), ("total", &total)]),
    }
}

fn moved(list: &[ManagedAward], from: usize, to: usize) -> Vec<ManagedAward> {
    let mut out = list.to_vec();
    if from < out.len() && to < out.len() {
        let item = out.remove(from);
        out.insert(to, item);
    }
    out
}

fn index_of(list: &[ManagedAward], id: i64) -> usize {
    list.iter().position(|a| a.id == id).unwrap_or(0)
}

/// Puts keyboard focus back on an award's handle after the list re-rendered.
fn refocus(id: i64) {
    #[cfg(feature = "hydrate")]
    request_animation_frame(move || {
        use leptos::wasm_bindgen::JsCast;
        let handle = document().get_element_by_id(&format!("award-handle-{id}"));
        if let Some(handle) = handle.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = handle.focus();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Where a pointer at `y` would drop the dragged row (an index in the final list).
fn drop_index(y: f64, from: usize) -> Option<usize> {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let rows = document().query_selector_all(".award-row").ok()?;
        let mut slot = rows.length() as usize;
        for i in 0..rows.length() {
            let row = rows.item(i)?.dyn_into::<web_sys::Element>().ok()?;
            let rect = row.get_bounding_client_rect();
            if y < rect.top() + rect.height() / 2.0 {
                slot = i as usize;
                break;
            }
        }
        // A slot after the dragged row shifts by one once it is lifted out.
        Some(if slot > from { slot - 1 } else { slot })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (y, from);
        None
    }
}

/// Scrolls the page while a drag nears the top or bottom edge.
fn auto_scroll(y: f64) {
    #[cfg(feature = "hydrate")]
    {
        let height = window().inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(0.0);
        if y < 56.0 {
            window().scroll_by_with_x_and_y(0.0, -14.0);
        } else if y > height - 56.0 {
            window().scroll_by_with_x_and_y(0.0, 14.0);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = y;
}

#[derive(Clone, Copy)]
struct Manager {
    order: RwSignal<Vec<ManagedAward>>,
    /// The award picked up by keyboard, with the order to restore on Escape.
    picked: RwSignal<Option<(i64, Vec<ManagedAward>)>>,
    /// The award being dragged and where it would land.
    drag: RwSignal<Option<(i64, usize)>>,
    announce: RwSignal<String>,
    failed: RwSignal<bool>,
    /// A save is on its way; `again`: the order changed meanwhile.
    saving: RwSignal<bool>,
    again: RwSignal<bool>,
}

impl Manager {
    /// Saves the current order; restores `before` if the server refuses. One
    /// save at a time: moves made while one is on its way are saved after it,
    /// as the order then stands, so the server never ends on an older order.
    fn save(self, before: Vec<ManagedAward>) {
        self.failed.set(false);
        if self.saving.get_untracked() {
            self.again.set(true);
            return;
        }
        self.saving.set(true);
        leptos::task::spawn_local(async move {
            let mut before = before;
            loop {
                let sent = self.order.get_untracked();
                let ids: Vec<i64> = sent.iter().map(|a| a.id).collect();
                if reorder_awards(ids, None).await.is_err() {
                    self.order.set(before);
                    self.failed.set(true);
                    self.again.set(false);
                    break;
                }
                if !self.again.get_untracked() {
                    break;
                }
                self.again.set(false);
                before = sent;
            }
            self.saving.set(false);
        });
    }

    /// A key pressed while an award is picked up (wherever focus is: moving the
    /// row re-renders the list, and a key pressed before focus is back must
    /// still count). Returns whether the key was ours.
    fn picked_key(self, key: &str, l: Locale) -> bool {
        let Some((id, before)) = self.picked.get_untracked() else { return false };
        let list = self.order.get_untracked();
        let at = index_of(&list, id);
        let last = list.len().saturating_sub(1);
        let name = list.get(at).map(|a| a.name.clone()).unwrap_or_default();
        let to = match key {
            "ArrowUp" | "ArrowLeft" => at.saturating_sub(1),
            "ArrowDown" | "ArrowRight" => (at + 1).min(last),
            "Home" => 0,
            "End" => last,
            " " | "Enter" => {
                self.picked.set(None);
                self.announce.set(say(l, Said::DroppedAt, &name, at + 1, list.len()));
                if before.iter().map(|a| a.id).ne(list.iter().map(|a| a.id)) {
                    self.save(before);
                }
                return true;
            }
            "Escape" => {
                let back = index_of(&before, id);
                self.order.set(before);
                self.picked.set(None);
                self.announce.set(say(l, Said::Cancelled, &name, back + 1, list.len()));
                return true;
            }
            _ => return false,
        };
        self.order.set(moved(&list, at, to));
        self.announce.set(say(l, Said::MovedTo, &name, to + 1, list.len()));
        true
    }

    /// Moves an award to `to`, saves, and says so.
    fn move_to(self, id: i64, to: usize, l: Locale) {
        let before = self.order.get_untracked();
        let from = index_of(&before, id);
        let after = moved(&before, from, to);
        let name = after.get(to).map(|a| a.name.clone()).unwrap_or_default();
        self.announce.set(say(l, Said::DroppedAt, &name, to + 1, after.len()));
        self.order.set(after);
        if from != to {
            self.save(before);
        }
    }
}

#[island]
pub fn AwardManager(awards: Vec<ManagedAward>, session: SessionInfo) -> impl IntoView {
    crate::provide_session(session);
    let session = use_session();
    let t = move || session.get().lang.t();
    let m = Manager {
        order: RwSignal::new(awards),
        picked: RwSignal::new(None),
        drag: RwSignal::new(None),
        announce: RwSignal::new(String::new()),
        failed: RwSignal::new(false),
        saving: RwSignal::new(false),
        again: RwSignal::new(false),
    };
    // While an award is picked up, keys are taken at the window, so none is
    // lost while its row moves and focus comes back to its handle.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if let Some((id, _)) = m.picked.get_untracked() {
            if m.picked_key(&ev.key(), t()) {
                ev.prevent_default();
                refocus(id);
            }
        }
    });
    on_cleanup(move || keys.remove());
    let on_pointer_move = move |ev: leptos::ev::PointerEvent| {
        let Some((id, _)) = m.drag.get_untracked() else { return };
        let y = ev.client_y() as f64;
        let from = index_of(&m.order.get_untracked(), id);
        if let Some(to) = drop_index(y, from) {
            m.drag.set(Some((id, to)));
        }
        auto_scroll(y);
    };
    let on_pointer_up = move |_: leptos::ev::PointerEvent| {
        if let Some((id, to)) = m.drag.get_untracked() {
            m.drag.set(None);
            m.move_to(id, to, t());
        }
    };
    view! {
        <p class="muted">{move || td_string!(t(), manage_help)}</p>
        <p class="visually-hidden" aria-live="assertive" role="status">{move || m.announce.get()}</p>
        <Show when=move || m.failed.get()>
            <p class="alert" role="alert">{move || td_string!(t(), order_failed)}</p>
        </Show>
        <div class="manager-layout">
            <ol
                class="award-manager"
                class:dragging=move || m.drag.get().is_some()
                on:pointermove=on_pointer_move
                on:pointerup=on_pointer_up
                on:pointercancel=move |_| m.drag.set(None)
            >
                <For each=move || m.order.get() key=|a| (a.id, a.shown) let:award>
                    <AwardRow award m/>
                </For>
            </ol>
            <ProfilePreview m/>
        </div>
    }
}

/// The profile as others will see it, from the list as it stands (where the
/// dragged award would land, while dragging): shown awards only, one tile per
/// achievement with its count, in order, as the profile page draws them.
#[component]
fn ProfilePreview(m: Manager) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    // One grouping per change of the list or the drag, read by both views below.
    let tiles = Memo::new(move |_| {
        let list = m.order.get();
        let list = match m.drag.get() {
            Some((id, to)) => moved(&list, index_of(&list, id), to),
            None => list,
        };
        let mut tiles: Vec<(ManagedAward, usize)> = Vec::new();
        for award in list.into_iter().filter(|a| a.shown) {
            match tiles.iter_mut().find(|(tile, _)| tile.achievement_id == award.achievement_id) {
                Some((_, count)) => *count += 1,
                None => tiles.push((award, 1)),
            }
        }
        tiles
    });
    view! {
        <aside class="profile-preview" aria-labelledby="profile-preview-title">
            <h3 id="profile-preview-title">{move || td_string!(t(), preview_title)}</h3>
            <p class="muted" hidden=move || tiles.with(|t| !t.is_empty())>{move || td_string!(t(), preview_empty)}</p>
            <ul class="preview-tiles">
                {move || {
                    tiles
                        .get()
                        .into_iter()
                        .map(|(award, count)| {
                            view! {
                                <li>
                                    <AchievementImage
                                        id=award.achievement_id
                                        name=award.name.clone()
                                        avatar_url=award.avatar_url.clone()
                                        size=48
                                        class="preview-image"
                                    />
                                    <span class="preview-name">{award.name.clone()}</span>
                                    <span class="badge" hidden=count < 2>{format!("{count}x")}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </aside>
    }
}

#[component]
fn AwardRow(award: ManagedAward, m: Manager) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let id = award.id;
    let name = award.name.clone();
    let index = move || index_of(&m.order.get(), id);
    let total = move || m.order.get().len();
    let row_class = move || {
        let mut class = String::from("award-row");
        if let Some((dragged, to)) = m.drag.get() {
            let from = index_of(&m.order.get(), dragged);
            if dragged == id {
                class.push_str(" is-dragged");
            } else if index() == to {
                class.push_str(if to < from { " drop-before" } else { " drop-after" });
            }
        }
        if m.picked.get().is_some_and(|(p, _)| p == id) {
            class.push_str(" is-picked");
        }
        class
    };
    let key_name = name.clone();
    // Picks the award up; the window takes every key after that (AwardManager).
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if m.picked.get_untracked().is_some() || !matches!(ev.key().as_str(), " " | "Enter") {
            return;
        }
        let list = m.order.get_untracked();
        m.picked.set(Some((id, list.clone())));
        m.announce.set(say(t(), Said::PickedUp, &key_name, index_of(&list, id) + 1, list.len()));
        ev.prevent_default();
        ev.stop_propagation();
    };
    let on_pointer_down = move |ev: leptos::ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        ev.prevent_default();
        m.drag.set(Some((id, index_of(&m.order.get_untracked(), id))));
    };
    // The move menu's target orders, as ids (forms post them without JavaScript).
    let order_ids = move |to: usize| -> Vec<i64> {
        let list = m.order.get();
        moved(&list, index_of(&list, id), to.min(list.len().saturating_sub(1))).iter().map(|a| a.id).collect()
    };
    let move_form = move |label: fn(Locale) -> &'static str, target: fn(usize, usize) -> usize| {
        let to = move || target(index(), total());
        let on_submit = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            m.move_to(id, to(), t());
            refocus(id);
        };
        view! {
            <form method="post" action={<ReorderAwards as ServerFn>::PATH} on:submit=on_submit>
                {move || {
                    order_ids(to())
                        .into_iter()
                        .enumerate()
                        .map(|(i, award_id)| view! { <input type="hidden" name=format!("ids[{i}]") value=award_id/> })
                        .collect_view()
                }}
                <input type="hidden" name="next" value=EDITOR/>
                <button type="submit" class="button subtle" disabled=move || to() == index()>
                    {move || label(t())}
                </button>
            </form>
        }
    };
    let shown = award.shown;
    let on_visibility = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let before = m.order.get_untracked();
        m.order.update(|list| {
            if let Some(a) = list.iter_mut().find(|a| a.id == id) {
                a.shown = !shown;
            }
        });
        m.failed.set(false);
        leptos::task::spawn_local(async move {
            if set_award_shown(id, !shown, None).await.is_err() {
                m.order.set(before);
                m.failed.set(true);
            }
        });
    };
    let handle_label = fill(td_string!(t(), reorder_handle), &[("name", &name)]);
    view! {
        <li class=row_class data-award-id=id>
            <button
                type="button"
                class="drag-handle"
                id=format!("award-handle-{id}")
                aria-label=handle_label
                aria-pressed=move || m.picked.get().is_some_and(|(p, _)| p == id).to_string()
                on:keydown=on_key
                on:pointerdown=on_pointer_down
            >
                <span aria-hidden="true">"⠿"</span>
            </button>
            <AchievementImage
                id=award.achievement_id
                name=name.clone()
                avatar_url=award.avatar_url.clone()
                size=40
                class="award-image"
            />
            <div class="award-main">
                <span class="award-name">{name.clone()}</span>
                {(!shown).then(|| view! { <span class="state">{move || td_string!(t(), hidden_label)}</span> })}
                <span class="muted award-meta">
                    {award.group.clone().unwrap_or_else(|| td_string!(t(), private_namespace).to_string())} " · "
                    <time datetime=award.awarded_at.clone()>{award.awarded_at.chars().take(10).collect::<String>()}</time>
                </span>
            </div>
            <form method="post" action={<SetAwardShown as ServerFn>::PATH} on:submit=on_visibility>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="shown" value=(!shown).to_string()/>
                <input type="hidden" name="next" value=EDITOR/>
                <button type="submit" class="button subtle">{move || if shown { td_string!(t(), hide) } else { td_string!(t(), show) }}</button>
            </form>
            <details class="move-menu">
                <summary class="button subtle">{move || td_string!(t(), move_menu)}</summary>
                <div class="move-menu-panel">
                    {move_form(|l| td_string!(l, move_up), |at, _| at.saturating_sub(1))}
                    {move_form(|l| td_string!(l, move_down), |at, total| (at + 1).min(total.saturating_sub(1)))}
                    {move_form(|l| td_string!(l, move_top), |_, _| 0)}
                    {move_form(|l| td_string!(l, move_bottom), |_, total| total.saturating_sub(1))}
                </div>
            </details>
        </li>
    }
}
