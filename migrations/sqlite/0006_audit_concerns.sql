-- What an audit entry concerns, for a group's audit log (its page and
-- `GET /groups/:id/audit_events`): the group, the achievement and the person
-- (an award's recipient). Entries written before this have none and stay in
-- the instance's log only (the log is append-only: nothing is filled in).
ALTER TABLE audit_events ADD COLUMN group_id INTEGER;
ALTER TABLE audit_events ADD COLUMN achievement_id INTEGER;
ALTER TABLE audit_events ADD COLUMN subject_id INTEGER;
CREATE INDEX audit_events_group ON audit_events (group_id, id);
