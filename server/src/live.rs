//! Live updates over Server-Sent Events. A browser watching an issue or merge
//! request gets the reaction tallies of the item and of every comment on it
//! that the viewer may read, as they change, whichever process or surface made
//! the change. One stream per page keeps browsers under their connection limit.

use crate::rest::{ApiError, Caller};
use crate::state::ServerState;
use app::domain::{award_emoji, projects, Actor, AppState};
use app::events::{AwardableKind, AwardableRef, Event};
use axum::extract::{Path, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt};
use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream};

fn sse(name: &str, event: &Event) -> SseEvent {
    SseEvent::default().event(name).data(serde_json::to_string(event).unwrap_or_default())
}

/// The current tallies of each watched item, as `name` events.
async fn snapshot(app: &AppState, actor: &Actor, items: &[AwardableRef], name: &str) -> Vec<SseEvent> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if let Ok(counts) = award_emoji::reaction_counts(app, actor, *item).await {
            let event = Event::ReactionChanged {
                awardable: *item,
                name: String::new(),
                user_id: 0,
                username: String::new(),
                added: false,
                counts,
            };
            out.push(sse(name, &event));
        }
    }
    out
}

/// `GET /-/live/:kind/:id`: the current tallies at once (`snapshot`), then every
/// change (`reaction`). A subscriber that falls behind gets fresh tallies
/// (`resync`) instead of the changes it missed.
pub async fn reactions(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path((kind, id)): Path<(String, i64)>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let kind = AwardableKind::parse(&kind).ok_or(app::domain::DomainError::NotFound("Awardable"))?;
    let item = AwardableRef { kind, id };
    // Subscribe before reading, so no change between the two is missed.
    let updates = BroadcastStream::new(state.app.bus.subscribe());
    // Checks the viewer may read the item (else 404), then its readable comments.
    award_emoji::reaction_counts(&state.app, &actor, item).await?;
    let mut watched = vec![item];
    if matches!(kind, AwardableKind::Issue | AwardableKind::MergeRequest) {
        let notes = projects::list_notes(&state.app, &actor, item).await?;
        watched.extend(notes.iter().map(|n| AwardableRef { kind: AwardableKind::Note, id: n.id }));
    }
    let first = snapshot(&state.app, &actor, &watched, "snapshot").await;
    let set: Arc<HashSet<AwardableRef>> = Arc::new(watched.iter().copied().collect());
    let watched = Arc::new(watched);
    let app = state.app.clone();
    let rest = updates
        .filter_map(move |message| {
            let (app, actor, set, watched) = (app.clone(), actor.clone(), set.clone(), watched.clone());
            async move {
                match message {
                    Ok(event) => match event.as_ref() {
                        Event::ReactionChanged { awardable, .. } if set.contains(awardable) => {
                            Some(vec![sse("reaction", &event)])
                        }
                        _ => None,
                    },
                    Err(BroadcastStreamRecvError::Lagged(_)) => Some(snapshot(&app, &actor, &watched, "resync").await),
                }
            }
        })
        .flat_map(stream::iter);
    let all = stream::iter(first).chain(rest).map(Ok);
    Ok(Sse::new(all).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
