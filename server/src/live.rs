//! Live updates over Server-Sent Events. A browser watching an issue, merge
//! request, snippet or note gets its reaction tallies as they change, whichever
//! process or surface made the change.

use crate::rest::{ApiError, Caller};
use crate::state::ServerState;
use app::domain::award_emoji;
use app::events::{AwardableKind, AwardableRef, Event};
use axum::extract::{Path, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt};
use std::convert::Infallible;
use std::time::Duration;
use tokio_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream};

fn sse(name: &str, event: &Event) -> SseEvent {
    SseEvent::default().event(name).data(serde_json::to_string(event).unwrap_or_default())
}

/// `GET /-/live/:kind/:id`: the current tallies at once, then every change. If
/// this subscriber falls behind, it gets a `resync` event with fresh tallies.
pub async fn reactions(
    State(state): State<ServerState>,
    Caller(actor): Caller,
    Path((kind, id)): Path<(String, i64)>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let kind = AwardableKind::parse(&kind).ok_or(app::domain::DomainError::NotFound("Awardable"))?;
    let item = AwardableRef { kind, id };
    // Subscribe before reading, so no change between the two is missed.
    let updates = BroadcastStream::new(state.app.bus.subscribe());
    let counts = award_emoji::reaction_counts(&state.app, &actor, item).await?;
    let initial = Event::ReactionChanged { awardable: item, name: String::new(), user_id: 0, added: false, counts };
    let first = stream::once(async move { Ok(sse("snapshot", &initial)) });
    let app = state.app.clone();
    let rest = updates.filter_map(move |message| {
        let app = app.clone();
        let actor = actor.clone();
        async move {
            match message {
                Ok(event) => match event.as_ref() {
                    Event::ReactionChanged { awardable, .. } if *awardable == item => Some(Ok(sse("reaction", &event))),
                    _ => None,
                },
                Err(BroadcastStreamRecvError::Lagged(_)) => {
                    let counts = award_emoji::reaction_counts(&app, &actor, item).await.ok()?;
                    let fresh = Event::ReactionChanged {
                        awardable: item,
                        name: String::new(),
                        user_id: 0,
                        added: false,
                        counts,
                    };
                    Some(Ok(sse("resync", &fresh)))
                }
            }
        }
    });
    Ok(Sse::new(first.chain(rest)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
