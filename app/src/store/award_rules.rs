//! Rule-based awards: the rules, and who meets one, computed in the database
//! over the achievement's group and its subgroups. The SQL is fixed per
//! trigger; only numbers and an emoji name are bound.

use super::{exec, now, on, StoreResult, Tx, UserRow};
use chrono::{DateTime, Utc};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AwardRuleRow {
    pub achievement_id: i64,
    pub trigger: String,
    pub threshold: i64,
    pub emoji: Option<String>,
    pub auto_revoke: bool,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A rule as written.
pub struct NewRule<'a> {
    pub trigger: &'a str,
    pub threshold: i64,
    pub emoji: Option<&'a str>,
    pub auto_revoke: bool,
    pub created_by: i64,
}

const RULE_COLUMNS: &str = "achievement_id, trigger, threshold, emoji, auto_revoke, created_by, created_at, updated_at";

/// The group and its subgroups (`tree`), and their projects (`projects_in`).
const TREE: &str = "WITH RECURSIVE tree (id, depth) AS ( \
       SELECT id, 0 FROM namespaces WHERE id = $1 \
       UNION ALL SELECT n.id, tree.depth + 1 FROM namespaces n JOIN tree ON n.parent_id = tree.id WHERE tree.depth < 20), \
     projects_in AS (SELECT p.id FROM projects p JOIN tree ON p.namespace_id = tree.id)";

/// Reactions on the group's issues, merge requests and comments: who got
/// each (`owner`), who gave it (`giver`), which emoji.
const REACTIONS: &str = "SELECT i.author_id AS owner, a.user_id AS giver, a.name FROM award_emoji a \
       JOIN issues i ON a.awardable_type = 'Issue' AND a.awardable_id = i.id WHERE i.project_id IN (SELECT id FROM projects_in) \
     UNION ALL SELECT m.author_id, a.user_id, a.name FROM award_emoji a \
       JOIN merge_requests m ON a.awardable_type = 'MergeRequest' AND a.awardable_id = m.id WHERE m.project_id IN (SELECT id FROM projects_in) \
     UNION ALL SELECT n.author_id, a.user_id, a.name FROM award_emoji a \
       JOIN notes n ON a.awardable_type = 'Note' AND a.awardable_id = n.id WHERE n.project_id IN (SELECT id FROM projects_in)";

/// The per-person measure a trigger counts (`user_id`, `n`), as SQL after
/// [`TREE`], and whether it binds an extra value as `$4` (the emoji, or the
/// membership cut-off).
fn measure(trigger: &str, emoji: bool) -> Option<(String, bool)> {
    Some(match trigger {
        "issues_opened" => (
            "SELECT author_id AS user_id, COUNT(*) AS n FROM issues \
             WHERE project_id IN (SELECT id FROM projects_in) AND author_id IS NOT NULL GROUP BY author_id"
                .into(),
            false,
        ),
        "merge_requests_opened" => (
            "SELECT author_id AS user_id, COUNT(*) AS n FROM merge_requests \
             WHERE project_id IN (SELECT id FROM projects_in) AND author_id IS NOT NULL GROUP BY author_id"
                .into(),
            false,
        ),
        "comments_written" => (
            "SELECT author_id AS user_id, COUNT(*) AS n FROM notes \
             WHERE project_id IN (SELECT id FROM projects_in) AND author_id IS NOT NULL AND NOT system \
             GROUP BY author_id"
                .into(),
            false,
        ),
        // Reactions people give themselves do not count.
        "reactions_received" => {
            let only = if emoji { " AND r.name = $4" } else { "" };
            (
                format!(
                    "SELECT r.owner AS user_id, COUNT(*) AS n FROM ({REACTIONS}) r \
                 WHERE r.owner IS NOT NULL AND r.giver <> r.owner{only} GROUP BY r.owner"
                ),
                emoji,
            )
        }
        "first_reaction_given" => {
            (format!("SELECT r.giver AS user_id, COUNT(*) AS n FROM ({REACTIONS}) r GROUP BY r.giver"), false)
        }
        // Members of the group itself since the cut-off ($4): met whatever the
        // threshold (the days are in the cut-off).
        "member_for_days" => (
            "SELECT user_id, CAST($3 AS BIGINT) AS n FROM group_members \
             WHERE group_id = $1 AND created_at <= $4"
                .into(),
            true,
        ),
        _ => return None,
    })
}

