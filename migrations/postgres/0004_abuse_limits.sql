-- Abuse limits the admin sets (0 turns a limit off), and failed sign-ins per
-- account: after `max_login_attempts` in a row the account is locked for
-- `failed_login_attempts_unlock_period_in_minutes` (GitLab's names and defaults).
ALTER TABLE application_settings ADD COLUMN max_login_attempts INTEGER NOT NULL DEFAULT 10;
ALTER TABLE application_settings ADD COLUMN failed_login_attempts_unlock_period_in_minutes INTEGER NOT NULL DEFAULT 10;
ALTER TABLE application_settings ADD COLUMN throttle_protected_paths_requests_per_period INTEGER NOT NULL DEFAULT 10;
ALTER TABLE application_settings ADD COLUMN reactions_per_user_per_minute INTEGER NOT NULL DEFAULT 60;
ALTER TABLE application_settings ADD COLUMN awards_per_group_per_hour INTEGER NOT NULL DEFAULT 300;
ALTER TABLE application_settings ADD COLUMN award_emails_per_group_per_hour INTEGER NOT NULL DEFAULT 100;

CREATE TABLE sign_in_failures (
    user_id         BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    failed_attempts INTEGER NOT NULL,
    locked_until    TIMESTAMPTZ
);
CREATE INDEX user_achievements_achievement_created ON user_achievements (achievement_id, created_at);
