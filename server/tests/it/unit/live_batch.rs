//! The unit tests of `server/src/live/batch.rs`: questions asked while a batch
//! is read are read together in the next one, each given its own answer.

use server::live::batch::Batch;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

#[tokio::test]
async fn questions_asked_while_a_batch_is_read_are_read_together_next() {
    let batches: Arc<Mutex<Vec<Vec<u32>>>> = Arc::default();
    // Each batch's read waits for the test to let it through.
    let gate = Arc::new(Semaphore::new(0));
    let (seen, open) = (batches.clone(), gate.clone());
    let batch = Arc::new(Batch::start(4, 1, move |asked: Vec<u32>| {
        seen.lock().expect("batches").push(asked.clone());
        let open = open.clone();
        async move {
            open.acquire().await.expect("gate").forget();
            asked.iter().map(|n| n * 10).collect::<Vec<u32>>()
        }
    }));
    let ask = |n: u32| {
        let batch = batch.clone();
        tokio::spawn(async move { (n, batch.ask(n).await) })
    };
    // Asked alone: read at once, alone.
    let first = ask(1);
    while batches.lock().expect("batches").is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Six more while it is read: four (the most) in the next, two after.
    let rest: Vec<_> = (2..=7).map(ask).collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(batches.lock().expect("batches").len(), 1, "nothing else read while the first batch is");
    gate.add_permits(3);
    for asked in std::iter::once(first).chain(rest) {
        let (n, answer) = asked.await.expect("asked");
        assert_eq!(answer, Some(n * 10), "question {n} got its own answer");
    }
    let mut read = batches.lock().expect("batches").clone();
    assert_eq!(read.iter().map(Vec::len).collect::<Vec<_>>(), [1, 4, 2], "{read:?}");
    let mut all: Vec<u32> = read.iter_mut().flat_map(|b| b.drain(..)).collect();
    all.sort_unstable();
    assert_eq!(all, [1, 2, 3, 4, 5, 6, 7], "each question read once");
}

#[tokio::test]
async fn a_question_without_an_answer_gets_none_and_so_does_every_one_after_a_failed_read() {
    // A read that gives no answers.
    let short = Batch::start(8, 1, |_asked: Vec<u32>| async move { Vec::<u32>::new() });
    assert_eq!(short.ask(1).await, None);
    // A read that panics ends its reader: with none left, every question from
    // then on gets `None` (its caller reads alone) instead of waiting for ever.
    let failing = Batch::start(8, 1, |asked: Vec<u32>| async move {
        assert!(!asked.contains(&0), "the read failed");
        asked
    });
    assert_eq!(failing.ask(5).await, Some(5));
    assert_eq!(failing.ask(0).await, None);
    let after = tokio::time::timeout(Duration::from_secs(5), failing.ask(6)).await;
    assert_eq!(after, Ok(None), "answered at once, without an answer");
}

#[tokio::test]
async fn several_readers_read_side_by_side_and_batch_only_when_all_are_busy() {
    let batches: Arc<Mutex<Vec<Vec<u32>>>> = Arc::default();
    let gate = Arc::new(Semaphore::new(0));
    let (seen, open) = (batches.clone(), gate.clone());
    let batch = Arc::new(Batch::start(8, 2, move |asked: Vec<u32>| {
        seen.lock().expect("batches").push(asked.clone());
        let open = open.clone();
        async move {
            open.acquire().await.expect("gate").forget();
            asked
        }
    }));
    let ask = |n: u32| {
        let batch = batch.clone();
        tokio::spawn(async move { (n, batch.ask(n).await) })
    };
    let read = |count: usize| {
        let batches = batches.clone();
        async move {
            while batches.lock().expect("batches").len() < count {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };
    // Two questions one after the other: each reader takes one, at once.
    let first = [ask(1)];
    read(1).await;
    let second = [ask(2)];
    read(2).await;
    // Both readers busy: the next five wait, and are read together.
    let rest: Vec<_> = (3..=7).map(ask).collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(batches.lock().expect("batches").len(), 2, "no third batch while both readers read");
    gate.add_permits(3);
    for asked in first.into_iter().chain(second).chain(rest) {
        let (n, answer) = asked.await.expect("asked");
        assert_eq!(answer, Some(n));
    }
    let read = batches.lock().expect("batches").clone();
    assert_eq!(read, [vec![1], vec![2], vec![3, 4, 5, 6, 7]]);
}

#[tokio::test]
async fn a_question_whose_asker_left_is_not_read() {
    let batches: Arc<Mutex<Vec<Vec<u32>>>> = Arc::default();
    let gate = Arc::new(Semaphore::new(0));
    let (seen, open) = (batches.clone(), gate.clone());
    let batch = Arc::new(Batch::start(8, 1, move |asked: Vec<u32>| {
        seen.lock().expect("batches").push(asked.clone());
        let open = open.clone();
        async move {
            open.acquire().await.expect("gate").forget();
            asked
        }
    }));
    let ask = |n: u32| {
        let batch = batch.clone();
        tokio::spawn(async move { batch.ask(n).await })
    };
    let first = ask(1);
    while batches.lock().expect("batches").is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Asked while the first batch is read, then gone (its connection closed).
    let gone = ask(2);
    let stays = ask(3);
    tokio::time::sleep(Duration::from_millis(50)).await;
    gone.abort();
    assert!(gone.await.is_err_and(|e| e.is_cancelled()));
    gate.add_permits(2);
    assert_eq!(first.await.expect("first"), Some(1));
    assert_eq!(stays.await.expect("stays"), Some(3));
    assert_eq!(*batches.lock().expect("batches"), [vec![1], vec![3]], "question 2 was not read");
}
