CREATE OR REPLACE FUNCTION orders_counted_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_counts AS counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid)
    SELECT community_identifier, pg_backend_pid() % 8,
        SUM(open_unpaid), SUM(open_paid), SUM(closed_unpaid), SUM(closed_paid)
    FROM (
        SELECT community_identifier,
                CAST(status = 'open' AND NOT paied AS INTEGER) AS open_unpaid,
                CAST(status = 'open' AND paied AS INTEGER) AS open_paid,
                CAST(status = 'closed' AND NOT paied AS INTEGER) AS closed_unpaid,
                CAST(status = 'closed' AND paied AS INTEGER) AS closed_paid
            FROM new_rows
    ) AS changes
    GROUP BY community_identifier
    HAVING SUM(open_unpaid) <> 0 OR SUM(open_paid) <> 0
        OR SUM(closed_unpaid) <> 0 OR SUM(closed_paid) <> 0
    ORDER BY community_identifier
    ON CONFLICT (community_identifier, slot) DO UPDATE SET
        open_unpaid = counts.open_unpaid + excluded.open_unpaid,
        open_paid = counts.open_paid + excluded.open_paid,
        closed_unpaid = counts.closed_unpaid + excluded.closed_unpaid,
        closed_paid = counts.closed_paid + excluded.closed_paid;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION orders_counted_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_counts AS counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid)
    SELECT community_identifier, pg_backend_pid() % 8,
        SUM(open_unpaid), SUM(open_paid), SUM(closed_unpaid), SUM(closed_paid)
    FROM (
        SELECT community_identifier,
                -CAST(status = 'open' AND NOT paied AS INTEGER) AS open_unpaid,
                -CAST(status = 'open' AND paied AS INTEGER) AS open_paid,
                -CAST(status = 'closed' AND NOT paied AS INTEGER) AS closed_unpaid,
                -CAST(status = 'closed' AND paied AS INTEGER) AS closed_paid
            FROM old_rows
    ) AS changes
    GROUP BY community_identifier
    HAVING SUM(open_unpaid) <> 0 OR SUM(open_paid) <> 0
        OR SUM(closed_unpaid) <> 0 OR SUM(closed_paid) <> 0
    ORDER BY community_identifier
    ON CONFLICT (community_identifier, slot) DO UPDATE SET
        open_unpaid = counts.open_unpaid + excluded.open_unpaid,
        open_paid = counts.open_paid + excluded.open_paid,
        closed_unpaid = counts.closed_unpaid + excluded.closed_unpaid,
        closed_paid = counts.closed_paid + excluded.closed_paid;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION orders_counted_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_counts AS counts (community_identifier, slot, open_unpaid, open_paid, closed_unpaid, closed_paid)
    SELECT community_identifier, pg_backend_pid() % 8,
        SUM(open_unpaid), SUM(open_paid), SUM(closed_unpaid), SUM(closed_paid)
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
    ) AS changes
    GROUP BY community_identifier
    HAVING SUM(open_unpaid) <> 0 OR SUM(open_paid) <> 0
        OR SUM(closed_unpaid) <> 0 OR SUM(closed_paid) <> 0
    ORDER BY community_identifier
    ON CONFLICT (community_identifier, slot) DO UPDATE SET
        open_unpaid = counts.open_unpaid + excluded.open_unpaid,
        open_paid = counts.open_paid + excluded.open_paid,
        closed_unpaid = counts.closed_unpaid + excluded.closed_unpaid,
        closed_paid = counts.closed_paid + excluded.closed_paid;
    RETURN NULL;
END
$$;
ALTER TABLE order_counts DROP COLUMN changes;
