//! Reads that many viewers need at the same moment, made together: the first
//! viewers of a thousand pages opening at once share a few read transactions
//! instead of taking two each.
//!
//! A few tasks answer the questions, a batch each at a time: a question asked
//! while one of them is free is read at once, alone; one asked while all are
//! reading waits for the first to end and is read in its next batch, with
//! everything else that arrived meanwhile. A lone viewer so pays one task hop
//! more; a crowd shares the transactions and the statements, and the database
//! still has a few reads to run side by side.
//!
//! A question whose asker has gone (its connection closed while it waited) is
//! dropped unread, so what waits is bounded by the connections open now.

use futures::FutureExt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Mutex};

type Asked<Q, A> = (Q, oneshot::Sender<A>);

pub struct Batch<Q, A> {
    questions: mpsc::UnboundedSender<Asked<Q, A>>,
}

impl<Q: Send + 'static, A: Send + 'static> Batch<Q, A> {
    /// Starts `readers` tasks that answer. `read` takes the questions of a
    /// batch (at most `most`) and gives an answer for each, in order; an
    /// asker it gives none (it answered fewer, or panicked) gets `None`.
    pub fn start<R, F>(most: usize, readers: usize, read: R) -> Self
    where
        R: Fn(Vec<Q>) -> F + Send + Sync + 'static,
        F: Future<Output = Vec<A>> + Send,
    {
        let (questions, asked) = mpsc::unbounded_channel::<Asked<Q, A>>();
        let most = most.max(1);
        let (asked, read) = (Arc::new(Mutex::new(asked)), Arc::new(read));
        for _ in 0..readers.max(1) {
            let (asked, read) = (asked.clone(), read.clone());
            tokio::spawn(async move {
                let mut batch = Vec::with_capacity(most);
                // Only the reader holding the queue waits on it; it lets go
                // as soon as it has a batch.
                while asked.lock().await.recv_many(&mut batch, most).await > 0 {
                    batch.retain(|(_, asker)| !asker.is_closed());
                    if batch.is_empty() {
                        continue;
                    }
                    let (questions, askers): (Vec<Q>, Vec<oneshot::Sender<A>>) = batch.drain(..).unzip();
                    // A read that panics fails its batch, not its reader.
                    let answers =
                        AssertUnwindSafe(async { read(questions).await }).catch_unwind().await.unwrap_or_default();
                    for (asker, answer) in askers.into_iter().zip(answers) {
                        // The viewer may have left meanwhile.
                        let _ = asker.send(answer);
                    }
                }
            });
        }
        Batch { questions }
    }

    /// `question`'s answer; `None` if its batch gave none.
    pub async fn ask(&self, question: Q) -> Option<A> {
        let (asker, answer) = oneshot::channel();
        self.questions.send((question, asker)).ok()?;
        answer.await.ok()
    }
}
