DROP INDEX outbox_due;
CREATE INDEX outbox_pending ON outbox (delivered_at, next_attempt_at);
