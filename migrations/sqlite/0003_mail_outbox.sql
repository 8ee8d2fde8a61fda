-- Award e-mail, written in the award's transaction and delivered by a worker:
-- a crash between commit and send loses nothing. `message_id` stays the same
-- across retries, so a receiver can drop the copy a crash mid-send may cause.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
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
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX mail_outbox_group_created ON mail_outbox (group_id, created_at);
