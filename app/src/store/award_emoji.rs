//! Emoji reactions on issues, merge requests, snippets and notes.

use super::{exec, now, on, AwardEmojiRow, StoreResult, Tx};

pub(super) const AWARD_EMOJI_COLUMNS: &str = "id, name, user_id, awardable_type, awardable_id, created_at, updated_at";

impl Tx {
    /// Inserts the reaction unless this user already gave this emoji to this
    /// awardable; `None` then. The unique index makes this race-free.
    pub async fn insert_award_emoji(
        &mut self,
        user_id: i64,
        awardable_type: &str,
        awardable_id: i64,
        name: &str,
    ) -> StoreResult<Option<AwardEmojiRow>> {
        let sql = format!(
            "INSERT INTO award_emoji (name, user_id, awardable_type, awardable_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING RETURNING {AWARD_EMOJI_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, AwardEmojiRow>(&sql)
            .bind(name).bind(user_id).bind(awardable_type).bind(awardable_id).bind(now())
            .fetch_optional(c).await)
    }

    pub async fn award_emoji_by_id(&mut self, id: i64) -> StoreResult<Option<AwardEmojiRow>> {
        let sql = format!("SELECT {AWARD_EMOJI_COLUMNS} FROM award_emoji WHERE id = $1");
        on!(self, c => sqlx::query_as::<_, AwardEmojiRow>(&sql).bind(id).fetch_optional(c).await)
    }

    pub async fn find_award_emoji(
        &mut self,
        user_id: i64,
        awardable_type: &str,
        awardable_id: i64,
        name: &str,
    ) -> StoreResult<Option<AwardEmojiRow>> {
        let sql = format!(
            "SELECT {AWARD_EMOJI_COLUMNS} FROM award_emoji WHERE user_id = $1 AND awardable_type = $2 \
             AND awardable_id = $3 AND name = $4"
        );
        on!(self, c => sqlx::query_as::<_, AwardEmojiRow>(&sql)
            .bind(user_id).bind(awardable_type).bind(awardable_id).bind(name).fetch_optional(c).await)
    }

    /// Deletes a reaction; false if it was already gone.
    pub async fn delete_award_emoji(&mut self, id: i64) -> StoreResult<bool> {
        let done = exec!(self, c => sqlx::query("DELETE FROM award_emoji WHERE id = $1").bind(id).execute(c).await)?;
        Ok(done > 0)
    }

    /// Reactions below id `before` (all when `None`), newest first: the home
    /// feed's candidates. Unchecked: the domain lets each through the policy.
    pub async fn recent_award_emoji_unchecked(
        &mut self,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<AwardEmojiRow>> {
        let sql = format!("SELECT {AWARD_EMOJI_COLUMNS} FROM award_emoji WHERE id < $1 ORDER BY id DESC LIMIT $2");
        on!(self, c => sqlx::query_as::<_, AwardEmojiRow>(&sql)
            .bind(before.unwrap_or(i64::MAX)).bind(limit).fetch_all(c).await)
    }

    /// Reactions on one awardable, by id.
    pub async fn award_emoji_of(
        &mut self,
        awardable_type: &str,
        awardable_id: i64,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<AwardEmojiRow>> {
        let sql = format!(
            "SELECT {AWARD_EMOJI_COLUMNS} FROM award_emoji WHERE awardable_type = $1 AND awardable_id = $2 \
             ORDER BY id LIMIT $3 OFFSET $4"
        );
        on!(self, c => sqlx::query_as::<_, AwardEmojiRow>(&sql)
            .bind(awardable_type).bind(awardable_id).bind(limit).bind(offset).fetch_all(c).await)
    }

    /// Every reaction on many awardables of one type at once (the comments on
    /// a page), by awardable, then id.
    pub async fn award_emoji_on(
        &mut self,
        awardable_type: &str,
        awardable_ids: &[i64],
    ) -> StoreResult<Vec<AwardEmojiRow>> {
        let mut rows = Vec::new();
        for ids in awardable_ids.chunks(500) {
            let sql = format!(
                "SELECT {AWARD_EMOJI_COLUMNS} FROM award_emoji WHERE awardable_type = $1 \
                 AND awardable_id IN ({}) ORDER BY awardable_id, id",
                super::numbered_params(2, ids.len())
            );
            let chunk = on!(self, c => ids
                .iter()
                .fold(sqlx::query_as::<_, AwardEmojiRow>(&sql).bind(awardable_type), |q, id| q.bind(id))
                .fetch_all(c)
                .await)?;
            rows.extend(chunk);
        }
        Ok(rows)
    }

    pub async fn count_award_emoji_of(&mut self, awardable_type: &str, awardable_id: i64) -> StoreResult<i64> {
        on!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM award_emoji WHERE awardable_type = $1 AND awardable_id = $2")
            .bind(awardable_type).bind(awardable_id).fetch_one(c).await)
    }

    /// (emoji name, count) on one awardable, in order of first use.
    pub async fn award_emoji_counts(
        &mut self,
        awardable_type: &str,
        awardable_id: i64,
    ) -> StoreResult<Vec<(String, i64)>> {
        on!(self, c => sqlx::query_as::<_, (String, i64)>(
            "SELECT name, COUNT(*) FROM award_emoji WHERE awardable_type = $1 AND awardable_id = $2 \
             GROUP BY name ORDER BY MIN(id)")
            .bind(awardable_type).bind(awardable_id).fetch_all(c).await)
    }

    /// (awardable id, emoji name, count) on many awardables of one type at once
    /// (a page of issues, a list of notes), in order of first use per item.
    pub async fn award_emoji_tallies(
        &mut self,
        awardable_type: &str,
        awardable_ids: &[i64],
    ) -> StoreResult<Vec<(i64, String, i64)>> {
        if awardable_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT awardable_id, name, COUNT(*) FROM award_emoji WHERE awardable_type = $1 \
             AND awardable_id IN ({}) GROUP BY awardable_id, name ORDER BY awardable_id, MIN(id)",
            super::numbered_params(2, awardable_ids.len())
        );
        on!(self, c => awardable_ids
            .iter()
            .fold(sqlx::query_as::<_, (i64, String, i64)>(&sql).bind(awardable_type), |q, id| q.bind(id))
            .fetch_all(c)
            .await)
    }
}
