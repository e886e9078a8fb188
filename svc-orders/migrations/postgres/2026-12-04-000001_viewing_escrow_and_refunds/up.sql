-- Viewing fees held until the landlord confirms (escrow), and refunds of any payment.
-- When a payment page or WeChat Pay order was last offered for a request, and when
-- reconciliation next asks the providers about it (NULL: not to be asked).
ALTER TABLE viewing_requests ADD COLUMN offered_at BIGINT;
ALTER TABLE viewing_requests ADD COLUMN check_at BIGINT;
-- Who invited the landlord when the request was made: they earn a share of the fee confirmed.
ALTER TABLE viewing_requests ADD COLUMN inviter_id BIGINT;
-- Unpaid requests whose payment may have been missed, by when they are due.
CREATE INDEX viewing_requests_to_check ON viewing_requests (check_at) WHERE check_at IS NOT NULL;
-- Paid requests waiting for the landlord, oldest payment first (escrow expiry).
CREATE INDEX viewing_requests_awaiting ON viewing_requests (status, paid_at);

-- Money going back the way it came. purpose: viewing (a viewing fee returned: the request
-- becomes refunded), duplicate (a second payment of something already paid), mismatch (a
-- payment of another amount than asked), bill (the platform refunds a property bill). state: pending (to be sent), processing (the provider
-- took it and is paying it back), succeeded, failed (the provider refused: staff decide).
CREATE TABLE refunds (
    id BIGSERIAL PRIMARY KEY,
    -- Ours, unique: the provider's idempotency key (Alipay out_request_no, WeChat out_refund_no).
    out_refund_no TEXT NOT NULL UNIQUE,
    -- alipay or wxpay, and the trade it returns money of.
    channel TEXT NOT NULL,
    out_trade_no TEXT NOT NULL,
    total_fen BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    reason TEXT NOT NULL,
    purpose TEXT NOT NULL,
    viewing_id BIGINT,
    bill_id BIGINT,
    state TEXT NOT NULL,
    -- The provider's refund id, once it took the refund.
    refund_id TEXT,
    -- Why it failed (the provider's code and message).
    failure TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    -- When the refund worker next sends or asks (NULL: nothing left to do).
    next_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    refunded_at BIGINT,
    -- The platform's own number for a bill refund it asked for: asking again with it gives the
    -- same refund.
    request_no TEXT,
    -- The community whose bill or listing the money was paid for: its platform sees the refund.
    community_identifier TEXT
);

CREATE INDEX refunds_due ON refunds (next_at) WHERE next_at IS NOT NULL;
CREATE INDEX refunds_of_trade ON refunds (out_trade_no);
CREATE INDEX refunds_of_viewing ON refunds (viewing_id) WHERE viewing_id IS NOT NULL;
CREATE UNIQUE INDEX refunds_of_bill ON refunds (bill_id, request_no) WHERE bill_id IS NOT NULL;
CREATE INDEX refunds_of_community ON refunds (community_identifier, id);

-- The double-entry ledger of the marketplace's money: every movement is rows summing to zero
-- (debits positive, credits negative). Accounts: provider:alipay, provider:wxpay (money held at
-- the provider), escrow (viewing fees held for the landlord's answer), refunds (money owed back
-- to payers), user:<id>@<community> (what we owe a landlord or an inviter of the fees earned in
-- that community), platform:invitations (what the
-- invitation shares cost the platform).
CREATE TABLE ledger_entries (
    id BIGSERIAL PRIMARY KEY,
    -- One movement's rows share it, e.g. viewing-paid:12; an account appears once in each.
    movement TEXT NOT NULL,
    account TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    viewing_id BIGINT,
    refund_id BIGINT,
    created_at BIGINT NOT NULL
);

CREATE UNIQUE INDEX ledger_entries_once ON ledger_entries (movement, account);
CREATE INDEX ledger_entries_by_account ON ledger_entries (account, id);
