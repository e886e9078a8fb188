-- The one live WeChat Pay order of each of our orders being paid. The primary key is the rule:
-- a second payment for an order can only be placed once the first is taken off (superseded,
-- closed at WeChat Pay, or paid).
CREATE TABLE live_payments (
    order_id BIGINT PRIMARY KEY NOT NULL,
    payment_id BIGINT NOT NULL
);
CREATE INDEX live_payments_payment ON live_payments (payment_id);

-- Reconciliation looks for payments still open at WeChat Pay, oldest change first.
CREATE INDEX payments_state ON payments (state, updated_at);

-- A bill belongs to the community its orders were paid to (one payee per payment).
ALTER TABLE bills ADD COLUMN community_identifier TEXT NOT NULL DEFAULT '';
UPDATE bills SET community_identifier = COALESCE(
    (SELECT orders.community_identifier FROM orders WHERE orders.bill_id = bills.id LIMIT 1), '');
CREATE INDEX bills_community ON bills (community_identifier, id);
