-- Laurel schema (SQLite). Keep in step with migrations/postgres/0001_schema.sql:
-- the store runs the same SQL text on both.

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT    NOT NULL,
    name                 TEXT    NOT NULL,
    email                TEXT    NOT NULL,
    password_hash        TEXT,
    admin                BOOLEAN NOT NULL DEFAULT FALSE,
    state                TEXT    NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'blocked')),
    private_profile      BOOLEAN NOT NULL DEFAULT FALSE,
    achievements_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    bio                  TEXT    NOT NULL DEFAULT '',
    avatar               TEXT,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL
);
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));

CREATE TABLE personal_access_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_digest TEXT    NOT NULL UNIQUE,
    scopes       TEXT    NOT NULL,
    expires_at   TEXT, -- a date (YYYY-MM-DD)
    revoked      BOOLEAN NOT NULL DEFAULT FALSE,
    last_used_at TEXT,
    created_at   TEXT    NOT NULL
);
CREATE INDEX personal_access_tokens_user ON personal_access_tokens (user_id);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_digest TEXT    NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Groups and users' personal namespaces share one id space, as in GitLab.
CREATE TABLE namespaces (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL CHECK (kind IN ('group', 'user')),
    name          TEXT    NOT NULL,
    path          TEXT    NOT NULL,
    full_path     TEXT    NOT NULL,
    parent_id     INTEGER REFERENCES namespaces (id) ON DELETE CASCADE,
    owner_id      INTEGER REFERENCES users (id) ON DELETE CASCADE,
    visibility    TEXT    NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'internal', 'public')),
    description   TEXT    NOT NULL DEFAULT '',
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX namespaces_full_path_lower ON namespaces (lower(full_path));
CREATE INDEX namespaces_parent ON namespaces (parent_id);

CREATE TABLE group_members (
    group_id     INTEGER NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access_level INTEGER NOT NULL CHECK (access_level IN (10, 20, 30, 40, 50)),
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE projects (
    id           INTEGER PRIMARY KEY,
    namespace_id INTEGER NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    path         TEXT    NOT NULL,
    full_path    TEXT    NOT NULL,
    visibility   TEXT    NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'internal', 'public')),
    description  TEXT    NOT NULL DEFAULT '',
    creator_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE UNIQUE INDEX projects_full_path_lower ON projects (lower(full_path));

CREATE TABLE project_members (
    project_id   INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access_level INTEGER NOT NULL CHECK (access_level IN (10, 20, 30, 40, 50)),
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user ON project_members (user_id);

CREATE TABLE issues (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    iid          INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    author_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    confidential BOOLEAN NOT NULL DEFAULT FALSE,
    state        TEXT    NOT NULL DEFAULT 'opened',
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    UNIQUE (project_id, iid)
);

CREATE TABLE merge_requests (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    iid           INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    description   TEXT    NOT NULL DEFAULT '',
    author_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    source_branch TEXT    NOT NULL,
    target_branch TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'opened',
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (project_id, iid)
);

CREATE TABLE snippets (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    file_name   TEXT    NOT NULL DEFAULT '',
    content     TEXT    NOT NULL DEFAULT '',
    visibility  TEXT    NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'internal', 'public')),
    author_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE TABLE notes (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    noteable_type TEXT    NOT NULL CHECK (noteable_type IN ('Issue', 'MergeRequest', 'Snippet')),
    noteable_id   INTEGER NOT NULL,
    author_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    body          TEXT    NOT NULL,
    system        BOOLEAN NOT NULL DEFAULT FALSE,
    confidential  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE INDEX notes_noteable ON notes (noteable_type, noteable_id);

CREATE TABLE achievements (
    id           INTEGER PRIMARY KEY,
    namespace_id INTEGER NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL CHECK (length(name) <= 255),
    description  TEXT    CHECK (length(description) <= 1024),
    avatar       TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE UNIQUE INDEX achievements_name_per_namespace ON achievements (namespace_id, lower(name));

CREATE TABLE user_achievements (
    id                 INTEGER PRIMARY KEY,
    achievement_id     INTEGER NOT NULL REFERENCES achievements (id) ON DELETE CASCADE,
    user_id            INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    awarded_by_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    revoked_by_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    revoked_at         TEXT,
    priority           INTEGER,
    show_on_profile    BOOLEAN NOT NULL DEFAULT TRUE,
    award_message      TEXT    CHECK (length(award_message) <= 200),
    accepted_at        TEXT,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
);
CREATE INDEX user_achievements_user ON user_achievements (user_id, priority, id);
CREATE INDEX user_achievements_achievement ON user_achievements (achievement_id);

CREATE TABLE award_emoji (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    awardable_type TEXT    NOT NULL CHECK (awardable_type IN ('Issue', 'MergeRequest', 'Snippet', 'Note')),
    awardable_id   INTEGER NOT NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE UNIQUE INDEX award_emoji_once ON award_emoji (user_id, awardable_type, awardable_id, name);
CREATE INDEX award_emoji_awardable ON award_emoji (awardable_type, awardable_id);

-- One row: instance-wide settings.
CREATE TABLE application_settings (
    id                               INTEGER PRIMARY KEY CHECK (id = 1),
    auto_accept_awarded_achievements BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at                       TEXT    NOT NULL
);

-- Feature flags: a row with group_id NULL is the instance value; a group row
-- overrides it for that group and its subgroups.
CREATE TABLE feature_flags (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    group_id   INTEGER REFERENCES namespaces (id) ON DELETE CASCADE,
    enabled    BOOLEAN NOT NULL,
    updated_at TEXT    NOT NULL
);
CREATE UNIQUE INDEX feature_flags_instance ON feature_flags (name) WHERE group_id IS NULL;
CREATE UNIQUE INDEX feature_flags_group ON feature_flags (name, group_id) WHERE group_id IS NOT NULL;

-- Append-only: no foreign keys (history outlives its subjects), no updates, no deletes.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    actor_id    INTEGER,
    actor_name  TEXT,
    action      TEXT    NOT NULL,
    target_type TEXT    NOT NULL,
    target_id   INTEGER NOT NULL,
    details     TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX audit_events_created ON audit_events (created_at);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
