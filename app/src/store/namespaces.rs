//! Namespaces (groups and personal namespaces) and group membership.

use super::{exec, like_escape_pattern, now, on, MemberRow, NamespaceRow, StoreResult, Tx};

const NAMESPACE_COLUMNS: &str =
    "id, kind, name, path, full_path, parent_id, owner_id, visibility, description, created_at, updated_at";

pub struct NewNamespace<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub path: &'a str,
    pub full_path: &'a str,
    pub parent_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub visibility: &'a str,
    pub description: &'a str,
}

/// The ancestors of a namespace, itself included (recursive walk up `parent_id`).
pub(super) const ANCESTORS: &str = "WITH RECURSIVE ancestors (id, parent_id) AS ( \
       SELECT id, parent_id FROM namespaces WHERE id = $1 \
       UNION ALL SELECT n.id, n.parent_id FROM namespaces n JOIN ancestors a ON n.id = a.parent_id)";

impl Tx {
    pub async fn insert_namespace(&mut self, ns: NewNamespace<'_>) -> StoreResult<NamespaceRow> {
        let sql = format!(
            "INSERT INTO namespaces (kind, name, path, full_path, parent_id, owner_id, visibility, description, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING {NAMESPACE_COLUMNS}"
        );
        let at = now();
        on!(self, c => sqlx::query_as::<_, NamespaceRow>(&sql)
            .bind(ns.kind).bind(ns.name).bind(ns.path).bind(ns.full_path).bind(ns.parent_id)
            .bind(ns.owner_id).bind(ns.visibility).bind(ns.description).bind(at)
            .fetch_one(c).await)
    }

    pub async fn namespace_by_id(&mut self, id: i64) -> StoreResult<Option<NamespaceRow>> {
        let sql = format!("SELECT {NAMESPACE_COLUMNS} FROM namespaces WHERE id = $1");
        on!(self, c => sqlx::query_as::<_, NamespaceRow>(&sql).bind(id).fetch_optional(c).await)
    }

    pub async fn namespace_by_full_path(&mut self, full_path: &str) -> StoreResult<Option<NamespaceRow>> {
        let sql = format!("SELECT {NAMESPACE_COLUMNS} FROM namespaces WHERE lower(full_path) = lower($1)");
        on!(self, c => sqlx::query_as::<_, NamespaceRow>(&sql).bind(full_path).fetch_optional(c).await)
    }

    pub async fn personal_namespace(&mut self, user_id: i64) -> StoreResult<Option<NamespaceRow>> {
        let sql = format!("SELECT {NAMESPACE_COLUMNS} FROM namespaces WHERE kind = 'user' AND owner_id = $1");
        on!(self, c => sqlx::query_as::<_, NamespaceRow>(&sql).bind(user_id).fetch_optional(c).await)
    }

    /// Groups whose name or path contains `search`, by id.
    pub async fn list_groups(&mut self, search: &str, limit: i64, offset: i64) -> StoreResult<Vec<NamespaceRow>> {
        let sql = format!(
            "SELECT {NAMESPACE_COLUMNS} FROM namespaces WHERE kind = 'group' \
             AND ($1 = '' OR lower(name) LIKE $2 ESCAPE '\\' OR lower(full_path) LIKE $2 ESCAPE '\\') \
             ORDER BY id LIMIT $3 OFFSET $4"
        );
        on!(self, c => sqlx::query_as::<_, NamespaceRow>(&sql)
            .bind(search).bind(like_escape_pattern(search)).bind(limit).bind(offset).fetch_all(c).await)
    }

    /// The user's effective access level in a group: the highest of their
    /// memberships in it and in its ancestors (membership is inherited downwards).
    pub async fn group_access_level(&mut self, group_id: i64, user_id: i64) -> StoreResult<Option<i64>> {
        let sql = format!(
            "{ANCESTORS} SELECT MAX(m.access_level) FROM group_members m \
             JOIN ancestors a ON m.group_id = a.id WHERE m.user_id = $2"
        );
        on!(self, c => sqlx::query_scalar::<_, Option<i64>>(&sql).bind(group_id).bind(user_id).fetch_one(c).await)
    }

    pub async fn upsert_group_member(&mut self, group_id: i64, user_id: i64, level: i64) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "INSERT INTO group_members (group_id, user_id, access_level, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (group_id, user_id) DO UPDATE SET access_level = excluded.access_level")
            .bind(group_id).bind(user_id).bind(level).bind(now()).execute(c).await)?;
        Ok(())
    }

    pub async fn direct_group_member(&mut self, group_id: i64, user_id: i64) -> StoreResult<Option<MemberRow>> {
        on!(self, c => sqlx::query_as::<_, MemberRow>(
            "SELECT user_id, access_level, created_at FROM group_members WHERE group_id = $1 AND user_id = $2")
            .bind(group_id).bind(user_id).fetch_optional(c).await)
    }

    pub async fn list_group_members(&mut self, group_id: i64) -> StoreResult<Vec<MemberRow>> {
        on!(self, c => sqlx::query_as::<_, MemberRow>(
            "SELECT user_id, access_level, created_at FROM group_members WHERE group_id = $1 ORDER BY user_id")
            .bind(group_id).fetch_all(c).await)
    }

    pub async fn count_group_owners(&mut self, group_id: i64) -> StoreResult<i64> {
        on!(self, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM group_members WHERE group_id = $1 AND access_level = 50")
            .bind(group_id).fetch_one(c).await)
    }

    pub async fn delete_group_member(&mut self, group_id: i64, user_id: i64) -> StoreResult<bool> {
        let done = exec!(self, c => sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
            .bind(group_id).bind(user_id).execute(c).await)?;
        Ok(done > 0)
    }
}
