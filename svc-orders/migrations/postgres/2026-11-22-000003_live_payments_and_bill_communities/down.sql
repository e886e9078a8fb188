DROP INDEX bills_community;
ALTER TABLE bills DROP COLUMN community_identifier;
DROP INDEX payments_state;
DROP TABLE live_payments;
