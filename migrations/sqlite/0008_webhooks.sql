-- Group webhooks (GitLab's group hooks): where a group's events are POSTed.
-- `token` (sent as X-Gitlab-Token) and `signing_token` (Standard Webhooks
-- signatures) are write-only in every API; they are kept as given because they
-- are sent, not checked. `events`: the enabled event switches, separated by
-- spaces. After consecutive failed deliveries a hook is disabled for a while
-- (`disabled_until`), and for good after 40 (GitLab's rule).
CREATE TABLE group_hooks (
    id                      INTEGER PRIMARY KEY,
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
CREATE INDEX group_hooks_group ON group_hooks (group_id);

-- Each event for each hook, written in the transaction of the change that
-- caused it and delivered by a worker (any process; a row is claimed by one at
-- a time), retried with backoff, and kept as the hook's "recent deliveries".
-- `idempotency_key` stays the same across attempts and resends. A test
-- (`is_test`) is tried once, even while its hook is disabled.
CREATE TABLE hook_deliveries (
    id                 INTEGER PRIMARY KEY,
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
CREATE INDEX hook_deliveries_due ON hook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX hook_deliveries_hook ON hook_deliveries (hook_id, id);

-- GitLab's setting: may hooks target loopback and private network addresses?
ALTER TABLE application_settings ADD COLUMN allow_local_requests_from_web_hooks_and_services BOOLEAN NOT NULL DEFAULT FALSE;
