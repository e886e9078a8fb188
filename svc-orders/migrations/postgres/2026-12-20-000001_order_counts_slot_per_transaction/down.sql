-- The connection's slot again (2026-12-17-000001_order_versions).
CREATE OR REPLACE FUNCTION orders_counted_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_counts AS counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid, changes)
    SELECT community_identifier, pg_backend_pid() % 8,
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
    SELECT community_identifier, pg_backend_pid() % 8,
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
    SELECT community_identifier, pg_backend_pid() % 8,
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
DROP FUNCTION order_counts_slot();
