//! The unit tests of `server/src/live/topic.rs`: positions, the backlog, and
//! what a viewer that fell behind gets.

use app::events::{AwardableKind, AwardableRef, EmojiCount};
use server::live::topic::{tally_data, EventId, Topic, CATCH_UP_BATCH};

fn issue() -> AwardableRef {
    AwardableRef { kind: AwardableKind::Issue, id: 1 }
}

fn note(id: i64) -> AwardableRef {
    AwardableRef { kind: AwardableKind::Note, id }
}

fn counts(n: i64) -> Vec<EmojiCount> {
    vec![EmojiCount { name: "tada".into(), count: n, emoji: "🎉".into() }]
}

/// Publishes a change to `item` whose reaction frame says `n`.
fn change(topic: &Topic, item: AwardableRef, n: i64) {
    let frame = format!("{{\"n\":{n}}}");
    topic.publish(item, "reaction", frame.as_bytes(), tally_data(item, counts(n)));
}

fn text(frames: &[axum::body::Bytes]) -> Vec<String> {
    frames.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect()
}

#[test]
fn event_ids_round_trip_and_junk_is_refused() {
    let id = EventId { epoch: 0xdead_beef, seq: 42 };
    assert_eq!(id.to_string(), "deadbeef-42");
    assert_eq!(EventId::parse(" deadbeef-42 "), Some(id));
    for junk in ["", "-", "42", "x-1", "1-x", "1-", "-1", "11111111111111111-1", "1-123456789012345678901", "1-2-3"] {
        assert_eq!(EventId::parse(junk), None, "{junk}");
    }
}

#[test]
fn a_viewer_gets_the_frames_it_missed_on_the_items_it_watches() {
    let topic = Topic::new(7);
    topic.seed(vec![(issue(), tally_data(issue(), counts(0))), (note(5), tally_data(note(5), counts(0)))]);
    let start = topic.snapshot(&[issue(), note(5)]);
    assert_eq!(start.cursor, 0);
    assert_eq!(start.frames.len(), 2);
    // The id on the last only: a browser cut off halfway resumes from before it.
    let first = text(&start.frames);
    assert!(first[0].starts_with("event: snapshot\ndata: "), "{first:?}");
    assert!(first[1].starts_with("event: snapshot\nid: 7-0\ndata: "), "{first:?}");
    change(&topic, issue(), 1);
    change(&topic, note(6), 1);
    change(&topic, note(5), 2);
    // Watching the issue and note 5, not note 6 (which it may not read).
    let watched = [issue(), note(5)];
    let caught = topic.since(start.cursor, &watched);
    assert_eq!(caught.cursor, 3);
    assert_eq!(
        text(&caught.frames),
        ["event: reaction\nid: 7-1\ndata: {\"n\":1}\n\n", "event: reaction\nid: 7-3\ndata: {\"n\":2}\n\n"]
    );
    assert!(topic.since(3, &watched).frames.is_empty());
    assert!(topic.resumes(EventId { epoch: 7, seq: 3 }));
    assert!(!topic.resumes(EventId { epoch: 7, seq: 4 }), "a position it never gave");
    assert!(!topic.resumes(EventId { epoch: 8, seq: 1 }), "another topic's");
}

#[test]
fn a_viewer_behind_the_backlog_gets_each_changed_tally_once() {
    let topic = Topic::new(1);
    for n in 1..=200 {
        change(&topic, issue(), n);
    }
    change(&topic, note(9), 3);
    change(&topic, note(8), 4);
    let caught = topic.since(5, &[issue(), note(9)]);
    assert_eq!(caught.cursor, 202);
    let frames = text(&caught.frames);
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert!(frames[0].starts_with("event: resync\nid: 1-200\n") && frames[0].contains("\"count\":200"), "{frames:?}");
    assert!(frames[1].starts_with("event: resync\nid: 1-201\n") && frames[1].contains("\"count\":3"), "{frames:?}");
    // Within the backlog, the frames themselves.
    assert_eq!(topic.since(199, &[issue()]).frames.len(), 1);
}

#[test]
fn a_viewer_far_behind_within_the_backlog_gets_every_frame_in_batches() {
    let topic = Topic::new(1);
    for n in 1..=30 {
        change(&topic, issue(), n);
        change(&topic, note(6), n);
    }
    // Watching the issue only: its 30 frames, in order, none twice, none skipped.
    let (mut cursor, mut got) = (0, Vec::new());
    loop {
        let caught = topic.since(cursor, &[issue()]);
        assert!(caught.frames.len() <= CATCH_UP_BATCH, "{} frames at once", caught.frames.len());
        assert!(caught.cursor >= cursor);
        cursor = caught.cursor;
        if caught.frames.is_empty() {
            break;
        }
        got.extend(text(&caught.frames));
    }
    assert_eq!(cursor, 60);
    let ids: Vec<String> = (1..=30).map(|n| format!("id: 1-{}\n", 2 * n - 1)).collect();
    assert_eq!(got.len(), 30, "{got:?}");
    for (frame, id) in got.iter().zip(&ids) {
        assert!(frame.starts_with("event: reaction\n") && frame.contains(id.as_str()), "{frame:?} is not {id:?}");
    }
}

#[test]
fn tallies_re_read_after_missed_changes_go_out_only_where_they_differ() {
    let topic = Topic::new(1);
    topic.seed(vec![(issue(), tally_data(issue(), counts(1))), (note(2), tally_data(note(2), counts(1)))]);
    // Seeding never overwrites: a change published first is newer.
    change(&topic, note(2), 5);
    topic.seed(vec![(note(2), tally_data(note(2), counts(1)))]);
    topic.refresh(vec![(issue(), tally_data(issue(), counts(1))), (note(2), tally_data(note(2), counts(6)))]);
    let caught = topic.since(1, &[issue(), note(2)]);
    let frames = text(&caught.frames);
    assert_eq!(frames.len(), 1, "{frames:?}");
    assert!(frames[0].starts_with("event: resync\nid: 1-2\n") && frames[0].contains("\"count\":6"), "{frames:?}");
}

#[test]
fn viewers_connecting_together_wake_spread_over_the_second_half_of_a_period() {
    let period = std::time::Duration::from_secs(10);
    let mut buckets = [0u32; 10];
    for _ in 0..1_000 {
        let first = server::live::first_after(period);
        assert!(first >= period / 2 && first <= period, "{first:?}");
        // Tenths of the second half.
        let tenth = ((first.as_secs_f64() / period.as_secs_f64() - 0.5) * 20.0) as usize;
        buckets[tenth.min(9)] += 1;
    }
    // Even: about 100 in each tenth, never a crowd in one.
    assert!(buckets.iter().all(|n| (80..=120).contains(n)), "{buckets:?}");
}
