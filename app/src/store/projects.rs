//! Projects, project membership, and what lives in a project: issues, merge
//! requests, snippets and notes.

use super::{exec, now, numbered_params, on, MemberRow, NoteRow, ProjectRow, SnippetRow, StoreResult, Tx, WorkItemRow};
use crate::events::WorkItemKind;
use crate::policy::ConfidentialListing;

const PROJECT_COLUMNS: &str =
    "id, namespace_id, name, path, full_path, visibility, description, creator_id, created_at, updated_at";
const ISSUE_COLUMNS: &str = "id, project_id, iid, title, description, author_id, confidential, \
     NULL AS source_branch, NULL AS target_branch, state, created_at, updated_at";
const MR_COLUMNS: &str = "id, project_id, iid, title, description, author_id, FALSE AS confidential, \
     source_branch, target_branch, state, created_at, updated_at";
const SNIPPET_COLUMNS: &str =
    "id, project_id, title, file_name, content, visibility, author_id, created_at, updated_at";
const NOTE_COLUMNS: &str = "id, project_id, noteable_type, noteable_id, author_id, body, system, confidential, \
     created_at, updated_at";

/// Confidential issues and internal notes as `ConfidentialListing::admits`
/// lets them through (`$2` all of them, `$3` the viewer, who sees their own).
const LISTED: &str = "(confidential = FALSE OR $2 OR author_id = $3)";
/// The same for merge requests, which are never confidential.
const LISTED_MR: &str = "(TRUE OR $2 OR author_id = $3)";

/// A work item kind's table, the columns of a `WorkItemRow` read from it, and
/// its `LISTED` condition.
fn work_items(kind: WorkItemKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        WorkItemKind::Issue => ("issues", ISSUE_COLUMNS, LISTED),
        WorkItemKind::MergeRequest => ("merge_requests", MR_COLUMNS, LISTED_MR),
    }
}

/// Notes of one kind only (`system` or not), or all of them.
fn note_kinds(system: Option<bool>) -> &'static str {
    match system {
        None => "",
        Some(false) => " AND system = FALSE",
        Some(true) => " AND system = TRUE",
    }
}

pub struct NewProject<'a> {
    pub namespace_id: i64,
    pub name: &'a str,
    pub path: &'a str,
    pub full_path: &'a str,
    pub visibility: &'a str,
    pub description: &'a str,
    pub creator_id: i64,
}

pub struct NewNote<'a> {
    pub project_id: i64,
    pub noteable_type: &'a str,
    pub noteable_id: i64,
    pub author_id: i64,
    pub body: &'a str,
    pub system: bool,
    pub confidential: bool,
}

impl Tx {
    pub async fn insert_project(&mut self, p: NewProject<'_>) -> StoreResult<ProjectRow> {
        let sql = format!(
            "INSERT INTO projects (namespace_id, name, path, full_path, visibility, description, creator_id, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {PROJECT_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, ProjectRow>(&sql)
            .bind(p.namespace_id).bind(p.name).bind(p.path).bind(p.full_path).bind(p.visibility)
            .bind(p.description).bind(p.creator_id).bind(now())
            .fetch_one(c).await)
    }

    pub async fn project_by_id(&mut self, id: i64) -> StoreResult<Option<ProjectRow>> {
        let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE id = $1");
        on!(self, c => sqlx::query_as::<_, ProjectRow>(&sql).bind(id).fetch_optional(c).await)
    }

    pub async fn project_by_full_path(&mut self, full_path: &str) -> StoreResult<Option<ProjectRow>> {
        let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE lower(full_path) = lower($1)");
        on!(self, c => sqlx::query_as::<_, ProjectRow>(&sql).bind(full_path).fetch_optional(c).await)
    }

    pub async fn list_projects(&mut self, limit: i64, offset: i64) -> StoreResult<Vec<ProjectRow>> {
        let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects ORDER BY id LIMIT $1 OFFSET $2");
        on!(self, c => sqlx::query_as::<_, ProjectRow>(&sql).bind(limit).bind(offset).fetch_all(c).await)
    }

    /// A project by id or full path (case-insensitive).
    pub async fn project(&mut self, key: ProjectKey<'_>) -> StoreResult<Option<ProjectRow>> {
        match key {
            ProjectKey::Id(id) => self.project_by_id(id).await,
            ProjectKey::FullPath(path) => self.project_by_full_path(path).await,
        }
    }

