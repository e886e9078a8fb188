-- The payments reconciliation watches (placing, pending, superseded), each with when it last
-- changed or was looked at: a row from its insert until it is paid, closed or disputed. It
-- replaces an index on (state, updated_at) over every payment ever made.
CREATE TABLE unsettled_payments (
    payment_id BIGINT PRIMARY KEY NOT NULL,
    since BIGINT NOT NULL
);
CREATE INDEX unsettled_payments_since ON unsettled_payments (since, payment_id);
INSERT INTO unsettled_payments (payment_id, since)
    SELECT id, updated_at FROM payments WHERE state IN ('placing', 'pending', 'superseded');
DROP INDEX payments_state;
