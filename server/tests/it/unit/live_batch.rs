//! The unit tests of `server/src/live/batch.rs`: questions asked while a batch
//! is read are read together in the next one, each given its own answer.

use server::live::batch::Batch;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

/// A batch whose every read waits for the test to let it through (`open`),
/// then answers ten times each question; it records each batch it read.
struct Gated {
    batch: Arc<Batch<u32, u32>>,
    read: Arc<Mutex<Vec<Vec<u32>>>>,
    gate: Arc<Semaphore>,
}

impl Gated {
    fn start(most: usize, readers: usize) -> Gated {
        let (read, gate) = (Arc::<Mutex<Vec<Vec<u32>>>>::default(), Arc::new(Semaphore::new(0)));
        let (seen, open) = (read.clone(), gate.clone());
        let batch = Arc::new(Batch::start(most, readers, move |asked: Vec<u32>| {
            seen.lock().expect("batches").push(asked.clone());
            let open = open.clone();
            async move {
                open.acquire().await.expect("gate").forget();
                asked.iter().map(|n| n * 10).collect::<Vec<u32>>()
            }
        }));
        Gated { batch, read, gate }
    }

    /// Asks `n` on a task of its own.
    fn ask(&self, n: u32) -> JoinHandle<(u32, Option<u32>)> {
        let batch = self.batch.clone();
        tokio::spawn(async move { (n, batch.ask(n).await) })
    }

    fn batches(&self) -> Vec<Vec<u32>> {
        self.read.lock().expect("batches").clone()
    }

    /// Until `count` batches have started being read.
    async fn started(&self, count: usize) {
        while self.batches().len() < count {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Lets `reads` reads finish; every question of `asked` got its own answer.
    async fn open(&self, reads: usize, asked: Vec<JoinHandle<(u32, Option<u32>)>>) {
        self.gate.add_permits(reads);
        for asked in asked {
            let (n, answer) = asked.await.expect("asked");
            assert_eq!(answer, Some(n * 10), "question {n} got its own answer");
        }
    }
}

#[tokio::test]
async fn questions_asked_while_a_batch_is_read_are_read_together_next() {
    let gated = Gated::start(4, 1);
    // Asked alone: read at once, alone.
    let mut asked = vec![gated.ask(1)];
    gated.started(1).await;
    // Six more while it is read: four (the most) in the next, two after.
    asked.extend((2..=7).map(|n| gated.ask(n)));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(gated.batches().len(), 1, "nothing else read while the first batch is");
    gated.open(3, asked).await;
    let read = gated.batches();
    assert_eq!(read.iter().map(Vec::len).collect::<Vec<_>>(), [1, 4, 2], "{read:?}");
    let mut all: Vec<u32> = read.into_iter().flatten().collect();
    all.sort_unstable();
    assert_eq!(all, [1, 2, 3, 4, 5, 6, 7], "each question read once");
}

#[tokio::test]
async fn several_readers_read_side_by_side_and_batch_only_when_all_are_busy() {
    let gated = Gated::start(8, 2);
    // Two questions one after the other: each reader takes one, at once.
    let mut asked = vec![gated.ask(1)];
    gated.started(1).await;
    asked.push(gated.ask(2));
    gated.started(2).await;
    // Both readers busy: the next five wait, and are read together.
    asked.extend((3..=7).map(|n| gated.ask(n)));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(gated.batches().len(), 2, "no third batch while both readers read");
    gated.open(3, asked).await;
    assert_eq!(gated.batches(), [vec![1], vec![2], vec![3, 4, 5, 6, 7]]);
}

#[tokio::test]
async fn a_question_whose_asker_left_is_not_read() {
    let gated = Gated::start(8, 1);
    let first = gated.ask(1);
    gated.started(1).await;
    // Asked while the first batch is read, then gone (its connection closed).
    let gone = gated.ask(2);
    let stays = gated.ask(3);
    tokio::time::sleep(Duration::from_millis(50)).await;
    gone.abort();
    assert!(gone.await.is_err_and(|e| e.is_cancelled()));
    gated.open(2, vec![first, stays]).await;
    assert_eq!(gated.batches(), [vec![1], vec![3]], "question 2 was not read");
}

#[tokio::test]
async fn a_question_without_an_answer_gets_none_and_a_failed_read_fails_only_its_batch() {
    // A read that gives no answers.
    let short = Batch::start(8, 1, |_asked: Vec<u32>| async move { Vec::<u32>::new() });
    assert_eq!(short.ask(1).await, None);
    // A read that panics fails its batch (its askers get `None` and read
    // alone), and its reader, the only one, goes on answering.
    let failing = Batch::start(8, 1, |asked: Vec<u32>| async move {
        assert!(!asked.contains(&0), "the read failed");
        asked
    });
    assert_eq!(failing.ask(5).await, Some(5));
    assert_eq!(failing.ask(0).await, None);
    let after = tokio::time::timeout(Duration::from_secs(5), failing.ask(6)).await;
    assert_eq!(after, Ok(Some(6)), "the reader is still there");
}
