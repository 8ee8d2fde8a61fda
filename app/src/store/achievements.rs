//! Achievements and their awards (user_achievements).

use super::users::USER_COLUMNS;
use super::{
    exec, like_escape_pattern, now, on, AchievementRow, AvatarImageRow, HeldAchievementRow, StoreResult, Tx,
    UserAchievementRow, UserRow,
};
use crate::policy::AwardListing;

const ACHIEVEMENT_COLUMNS: &str = "id, namespace_id, name, description, avatar, created_at, updated_at";
pub(super) const AWARD_COLUMNS: &str =
    "id, achievement_id, user_id, awarded_by_user_id, revoked_by_user_id, revoked_at, \
     priority, show_on_profile, award_message, accepted_at, created_at, updated_at";

/// The awards `AwardListing::admits` lets through (`$2` private holders too,
/// `$3` the viewer, `$4` hidden awards too). Keep in step with `admits`;
/// `policy` and the permissions suite hold the two equal.
macro_rules! listing_rule {
    () => {
        "($2 OR user_id = $3 OR EXISTS (SELECT 1 FROM users u WHERE u.id = user_achievements.user_id \
          AND u.private_profile = FALSE AND u.state <> 'blocked')) \
     AND ($4 OR user_id = $3 OR (show_on_profile = TRUE AND accepted_at IS NOT NULL))"
    };
}
/// An achievement's (`$1`) unrevoked awards that the listing lets through.
const LISTED_AWARDS: &str = concat!("achievement_id = $1 AND revoked_by_user_id IS NULL AND ", listing_rule!());

/// The same for several achievements at once: `$1` the first, `$5`... the rest.
fn listed_awards_of(ids: usize) -> String {
    let rest = match ids {
        0 | 1 => String::new(),
        n => format!(", {}", super::numbered_params(5, n - 1)),
    };
    format!(concat!("achievement_id IN ($1{}) AND revoked_by_user_id IS NULL AND ", listing_rule!()), rest)
}

/// The awards a profile lists: the user's unrevoked awards from `groups`, the
/// hidden and pending ones only from `hidden_in`. The domain decides both
/// lists per awarding group with `policy::award_listing`. `only`: just that
/// award, if the rest lets it through.
pub struct ProfileAwards<'a> {
    pub user_id: i64,
    pub groups: &'a [i64],
    pub hidden_in: &'a [i64],
    pub only: Option<i64>,
}

impl ProfileAwards<'_> {
    fn params(&self) -> usize {
        1 + self.groups.len() + self.hidden_in.len() + usize::from(self.only.is_some())
    }

    fn filter(&self) -> String {
        let groups = super::numbered_params(2, self.groups.len());
        let hidden = super::numbered_params(2 + self.groups.len(), self.hidden_in.len());
        let only = match self.only {
            Some(_) => format!(" AND id = ${}", self.params()),
            None => String::new(),
        };
        format!(
            "user_id = $1 AND revoked_by_user_id IS NULL AND achievement_id IN \
             (SELECT id FROM achievements WHERE namespace_id IN ({groups})) \
             AND ((show_on_profile = TRUE AND accepted_at IS NOT NULL) OR achievement_id IN \
             (SELECT id FROM achievements WHERE namespace_id IN ({hidden}))){only}"
        )
    }

    /// The values of `$1`, `$2`, ... in order.
    fn values(&self) -> impl Iterator<Item = i64> + '_ {
        std::iter::once(self.user_id)
            .chain(self.groups.iter().copied())
            .chain(self.hidden_in.iter().copied())
            .chain(self.only)
    }
}

/// A group's achievements whose name contains `search` (any when empty), and
/// only those in `ids` when given.
pub struct AchievementSearch<'a> {
    pub namespace_id: i64,
    pub search: &'a str,
    pub ids: Option<&'a [i64]>,
}

