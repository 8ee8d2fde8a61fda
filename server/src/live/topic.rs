//! One watched page's channel: every change to its item and its comments,
//! numbered, with a short backlog of the frames themselves and the latest tally
//! of everything it carries. A viewer is only a position in it: a viewer that
//! falls behind the backlog (a stalled connection, or a reconnect after a
//! while) gets each changed item's latest tally instead of the frames it
//! missed, so nothing is ever queued per viewer and nothing is silently lost.
//!
//! A viewer on the lean HTTP/1.1 path is also a [`Sink`]: while it keeps up,
//! the topic writes each frame to its socket itself, in one pass over its
//! sinks, as nchan does, so an event costs one `write` per viewer and no task
//! wakes up. A sink that is behind, busy writing, or whose socket is full is
//! left to its own task, which catches up from the topic's log.

use super::shared::Shared;
use app::events::{AwardableRef, EmojiCount, LiveFrame};
use axum::body::Bytes;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::net::TcpStream;
use tokio::sync::watch;

/// Frames kept for viewers that are a little behind and for resuming streams.
const BACKLOG: usize = 64;

/// The most frames one catch-up hands a viewer's task, which holds them until
/// its socket has taken them all. Each is a handle on a frame the backlog
/// holds (32 bytes); after a burst thousands of viewers catch up at once, and a
/// whole backlog each came to megabytes held at the same moment.
pub const CATCH_UP_BATCH: usize = 8;

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

/// The awardables a viewer watches on a page, sorted (for `binary_search`),
/// shared by every viewer allowed the same (a page with a thousand comments
/// is 16 KiB of them).
pub type Watched = Arc<[AwardableRef]>;

/// `items` as a [`Watched`] list.
pub fn watched(mut items: Vec<AwardableRef>) -> Watched {
    items.sort_unstable();
    items.dedup();
    items.into()
}

pub struct Topic {
    /// What each identity may watch on the page (the item and the comments
    /// they may read), sorted: one list for all the viewers who share it.
    pub allowed: Shared<Option<i64>, Watched>,
    epoch: u64,
    log: Mutex<Log>,
    /// The newest sequence number: every viewer waits on it.
    wake: watch::Sender<u64>,
    /// Held while the tallies of newly watched awardables are read, so many
    /// viewers arriving at once read them once.
    loading: tokio::sync::Mutex<()>,
    /// The viewers the topic writes to itself.
    sinks: Mutex<Sinks>,
    /// Taken by each publish for its whole pass, so frames reach every sink
    /// in order.
    publishing: Mutex<()>,
}

/// Slots, so a sink leaves in O(1) however many there are.
#[derive(Default)]
struct Sinks {
    slots: Vec<Option<Arc<Sink>>>,
    free: Vec<usize>,
}

/// What a viewer's last access check covers: the topic writes to it only
/// while both hold, else its own task checks again before anything is sent.
#[derive(Clone, Copy, Debug)]
pub struct Cleared {
    /// The viewer's access signal as it stood (`None`: not checked since it
    /// changed, or a visitor, who has none).
    pub access: Option<u64>,
    /// When the periodic re-check is due.
    pub until: tokio::time::Instant,
}

/// A viewer whose socket the topic writes to while it keeps up.
pub struct Sink {
    socket: Arc<TcpStream>,
    /// The viewer's access signal (`None`: a visitor).
    access: Option<watch::Receiver<u64>>,
    /// Its place in the topic's sinks.
    slot: Mutex<Option<usize>>,
    state: Mutex<SinkState>,
    /// Bumped when the topic left a frame to the viewer's own task.
    wake: watch::Sender<u64>,
}

struct SinkState {
    /// The last frame the viewer has (or whose rest is in `rest`).
    cursor: u64,
    /// What it watches, sorted.
    items: Watched,
    /// The viewer's own task is writing: the topic leaves the socket alone.
    busy: bool,
    /// The end of a frame the socket took only part of: it goes first.
    rest: Option<Bytes>,
    cleared: Cleared,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every change under these locks is a few assignments that cannot panic
    // halfway, so a poisoned lock is still consistent.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Sink {
    /// A viewer at `cursor` watching `items` (sorted) on `socket`, with its
    /// access signal, as last checked.
    pub fn new(
        socket: Arc<TcpStream>,
        (cursor, items): (u64, Watched),
        access: Option<watch::Receiver<u64>>,
        cleared: Cleared,
    ) -> Sink {
        Sink {
            socket,
            access,
            slot: Mutex::new(None),
            state: Mutex::new(SinkState { cursor, items, busy: false, rest: None, cleared }),
            wake: watch::channel(0).0,
        }
    }

    /// Whether the viewer's last check still covers it at `now`: its access
    /// has not changed since, and the periodic re-check is not due.
    fn covered(&self, cleared: &Cleared, now: tokio::time::Instant) -> bool {
        now < cleared.until
            && match &self.access {
                None => true,
                Some(access) => cleared.access == Some(*access.borrow()),
            }
    }

