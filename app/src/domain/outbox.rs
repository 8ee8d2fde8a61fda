//! Durable mail: a message is written to the outbox in the transaction of the
//! change that causes it, and a worker delivers it afterwards, retrying with
//! backoff for about a day. Nothing committed is lost to a crash, a restart or an
//! SMTP outage. Each message is claimed by one worker at a time (several server
//! processes share one PostgreSQL outbox), and keeps one Message-ID across
//! attempts: a crash after the SMTP server accepted it but before it was marked
//! sent can send it again, and that copy carries the same Message-ID.

use super::mail::{Mail, SharedMailer};
use super::{AppState, DomainResult};
use crate::store::{now, NewMail, OutboxRow, Tx};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// Attempts before a message is given up on: with the backoff below, about 24 hours.
pub const MAX_ATTEMPTS: i32 = 30;

/// How often the worker looks for due messages when nothing woke it
/// (retries coming due, mail written by another process).
const POLL: Duration = Duration::from_secs(2);

/// Wakes this process's delivery worker when a message is written.
#[derive(Clone, Default)]
pub struct OutboxSignal(Arc<Notify>);

impl OutboxSignal {
    pub(crate) fn wake(&self) {
        self.0.notify_one();
    }
}

/// The wait after the `attempts`-th failure: 30 s, doubling, at most an hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let doubling = attempts.clamp(1, 8) - 1;
    chrono::Duration::seconds((30i64 << doubling).min(3600))
}

/// Queues `mail` in `tx`, due at `not_before`.
pub(crate) async fn enqueue(
    tx: &mut Tx,
    group_id: Option<i64>,
    mail: &Mail,
    not_before: DateTime<Utc>,
) -> DomainResult<()> {
    let message_id = super::auth::random_secret(24);
    tx.insert_mail(NewMail {
        message_id: &message_id,
        group_id,
        to_name: &mail.to_name,
        to_address: &mail.to_address,
        subject: &mail.subject,
        text_body: &mail.text,
        html_body: &mail.html,
        not_before,
    })
    .await?;
    Ok(())
}

/// Award mails one person gets in an hour, from all groups together: past
/// it, an award stands unmailed (it is on their profile). A group's own limit
/// (`award_emails_per_group_per_hour`) holds mail back; this one is for
/// whoever makes groups to send a person more.
pub const MAILS_PER_RECIPIENT_PER_HOUR: i64 = 20;

/// Whether `address` may be sent one more award mail this hour.
pub(crate) async fn recipient_has_room(tx: &mut Tx, address: &str) -> DomainResult<bool> {
    let hour_ago = now() - chrono::Duration::hours(1);
    Ok(tx.mails_to_since(address, hour_ago).await? < MAILS_PER_RECIPIENT_PER_HOUR)
}

/// When a group's award e-mails may go out, for a run of awards in one
/// transaction (one by hand, or a whole file): now, unless `per_hour` (0: no
/// limit) are already due within an hour of each other, then an hour after the
/// earliest of the last `per_hour`. Mail over the limit waits its turn; none is
/// dropped. The group's times are read once, then counted here mail by mail.
pub(crate) struct MailSlots {
    per_hour: usize,
    /// Due times of the group's mail from an hour ago on, earliest first;
    /// `None` until read.
    taken: Option<Vec<DateTime<Utc>>>,
}

impl MailSlots {
    pub(crate) fn new(per_hour: i32) -> MailSlots {
        MailSlots { per_hour: usize::try_from(per_hour).unwrap_or(0), taken: None }
    }

    pub(crate) async fn next(&mut self, tx: &mut Tx, group_id: i64) -> DomainResult<DateTime<Utc>> {
        let at = now();
        if self.per_hour == 0 {
            return Ok(at);
        }
        let hour = chrono::Duration::hours(1);
        let taken = match &mut self.taken {
            Some(taken) => taken,
            None => {
                let mut times = tx.group_mail_times(group_id, at - hour).await?;
                times.sort_unstable();
                self.taken.insert(times)
            }
        };
        let slot = match taken.len().checked_sub(self.per_hour) {
            Some(kth) => (taken[kth] + hour).max(at),
            None => at,
        };
        let place = taken.partition_point(|t| *t <= slot);
        taken.insert(place, slot);
        Ok(slot)
    }
}

/// What one delivery step did.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    Idle,
    Sent,
    Failed,
}

/// Claims the next due message and tries to deliver it. `lease` must outlast a
/// send (the SMTP timeout): after it, another worker may claim the message again.
pub async fn deliver_next(app: &AppState, mailer: &SharedMailer, lease: Duration) -> DomainResult<Step> {
    let lease = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(5));
    // Read first (a claim is a write, and a write is synced to disk): an idle
    // server writes nothing.
    let due = app.store.one_statement().await?.next_mail_due().await?;
    if due.is_none_or(|at| at > now()) {
        return Ok(Step::Idle);
    }
    let mut tx = app.store.write().await?;
    let claimed = tx.claim_mail(now() + lease).await?;
    tx.commit().await?;
    let Some(row) = claimed else { return Ok(Step::Idle) };
    let outcome = mailer.send(&row.message_id, mail_of(&row)).await;
    let mut tx = app.store.write().await?;
    let step = match outcome {
        Ok(()) => {
            tx.mail_sent(row.id).await?;
            Step::Sent
        }
        Err(err) => {
            let retry_at = (row.attempts < MAX_ATTEMPTS).then(|| now() + backoff(row.attempts));
            match retry_at {
                Some(at) => tracing::warn!(
                    "mail {} to {} failed (attempt {}), retry at {at}: {err}",
                    row.id,
                    row.to_address,
                    row.attempts
                ),
                None => tracing::error!(
                    "mail {} to {} given up after {} attempts: {err}",
                    row.id,
                    row.to_address,
                    row.attempts
                ),
            }
            tx.mail_failed(row.id, &err, retry_at).await?;
            Step::Failed
        }
    };
    tx.commit().await?;
    Ok(step)
}

fn mail_of(row: &OutboxRow) -> Mail {
    Mail {
        to_name: row.to_name.clone(),
        to_address: row.to_address.clone(),
        subject: row.subject.clone(),
        text: row.text_body.clone(),
        html: row.html_body.clone(),
    }
}

/// Delivers until `stop` turns true; the message in progress then finishes (it is
/// sent and marked, or marked for a retry) before this returns.
pub async fn run(
    app: AppState,
    signal: OutboxSignal,
    mailer: SharedMailer,
    lease: Duration,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        let wait = match deliver_next(&app, &mailer, lease).await {
            Ok(Step::Sent) => continue,
            // A failure waits its backoff; others may be due, but an outage
            // should not spin: look again shortly.
            Ok(Step::Failed) => Duration::from_millis(200),
            Ok(Step::Idle) => POLL,
            Err(err) => {
                tracing::warn!("mail outbox: {err}");
                POLL
            }
        };
        tokio::select! {
            _ = signal.0.notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
    }
}
