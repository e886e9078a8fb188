-- How many orders each community has in each state (issue 14): the platform's order list
-- (001 §2.1.2) answers its exact `total` from these few rows instead of counting the community's
-- orders on every page. Triggers keep them, so no writer can forget to. A community's orders
-- are spread over `slot`s so that concurrent writers seldom wait on one row; a slot's columns
-- may go below zero (an order counted in one slot, paid in another), their sum never does.
CREATE TABLE order_counts (
    community_identifier TEXT NOT NULL,
    slot INTEGER NOT NULL,
    open_unpaid BIGINT NOT NULL,
    open_paid BIGINT NOT NULL,
    closed_unpaid BIGINT NOT NULL,
    closed_paid BIGINT NOT NULL,
    PRIMARY KEY (community_identifier, slot)
);
INSERT INTO order_counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid)
SELECT community_identifier, 0,
    SUM(CASE WHEN status = 'open' AND NOT paied THEN 1 ELSE 0 END),
    SUM(CASE WHEN status = 'open' AND paied THEN 1 ELSE 0 END),
    SUM(CASE WHEN status = 'closed' AND NOT paied THEN 1 ELSE 0 END),
    SUM(CASE WHEN status = 'closed' AND paied THEN 1 ELSE 0 END)
FROM orders GROUP BY community_identifier;

-- SQLite has one writer at a time: one slot.
CREATE TRIGGER orders_counted_insert AFTER INSERT ON orders BEGIN
    INSERT INTO order_counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid)
    VALUES (NEW.community_identifier, 0,
        (NEW.status = 'open' AND NOT NEW.paied),
        (NEW.status = 'open' AND NEW.paied),
        (NEW.status = 'closed' AND NOT NEW.paied),
        (NEW.status = 'closed' AND NEW.paied))
    ON CONFLICT (community_identifier, slot) DO UPDATE SET
        open_unpaid = open_unpaid + excluded.open_unpaid,
        open_paid = open_paid + excluded.open_paid,
        closed_unpaid = closed_unpaid + excluded.closed_unpaid,
        closed_paid = closed_paid + excluded.closed_paid;
END;
CREATE TRIGGER orders_counted_update AFTER UPDATE OF community_identifier, status, paied ON orders
WHEN OLD.community_identifier IS NOT NEW.community_identifier
    OR OLD.status IS NOT NEW.status OR OLD.paied IS NOT NEW.paied
BEGIN
    INSERT INTO order_counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid)
    VALUES (OLD.community_identifier, 0,
        -(OLD.status = 'open' AND NOT OLD.paied),
        -(OLD.status = 'open' AND OLD.paied),
        -(OLD.status = 'closed' AND NOT OLD.paied),
        -(OLD.status = 'closed' AND OLD.paied))
    ON CONFLICT (community_identifier, slot) DO UPDATE SET
        open_unpaid = open_unpaid + excluded.open_unpaid,
        open_paid = open_paid + excluded.open_paid,
        closed_unpaid = closed_unpaid + excluded.closed_unpaid,
        closed_paid = closed_paid + excluded.closed_paid;
    INSERT INTO order_counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid)
    VALUES (NEW.community_identifier, 0,
        (NEW.status = 'open' AND NOT NEW.paied),
        (NEW.status = 'open' AND NEW.paied),
        (NEW.status = 'closed' AND NOT NEW.paied),
        (NEW.status = 'closed' AND NEW.paied))
    ON CONFLICT (community_identifier, slot) DO UPDATE SET
        open_unpaid = open_unpaid + excluded.open_unpaid,
        open_paid = open_paid + excluded.open_paid,
        closed_unpaid = closed_unpaid + excluded.closed_unpaid,
        closed_paid = closed_paid + excluded.closed_paid;
END;
CREATE TRIGGER orders_counted_delete AFTER DELETE ON orders BEGIN
    INSERT INTO order_counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid)
    VALUES (OLD.community_identifier, 0,
        -(OLD.status = 'open' AND NOT OLD.paied),
        -(OLD.status = 'open' AND OLD.paied),
        -(OLD.status = 'closed' AND NOT OLD.paied),
        -(OLD.status = 'closed' AND OLD.paied))
    ON CONFLICT (community_identifier, slot) DO UPDATE SET
        open_unpaid = open_unpaid + excluded.open_unpaid,
        open_paid = open_paid + excluded.open_paid,
        closed_unpaid = closed_unpaid + excluded.closed_unpaid,
        closed_paid = closed_paid + excluded.closed_paid;
END;