impl AchievementSearch<'_> {
    fn filter(&self) -> String {
        let mut filter = "namespace_id = $1 AND ($2 = '' OR lower(name) LIKE $3 ESCAPE '\\')".to_string();
        if let Some(ids) = self.ids {
            filter.push_str(&format!(" AND id IN ({})", super::numbered_params(4, ids.len())));
        }
        filter
    }
}

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

    /// Sets (or replaces) an achievement's avatar image.
    pub async fn put_avatar_image(
        &mut self,
        achievement_id: i64,
        content_type: &str,
        digest: &str,
        data: &[u8],
    ) -> StoreResult<u64> {
        let sql = "INSERT INTO achievement_avatars (achievement_id, content_type, digest, data, updated_at) \
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (achievement_id) DO UPDATE SET \
                   content_type = excluded.content_type, digest = excluded.digest, data = excluded.data, \
                   updated_at = excluded.updated_at";
        exec!(self, c => sqlx::query(sql)
            .bind(achievement_id).bind(content_type).bind(digest).bind(data).bind(now()).execute(c).await)
    }

    /// An achievement's avatar image, if it has one; without its bytes when
    /// its digest is `known` (the asker's copy is current).
    pub async fn avatar_image(
        &mut self,
        achievement_id: i64,
        known: Option<&str>,
    ) -> StoreResult<Option<AvatarImageRow>> {
        let sql = "SELECT a.avatar AS file, i.content_type, i.digest, \
                   CASE WHEN i.digest = $2 THEN NULL ELSE i.data END AS data FROM achievement_avatars i \
                   JOIN achievements a ON a.id = i.achievement_id WHERE i.achievement_id = $1";
        on!(self, c => sqlx::query_as::<_, AvatarImageRow>(sql).bind(achievement_id).bind(known).fetch_optional(c).await)
    }

    /// Achievements that name an avatar file but have no image in the
    /// database (made by a version that kept them on disk): id and file name.
    pub async fn avatars_on_disk(&mut self) -> StoreResult<Vec<(i64, String)>> {
        let sql = "SELECT id, avatar FROM achievements a WHERE avatar IS NOT NULL \
                   AND NOT EXISTS (SELECT 1 FROM achievement_avatars i WHERE i.achievement_id = a.id) ORDER BY id";
        on!(self, c => sqlx::query_as::<_, (i64, String)>(sql).fetch_all(c).await)
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

    /// The achievements with these ids (any order; unknown ids are skipped).
    pub async fn achievements_by_ids(&mut self, ids: &[i64]) -> StoreResult<Vec<AchievementRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {ACHIEVEMENT_COLUMNS} FROM achievements WHERE id IN ({})",
            super::numbered_params(1, ids.len())
        );
        on!(self, c => ids.iter().fold(sqlx::query_as::<_, AchievementRow>(&sql), |q, id| q.bind(id)).fetch_all(c).await)
    }

    /// How many of a group's achievements match `q`.
    pub async fn count_achievements(&mut self, q: &AchievementSearch<'_>) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) FROM achievements WHERE {}", q.filter());
        on!(self, c => q.ids.unwrap_or_default().iter().fold(
            sqlx::query_scalar(&sql).bind(q.namespace_id).bind(q.search).bind(like_escape_pattern(q.search)),
            |query, id| query.bind(*id)).fetch_one(c).await)
    }

    /// A page of them, newest first.
    pub async fn list_achievements(
        &mut self,
        q: &AchievementSearch<'_>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<AchievementRow>> {
        let n = 3 + q.ids.map_or(0, <[i64]>::len);
        let sql = format!(
            "SELECT {ACHIEVEMENT_COLUMNS} FROM achievements WHERE {} ORDER BY id DESC LIMIT ${} OFFSET ${}",
            q.filter(),
            n + 1,
            n + 2
        );
        on!(self, c => q.ids.unwrap_or_default().iter().fold(
            sqlx::query_as::<_, AchievementRow>(&sql)
                .bind(q.namespace_id).bind(q.search).bind(like_escape_pattern(q.search)),
            |query, id| query.bind(*id)).bind(limit).bind(offset).fetch_all(c).await)
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

    /// The award, read to be changed (PostgreSQL: `FOR UPDATE`, so two
    /// changes to one award, an accept and a revoke, take turns and the
    /// second sees what the first did).
    pub async fn award_by_id_for_update(&mut self, id: i64) -> StoreResult<Option<UserAchievementRow>> {
        let lock = if self.is_postgres() { " FOR UPDATE" } else { "" };
        let sql = format!("SELECT {AWARD_COLUMNS} FROM user_achievements WHERE id = $1{lock}");
        on!(self, c => sqlx::query_as::<_, UserAchievementRow>(&sql).bind(id).fetch_optional(c).await)
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

    /// Unrevoked awards below id `before` (all when `None`), newest first: the
    /// home feed's candidates. Unchecked: the domain lets each through the policy.
    pub async fn recent_awards_unchecked(
        &mut self,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<UserAchievementRow>> {
        let sql = format!(
            "SELECT {AWARD_COLUMNS} FROM user_achievements WHERE id < $1 AND revoked_by_user_id IS NULL \
             ORDER BY id DESC LIMIT $2"
        );
        on!(self, c => sqlx::query_as::<_, UserAchievementRow>(&sql)
            .bind(before.unwrap_or(i64::MAX)).bind(limit).fetch_all(c).await)
    }

    /// How many unrevoked awards of an achievement `listing` lets through.
    pub async fn count_achievement_awards(&mut self, achievement_id: i64, listing: &AwardListing) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) FROM user_achievements WHERE {LISTED_AWARDS}");
        on!(self, c => sqlx::query_scalar(&sql)
            .bind(achievement_id).bind(listing.private_holders).bind(listing.viewer_id).bind(listing.hidden_awards)
            .fetch_one(c).await)
    }

    /// A page of an achievement's unrevoked awards that `listing` lets through, by id.
    pub async fn achievement_awards(
        &mut self,
        achievement_id: i64,
        listing: &AwardListing,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<UserAchievementRow>> {
        let sql = format!(
            "SELECT {AWARD_COLUMNS} FROM user_achievements WHERE {LISTED_AWARDS} ORDER BY id LIMIT $5 OFFSET $6"
        );
        on!(self, c => sqlx::query_as::<_, UserAchievementRow>(&sql)
            .bind(achievement_id).bind(listing.private_holders).bind(listing.viewer_id).bind(listing.hidden_awards)
            .bind(limit).bind(offset).fetch_all(c).await)
    }

    /// For each of `ids` with any, how many unrevoked awards `listing` lets
    /// through and how many distinct holders they have, in one pass.
    pub async fn count_listed_awards(
        &mut self,
        ids: &[i64],
        listing: &AwardListing,
    ) -> StoreResult<Vec<(i64, i64, i64)>> {
        let Some((&first, rest)) = ids.split_first() else { return Ok(Vec::new()) };
        let sql = format!(
            "SELECT achievement_id, COUNT(*), COUNT(DISTINCT user_id) FROM user_achievements WHERE {} \
             GROUP BY achievement_id",
            listed_awards_of(ids.len())
        );
        on!(self, c => rest.iter().fold(
            sqlx::query_as::<_, (i64, i64, i64)>(&sql)
                .bind(first).bind(listing.private_holders).bind(listing.viewer_id).bind(listing.hidden_awards),
            |query, id| query.bind(*id)).fetch_all(c).await)
    }

    /// The first `n` of those awards of each of `ids`, by id: a page per
    /// achievement, each read from its index as far as `n`, in one statement.
    pub async fn first_listed_awards(
        &mut self,
        ids: &[i64],
        listing: &AwardListing,
        n: i64,
    ) -> StoreResult<Vec<UserAchievementRow>> {
        let Some((&first, rest)) = ids.split_first() else { return Ok(Vec::new()) };
        let limit = ids.len() + 4;
        let page = |param: usize| {
            format!(
                concat!(
                    "SELECT {cols} FROM (SELECT {cols} FROM user_achievements WHERE achievement_id = ${param} ",
                    "AND revoked_by_user_id IS NULL AND ",
                    listing_rule!(),
                    " ORDER BY id LIMIT ${limit}) AS page{param}"
                ),
                cols = AWARD_COLUMNS,
                param = param,
                limit = limit
            )
        };
        let pages: Vec<String> = std::iter::once(1).chain(5..5 + rest.len()).map(page).collect();
        let sql = pages.join(" UNION ALL ");
        on!(self, c => rest.iter().fold(
            sqlx::query_as::<_, UserAchievementRow>(&sql)
                .bind(first).bind(listing.private_holders).bind(listing.viewer_id).bind(listing.hidden_awards),
            |query, id| query.bind(*id)).bind(n).fetch_all(c).await)
    }

    /// How many distinct holders those awards have.
    pub async fn count_achievement_holders(&mut self, achievement_id: i64, listing: &AwardListing) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(DISTINCT user_id) FROM user_achievements WHERE {LISTED_AWARDS}");
        on!(self, c => sqlx::query_scalar(&sql)
            .bind(achievement_id).bind(listing.private_holders).bind(listing.viewer_id).bind(listing.hidden_awards)
            .fetch_one(c).await)
    }

    /// A page of those holders, by user id.
    pub async fn achievement_holders(
        &mut self,
        achievement_id: i64,
        listing: &AwardListing,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<UserRow>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id IN \
             (SELECT user_id FROM user_achievements WHERE {LISTED_AWARDS}) ORDER BY id LIMIT $5 OFFSET $6"
        );
        on!(self, c => sqlx::query_as::<_, UserRow>(&sql)
            .bind(achievement_id).bind(listing.private_holders).bind(listing.viewer_id).bind(listing.hidden_awards)
            .bind(limit).bind(offset).fetch_all(c).await)
    }

    /// Up to `limit` distinct holders of an achievement's unrevoked awards, by id.
    pub async fn achievement_holder_ids(&mut self, achievement_id: i64, limit: i64) -> StoreResult<Vec<i64>> {
        on!(self, c => sqlx::query_scalar(
            "SELECT DISTINCT user_id FROM user_achievements \
             WHERE achievement_id = $1 AND revoked_by_user_id IS NULL ORDER BY user_id LIMIT $2")
            .bind(achievement_id).bind(limit).fetch_all(c).await)
    }

    /// The groups that awarded a user something not revoked, by id.
    pub async fn awarding_groups_of_user(&mut self, user_id: i64) -> StoreResult<Vec<i64>> {
        on!(self, c => sqlx::query_scalar(
            "SELECT DISTINCT a.namespace_id FROM user_achievements ua JOIN achievements a ON a.id = ua.achievement_id \
             WHERE ua.user_id = $1 AND ua.revoked_by_user_id IS NULL ORDER BY a.namespace_id")
            .bind(user_id).fetch_all(c).await)
    }

    /// The achievements each of `users` shows on their profile (unrevoked,
    /// accepted, not hidden), each once however often held, in profile order
    /// per user (by its first award there), in one query. Which of them a
    /// viewer may see is the domain's to decide.
    pub async fn shown_achievements_of(&mut self, users: &[i64]) -> StoreResult<Vec<HeldAchievementRow>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT ua.user_id AS holder_id, a.id, a.namespace_id, a.name, a.description, a.avatar, a.created_at, \
             a.updated_at FROM user_achievements ua JOIN achievements a ON a.id = ua.achievement_id \
             WHERE ua.user_id IN ({}) AND ua.revoked_by_user_id IS NULL AND ua.show_on_profile = TRUE \
             AND ua.accepted_at IS NOT NULL \
             GROUP BY ua.user_id, a.id, a.namespace_id, a.name, a.description, a.avatar, a.created_at, a.updated_at \
             ORDER BY ua.user_id, MIN(CASE WHEN ua.priority IS NULL THEN 1 ELSE 0 END), MIN(ua.priority), MIN(ua.id)",
            super::numbered_params(1, users.len())
        );
        on!(self, c => users.iter().fold(sqlx::query_as::<_, HeldAchievementRow>(&sql), |q, id| q.bind(id)).fetch_all(c).await)
    }

    /// How many of a user's unrevoked awards a profile lists (see [`ProfileAwards`]).
    pub async fn count_profile_awards(&mut self, q: &ProfileAwards<'_>) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) FROM user_achievements WHERE {}", q.filter());
        on!(self, c => q.values().fold(sqlx::query_scalar(&sql), |query, v| query.bind(v)).fetch_one(c).await)
    }

    /// A page of them in profile order: priority ascending, unprioritised last, then id.
    pub async fn profile_awards(
        &mut self,
        q: &ProfileAwards<'_>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<UserAchievementRow>> {
        let n = q.params();
        let sql = format!(
            "SELECT {AWARD_COLUMNS} FROM user_achievements WHERE {} \
             ORDER BY priority ASC NULLS LAST, id ASC LIMIT ${} OFFSET ${}",
            q.filter(),
            n + 1,
            n + 2
        );
        on!(self, c => q.values().fold(sqlx::query_as::<_, UserAchievementRow>(&sql), |query, v| query.bind(v))
            .bind(limit).bind(offset).fetch_all(c).await)
    }

    pub async fn set_award_priority(&mut self, id: i64, priority: Option<i64>) -> StoreResult<UserAchievementRow> {
        let sql = format!(
            "UPDATE user_achievements SET priority = $2, updated_at = $3 WHERE id = $1 RETURNING {AWARD_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, UserAchievementRow>(&sql)
            .bind(id).bind(priority).bind(now()).fetch_one(c).await)
    }
}
