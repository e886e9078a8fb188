-- Seed 004's Alipay user (/payment/ali/*): a resident's Alipay authorisation and 芝麻分, and the
-- platform's payouts (/payment/ali/pay_to_customer) of what the marketplace owes a landlord or an
-- inviter.

-- One row per resident who authorised us at Alipay (alipay.system.oauth.token): their Alipay user
-- id and the access token that acts for them until it expires; the 芝麻分 last fetched with it.
CREATE TABLE alipay_users (
    user_id BIGINT PRIMARY KEY,
    -- 2088 and 12 digits.
    alipay_user_id TEXT NOT NULL,
    access_token TEXT NOT NULL,
    token_expires_at BIGINT NOT NULL,
    refresh_token TEXT NOT NULL,
    -- NULL until fetched (zhima.credit.score.get).
    zhima_score BIGINT,
    zhima_fetched_at BIGINT,
    bound_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A payout through alipay.fund.trans.uni.transfer. order_id is the platform's idempotency key;
-- out_biz_no, Alipay's, is derived from it. state: pending (written, with its ledger movement,
-- before Alipay is asked; asked again when the same order_id comes again), succeeded, failed
-- (Alipay refused for good: a reversing movement gave the money back to the account).
CREATE TABLE payouts (
    id BIGSERIAL PRIMARY KEY,
    order_id TEXT NOT NULL UNIQUE,
    out_biz_no TEXT NOT NULL UNIQUE,
    community_identifier TEXT NOT NULL,
    -- Whom the ledger owes (user:<owner_id>@<community_identifier>).
    owner_id BIGINT NOT NULL,
    -- ALIPAY_USERID or ALIPAY_LOGONID (seed 004's words), the account and its holder's name.
    payee_type TEXT NOT NULL,
    payee_account TEXT NOT NULL,
    payee_name TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    remark TEXT NOT NULL,
    state TEXT NOT NULL,
    -- Alipay's transfer order number, once it paid.
    alipay_order_id TEXT,
    -- Why Alipay refused (its code and message), or why it could not be reached.
    failure TEXT NOT NULL,
    -- The platform credential that asked.
    credential_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    paid_at BIGINT
);

CREATE INDEX payouts_of_community ON payouts (community_identifier, id);
