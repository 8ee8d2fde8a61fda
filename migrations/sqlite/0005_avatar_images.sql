-- Achievement avatars are kept in the database (they were files under
-- DATA_DIR): several server processes on one database then need no shared
-- disk. `digest` (SHA-256, hex) is the image's ETag. Files of an older
-- version are read in once at start-up (app::domain::uploads).
CREATE TABLE achievement_avatars (
    achievement_id INTEGER PRIMARY KEY REFERENCES achievements (id) ON DELETE CASCADE,
    content_type   TEXT    NOT NULL,
    digest         TEXT    NOT NULL,
    data           BLOB    NOT NULL,
    updated_at     TEXT    NOT NULL
);
