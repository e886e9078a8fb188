-- Orders (001 §2.1.1): for a house (every member with the payment right may pay) or a person.
CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- 20 digits, time-ordered: 20201211114931367693.
    order_number TEXT NOT NULL UNIQUE,
    -- house, phone or idcard: how the security platform named the payer.
    target_type TEXT NOT NULL,
    community_identifier TEXT NOT NULL,
    -- The payer scope: a house, or a user.
    house_id BIGINT,
    user_id BIGINT,
    -- The house's numbers (001 §2.1.2 filters by them); NULL for a personal order.
    louhao BIGINT,
    danyuan BIGINT,
    louceng BIGINT,
    fangjian BIGINT,
    house_introduction TEXT NOT NULL,
    title TEXT NOT NULL,
    remark TEXT NOT NULL,
    -- JSON text as sent, or empty.
    extra TEXT NOT NULL,
    manager TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    -- open or closed.
    status TEXT NOT NULL,
    paied BOOLEAN NOT NULL,
    bill_id BIGINT,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX orders_community ON orders (community_identifier, id);
CREATE INDEX orders_house ON orders (house_id);
CREATE INDEX orders_user ON orders (user_id);

-- WeChat Pay orders placed for a set of our orders; one is reused while the set and sum hold.
CREATE TABLE payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    out_trade_no TEXT NOT NULL UNIQUE,
    prepay_id TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    -- Order ids, ascending, joined by A: 21A22A23.
    order_ids TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    -- pending, paid or superseded.
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX payments_user_set ON payments (user_id, order_ids);

-- Bills (000 §4.1.2): one per WeChat payment received.
CREATE TABLE bills (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL,
    total_amount_fen BIGINT NOT NULL,
    -- WeChat's transaction id and our out_trade_no.
    payment_number TEXT NOT NULL UNIQUE,
    payment_shop_number TEXT NOT NULL UNIQUE,
    paid_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX bills_user ON bills (user_id, id);
