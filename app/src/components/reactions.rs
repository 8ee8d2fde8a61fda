//! The emoji reaction bar: tallies, "you reacted", who reacted, a picker with
//! search and recently used emoji. Every button is a plain form that posts to
//! the `toggle_reaction` server function, so it works without JavaScript; once
//! hydrated, a click updates at once (rolled back with a message if the server
//! refuses) and the page's live stream keeps every tally current.

use crate::components::search_as_you_type::Suggestions;
use crate::events::{AwardableRef, EmojiCount, ReactionChange};
use crate::i18n::td_string;
use crate::model::{Reactable, ReactionChoices, ReactionView, UiError};
use crate::server_fns::items::search_emoji;
use crate::server_fns::reactions::{toggle_reaction, ToggleReaction};
use crate::use_session;
use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use std::collections::HashMap;

/// Quick picks shown in the picker before any search.
const QUICK_PICKS: [(&str, &str); 12] = [
    ("thumbsup", "👍"),
    ("thumbsdown", "👎"),
    ("smile", "😄"),
    ("tada", "🎉"),
    ("confused", "😕"),
    ("heart", "❤️"),
    ("rocket", "🚀"),
    ("eyes", "👀"),
    ("100", "💯"),
    ("clap", "👏"),
    ("fire", "🔥"),
    ("white_check_mark", "✅"),
];

#[cfg(feature = "hydrate")]
const RECENT_KEY: &str = "laurel_recent_emoji";

/// Where a reaction form without JavaScript returns to: the page it is on.
#[derive(Clone)]
pub struct ReturnTo(pub String);

/// The reactions of every item on a page, kept current by [`watch_live`].
#[derive(Clone, Copy)]
pub struct LiveReactions(RwSignal<HashMap<AwardableRef, Vec<ReactionView>>>);

impl LiveReactions {
    pub fn provide(items: impl IntoIterator<Item = Reactable>) -> LiveReactions {
        let map = items.into_iter().map(|r| (r.item, r.reactions)).collect();
        let live = LiveReactions(RwSignal::new(map));
        provide_context(live);
        live
    }

    fn of(self, item: AwardableRef) -> Vec<ReactionView> {
        self.0.with(|m| m.get(&item).cloned().unwrap_or_default())
    }

    fn set(self, item: AwardableRef, reactions: Vec<ReactionView>) {
        self.0.update(|m| {
            m.insert(item, reactions);
        });
    }

    /// Applies authoritative tallies; `change` says who added or removed what.
    fn apply(self, item: AwardableRef, counts: &[EmojiCount], change: Option<ReactionChange>) {
        let old = self.of(item);
        let next = counts
            .iter()
            .map(|c| {
                let mut view = old.iter().find(|r| r.name == c.name).cloned().unwrap_or(ReactionView {
                    name: c.name.clone(),
                    emoji: c.emoji.clone(),
                    count: 0,
                    mine: false,
                    users: Vec::new(),
                });
                view.count = c.count;
                if let Some(change) = change.filter(|change| change.name == c.name) {
                    view.users.retain(|u| u != change.username);
                    if change.added {
                        view.users.push(change.username.to_string());
                    }
                    if change.by_me {
                        view.mine = change.added;
                    }
                }
                view
            })
            .collect();
        self.set(item, next);
    }
}

/// Opens the page's live stream (`/-/live/:kind/:id`) once hydrated, and
/// reconnects with jittered exponential backoff when it drops. Without it the
/// page still works; it just is not live.
pub fn watch_live(live: LiveReactions, item: AwardableRef) {
    let me = use_session().get_untracked().user.map(|u| u.id);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        stream::connect(live, item, me, 0);
        #[cfg(not(feature = "hydrate"))]
        let _ = (live, item, me);
    });
}

#[cfg(feature = "hydrate")]
mod stream {
    use super::*;
    use crate::events::LiveFrame;
    use leptos::wasm_bindgen::prelude::*;
    use send_wrapper::SendWrapper;
    use std::time::Duration;

