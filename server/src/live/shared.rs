//! A read that the viewers of one topic share: what an identity may watch on
//! a page, or the mark of what it sees there. Viewers arriving together, and
//! the periodic re-checks of many viewers with the same identity (every
//! visitor is one), read it once; a viewer whose access may have shrunk asks
//! for a fresh read. A failed read is never kept, so someone who just lost
//! access is refused at once.

use app::domain::DomainResult;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// Nothing older is ever asked for (the longest a re-check may reuse).
const KEPT_FOR: Duration = Duration::from_secs(60);

/// At most this many reads are kept: a flood of distinct keys (searches)
/// starts the map afresh.
const KEPT: usize = 1_000;

struct Reads<K, V> {
    version: u64,
    values: HashMap<K, (V, Instant)>,
}

pub struct Shared<K, V> {
    /// Held while a read runs, so a key is read once however many ask at once.
    reads: tokio::sync::Mutex<Reads<K, V>>,
}

impl<K: Eq + Hash, V: Clone> Default for Shared<K, V> {
    fn default() -> Self {
        Shared { reads: tokio::sync::Mutex::new(Reads { version: 0, values: HashMap::new() }) }
    }
}

impl<K: Eq + Hash, V: Clone> Shared<K, V> {
    /// Drops the reads kept for the keys `stale` picks (an identity whose
    /// access may have shrunk): whoever asks next with one reads afresh.
    pub async fn forget(&self, stale: impl Fn(&K) -> bool) {
        self.reads.lock().await.values.retain(|key, _| !stale(key));
    }

    /// `key`'s value as of `version` (what it depends on changed when the
    /// version did), read at most `max_age` ago, else read now with `read`.
    pub async fn get<F>(&self, version: u64, key: K, max_age: Duration, read: impl FnOnce() -> F) -> DomainResult<V>
    where
        F: Future<Output = DomainResult<V>>,
    {
        let mut reads = self.reads.lock().await;
        if reads.version != version {
            *reads = Reads { version, values: HashMap::new() };
        }
        if let Some((value, at)) = reads.values.get(&key) {
            if at.elapsed() <= max_age {
                return Ok(value.clone());
            }
        }
        let value = match read().await {
            Ok(value) => value,
            Err(err) => {
                reads.values.remove(&key);
                return Err(err);
            }
        };
        reads.values.retain(|_, (_, at)| at.elapsed() <= KEPT_FOR);
        if reads.values.len() >= KEPT {
            reads.values.clear();
        }
        reads.values.insert(key, (value.clone(), Instant::now()));
        Ok(value)
    }
}
