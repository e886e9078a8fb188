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
    COALESCE(SUM(CASE WHEN status = 'open' AND NOT paied THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN status = 'open' AND paied THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN status = 'closed' AND NOT paied THEN 1 ELSE 0 END), 0),
    COALESCE(SUM(CASE WHEN status = 'closed' AND paied THEN 1 ELSE 0 END), 0)
FROM orders GROUP BY community_identifier;

-- PostgreSQL: once per statement, from its transition tables. A statement adds to one row
-- per community, communities in order, so two statements never wait on each other in a cycle;
-- the slot is the connection's, so concurrent writers of one community seldom share a row.
-- A transaction that changes the orders of several communities must do so in one statement
-- (as paying a set of orders does): two that each change two communities in separate
-- statements, in opposite orders, can deadlock when their connections share a slot.
CREATE FUNCTION orders_counted_insert() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE FUNCTION orders_counted_delete() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE FUNCTION orders_counted_update() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER orders_counted_insert AFTER INSERT ON orders
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION orders_counted_insert();
CREATE TRIGGER orders_counted_update AFTER UPDATE ON orders
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION orders_counted_update();
CREATE TRIGGER orders_counted_delete AFTER DELETE ON orders
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION orders_counted_delete();