    /// A project, and what a user's access to it is made of, in one
    /// statement: their own membership, the project's namespace (its kind and
    /// owner), and their highest membership of that group or a group above it.
    pub async fn project_with_access(
        &mut self,
        key: ProjectKey<'_>,
        user_id: i64,
    ) -> StoreResult<Option<(ProjectRow, ProjectAccessRow)>> {
        let found = match key {
            ProjectKey::Id(_) => "id = $1",
            ProjectKey::FullPath(_) => "lower(full_path) = lower($1)",
        };
        let sql = format!(
            "WITH RECURSIVE p AS (SELECT {PROJECT_COLUMNS} FROM projects WHERE {found}), \
             ancestors (id, parent_id) AS ( \
               SELECT id, parent_id FROM namespaces WHERE id = (SELECT namespace_id FROM p) \
               UNION ALL SELECT n.id, n.parent_id FROM namespaces n JOIN ancestors a ON n.id = a.parent_id) \
             SELECT p.*, \
             (SELECT access_level FROM project_members WHERE project_id = p.id AND user_id = $2) AS direct, \
             (SELECT kind FROM namespaces WHERE id = p.namespace_id) AS namespace_kind, \
             (SELECT owner_id FROM namespaces WHERE id = p.namespace_id) AS namespace_owner_id, \
             (SELECT MAX(m.access_level) FROM group_members m JOIN ancestors a ON m.group_id = a.id \
              WHERE m.user_id = $2) AS group_level \
             FROM p"
        );
        let row = match key {
            ProjectKey::Id(id) => on!(self, c => sqlx::query_as::<_, ProjectWithAccessRow>(&sql)
                .bind(id).bind(user_id).fetch_optional(c).await)?,
            ProjectKey::FullPath(path) => on!(self, c => sqlx::query_as::<_, ProjectWithAccessRow>(&sql)
                .bind(path).bind(user_id).fetch_optional(c).await)?,
        };
        Ok(row.map(|r| (r.project, r.access)))
    }

    pub async fn upsert_project_member(&mut self, project_id: i64, user_id: i64, level: i64) -> StoreResult<()> {
        exec!(self, c => sqlx::query(
            "INSERT INTO project_members (project_id, user_id, access_level, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (project_id, user_id) DO UPDATE SET access_level = excluded.access_level")
            .bind(project_id).bind(user_id).bind(level).bind(now()).execute(c).await)?;
        Ok(())
    }

    /// One direct member of the project, if they are one.
    pub async fn project_member(&mut self, project_id: i64, user_id: i64) -> StoreResult<Option<MemberRow>> {
        on!(self, c => sqlx::query_as::<_, MemberRow>(
            "SELECT user_id, access_level, created_at FROM project_members WHERE project_id = $1 AND user_id = $2")
            .bind(project_id).bind(user_id).fetch_optional(c).await)
    }

    pub async fn list_project_members(&mut self, project_id: i64) -> StoreResult<Vec<MemberRow>> {
        on!(self, c => sqlx::query_as::<_, MemberRow>(
            "SELECT user_id, access_level, created_at FROM project_members WHERE project_id = $1 ORDER BY user_id")
            .bind(project_id).fetch_all(c).await)
    }

    /// The next per-project iid for `table` (`issues` or `merge_requests`). Safe
    /// because writes are serialised per transaction and (project_id, iid) is unique.
    async fn next_iid(&mut self, table: &str, project_id: i64) -> StoreResult<i64> {
        self.lock_project_numbers(project_id).await?;
        let sql = format!("SELECT COALESCE(MAX(iid), 0) + 1 FROM {table} WHERE project_id = $1");
        on!(self, c => sqlx::query_scalar::<_, i64>(&sql).bind(project_id).fetch_one(c).await)
    }

    pub async fn insert_issue(
        &mut self,
        project_id: i64,
        title: &str,
        description: &str,
        author_id: i64,
        confidential: bool,
    ) -> StoreResult<WorkItemRow> {
        let iid = self.next_iid("issues", project_id).await?;
        let sql = format!(
            "INSERT INTO issues (project_id, iid, title, description, author_id, confidential, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {ISSUE_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, WorkItemRow>(&sql)
            .bind(project_id).bind(iid).bind(title).bind(description).bind(author_id).bind(confidential).bind(now())
            .fetch_one(c).await)
    }

    pub async fn insert_merge_request(
        &mut self,
        project_id: i64,
        title: &str,
        description: &str,
        author_id: i64,
        source_branch: &str,
        target_branch: &str,
    ) -> StoreResult<WorkItemRow> {
        let iid = self.next_iid("merge_requests", project_id).await?;
        let sql = format!(
            "INSERT INTO merge_requests (project_id, iid, title, description, author_id, source_branch, \
             target_branch, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {MR_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, WorkItemRow>(&sql)
            .bind(project_id).bind(iid).bind(title).bind(description).bind(author_id)
            .bind(source_branch).bind(target_branch).bind(now()).fetch_one(c).await)
    }