    /// Changes when the viewer's task has something to catch up with.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.wake.subscribe()
    }

    fn nudge(&self) {
        self.wake.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Frame `seq` about `item`, from the topic's pass: written now when the
    /// viewer has everything before it and its socket takes it; else its task
    /// is woken to catch up.
    fn offer(&self, seq: u64, item: AwardableRef, bytes: &Bytes, now: tokio::time::Instant) {
        let Ok(mut state) = self.state.try_lock() else { return self.nudge() };
        if state.busy || state.rest.is_some() || state.cursor + 1 != seq || !self.covered(&state.cleared, now) {
            drop(state);
            return self.nudge();
        }
        if state.items.binary_search(&item).is_err() {
            state.cursor = seq;
            return;
        }
        match self.socket.try_write(bytes) {
            Ok(n) if n == bytes.len() => state.cursor = seq,
            Ok(n) => {
                state.cursor = seq;
                state.rest = Some(bytes.slice(n..));
                drop(state);
                self.nudge();
            }
            // Full (the task waits until it drains) or broken (the task ends).
            Err(_) => {
                drop(state);
                self.nudge();
            }
        }
    }

    /// What the viewer's task must write to catch up: the rest of a frame,
    /// then what it missed. The socket is the task's until [`Sink::release`].
    pub fn catch_up(&self, topic: &Topic) -> Vec<Bytes> {
        let mut state = locked(&self.state);
        let catch = topic.since(state.cursor, &state.items);
        state.cursor = catch.cursor;
        let mut frames: Vec<Bytes> = state.rest.take().into_iter().collect();
        frames.extend(catch.frames);
        if !frames.is_empty() {
            state.busy = true;
        }
        frames
    }

    /// The viewer's task writes something of its own (a keep-alive): the
    /// socket is its until [`Sink::release`]; the rest of a frame goes first.
    pub fn claim(&self) -> Option<Bytes> {
        let mut state = locked(&self.state);
        state.busy = true;
        state.rest.take()
    }

    /// The viewer's task has written what it took.
    pub fn release(&self) {
        locked(&self.state).busy = false;
    }

    /// The viewer's task checked its access again: it watches `items`
    /// (sorted), as of `cleared`.
    pub fn checked(&self, items: Watched, cleared: Cleared) {
        let mut state = locked(&self.state);
        state.items = items;
        state.cleared = cleared;
    }
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
            sinks: Mutex::default(),
            publishing: Mutex::new(()),
        }
    }

    fn log(&self) -> MutexGuard<'_, Log> {
        locked(&self.log)
    }

    /// From now on the topic writes to `sink` itself while it keeps up.
    pub fn attach(&self, sink: &Arc<Sink>) {
        let mut sinks = locked(&self.sinks);
        let slot = match sinks.free.pop() {
            Some(free) => free,
            None => {
                sinks.slots.push(None);
                sinks.slots.len() - 1
            }
        };
        sinks.slots[slot] = Some(sink.clone());
        *locked(&sink.slot) = Some(slot);
    }

    /// The viewer of `sink` is gone.
    pub fn detach(&self, sink: &Sink) {
        let mut sinks = locked(&self.sinks);
        if let Some(slot) = locked(&sink.slot).take() {
            sinks.slots[slot] = None;
            sinks.free.push(slot);
        }
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.wake.subscribe()
    }

    /// Records one change to `item`: `frame` (the `data:` of a `reaction` frame)
    /// goes to every viewer that keeps up, `tally` to those that fell behind.
    pub fn publish(&self, item: AwardableRef, event: &str, frame: &[u8], tally: Bytes) {
        // Held through the pass: publishes reach the sinks in the order of
        // their numbers.
        let _turn = locked(&self.publishing);
        let (seq, bytes) = {
            let mut log = self.log();
            log.seq += 1;
            let seq = log.seq;
            let bytes = sse(event, Some(EventId { epoch: self.epoch, seq }), frame);
            if log.backlog.len() == BACKLOG {
                log.backlog.pop_front();
            }
            log.backlog.push_back(Sent { seq, item, bytes: bytes.clone() });
            log.tallies.insert(item, Tally { seq, data: tally });
            (seq, bytes)
        };
        // The viewers whose frames go through their own task.
        self.wake.send_replace(seq);
        // The sinks as they are now that the frame is in the log: one that
        // attaches later catches up from the log itself. Copied, so viewers
        // arriving and leaving never wait for the pass.
        let sinks: Vec<Arc<Sink>> = locked(&self.sinks).slots.iter().flatten().cloned().collect();
        let now = tokio::time::Instant::now();
        for sink in &sinks {
            sink.offer(seq, item, &bytes, now);
        }
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
    /// frames themselves while the backlog still holds them all, at most
    /// [`CATCH_UP_BATCH`] at a time (the position returned is then after the
    /// last of them, and the viewer comes back for the rest), else each
    /// changed item's latest tally (coalesced, oldest change first).
    pub fn since(&self, cursor: u64, items: &[AwardableRef]) -> Catch {
        let log = self.log();
        let watched = |item: &AwardableRef| items.binary_search(item).is_ok();
        let complete = log.seq == cursor || log.backlog.front().is_some_and(|oldest| oldest.seq <= cursor + 1);
        if complete {
            let mut frames = Vec::new();
            for sent in log.backlog.iter().filter(|s| s.seq > cursor && watched(&s.item)) {
                if frames.len() == CATCH_UP_BATCH {
                    return Catch { frames, cursor: sent.seq - 1 };
                }
                frames.push(sent.bytes.clone());
            }
            return Catch { frames, cursor: log.seq };
        }
        let frames = {
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
