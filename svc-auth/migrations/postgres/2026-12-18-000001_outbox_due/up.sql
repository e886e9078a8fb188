-- The relay's reads (kit::outbox::due, claim) of one topic's undelivered messages, oldest first,
-- through an index of only those: the next batch is its first rows. Before, they were read through
-- (delivered_at, next_attempt_at): every due message of every topic, then sorted, at each pass,
-- so a burst's backlog cost each pass all of it (issue 14).
DROP INDEX outbox_pending;
CREATE INDEX outbox_due ON outbox (topic, id, next_attempt_at) WHERE delivered_at IS NULL;
