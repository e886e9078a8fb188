-- The payments reconciliation watches (placing, pending, superseded), each with when it last
-- changed or was looked at: a row from its insert until it is paid, closed or disputed. It
-- replaces an index on (state, updated_at) over every payment ever made, which made each change
-- of a payment's state or time write a new row version and an entry in each of its indexes: with
-- no index on them and room on its page (fillfactor), settling a payment updates it in place.
CREATE TABLE unsettled_payments (
    payment_id BIGINT PRIMARY KEY NOT NULL,
    since BIGINT NOT NULL
);
CREATE INDEX unsettled_payments_since ON unsettled_payments (since, payment_id);
INSERT INTO unsettled_payments (payment_id, since)
    SELECT id, updated_at FROM payments WHERE state IN ('placing', 'pending', 'superseded');
DROP INDEX payments_state;
-- A payment is updated in place two or three times in its life (placed, superseded, paid or
-- closed). Pages written from now on.
ALTER TABLE payments SET (fillfactor = 80);