/// What a rule measures, ready to bind: the SQL of people who meet it
/// (`user_id`), active, and the value of `$4` if any.
pub struct Measure {
    sql: String,
    extra: Option<Extra>,
}

enum Extra {
    Text(String),
    Time(DateTime<Utc>),
}

impl Measure {
    /// `None` for a trigger this version does not know.
    pub fn of(rule: &AwardRuleRow) -> Option<Measure> {
        let (sql, extra) = measure(&rule.trigger, rule.emoji.is_some())?;
        let extra = match (extra, rule.trigger.as_str()) {
            (false, _) => None,
            (true, "member_for_days") => {
                Some(Extra::Time(now() - chrono::Duration::days(rule.threshold.clamp(0, 36_500))))
            }
            (true, _) => Some(Extra::Text(rule.emoji.clone().unwrap_or_default())),
        };
        let sql = format!(
            "{TREE}, measured AS ({sql}) SELECT m.user_id FROM measured m JOIN users u ON u.id = m.user_id \
             WHERE m.n >= $3 AND u.state <> 'blocked'"
        );
        Some(Measure { sql, extra })
    }
}

/// Binds `$1` group, `$2` achievement, `$3` threshold, `$4` the measure's
/// extra value, then the caller's own.
macro_rules! bound {
    ($query:expr, $measure:expr, $group:expr, $rule:expr) => {{
        let q = $query.bind($group).bind($rule.achievement_id).bind($rule.threshold);
        match &$measure.extra {
            Some(Extra::Text(text)) => q.bind(text.clone()),
            Some(Extra::Time(at)) => q.bind(*at),
            None => q,
        }
    }};
}

/// The next free parameter number after the measure's.
fn next(measure: &Measure) -> usize {
    if measure.extra.is_some() {
        5
    } else {
        4
    }
}

const UNHELD: &str = "NOT EXISTS (SELECT 1 FROM user_achievements h WHERE h.achievement_id = $2 \
     AND h.user_id = met.user_id AND h.revoked_by_user_id IS NULL)";

impl Tx {
    pub async fn award_rule(&mut self, achievement_id: i64) -> StoreResult<Option<AwardRuleRow>> {
        let sql = format!("SELECT {RULE_COLUMNS} FROM award_rules WHERE achievement_id = $1");
        on!(self, c => sqlx::query_as::<_, AwardRuleRow>(&sql).bind(achievement_id).fetch_optional(c).await)
    }

    pub async fn put_award_rule(&mut self, achievement_id: i64, rule: &NewRule<'_>) -> StoreResult<AwardRuleRow> {
        let sql = format!(
            "INSERT INTO award_rules (achievement_id, trigger, threshold, emoji, auto_revoke, created_by, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (achievement_id) DO UPDATE SET \
             trigger = excluded.trigger, threshold = excluded.threshold, emoji = excluded.emoji, \
             auto_revoke = excluded.auto_revoke, created_by = excluded.created_by, updated_at = excluded.updated_at \
             RETURNING {RULE_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, AwardRuleRow>(&sql)
            .bind(achievement_id).bind(rule.trigger).bind(rule.threshold).bind(rule.emoji).bind(rule.auto_revoke)
            .bind(rule.created_by).bind(now()).fetch_one(c).await)
    }

    pub async fn delete_award_rule(&mut self, achievement_id: i64) -> StoreResult<bool> {
        Ok(exec!(self, c => sqlx::query("DELETE FROM award_rules WHERE achievement_id = $1")
            .bind(achievement_id).execute(c).await)?
            == 1)
    }

