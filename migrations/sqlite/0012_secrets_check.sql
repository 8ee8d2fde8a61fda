-- The instance's secrets (credential signing seeds, webhook tokens) are kept
-- sealed with a key the database does not hold (SECRETS_KEY, or a key file
-- under DATA_DIR). This row, sealed with that key when the database is first
-- opened, lets each process find out at start-up whether its key is the one
-- the database was sealed with.
CREATE TABLE secrets_check (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    sealed     BLOB    NOT NULL,
    created_at TEXT    NOT NULL
);
