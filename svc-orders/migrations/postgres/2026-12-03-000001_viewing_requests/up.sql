-- Viewing requests of the rental marketplace (seed 004 看房申请): a seeker asks to view a
-- published listing and pays its viewing fee (看房信息费); the landlord confirms a time or
-- declines. status: unpaid, paid, confirmed, declined, refunded.
CREATE TABLE viewing_requests (
    id BIGSERIAL PRIMARY KEY,
    seeker_id BIGINT NOT NULL,
    listing_id BIGINT NOT NULL,
    owner_id BIGINT NOT NULL,
    community_identifier TEXT NOT NULL,
    house_title TEXT NOT NULL,
    -- JSON array of unix seconds.
    wished_times TEXT NOT NULL,
    fee_fen BIGINT NOT NULL,
    status TEXT NOT NULL,
    viewing_time BIGINT,
    reason TEXT NOT NULL,
    -- How the fee was paid (alipay, wxpay) and the provider's trade number.
    pay_channel TEXT,
    trade_no TEXT,
    paid_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The seeker's requests and the landlord's, the latest first; a seeker's open request for a
-- listing is found through the first.
CREATE INDEX viewing_requests_by_seeker ON viewing_requests (seeker_id, listing_id, id);
CREATE INDEX viewing_requests_by_owner ON viewing_requests (owner_id, id);
