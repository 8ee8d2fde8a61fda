-- Awards whose credentials no longer hold (revoked, declined, deleted, or
-- their achievement deleted): their bit is set in the status lists. No
-- foreign key: a deleted award's id stays here, so its credential reads as
-- revoked.
CREATE TABLE revoked_credentials (
    award_id   INTEGER PRIMARY KEY,
    revoked_at TEXT    NOT NULL
);
