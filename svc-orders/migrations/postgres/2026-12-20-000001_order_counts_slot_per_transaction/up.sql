-- Which slot of its community's `order_counts` a transaction adds to (issue 14). It was the
-- connection's (`pg_backend_pid() % 8`): two connections of a pool whose process ids shared a
-- remainder then shared a row in every transaction, and each waited for the other's commit
-- (WAL flush included) whenever both wrote one community's orders, as payments of one
-- community's fees do; a ninth connection always shared. Now it is the transaction's, out of
-- 64: two concurrent writers of a community share a row by chance, seldom, and never for long.
-- A transaction keeps its slot, so its own statements never wait on each other. Two transactions
-- that each change the orders of two communities in separate statements, in opposite orders,
-- can still deadlock when they share a slot (PostgreSQL then aborts one): change several
-- communities' orders in one statement, as paying a set of orders does.
CREATE FUNCTION order_counts_slot() RETURNS INTEGER LANGUAGE sql VOLATILE AS $$
    SELECT CAST(txid_current() % 64 AS INTEGER)
$$;

CREATE OR REPLACE FUNCTION orders_counted_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_counts AS counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid, changes)
    SELECT community_identifier, order_counts_slot(),
        SUM(open_unpaid), SUM(open_paid), SUM(closed_unpaid), SUM(closed_paid), COUNT(*)
    FROM (
        SELECT community_identifier,
                CAST(status = 'open' AND NOT paied AS INTEGER) AS open_unpaid,
                CAST(status = 'open' AND paied AS INTEGER) AS open_paid,
                CAST(status = 'closed' AND NOT paied AS INTEGER) AS closed_unpaid,
                CAST(status = 'closed' AND paied AS INTEGER) AS closed_paid
            FROM new_rows
    ) AS changed
    GROUP BY community_identifier
    ORDER BY community_identifier
    ON CONFLICT (community_identifier, slot) DO UPDATE SET
        open_unpaid = counts.open_unpaid + excluded.open_unpaid,
        open_paid = counts.open_paid + excluded.open_paid,
        closed_unpaid = counts.closed_unpaid + excluded.closed_unpaid,
        closed_paid = counts.closed_paid + excluded.closed_paid,
        changes = counts.changes + excluded.changes;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION orders_counted_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_counts AS counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid, changes)
    SELECT community_identifier, order_counts_slot(),
        SUM(open_unpaid), SUM(open_paid), SUM(closed_unpaid), SUM(closed_paid), COUNT(*)
    FROM (
        SELECT community_identifier,
                -CAST(status = 'open' AND NOT paied AS INTEGER) AS open_unpaid,
                -CAST(status = 'open' AND paied AS INTEGER) AS open_paid,
                -CAST(status = 'closed' AND NOT paied AS INTEGER) AS closed_unpaid,
                -CAST(status = 'closed' AND paied AS INTEGER) AS closed_paid
            FROM old_rows
    ) AS changed
    GROUP BY community_identifier
    ORDER BY community_identifier
    ON CONFLICT (community_identifier, slot) DO UPDATE SET
        open_unpaid = counts.open_unpaid + excluded.open_unpaid,
        open_paid = counts.open_paid + excluded.open_paid,
        closed_unpaid = counts.closed_unpaid + excluded.closed_unpaid,
        closed_paid = counts.closed_paid + excluded.closed_paid,
        changes = counts.changes + excluded.changes;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION orders_counted_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_counts AS counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid, changes)
    SELECT community_identifier, order_counts_slot(),
        SUM(open_unpaid), SUM(open_paid), SUM(closed_unpaid), SUM(closed_paid), COUNT(*)
    FROM (
        SELECT community_identifier,
                CAST(status = 'open' AND NOT paied AS INTEGER) AS open_unpaid,
                CAST(status = 'open' AND paied AS INTEGER) AS open_paid,
                CAST(status = 'closed' AND NOT paied AS INTEGER) AS closed_unpaid,
                CAST(status = 'closed' AND paied AS INTEGER) AS closed_paid
            FROM new_rows
        UNION ALL
        SELECT community_identifier,
                -CAST(status = 'open' AND NOT paied AS INTEGER) AS open_unpaid,
                -CAST(status = 'open' AND paied AS INTEGER) AS open_paid,
                -CAST(status = 'closed' AND NOT paied AS INTEGER) AS closed_unpaid,
                -CAST(status = 'closed' AND paied AS INTEGER) AS closed_paid
            FROM old_rows
    ) AS changed
    GROUP BY community_identifier
    ORDER BY community_identifier
    ON CONFLICT (community_identifier, slot) DO UPDATE SET
        open_unpaid = counts.open_unpaid + excluded.open_unpaid,
        open_paid = counts.open_paid + excluded.open_paid,
        closed_unpaid = counts.closed_unpaid + excluded.closed_unpaid,
        closed_paid = counts.closed_paid + excluded.closed_paid,
        changes = counts.changes + excluded.changes;
    RETURN NULL;
END
$$;
