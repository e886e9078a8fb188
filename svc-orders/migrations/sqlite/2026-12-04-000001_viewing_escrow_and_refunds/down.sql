DROP TABLE ledger_entries;
DROP TABLE refunds;
DROP INDEX viewing_requests_awaiting;
DROP INDEX viewing_requests_to_check;
ALTER TABLE viewing_requests DROP COLUMN inviter_id;
ALTER TABLE viewing_requests DROP COLUMN check_at;
ALTER TABLE viewing_requests DROP COLUMN offered_at;
