//! Reads that many viewers need at the same moment, made together: the first
//! viewers of a thousand pages opening at once cost a few read transactions
//! between them, not two each.
//!
//! One task answers the questions, a batch at a time: a question asked while
//! no batch is being read is read at once, alone; one asked meanwhile waits for
//! that batch to end and is read in the next, with everything else that
//! arrived. A lone viewer so pays one task hop more; a crowd shares the
//! transactions, the statements and the project reads.
//!
//! Every waiting question is an open connection's, so the connection cap
//! bounds the queue.

use std::future::Future;
use tokio::sync::{mpsc, oneshot};

type Asked<Q, A> = (Q, oneshot::Sender<A>);

pub struct Batch<Q, A> {
    questions: mpsc::UnboundedSender<Asked<Q, A>>,
}

impl<Q: Send + 'static, A: Send + 'static> Batch<Q, A> {
    /// Starts the task that answers. `read` takes the questions of a batch
    /// (at most `most`) and gives an answer for each, in order.
    pub fn start<R, F>(most: usize, mut read: R) -> Self
    where
        R: FnMut(Vec<Q>) -> F + Send + 'static,
        F: Future<Output = Vec<A>> + Send,
    {
        let (questions, mut asked) = mpsc::unbounded_channel::<Asked<Q, A>>();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(most);
            while asked.recv_many(&mut batch, most).await > 0 {
                let (questions, askers): (Vec<Q>, Vec<oneshot::Sender<A>>) = batch.drain(..).unzip();
                for (asker, answer) in askers.into_iter().zip(read(questions).await) {
                    // The viewer may have left meanwhile.
                    let _ = asker.send(answer);
                }
            }
        });
        Batch { questions }
    }

    /// `question`'s answer; `None` if the batch gave none (its task ended).
    pub async fn ask(&self, question: Q) -> Option<A> {
        let (asker, answer) = oneshot::channel();
        self.questions.send((question, asker)).ok()?;
        answer.await.ok()
    }
}
