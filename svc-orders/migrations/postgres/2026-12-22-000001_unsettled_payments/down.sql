ALTER TABLE payments RESET (fillfactor);
CREATE INDEX payments_state ON payments (state, updated_at);
DROP TABLE unsettled_payments;
