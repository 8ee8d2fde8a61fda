-- The instance's credential signing keys (Ed25519): made at first use, kept
-- here so every server process signs alike. The newest unretired key signs;
-- retired ones stay published so credentials they signed still verify.
CREATE TABLE signing_keys (
    id         INTEGER PRIMARY KEY,
    kid        TEXT    NOT NULL UNIQUE,
    seed       BLOB    NOT NULL,
    public_key BLOB    NOT NULL,
    created_at TEXT    NOT NULL,
    retired_at TEXT
);
