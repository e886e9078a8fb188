-- Subscribe messages (订阅消息): what residents accepted, per (openid, template), and every
-- event handed over by the other services with what became of it.
CREATE TABLE subscriptions (
    openid TEXT NOT NULL,
    template_id TEXT NOT NULL,
    -- Messages of the template that may still be sent: one per accept.
    quota INTEGER NOT NULL DEFAULT 0,
    last_answer TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (openid, template_id)
);

CREATE TABLE notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The service whose outbox held the event, and the event's id there: recorded once.
    source TEXT NOT NULL,
    event_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    template_id TEXT NOT NULL,
    openid TEXT,
    page TEXT NOT NULL,
    -- The values the template shows, as sent: a JSON list of [key, value].
    data TEXT NOT NULL,
    -- pending, sent, unsubscribed, refused, dropped, no_wechat.
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    UNIQUE (source, event_id)
);
CREATE INDEX notices_of_user ON notices (user_id, id);

-- Notices on their way to WeChat (kit::outbox), written with the notice.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_pending ON outbox (delivered_at, next_attempt_at);
