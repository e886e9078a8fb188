-- A version of each community's orders (issue 14): `changes` counts the order rows written,
-- so that it grows with every insert, update and delete, including those that change no count
-- (the counting trigger skipped those). The platform's order list answers "unchanged" to a
-- caller that kept the page of the current version (svc_orders::db::orders::version).
ALTER TABLE order_counts ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;
DROP TRIGGER orders_counted_insert;
DROP TRIGGER orders_counted_update;
DROP TRIGGER orders_counted_delete;

CREATE TRIGGER orders_counted_insert AFTER INSERT ON orders BEGIN
    INSERT INTO order_counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid, changes)
    VALUES (NEW.community_identifier, 0,
        (NEW.status = 'open' AND NOT NEW.paied),
        (NEW.status = 'open' AND NEW.paied),
        (NEW.status = 'closed' AND NOT NEW.paied),
        (NEW.status = 'closed' AND NEW.paied), 1)
    ON CONFLICT (community_identifier, slot) DO UPDATE SET
        open_unpaid = open_unpaid + excluded.open_unpaid,
        open_paid = open_paid + excluded.open_paid,
        closed_unpaid = closed_unpaid + excluded.closed_unpaid,
        closed_paid = closed_paid + excluded.closed_paid,
        changes = changes + excluded.changes;
END;
-- Every update now: the old row's counts out, the new row's in, a change for each.
CREATE TRIGGER orders_counted_update AFTER UPDATE ON orders
BEGIN
    INSERT INTO order_counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid, changes)
    VALUES (OLD.community_identifier, 0,
        -(OLD.status = 'open' AND NOT OLD.paied),
        -(OLD.status = 'open' AND OLD.paied),
        -(OLD.status = 'closed' AND NOT OLD.paied),
        -(OLD.status = 'closed' AND OLD.paied), 1)
    ON CONFLICT (community_identifier, slot) DO UPDATE SET
        open_unpaid = open_unpaid + excluded.open_unpaid,
        open_paid = open_paid + excluded.open_paid,
        closed_unpaid = closed_unpaid + excluded.closed_unpaid,
        closed_paid = closed_paid + excluded.closed_paid,
        changes = changes + excluded.changes;
    INSERT INTO order_counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid, changes)
    VALUES (NEW.community_identifier, 0,
        (NEW.status = 'open' AND NOT NEW.paied),
        (NEW.status = 'open' AND NEW.paied),
        (NEW.status = 'closed' AND NOT NEW.paied),
        (NEW.status = 'closed' AND NEW.paied), 1)
    ON CONFLICT (community_identifier, slot) DO UPDATE SET
        open_unpaid = open_unpaid + excluded.open_unpaid,
        open_paid = open_paid + excluded.open_paid,
        closed_unpaid = closed_unpaid + excluded.closed_unpaid,
        closed_paid = closed_paid + excluded.closed_paid,
        changes = changes + excluded.changes;
END;
CREATE TRIGGER orders_counted_delete AFTER DELETE ON orders BEGIN
    INSERT INTO order_counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid, changes)
    VALUES (OLD.community_identifier, 0,
        -(OLD.status = 'open' AND NOT OLD.paied),
        -(OLD.status = 'open' AND OLD.paied),
        -(OLD.status = 'closed' AND NOT OLD.paied),
        -(OLD.status = 'closed' AND OLD.paied), 1)
    ON CONFLICT (community_identifier, slot) DO UPDATE SET
        open_unpaid = open_unpaid + excluded.open_unpaid,
        open_paid = open_paid + excluded.open_paid,
        closed_unpaid = closed_unpaid + excluded.closed_unpaid,
        closed_paid = closed_paid + excluded.closed_paid,
        changes = changes + excluded.changes;
END;