    pub async fn count_group_award_rules(&mut self, group_id: i64) -> StoreResult<i64> {
        on!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM award_rules r JOIN achievements a ON a.id = r.achievement_id WHERE a.namespace_id = $1")
            .bind(group_id).fetch_one(c).await)
    }

    /// Every rule (the periodic pass), oldest first.
    pub async fn all_award_rules(&mut self) -> StoreResult<Vec<AwardRuleRow>> {
        let sql = format!("SELECT {RULE_COLUMNS} FROM award_rules ORDER BY achievement_id");
        on!(self, c => sqlx::query_as::<_, AwardRuleRow>(&sql).fetch_all(c).await)
    }

    /// The rules of achievements of a namespace and of the groups above it
    /// whose trigger is one of `triggers` (a change there may meet them).
    pub async fn award_rules_above(&mut self, namespace_id: i64, triggers: &[&str]) -> StoreResult<Vec<AwardRuleRow>> {
        let columns = RULE_COLUMNS.split(", ").map(|c| format!("r.{c}")).collect::<Vec<_>>().join(", ");
        let wanted = triggers.iter().map(|t| format!("'{}'", t.replace('\'', ""))).collect::<Vec<_>>().join(", ");
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "WITH RECURSIVE chain (id, parent_id, depth) AS ( \
               SELECT id, parent_id, 0 FROM namespaces WHERE id = $1 \
               UNION ALL SELECT n.id, n.parent_id, chain.depth + 1 FROM namespaces n \
                 JOIN chain ON n.id = chain.parent_id WHERE chain.depth < 20) \
             SELECT {columns} FROM award_rules r JOIN achievements a ON a.id = r.achievement_id \
             JOIN chain ON a.namespace_id = chain.id WHERE r.trigger IN ({wanted}) ORDER BY r.achievement_id"
        );
        on!(self, c => sqlx::query_as::<_, AwardRuleRow>(&sql).bind(namespace_id).fetch_all(c).await)
    }

    /// How many people meet the rule in `group_id` and do not hold the achievement.
    pub async fn count_rule_matches(&mut self, group_id: i64, rule: &AwardRuleRow, m: &Measure) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) FROM ({}) met WHERE {UNHELD}", m.sql);
        on!(self, c => bound!(sqlx::query_scalar(&sql), m, group_id, rule).fetch_one(c).await)
    }

    /// Up to `limit` of them (lowest ids first), or only `only` if given.
    pub async fn rule_matches(
        &mut self,
        group_id: i64,
        rule: &AwardRuleRow,
        m: &Measure,
        only: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<UserRow>> {
        let n = next(m);
        let columns = super::users::USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ");
        let one = if only.is_some() { format!(" AND met.user_id = ${}", n + 1) } else { String::new() };
        let sql = format!(
            "SELECT {columns} FROM ({}) met JOIN users u ON u.id = met.user_id WHERE {UNHELD}{one} \
             ORDER BY u.id LIMIT ${n}",
            m.sql
        );
        on!(self, c => {
            let q = bound!(sqlx::query_as::<_, UserRow>(&sql), m, group_id, rule).bind(limit);
            match only { Some(id) => q.bind(id), None => q }.fetch_all(c).await
        })
    }

    /// Unrevoked awards the rule made to people who no longer meet it.
    pub async fn rule_grants_unmet(
        &mut self,
        group_id: i64,
        rule: &AwardRuleRow,
        m: &Measure,
    ) -> StoreResult<Vec<super::UserAchievementRow>> {
        let columns = super::achievements::AWARD_COLUMNS.split(", ").map(|c| format!("g.{c}")).collect::<Vec<_>>();
        let sql = format!(
            "SELECT {} FROM user_achievements g WHERE g.achievement_id = $2 AND g.granted_by_rule \
             AND g.revoked_by_user_id IS NULL AND g.user_id NOT IN (SELECT user_id FROM ({}) met)",
            columns.join(", "),
            m.sql
        );
        on!(self, c => bound!(sqlx::query_as::<_, super::UserAchievementRow>(&sql), m, group_id, rule).fetch_all(c).await)
    }

    /// Marks an award as made by a rule.
    pub async fn mark_granted_by_rule(&mut self, award_id: i64) -> StoreResult<()> {
        exec!(self, c => sqlx::query("UPDATE user_achievements SET granted_by_rule = TRUE WHERE id = $1")
            .bind(award_id).execute(c).await)?;
        Ok(())
    }
}
