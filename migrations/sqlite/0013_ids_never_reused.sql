-- Ids are never used twice, as on PostgreSQL (a sequence never goes back).
-- SQLite gives a new row the largest id + 1, so the id of the newest row,
-- once deleted, went to the next: a revoked award's id to a new award, whose
-- credential then read as revoked; an embed or a hook's audit entry that
-- named the old row named the new one. AUTOINCREMENT never goes back; SQLite
-- adds it only to a table built anew, so each of these is built anew, as it
-- was, its rows, indexes and references kept (`migrate_sqlite` applies this
-- with foreign keys off; the last statements check every reference, and undo
-- it all if one is broken).

-- users
CREATE TABLE users_rebuilt (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO users_rebuilt (id, username, name, email, password_hash, admin, state, private_profile, achievements_enabled, bio, avatar, created_at, updated_at)
    SELECT id, username, name, email, password_hash, admin, state, private_profile, achievements_enabled, bio, avatar, created_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));

-- namespaces
CREATE TABLE namespaces_rebuilt (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO namespaces_rebuilt (id, kind, name, path, full_path, parent_id, owner_id, visibility, description, created_at, updated_at)
    SELECT id, kind, name, path, full_path, parent_id, owner_id, visibility, description, created_at, updated_at FROM namespaces;
DROP TABLE namespaces;
ALTER TABLE namespaces_rebuilt RENAME TO namespaces;
CREATE UNIQUE INDEX namespaces_full_path_lower ON namespaces (lower(full_path));
CREATE INDEX namespaces_parent ON namespaces (parent_id);

-- projects
CREATE TABLE projects_rebuilt (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO projects_rebuilt (id, namespace_id, name, path, full_path, visibility, description, creator_id, created_at, updated_at)
    SELECT id, namespace_id, name, path, full_path, visibility, description, creator_id, created_at, updated_at FROM projects;
DROP TABLE projects;
ALTER TABLE projects_rebuilt RENAME TO projects;
CREATE UNIQUE INDEX projects_full_path_lower ON projects (lower(full_path));

-- issues
CREATE TABLE issues_rebuilt (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO issues_rebuilt (id, project_id, iid, title, description, author_id, confidential, state, created_at, updated_at)
    SELECT id, project_id, iid, title, description, author_id, confidential, state, created_at, updated_at FROM issues;
DROP TABLE issues;
ALTER TABLE issues_rebuilt RENAME TO issues;

-- merge_requests
CREATE TABLE merge_requests_rebuilt (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO merge_requests_rebuilt (id, project_id, iid, title, description, author_id, source_branch, target_branch, state, created_at, updated_at)
    SELECT id, project_id, iid, title, description, author_id, source_branch, target_branch, state, created_at, updated_at FROM merge_requests;
DROP TABLE merge_requests;
ALTER TABLE merge_requests_rebuilt RENAME TO merge_requests;

-- notes
CREATE TABLE notes_rebuilt (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO notes_rebuilt (id, project_id, noteable_type, noteable_id, author_id, body, system, confidential, created_at, updated_at)
    SELECT id, project_id, noteable_type, noteable_id, author_id, body, system, confidential, created_at, updated_at FROM notes;
DROP TABLE notes;
ALTER TABLE notes_rebuilt RENAME TO notes;
CREATE INDEX notes_noteable ON notes (noteable_type, noteable_id);

-- snippets
CREATE TABLE snippets_rebuilt (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    file_name   TEXT    NOT NULL DEFAULT '',
    content     TEXT    NOT NULL DEFAULT '',
    visibility  TEXT    NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'internal', 'public')),
    author_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
INSERT INTO snippets_rebuilt (id, project_id, title, file_name, content, visibility, author_id, created_at, updated_at)
    SELECT id, project_id, title, file_name, content, visibility, author_id, created_at, updated_at FROM snippets;
DROP TABLE snippets;
ALTER TABLE snippets_rebuilt RENAME TO snippets;

-- award_emoji
CREATE TABLE award_emoji_rebuilt (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT    NOT NULL,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    awardable_type TEXT    NOT NULL CHECK (awardable_type IN ('Issue', 'MergeRequest', 'Snippet', 'Note')),
    awardable_id   INTEGER NOT NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
INSERT INTO award_emoji_rebuilt (id, name, user_id, awardable_type, awardable_id, created_at, updated_at)
    SELECT id, name, user_id, awardable_type, awardable_id, created_at, updated_at FROM award_emoji;
DROP TABLE award_emoji;
ALTER TABLE award_emoji_rebuilt RENAME TO award_emoji;
CREATE INDEX award_emoji_awardable ON award_emoji (awardable_type, awardable_id);
CREATE UNIQUE INDEX award_emoji_once ON award_emoji (user_id, awardable_type, awardable_id, name);

-- achievements
CREATE TABLE achievements_rebuilt (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    namespace_id INTEGER NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL CHECK (length(name) <= 255),
    description  TEXT    CHECK (length(description) <= 1024),
    avatar       TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
INSERT INTO achievements_rebuilt (id, namespace_id, name, description, avatar, created_at, updated_at)
    SELECT id, namespace_id, name, description, avatar, created_at, updated_at FROM achievements;
DROP TABLE achievements;
ALTER TABLE achievements_rebuilt RENAME TO achievements;
CREATE UNIQUE INDEX achievements_name_per_namespace ON achievements (namespace_id, lower(name));

-- user_achievements
CREATE TABLE user_achievements_rebuilt (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
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
, granted_by_rule BOOLEAN NOT NULL DEFAULT FALSE);
INSERT INTO user_achievements_rebuilt (id, achievement_id, user_id, awarded_by_user_id, revoked_by_user_id, revoked_at, priority, show_on_profile, award_message, accepted_at, created_at, updated_at, granted_by_rule)
    SELECT id, achievement_id, user_id, awarded_by_user_id, revoked_by_user_id, revoked_at, priority, show_on_profile, award_message, accepted_at, created_at, updated_at, granted_by_rule FROM user_achievements;
DROP TABLE user_achievements;
ALTER TABLE user_achievements_rebuilt RENAME TO user_achievements;
CREATE INDEX user_achievements_achievement ON user_achievements (achievement_id);
CREATE INDEX user_achievements_achievement_created ON user_achievements (achievement_id, created_at);
CREATE INDEX user_achievements_user ON user_achievements (user_id, priority, id);

-- personal_access_tokens
CREATE TABLE personal_access_tokens_rebuilt (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_digest TEXT    NOT NULL UNIQUE,
    scopes       TEXT    NOT NULL,
    expires_at   TEXT, -- a date (YYYY-MM-DD)
    revoked      BOOLEAN NOT NULL DEFAULT FALSE,
    last_used_at TEXT,
    created_at   TEXT    NOT NULL
, description TEXT);
INSERT INTO personal_access_tokens_rebuilt (id, user_id, name, token_digest, scopes, expires_at, revoked, last_used_at, created_at, description)
    SELECT id, user_id, name, token_digest, scopes, expires_at, revoked, last_used_at, created_at, description FROM personal_access_tokens;
DROP TABLE personal_access_tokens;
ALTER TABLE personal_access_tokens_rebuilt RENAME TO personal_access_tokens;
CREATE INDEX personal_access_tokens_user ON personal_access_tokens (user_id);

-- sessions
CREATE TABLE sessions_rebuilt (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_digest TEXT    NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL
);
INSERT INTO sessions_rebuilt (id, token_digest, user_id, created_at, expires_at)
    SELECT id, token_digest, user_id, created_at, expires_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_rebuilt RENAME TO sessions;
CREATE INDEX sessions_user ON sessions (user_id);

-- group_hooks
CREATE TABLE group_hooks_rebuilt (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id                INTEGER NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
    url                     TEXT    NOT NULL,
    name                    TEXT    NOT NULL,
    description             TEXT    NOT NULL,
    token                   TEXT,
    signing_token           TEXT,
    enable_ssl_verification BOOLEAN NOT NULL,
    events                  TEXT    NOT NULL,
    recent_failures         INTEGER NOT NULL DEFAULT 0,
    disabled_until          TEXT,
    permanently_disabled    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at              TEXT    NOT NULL,
    updated_at              TEXT    NOT NULL
);
INSERT INTO group_hooks_rebuilt (id, group_id, url, name, description, token, signing_token, enable_ssl_verification, events, recent_failures, disabled_until, permanently_disabled, created_at, updated_at)
    SELECT id, group_id, url, name, description, token, signing_token, enable_ssl_verification, events, recent_failures, disabled_until, permanently_disabled, created_at, updated_at FROM group_hooks;
DROP TABLE group_hooks;
ALTER TABLE group_hooks_rebuilt RENAME TO group_hooks;
CREATE INDEX group_hooks_group ON group_hooks (group_id);

-- hook_deliveries
CREATE TABLE hook_deliveries_rebuilt (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    hook_id            INTEGER NOT NULL REFERENCES group_hooks (id) ON DELETE CASCADE,
    event_name         TEXT    NOT NULL,
    trigger            TEXT    NOT NULL,
    idempotency_key    TEXT    NOT NULL,
    event_uuid         TEXT    NOT NULL,
    is_test            BOOLEAN NOT NULL DEFAULT FALSE,
    payload            TEXT    NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    TEXT    NOT NULL,
    claimed_until      TEXT,
    response_status    INTEGER,
    response_body      TEXT,
    internal_error     TEXT,
    execution_duration DOUBLE PRECISION,
    delivered_at       TEXT,
    gave_up_at         TEXT,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
);
INSERT INTO hook_deliveries_rebuilt (id, hook_id, event_name, trigger, idempotency_key, event_uuid, is_test, payload, attempts, next_attempt_at, claimed_until, response_status, response_body, internal_error, execution_duration, delivered_at, gave_up_at, created_at, updated_at)
    SELECT id, hook_id, event_name, trigger, idempotency_key, event_uuid, is_test, payload, attempts, next_attempt_at, claimed_until, response_status, response_body, internal_error, execution_duration, delivered_at, gave_up_at, created_at, updated_at FROM hook_deliveries;
DROP TABLE hook_deliveries;
ALTER TABLE hook_deliveries_rebuilt RENAME TO hook_deliveries;
CREATE INDEX hook_deliveries_due ON hook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX hook_deliveries_hook ON hook_deliveries (hook_id, id);

-- feature_flags
CREATE TABLE feature_flags_rebuilt (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    group_id   INTEGER REFERENCES namespaces (id) ON DELETE CASCADE,
    enabled    BOOLEAN NOT NULL,
    updated_at TEXT    NOT NULL
);
INSERT INTO feature_flags_rebuilt (id, name, group_id, enabled, updated_at)
    SELECT id, name, group_id, enabled, updated_at FROM feature_flags;
DROP TABLE feature_flags;
ALTER TABLE feature_flags_rebuilt RENAME TO feature_flags;
CREATE UNIQUE INDEX feature_flags_group ON feature_flags (name, group_id) WHERE group_id IS NOT NULL;
CREATE UNIQUE INDEX feature_flags_instance ON feature_flags (name) WHERE group_id IS NULL;

-- signing_keys
CREATE TABLE signing_keys_rebuilt (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kid        TEXT    NOT NULL UNIQUE,
    seed       BLOB    NOT NULL,
    public_key BLOB    NOT NULL,
    created_at TEXT    NOT NULL,
    retired_at TEXT
);
INSERT INTO signing_keys_rebuilt (id, kid, seed, public_key, created_at, retired_at)
    SELECT id, kid, seed, public_key, created_at, retired_at FROM signing_keys;
DROP TABLE signing_keys;
ALTER TABLE signing_keys_rebuilt RENAME TO signing_keys;

-- mail_outbox
CREATE TABLE mail_outbox_rebuilt (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      TEXT    NOT NULL UNIQUE,
    group_id        INTEGER,
    to_name         TEXT    NOT NULL,
    to_address      TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    text_body       TEXT    NOT NULL,
    html_body       TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    claimed_until   TEXT,
    last_error      TEXT,
    sent_at         TEXT,
    gave_up_at      TEXT,
    created_at      TEXT    NOT NULL
);
INSERT INTO mail_outbox_rebuilt (id, message_id, group_id, to_name, to_address, subject, text_body, html_body, attempts, next_attempt_at, claimed_until, last_error, sent_at, gave_up_at, created_at)
    SELECT id, message_id, group_id, to_name, to_address, subject, text_body, html_body, attempts, next_attempt_at, claimed_until, last_error, sent_at, gave_up_at, created_at FROM mail_outbox;
DROP TABLE mail_outbox;
ALTER TABLE mail_outbox_rebuilt RENAME TO mail_outbox;
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX mail_outbox_group_created ON mail_outbox (group_id, created_at);

-- The ids of awards deleted before this migration (their credentials read
-- as revoked) are not handed out again either.
UPDATE sqlite_sequence SET seq = max(seq, (SELECT coalesce(max(award_id), 0) FROM revoked_credentials))
    WHERE name = 'user_achievements';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'user_achievements', max(award_id) FROM revoked_credentials
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'user_achievements')
    HAVING count(*) > 0;

-- Every reference still holds, or none of this is kept.
CREATE TEMP TABLE references_checked (done INTEGER);
CREATE TEMP TRIGGER references_hold BEFORE INSERT ON references_checked
BEGIN
    SELECT RAISE(ABORT, 'a rebuilt table left a reference to a row that is gone')
    WHERE EXISTS (SELECT 1 FROM pragma_foreign_key_check);
END;
INSERT INTO references_checked VALUES (1);
DROP TABLE references_checked;
