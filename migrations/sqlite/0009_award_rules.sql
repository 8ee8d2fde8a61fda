-- Rule-based awards: an achievement may carry one rule, chosen from typed
-- triggers (no SQL is ever stored). `trigger`: reactions_received,
-- issues_opened, merge_requests_opened, comments_written,
-- first_reaction_given, member_for_days; `threshold` is the count (days for
-- member_for_days); `emoji` narrows reactions_received to one emoji. Awards a
-- rule made are marked, so that `auto_revoke` takes back only those.
CREATE TABLE award_rules (
    achievement_id INTEGER PRIMARY KEY REFERENCES achievements (id) ON DELETE CASCADE,
    trigger        TEXT    NOT NULL,
    threshold      INTEGER NOT NULL,
    emoji          TEXT,
    auto_revoke    BOOLEAN NOT NULL,
    created_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
ALTER TABLE user_achievements ADD COLUMN granted_by_rule BOOLEAN NOT NULL DEFAULT FALSE;
