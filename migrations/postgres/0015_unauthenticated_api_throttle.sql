-- GitLab's throttle on API requests without credentials, per client address and
-- minute (GitLab.com's 500; 0 turns it off).
ALTER TABLE application_settings ADD COLUMN throttle_unauthenticated_api_requests_per_period INTEGER NOT NULL DEFAULT 500;
