//! Suggestions for what is being typed, from a server function: the newest
//! answer wins, answers to older input are dropped. A plain signal, not a
//! resource, so the islands carry no suspense machinery.

use crate::model::UiError;
use leptos::prelude::*;
use std::future::Future;

/// What is typed and the suggestions for it.
#[derive(Clone, Copy)]
pub struct Suggestions {
    pub typed: RwSignal<String>,
    pub found: RwSignal<Vec<(String, String)>>,
}

impl Suggestions {
    pub fn new() -> Suggestions {
        Suggestions { typed: RwSignal::new(String::new()), found: RwSignal::new(Vec::new()) }
    }

    /// Records `text` and asks `search` for the part of it that `term` picks
    /// (nothing below `min_len` characters).
    pub fn input<Fut>(self, text: String, term: fn(&str) -> &str, min_len: usize, search: fn(String) -> Fut)
    where
        Fut: Future<Output = Result<Vec<(String, String)>, UiError>> + 'static,
    {
        self.typed.set(text.clone());
        let query = term(&text).trim().to_string();
        if query.chars().count() < min_len {
            self.found.set(Vec::new());
            return;
        }
        leptos::task::spawn_local(async move {
            let answer = search(query).await.unwrap_or_default();
            if self.typed.get_untracked() == text {
                self.found.set(answer);
            }
        });
    }
}

impl Default for Suggestions {
    fn default() -> Self {
        Suggestions::new()
    }
}
