DROP TABLE outbox;
DROP TABLE notices;
DROP TABLE subscriptions;