    /// An issue or merge request by its per-project iid.
    pub async fn work_item_by_iid(
        &mut self,
        kind: WorkItemKind,
        project_id: i64,
        iid: i64,
    ) -> StoreResult<Option<WorkItemRow>> {
        let (table, columns, _) = work_items(kind);
        let sql = format!("SELECT {columns} FROM {table} WHERE project_id = $1 AND iid = $2");
        on!(self, c => sqlx::query_as::<_, WorkItemRow>(&sql).bind(project_id).bind(iid).fetch_optional(c).await)
    }

    /// An issue or merge request by its global id.
    pub async fn work_item_by_id(&mut self, kind: WorkItemKind, id: i64) -> StoreResult<Option<WorkItemRow>> {
        let (table, columns, _) = work_items(kind);
        let sql = format!("SELECT {columns} FROM {table} WHERE id = $1");
        on!(self, c => sqlx::query_as::<_, WorkItemRow>(&sql).bind(id).fetch_optional(c).await)
    }

    /// Those of `ids` that exist, in one statement (the list padded to a power
    /// of two with its last id, so a few statements serve every length).
    pub async fn work_items_by_ids(&mut self, kind: WorkItemKind, ids: &[i64]) -> StoreResult<Vec<WorkItemRow>> {
        let ids = padded(ids);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (table, columns, _) = work_items(kind);
        let sql = format!("SELECT {columns} FROM {table} WHERE id IN ({})", numbered_params(1, ids.len()));
        on!(self, c => ids.iter().fold(sqlx::query_as::<_, WorkItemRow>(&sql), |q, id| q.bind(id)).fetch_all(c).await)
    }

    /// How many of a project's issues or merge requests `rule` lets through.
    pub async fn count_work_items(
        &mut self,
        kind: WorkItemKind,
        project_id: i64,
        rule: &ConfidentialListing,
    ) -> StoreResult<i64> {
        let (table, _, listed) = work_items(kind);
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE project_id = $1 AND {listed}");
        on!(self, c => sqlx::query_scalar(&sql).bind(project_id).bind(rule.all).bind(rule.viewer_id).fetch_one(c).await)
    }

