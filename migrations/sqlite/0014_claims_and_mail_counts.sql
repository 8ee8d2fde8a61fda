-- The deliveries in flight, read at every claim (each group's count of them).
CREATE INDEX hook_deliveries_in_flight ON hook_deliveries (claimed_until)
    WHERE claimed_until IS NOT NULL AND delivered_at IS NULL AND gave_up_at IS NULL;

-- The mail queued to one address in the last hour, read at every award mail.
CREATE INDEX mail_outbox_to_created ON mail_outbox (to_address, created_at);
