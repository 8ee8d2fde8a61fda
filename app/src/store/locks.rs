//! What a PostgreSQL write transaction holds to make "read, decide, then
//! write" one step, as SQLite's single writer makes every write transaction
//! (so there these are no-ops). READ COMMITTED lets two transactions read the
//! same rows and both write: two Owners demoting each other, awards counted
//! against a limit at once, two issues numbered alike. Each lock lasts until
//! the transaction ends; the same transaction may take one again.
//!
//! Order, to never wait in a circle: a group before an award rule.

use super::{exec, StoreResult, Tx};

/// Which kind of thing a lock is on (the advisory lock's first key).
#[derive(Clone, Copy)]
enum Kind {
    /// An achievement's award rule: one person is never awarded twice.
    AwardRule = 7411,
    /// A group's members, awards (and their hourly limits), rules and hooks
    /// (and their counts).
    Group = 7412,
    /// A project's issue and merge request numbers.
    ProjectNumbers = 7413,
    /// Claiming a webhook delivery: one in flight per hook.
    DeliveryClaims = 7414,
    /// Making a signing key: each has a number of its own.
    SigningKeys = 7415,
}

impl Tx {
    async fn advisory_lock(&mut self, kind: Kind, id: i64) -> StoreResult<()> {
        if self.is_postgres() {
            let id = i32::try_from(id.rem_euclid(i64::from(i32::MAX))).unwrap_or(0);
            exec!(self, c => sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
                .bind(kind as i32).bind(id).execute(c).await)?;
        }
        Ok(())
    }

    /// Holds the achievement's rule for the rest of the transaction, so two
    /// processes evaluating it at once cannot award one person twice.
    pub async fn lock_award_rule(&mut self, achievement_id: i64) -> StoreResult<()> {
        self.advisory_lock(Kind::AwardRule, achievement_id).await
    }

    /// Holds the group for the rest of the transaction: its Owners, what it
    /// counts against its limits, and how many rules and hooks it has.
    pub async fn lock_group(&mut self, group_id: i64) -> StoreResult<()> {
        self.advisory_lock(Kind::Group, group_id).await
    }

    /// Claims one delivery at a time: a claim sees every claim made before
    /// it (whose hook then has one in flight), not the snapshot its
    /// statement began with.
    pub async fn lock_delivery_claims(&mut self) -> StoreResult<()> {
        self.advisory_lock(Kind::DeliveryClaims, 0).await
    }

    /// Makes signing keys one at a time (the first, made at first use by
    /// whoever asks, and each rotation).
    pub async fn lock_signing_keys(&mut self) -> StoreResult<()> {
        self.advisory_lock(Kind::SigningKeys, 0).await
    }

    /// Holds the project's numbering for the rest of the transaction.
    pub async fn lock_project_numbers(&mut self, project_id: i64) -> StoreResult<()> {
        self.advisory_lock(Kind::ProjectNumbers, project_id).await
    }
}
