//! Groups' reaction sets.

use super::{exec, now, on, StoreResult, Tx};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReactionSetRow {
    pub group_id: i64,
    /// Emoji names separated by spaces; empty: all.
    pub emoji: String,
    pub downvotes: bool,
}

impl Tx {
    pub async fn reaction_set(&mut self, group_id: i64) -> StoreResult<Option<ReactionSetRow>> {
        on!(self, c => sqlx::query_as::<_, ReactionSetRow>(
            "SELECT group_id, emoji, downvotes FROM reaction_sets WHERE group_id = $1")
            .bind(group_id).fetch_optional(c).await)
    }

    /// The set of the nearest namespace that has one, from `namespace_id` up
    /// through its parent groups (at most `depth` levels), in one statement.
    pub async fn nearest_reaction_set(&mut self, namespace_id: i64, depth: i64) -> StoreResult<Option<ReactionSetRow>> {
        on!(self, c => sqlx::query_as::<_, ReactionSetRow>(
            "WITH RECURSIVE chain (id, parent_id, kind, depth) AS ( \
               SELECT id, parent_id, kind, 0 FROM namespaces WHERE id = $1 \
               UNION ALL SELECT n.id, n.parent_id, n.kind, chain.depth + 1 FROM namespaces n \
               JOIN chain ON n.id = chain.parent_id WHERE chain.kind = 'group' AND chain.depth + 1 < $2) \
             SELECT s.group_id, s.emoji, s.downvotes FROM reaction_sets s JOIN chain ON s.group_id = chain.id \
             ORDER BY chain.depth LIMIT 1")
            .bind(namespace_id).bind(depth).fetch_optional(c).await)
    }

    pub async fn put_reaction_set(&mut self, group_id: i64, emoji: &str, downvotes: bool) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "INSERT INTO reaction_sets (group_id, emoji, downvotes, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (group_id) DO UPDATE SET emoji = excluded.emoji, downvotes = excluded.downvotes, \
             updated_at = excluded.updated_at")
            .bind(group_id).bind(emoji).bind(downvotes).bind(now()).execute(c).await)?;
        Ok(())
    }

    /// Back to every emoji.
    pub async fn delete_reaction_set(&mut self, group_id: i64) -> StoreResult<()> {
        exec!(self, c => sqlx::query("DELETE FROM reaction_sets WHERE group_id = $1").bind(group_id).execute(c).await)?;
        Ok(())
    }
}