    pub fn connect(live: LiveReactions, item: AwardableRef, me: Option<i64>, attempt: u32) {
        let url = format!("/-/live/{}/{}", item.kind.as_str(), item.id);
        let Ok(source) = web_sys::EventSource::new(&url) else { return };
        let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |message: web_sys::MessageEvent| {
            let Some(data) = message.data().as_string() else { return };
            match serde_json::from_str::<LiveFrame>(&data) {
                Ok(LiveFrame::Reaction { awardable, name, user_id, username, added, counts }) => {
                    let by_me = Some(user_id) == me;
                    let change = ReactionChange { name: &name, username: &username, added, by_me };
                    live.apply(awardable, &counts, Some(change));
                }
                Ok(LiveFrame::Tally { awardable, counts }) => live.apply(awardable, &counts, None),
                Err(_) => {}
            }
        });
        for kind in ["snapshot", "reaction", "resync"] {
            let _ = source.add_event_listener_with_callback(kind, on_message.as_ref().unchecked_ref());
        }
        on_message.forget();
        let failing = source.clone();
        let on_error = Closure::<dyn Fn()>::new(move || {
            // Closed for good (server gone, 404): try again later, spread out.
            if failing.ready_state() == web_sys::EventSource::CLOSED {
                let base = 1000.0 * 2f64.powi(attempt.min(5) as i32);
                let wait = base * (0.5 + js_sys::Math::random());
                set_timeout(move || connect(live, item, me, attempt + 1), Duration::from_millis(wait as u64));
            }
        });
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        let source = SendWrapper::new(source);
        on_cleanup(move || source.close());
    }
}

/// Remembers an emoji as recently used (browser storage; nothing without JS).
fn remember_recent(name: &str, emoji: &str) {
    #[cfg(feature = "hydrate")]
    {
        let Some(storage) = window().local_storage().ok().flatten() else { return };
        let mut recent = read_recent();
        recent.retain(|(n, _)| n != name);
        recent.insert(0, (name.to_string(), emoji.to_string()));
        recent.truncate(8);
        if let Ok(json) = serde_json::to_string(&recent) {
            let _ = storage.set_item(RECENT_KEY, &json);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, emoji);
}

fn read_recent() -> Vec<(String, String)> {
    #[cfg(feature = "hydrate")]
    {
        let stored = window().local_storage().ok().flatten().and_then(|s| s.get_item(RECENT_KEY).ok().flatten());
        stored.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    Vec::new()
}

/// An island of its own inside [`LiveReactions`]'s island, whose context
/// (the tallies, the session, where forms return to) it reads.
#[island]
pub fn ReactionBar(item: AwardableRef, can_react: bool) -> impl IntoView {
    let live = expect_context::<LiveReactions>();
    let session = use_session();
    let t = move || session.get().lang.t();
    let error = RwSignal::new(None::<&'static str>);
    let toggle = Action::new(move |(name, emoji): &(String, String)| {
        let (name, emoji) = (name.clone(), emoji.clone());
        async move {
            // Optimistic: flip it here, then take the server's tallies (or roll back).
            let before = live.of(item);
            let username = session.get_untracked().user.map(|u| u.username).unwrap_or_default();
            let on = !before.iter().any(|r| r.name == name && r.mine);
            let mut counts: Vec<EmojiCount> = before
                .iter()
                .map(|r| EmojiCount { name: r.name.clone(), count: r.count, emoji: r.emoji.clone() })
                .collect();
            match counts.iter_mut().find(|c| c.name == name) {
                Some(c) => c.count += if on { 1 } else { -1 },
                None => counts.push(EmojiCount { name: name.clone(), count: 1, emoji: emoji.clone() }),
            }
            counts.retain(|c| c.count > 0);
            let mine = |added| Some(ReactionChange { name: &name, username: &username, added, by_me: true });
            live.apply(item, &counts, mine(on));
            error.set(None);
            remember_recent(&name, &emoji);
            match toggle_reaction(item.kind, item.id, name.clone(), None).await {
                Ok(summary) => live.apply(item, &summary.counts, mine(summary.toggled_on)),
                Err(err) => {
                    live.set(item, before);
                    error.set(Some(match err {
                        UiError::TooManyRequests => td_string!(t(), reaction_too_fast),
                        _ => td_string!(t(), reaction_failed),
                    }));
                }
            }
        }
    });
    let reactions = move || live.of(item);
    view! {
        <div class="reactions" role="group" aria-label=move || td_string!(t(), reactions)>
            <For each=reactions key=|r| (r.name.clone(), r.count, r.mine, r.users.len()) let:r>
                <ReactionButton item r can_react toggle/>
            </For>
            {can_react.then(|| view! { <Picker item toggle/> })}
            <Show when=move || error.get().is_some()>
                <span class="reaction-error" role="alert">{move || error.get().unwrap_or_default()}</span>
            </Show>
        </div>
    }
}

/// One emoji's toggle: a form for no-JS, an instant action once hydrated.
#[component]
fn ToggleForm<C: IntoView + 'static>(
    item: AwardableRef,
    name: String,
    emoji: String,
    toggle: Action<(String, String), ()>,
    class: &'static str,
    #[prop(optional)] pressed: Option<bool>,
    #[prop(optional)] title: Option<String>,
    // Typed, not `Children`: a boxed `AnyView` would bring its async
    // hydration machinery into the bundle.
    children: TypedChildren<C>,
) -> impl IntoView {
    let next = use_context::<ReturnTo>().map(|r| r.0).unwrap_or_default();
    let (submit_name, submit_emoji) = (name.clone(), emoji.clone());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        toggle.dispatch((submit_name.clone(), submit_emoji.clone()));
        // A choice from the picker closes it.
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            let form = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
            if let Some(details) = form.and_then(|f| f.closest("details.picker").ok().flatten()) {
                let _ = details.remove_attribute("open");
            }
        }
    };
    view! {
        <form class="reaction-form" method="post" action={<ToggleReaction as ServerFn>::PATH} on:submit=on_submit>
            <input type="hidden" name="kind" value=item.kind.as_str()/>
            <input type="hidden" name="id" value=item.id/>
            <input type="hidden" name="name" value=name.clone()/>
            <input type="hidden" name="next" value=next/>
            <button type="submit" class=class aria-pressed=pressed.map(|p| p.to_string()) title=title>
                {children.into_inner()()}
            </button>
        </form>
    }
}

