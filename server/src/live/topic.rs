//! One watched page's channel: every change to its item and its comments,
//! numbered, with a short backlog of the frames themselves and the latest tally
//! of everything it carries. A viewer is only a position in it: a viewer that
//! falls behind the backlog (a stalled connection, or a reconnect after a
//! while) gets each changed item's latest tally instead of the frames it
//! missed, so nothing is ever queued per viewer and nothing is silently lost.

use super::shared::Shared;
use app::events::{AwardableRef, EmojiCount, LiveFrame};
use axum::body::Bytes;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;
use tokio::sync::watch;

/// Frames kept for viewers that are a little behind and for resuming streams.
const BACKLOG: usize = 64;

/// An SSE event id: which topic (an epoch unique to this topic in this process
/// and run) and how far into it. A stream resumes from one only on the same
/// topic; anything else (another process, a restart, a topic that ended) gets
/// a fresh snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventId {
    pub epoch: u64,
    pub seq: u64,
}

impl EventId {
    /// `Last-Event-ID` as a browser sends it back; anything else is `None`.
    pub fn parse(text: &str) -> Option<EventId> {
        let (epoch, seq) = text.trim().split_once('-')?;
        if epoch.len() > 16 || seq.len() > 20 {
            return None;
        }
        Some(EventId { epoch: u64::from_str_radix(epoch, 16).ok()?, seq: seq.parse().ok()? })
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:x}-{}", self.epoch, self.seq)
    }
}

/// A frame as the backlog keeps it: about which awardable, ready to send.
struct Sent {
    seq: u64,
    item: AwardableRef,
    bytes: Bytes,
}

/// An awardable's latest tally (its `data:` JSON) and the change that made it.
struct Tally {
    seq: u64,
    data: Bytes,
}

#[derive(Default)]
struct Log {
    seq: u64,
    backlog: VecDeque<Sent>,
    tallies: HashMap<AwardableRef, Tally>,
}

pub struct Topic {
    /// What each identity may watch on the page (the item and the comments
    /// they may read).
    pub allowed: Shared<Option<i64>, Vec<AwardableRef>>,
    epoch: u64,
    log: Mutex<Log>,
    /// The newest sequence number: every viewer waits on it.
    wake: watch::Sender<u64>,
    /// Held while the tallies of newly watched awardables are read, so many
    /// viewers arriving at once read them once.
    loading: tokio::sync::Mutex<()>,
}

/// What a viewer gets next: frames, and the position after them.
pub struct Catch {
    pub frames: Vec<Bytes>,
    pub cursor: u64,
}

fn sse(event: &str, id: Option<EventId>, data: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(event.len() + data.len() + 48);
    out.extend_from_slice(b"event: ");
    out.extend_from_slice(event.as_bytes());
    if let Some(id) = id {
        out.extend_from_slice(format!("\nid: {id}").as_bytes());
    }
    out.extend_from_slice(b"\ndata: ");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\n\n");
    Bytes::from(out)
}

/// A tally as the `data:` of a frame.
pub fn tally_data(awardable: AwardableRef, counts: Vec<EmojiCount>) -> Bytes {
    Bytes::from(serde_json::to_vec(&LiveFrame::Tally { awardable, counts }).unwrap_or_default())
}

impl Topic {
    pub fn new(epoch: u64) -> Topic {
        Topic {
            allowed: Shared::default(),
            epoch,
            log: Mutex::default(),
            wake: watch::channel(0).0,
            loading: tokio::sync::Mutex::new(()),
        }
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        // A panic while holding it cannot leave the log half-written (every
        // change is a push and an insert), so a poisoned lock is still usable.
        self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.wake.subscribe()
    }

    /// Records one change to `item`: `frame` (the `data:` of a `reaction` frame)
    /// goes to every viewer that keeps up, `tally` to those that fell behind.
    pub fn publish(&self, item: AwardableRef, event: &str, frame: &[u8], tally: Bytes) {
        let seq = {
            let mut log = self.log();
            log.seq += 1;
            let seq = log.seq;
            let bytes = sse(event, Some(EventId { epoch: self.epoch, seq }), frame);
            if log.backlog.len() == BACKLOG {
                log.backlog.pop_front();
            }
            log.backlog.push_back(Sent { seq, item, bytes });
            log.tallies.insert(item, Tally { seq, data: tally });
            seq
        };
        self.wake.send_replace(seq);
    }

    /// The awardables among `items` whose tallies this topic does not hold yet.
    pub fn missing(&self, items: &[AwardableRef]) -> Vec<AwardableRef> {
        let log = self.log();
        items.iter().filter(|item| !log.tallies.contains_key(item)).copied().collect()
    }

    /// Tallies read from the database for awardables not seen before; a change
    /// published since (which is newer) wins.
    pub fn seed(&self, tallies: Vec<(AwardableRef, Bytes)>) {
        let mut log = self.log();
        for (item, data) in tallies {
            log.tallies.entry(item).or_insert(Tally { seq: 0, data });
        }
    }

    /// The tallies a process re-read after it may have missed changes: each
    /// that differs from what the topic holds goes out as a `resync` frame.
    pub fn refresh(&self, tallies: Vec<(AwardableRef, Bytes)>) {
        for (item, data) in tallies {
            let stale = self.log().tallies.get(&item).is_some_and(|known| known.data != data);
            if stale {
                self.publish(item, "resync", &data, data.clone());
            }
        }
    }

    pub async fn loading(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.loading.lock().await
    }

    /// A new viewer's first frames: the current tally of each of `items` (all of
    /// whose tallies the topic holds), and the position they are current at.
    pub fn snapshot(&self, items: &[AwardableRef]) -> Catch {
        let log = self.log();
        let id = EventId { epoch: self.epoch, seq: log.seq };
        let tallies: Vec<&Tally> = items.iter().filter_map(|item| log.tallies.get(item)).collect();
        // The id only on the last: a browser cut off halfway through resumes
        // from before the snapshot (and gets a fresh one), never after it.
        let last = tallies.len().saturating_sub(1);
        let frames =
            tallies.iter().enumerate().map(|(i, t)| sse("snapshot", (i == last).then_some(id), &t.data)).collect();
        Catch { frames, cursor: log.seq }
    }

    /// Whether a stream can resume from `id` here: same topic, a position it gave.
    pub fn resumes(&self, id: EventId) -> bool {
        id.epoch == self.epoch && id.seq <= self.log().seq
    }

    /// What a viewer at `cursor`, watching `items` (sorted), has not had: the
    /// frames themselves while the backlog still holds them all, else each
    /// changed item's latest tally (coalesced, oldest change first).
    pub fn since(&self, cursor: u64, items: &[AwardableRef]) -> Catch {
        let log = self.log();
        let watched = |item: &AwardableRef| items.binary_search(item).is_ok();
        let complete = log.seq == cursor || log.backlog.front().is_some_and(|oldest| oldest.seq <= cursor + 1);
        let frames = if complete {
            log.backlog.iter().filter(|s| s.seq > cursor && watched(&s.item)).map(|s| s.bytes.clone()).collect()
        } else {
            let mut changed: Vec<(&AwardableRef, &Tally)> =
                log.tallies.iter().filter(|(item, t)| t.seq > cursor && watched(item)).collect();
            changed.sort_unstable_by_key(|(_, t)| t.seq);
            changed
                .into_iter()
                .map(|(_, t)| sse("resync", Some(EventId { epoch: self.epoch, seq: t.seq }), &t.data))
                .collect()
        };
        Catch { frames, cursor: log.seq }
    }
}
