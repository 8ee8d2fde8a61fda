//! SQLite's writing connection (`app/src/store/writer.rs`), through the store's
//! public API, with no server and so no background writes.

use app::store::{Concerns, NewAudit, Store};
use std::time::Duration;

/// A commit cut short (its request gone while `COMMIT` runs) is still counted
/// as returned, by the task that rolls back after it: the answers that wait
/// for every write before them are not held until some later write.
#[tokio::test]
async fn a_commit_cut_short_does_not_hold_the_answers_after_it() {
    let dir = crate::common::temp_dir();
    let store = Store::connect(&format!("sqlite://{}/cut.db", dir.display())).await.expect("open");
    let filler = "x".repeat(3000);
    // A commit polled once is usually still running on SQLite's thread (and
    // so cut short when dropped), but may be done: tried until one is cut.
    let mut cut_short = false;
    for attempt in 0..50 {
        let mut tx = store.write().await.expect("write");
        // Pages for its `COMMIT` to write.
        for n in 0..100 {
            let entry = NewAudit {
                actor_id: None,
                actor_name: None,
                action: "test",
                target_type: "Test",
                target_id: attempt * 100 + n,
                details: serde_json::json!({ "filler": filler }),
                concerns: Concerns::default(),
            };
            tx.insert_audit(entry).await.expect("insert");
        }
        cut_short = tokio::time::timeout(Duration::ZERO, tx.commit_visible()).await.is_err();
        let answered = tokio::time::timeout(Duration::from_secs(2), store.durable()).await;
        assert!(matches!(answered, Ok(Ok(()))), "an answer waits for the commit (cut: {cut_short}): {answered:?}");
        if cut_short {
            break;
        }
    }
    assert!(cut_short, "no commit was cut short in 50 tries");
    // And the writer is free for the next.
    let next = tokio::time::timeout(Duration::from_secs(2), store.write()).await.expect("writer free").expect("begin");
    next.commit().await.expect("commit");
}
