-- The relay reads a topic's undelivered messages, oldest first, a batch at a time (issue 14).
-- An index of the undelivered alone, in that order, serves it from the first due message on,
-- however many were delivered before or wait behind; `(delivered_at, next_attempt_at)` indexed
-- every message ever written, and each pass sorted all that were due.
DROP INDEX outbox_pending;
CREATE INDEX outbox_due ON outbox (topic, id) WHERE delivered_at IS NULL;