#[component]
fn ReactionButton(
    item: AwardableRef,
    r: ReactionView,
    can_react: bool,
    toggle: Action<(String, String), ()>,
) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let who = format!("{} · :{}:", r.users.join(", "), r.name);
    let label = format!("{} {} ({})", r.emoji, r.count, who);
    let class = if r.mine { "reaction mine" } else { "reaction" };
    if !can_react {
        return Either::Left(view! {
            <span class=class title=who.clone()>
                <span aria-hidden="true">{r.emoji.clone()}</span>
                <span class="count" aria-hidden="true">{r.count}</span>
                <span class="visually-hidden">{label}</span>
            </span>
        });
    }
    Either::Right(view! {
        <ToggleForm item name=r.name.clone() emoji=r.emoji.clone() toggle class pressed=r.mine title=who.clone()>
            <span aria-hidden="true">{r.emoji.clone()}</span>
            <span class="count">{r.count}</span>
            <span class="visually-hidden">{move || if r.mine { td_string!(t(), you_reacted) } else { "" }} " " {label.clone()}</span>
        </ToggleForm>
    })
}

#[component]
fn Picker(item: AwardableRef, toggle: Action<(String, String), ()>) -> impl IntoView {
    let session = use_session();
    let t = move || session.get().lang.t();
    let search = Suggestions::new();
    let query = search.typed;
    let recent = RwSignal::new(Vec::<(String, String)>::new());
    Effect::new(move |_| recent.set(read_recent()));
    // The group's reaction set, where the page has one (every emoji otherwise).
    let allowed = StoredValue::new(use_context::<ReactionChoices>().unwrap_or_default());
    let quick: Vec<(String, String)> = allowed.with_value(|c| match &c.only {
        Some(only) => only.clone(),
        None => QUICK_PICKS.iter().filter(|(n, _)| c.admits(n)).map(|(n, e)| (n.to_string(), e.to_string())).collect(),
    });
    let choice = move |(name, emoji): (String, String)| {
        view! {
            <li>
                <ToggleForm item name=name.clone() emoji=emoji.clone() toggle class="emoji-choice" title=format!(":{name}:")>
                    <span aria-hidden="true">{emoji.clone()}</span>
                    <span class="visually-hidden">{format!(":{name}:")}</span>
                </ToggleForm>
            </li>
        }
    };
    view! {
        <details class="picker">
            <summary class="reaction add" aria-label=move || td_string!(t(), add_reaction) title=move || td_string!(t(), add_reaction)>
                <span aria-hidden="true">"😀+"</span>
            </summary>
            <div class="picker-panel">
                <label class="visually-hidden" for=format!("emoji-search-{}-{}", item.kind.as_str(), item.id)>
                    {move || td_string!(t(), search_emoji)}
                </label>
                <input
                    id=format!("emoji-search-{}-{}", item.kind.as_str(), item.id)
                    type="search"
                    placeholder=move || td_string!(t(), search_emoji)
                    autocomplete="off"
                    on:input=move |ev| search.input(event_target_value(&ev), |typed| typed, 1, search_emoji)
                />
                <Show when=move || !recent.get().is_empty() && query.get().trim().is_empty()>
                    <p class="picker-heading">{move || td_string!(t(), recently_used)}</p>
                    <ul class="emoji-grid">
                        {move || recent.get().into_iter().filter(|(n, _)| allowed.with_value(|c| c.admits(n))).map(choice).collect_view()}
                    </ul>
                </Show>
                <Show
                    when=move || !query.get().trim().is_empty()
                    fallback=move || {
                        view! {
                            <ul class="emoji-grid">{quick.clone().into_iter().map(choice).collect_view()}</ul>
                        }
                    }
                >
                    <ul class="emoji-grid">
                        {move || search.found.get().into_iter().filter(|(n, _)| allowed.with_value(|c| c.admits(n))).map(choice).collect_view()}
                    </ul>
                </Show>
            </div>
        </details>
    }
}
