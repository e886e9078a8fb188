DROP TRIGGER orders_counted_insert;
DROP TRIGGER orders_counted_update;
DROP TRIGGER orders_counted_delete;
ALTER TABLE order_counts DROP COLUMN changes;
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
