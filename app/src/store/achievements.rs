//! Achievements and their awards (user_achievements).

use super::{exec, like_escape_pattern, now, on, AchievementRow, StoreResult, Tx, UserAchievementRow};

const ACHIEVEMENT_COLUMNS: &str = "id, namespace_id, name, description, avatar, created_at, updated_at";
const AWARD_COLUMNS: &str = "id, achievement_id, user_id, awarded_by_user_id, revoked_by_user_id, revoked_at, \
     priority, show_on_profile, award_message, accepted_at, created_at, updated_at";

pub struct NewAward<'a> {
    pub achievement_id: i64,
    pub user_id: i64,
    pub awarded_by_user_id: i64,
    pub award_message: Option<&'a str>,
    /// False when the instance requires the recipient to accept first.
    pub accepted: bool,
}

impl Tx {
    pub async fn insert_achievement(
        &mut self,
        namespace_id: i64,
        name: &str,
        description: Option<&str>,
    ) -> StoreResult<AchievementRow> {
        let sql = format!(
            "INSERT INTO achievements (namespace_id, name, description, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING {ACHIEVEMENT_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, AchievementRow>(&sql)
            .bind(namespace_id).bind(name).bind(description).bind(now()).fetch_one(c).await)
    }

    /// Replaces name, description and avatar (the caller merges unchanged values in).
    pub async fn update_achievement(
        &mut self,
        id: i64,
        name: &str,
        description: Option<&str>,
        avatar: Option<&str>,
    ) -> StoreResult<AchievementRow> {
        let sql = format!(
            "UPDATE achievements SET name = $2, description = $3, avatar = $4, updated_at = $5 \
             WHERE id = $1 RETURNING {ACHIEVEMENT_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, AchievementRow>(&sql)
            .bind(id).bind(name).bind(description).bind(avatar).bind(now()).fetch_one(c).await)
    }

    pub async fn delete_achievement(&mut self, id: i64) -> StoreResult<()> {
        exec!(self, c => sqlx::query("DELETE FROM achievements WHERE id = $1").bind(id).execute(c).await)?;
        Ok(())
    }

    pub async fn achievement_by_id(&mut self, id: i64) -> StoreResult<Option<AchievementRow>> {
        let sql = format!("SELECT {ACHIEVEMENT_COLUMNS} FROM achievements WHERE id = $1");
        on!(self, c => sqlx::query_as::<_, AchievementRow>(&sql).bind(id).fetch_optional(c).await)
    }

    /// A group's achievements, newest first, optionally filtered by name.
    pub async fn list_achievements(
        &mut self,
        namespace_id: i64,
        search: &str,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<AchievementRow>> {
        let sql = format!(
            "SELECT {ACHIEVEMENT_COLUMNS} FROM achievements WHERE namespace_id = $1 \
             AND ($2 = '' OR lower(name) LIKE $3 ESCAPE '\\') ORDER BY id DESC LIMIT $4 OFFSET $5"
        );
        on!(self, c => sqlx::query_as::<_, AchievementRow>(&sql)
            .bind(namespace_id).bind(search).bind(like_escape_pattern(search)).bind(limit).bind(offset)
            .fetch_all(c).await)
    }

    pub async fn insert_award(&mut self, award: NewAward<'_>) -> StoreResult<UserAchievementRow> {
        let at = now();
        let sql = format!(
            "INSERT INTO user_achievements (achievement_id, user_id, awarded_by_user_id, award_message, \
             show_on_profile, accepted_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             RETURNING {AWARD_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, UserAchievementRow>(&sql)
            .bind(award.achievement_id).bind(award.user_id).bind(award.awarded_by_user_id)
            .bind(award.award_message).bind(award.accepted).bind(award.accepted.then_some(at)).bind(at)
            .fetch_one(c).await)
    }

    pub async fn award_by_id(&mut self, id: i64) -> StoreResult<Option<UserAchievementRow>> {
        let sql = format!("SELECT {AWARD_COLUMNS} FROM user_achievements WHERE id = $1");
        on!(self, c => sqlx::query_as::<_, UserAchievementRow>(&sql).bind(id).fetch_optional(c).await)
    }

    /// Marks an award revoked, unless it already is. Returns the row if this call revoked it.
    pub async fn revoke_award(&mut self, id: i64, by_user_id: i64) -> StoreResult<Option<UserAchievementRow>> {
        let sql = format!(
            "UPDATE user_achievements SET revoked_by_user_id = $2, revoked_at = $3, updated_at = $3 \
             WHERE id = $1 AND revoked_by_user_id IS NULL RETURNING {AWARD_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, UserAchievementRow>(&sql)
            .bind(id).bind(by_user_id).bind(now()).fetch_optional(c).await)
    }

    pub async fn delete_award(&mut self, id: i64) -> StoreResult<()> {
        exec!(self, c => sqlx::query("DELETE FROM user_achievements WHERE id = $1").bind(id).execute(c).await)?;
        Ok(())
    }

    /// Sets show_on_profile, award_message and accepted_at (the caller merges).
    pub async fn update_award(
        &mut self,
        id: i64,
        show_on_profile: bool,
        award_message: Option<&str>,
        accepted_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> StoreResult<UserAchievementRow> {
        let sql = format!(
            "UPDATE user_achievements SET show_on_profile = $2, award_message = $3, accepted_at = $4, \
             updated_at = $5 WHERE id = $1 RETURNING {AWARD_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, UserAchievementRow>(&sql)
            .bind(id).bind(show_on_profile).bind(award_message).bind(accepted_at).bind(now())
            .fetch_one(c).await)
    }

    /// A user's unrevoked awards in profile order: priority ascending, unprioritised
    /// last, then id. Unchecked: hidden and pending ones included; a listing
    /// shows only what `policy::read_user_achievement` lets through.
    pub async fn awards_of_user_unchecked(&mut self, user_id: i64) -> StoreResult<Vec<UserAchievementRow>> {
        let sql = format!(
            "SELECT {AWARD_COLUMNS} FROM user_achievements WHERE user_id = $1 AND revoked_by_user_id IS NULL \
             ORDER BY priority ASC NULLS LAST, id ASC"
        );
        on!(self, c => sqlx::query_as::<_, UserAchievementRow>(&sql).bind(user_id).fetch_all(c).await)
    }

    /// Unrevoked awards of an achievement, by id. Unchecked: hidden, pending and
    /// private holders' awards included; a listing shows only what
    /// `policy::read_user_achievement` lets through.
    pub async fn awards_of_achievement_unchecked(
        &mut self,
        achievement_id: i64,
    ) -> StoreResult<Vec<UserAchievementRow>> {
        let sql = format!(
            "SELECT {AWARD_COLUMNS} FROM user_achievements WHERE achievement_id = $1 \
             AND revoked_by_user_id IS NULL ORDER BY id ASC"
        );
        on!(self, c => sqlx::query_as::<_, UserAchievementRow>(&sql).bind(achievement_id).fetch_all(c).await)
    }

    pub async fn set_award_priority(&mut self, id: i64, priority: Option<i64>) -> StoreResult<UserAchievementRow> {
        let sql = format!(
            "UPDATE user_achievements SET priority = $2, updated_at = $3 WHERE id = $1 RETURNING {AWARD_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, UserAchievementRow>(&sql)
            .bind(id).bind(priority).bind(now()).fetch_one(c).await)
    }
}