    /// A page of a project's issues or merge requests `rule` lets through, newest first.
    pub async fn list_work_items(
        &mut self,
        kind: WorkItemKind,
        project_id: i64,
        rule: &ConfidentialListing,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<WorkItemRow>> {
        let (table, columns, listed) = work_items(kind);
        let sql = format!(
            "SELECT {columns} FROM {table} WHERE project_id = $1 AND {listed} ORDER BY iid DESC LIMIT $4 OFFSET $5"
        );
        on!(self, c => sqlx::query_as::<_, WorkItemRow>(&sql)
            .bind(project_id).bind(rule.all).bind(rule.viewer_id).bind(limit).bind(offset).fetch_all(c).await)
    }

    pub async fn insert_snippet(
        &mut self,
        project_id: i64,
        title: &str,
        file_name: &str,
        content: &str,
        visibility: &str,
        author_id: i64,
    ) -> StoreResult<SnippetRow> {
        let sql = format!(
            "INSERT INTO snippets (project_id, title, file_name, content, visibility, author_id, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {SNIPPET_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, SnippetRow>(&sql)
            .bind(project_id).bind(title).bind(file_name).bind(content).bind(visibility).bind(author_id)
            .bind(now()).fetch_one(c).await)
    }

    pub async fn snippet_by_id(&mut self, id: i64) -> StoreResult<Option<SnippetRow>> {
        let sql = format!("SELECT {SNIPPET_COLUMNS} FROM snippets WHERE id = $1");
        on!(self, c => sqlx::query_as::<_, SnippetRow>(&sql).bind(id).fetch_optional(c).await)
    }

    pub async fn list_snippets(&mut self, project_id: i64) -> StoreResult<Vec<SnippetRow>> {
        let sql = format!("SELECT {SNIPPET_COLUMNS} FROM snippets WHERE project_id = $1 ORDER BY id");
        on!(self, c => sqlx::query_as::<_, SnippetRow>(&sql).bind(project_id).fetch_all(c).await)
    }

    pub async fn insert_note(&mut self, n: NewNote<'_>) -> StoreResult<NoteRow> {
        let sql = format!(
            "INSERT INTO notes (project_id, noteable_type, noteable_id, author_id, body, system, confidential, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {NOTE_COLUMNS}"
        );
        on!(self, c => sqlx::query_as::<_, NoteRow>(&sql)
            .bind(n.project_id).bind(n.noteable_type).bind(n.noteable_id).bind(n.author_id).bind(n.body)
            .bind(n.system).bind(n.confidential).bind(now()).fetch_one(c).await)
    }

    pub async fn note_by_id(&mut self, id: i64) -> StoreResult<Option<NoteRow>> {
        let sql = format!("SELECT {NOTE_COLUMNS} FROM notes WHERE id = $1");
        on!(self, c => sqlx::query_as::<_, NoteRow>(&sql).bind(id).fetch_optional(c).await)
    }

    /// How many notes on an item `rule` lets through.
    pub async fn count_notes(
        &mut self,
        noteable_type: &str,
        noteable_id: i64,
        rule: &ConfidentialListing,
        system: Option<bool>,
    ) -> StoreResult<i64> {
        let kinds = note_kinds(system);
        let sql =
            format!("SELECT COUNT(*) FROM notes WHERE noteable_type = $1 AND noteable_id = $4 AND {LISTED}{kinds}");
        on!(self, c => sqlx::query_scalar(&sql)
            .bind(noteable_type).bind(rule.all).bind(rule.viewer_id).bind(noteable_id).fetch_one(c).await)
    }

    /// A page of them, oldest first.
    pub async fn list_notes(
        &mut self,
        noteable_type: &str,
        noteable_id: i64,
        rule: &ConfidentialListing,
        system: Option<bool>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<NoteRow>> {
        let kinds = note_kinds(system);
        let sql = format!(
            "SELECT {NOTE_COLUMNS} FROM notes WHERE noteable_type = $1 AND noteable_id = $4 AND {LISTED}{kinds} \
             ORDER BY id LIMIT $5 OFFSET $6"
        );
        on!(self, c => sqlx::query_as::<_, NoteRow>(&sql)
            .bind(noteable_type).bind(rule.all).bind(rule.viewer_id).bind(noteable_id).bind(limit).bind(offset)
            .fetch_all(c).await)
    }

    /// The ids of the first `limit` of them (all kinds), oldest first.
    pub async fn list_note_ids(
        &mut self,
        noteable_type: &str,
        noteable_id: i64,
        rule: &ConfidentialListing,
        limit: i64,
    ) -> StoreResult<Vec<i64>> {
        let sql = format!(
            "SELECT id FROM notes WHERE noteable_type = $1 AND noteable_id = $4 AND {LISTED} ORDER BY id LIMIT $5"
        );
        on!(self, c => sqlx::query_scalar(&sql)
            .bind(noteable_type).bind(rule.all).bind(rule.viewer_id).bind(noteable_id).bind(limit)
            .fetch_all(c).await)
    }

    /// [`Tx::list_note_ids`] for each of `noteable_ids` (of one type) under
    /// one rule, in one statement: `(noteable id, note id)`, in that order.
    pub async fn note_ids_of_each(
        &mut self,
        noteable_type: &str,
        noteable_ids: &[i64],
        rule: &ConfidentialListing,
        limit: i64,
    ) -> StoreResult<Vec<(i64, i64)>> {
        let ids = padded(noteable_ids);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT noteable_id, id FROM (SELECT noteable_id, id, \
             ROW_NUMBER() OVER (PARTITION BY noteable_id ORDER BY id) AS n FROM notes \
             WHERE noteable_type = $1 AND {LISTED} AND noteable_id IN ({})) listed \
             WHERE n <= $4 ORDER BY noteable_id, id",
            numbered_params(5, ids.len())
        );
        on!(self, c => ids.iter().fold(
            sqlx::query_as::<_, (i64, i64)>(&sql).bind(noteable_type).bind(rule.all).bind(rule.viewer_id).bind(limit),
            |q, id| q.bind(id)).fetch_all(c).await)
    }
}

/// `ids`, lengthened to the next power of two with its last id (which an `IN`
/// list takes as once): statements over id lists come in a few lengths, and
/// each connection's statement cache keeps them all.
fn padded(ids: &[i64]) -> Vec<i64> {
    let mut out = ids.to_vec();
    if let Some(&last) = ids.last() {
        out.resize(ids.len().next_power_of_two(), last);
    }
    out
}

/// How [`Tx::project`] and [`Tx::project_with_access`] find a project.
#[derive(Clone, Copy, Debug)]
pub enum ProjectKey<'a> {
    Id(i64),
    FullPath(&'a str),
}

/// What a user's access to a project is made of ([`Tx::project_with_access`]).
/// `namespace_kind` is `None` when the project's namespace is gone.
#[derive(Debug, sqlx::FromRow)]
pub struct ProjectAccessRow {
    pub direct: Option<i64>,
    pub namespace_kind: Option<String>,
    pub namespace_owner_id: Option<i64>,
    pub group_level: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ProjectWithAccessRow {
    #[sqlx(flatten)]
    project: ProjectRow,
    #[sqlx(flatten)]
    access: ProjectAccessRow,
}
