-- How many reviews each community has of each type in each status (issue 14): the platform's
-- review list (/api/v1/wjdh/shenheList) answers its exact `total` from these few rows instead of
-- counting the community's reviews on every full page. Triggers keep them, so no writer can
-- forget to. A community's counts are spread over `slot`s so that concurrent writers seldom wait
-- on one row; a slot's `n` may go below zero (a review counted in one slot, decided in another),
-- the sum over the slots never does.
CREATE TABLE review_counts (
    community_identifier TEXT NOT NULL,
    shenhe_type TEXT NOT NULL,
    status INTEGER NOT NULL,
    slot INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (community_identifier, shenhe_type, status, slot)
);
INSERT INTO review_counts (community_identifier, shenhe_type, status, slot, n)
SELECT community_identifier, shenhe_type, status, 0, COUNT(*)
FROM reviews GROUP BY community_identifier, shenhe_type, status;

-- Once per statement, from its transition tables; the rows a statement changes are added in
-- key order, so two statements never wait on each other in a cycle; the slot is the
-- connection's.
CREATE FUNCTION reviews_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO review_counts AS counts (community_identifier, shenhe_type, status, slot, n)
        SELECT community_identifier, shenhe_type, status, pg_backend_pid() % 8, COUNT(*)
        FROM new_rows
        GROUP BY community_identifier, shenhe_type, status
        ORDER BY community_identifier, shenhe_type, status
        ON CONFLICT (community_identifier, shenhe_type, status, slot)
            DO UPDATE SET n = counts.n + excluded.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO review_counts AS counts (community_identifier, shenhe_type, status, slot, n)
        SELECT community_identifier, shenhe_type, status, pg_backend_pid() % 8, -COUNT(*)
        FROM old_rows
        GROUP BY community_identifier, shenhe_type, status
        ORDER BY community_identifier, shenhe_type, status
        ON CONFLICT (community_identifier, shenhe_type, status, slot)
            DO UPDATE SET n = counts.n + excluded.n;
    ELSE
        INSERT INTO review_counts AS counts (community_identifier, shenhe_type, status, slot, n)
        SELECT community_identifier, shenhe_type, status, pg_backend_pid() % 8, SUM(change)
        FROM (
            SELECT community_identifier, shenhe_type, status, 1 AS change FROM new_rows
            UNION ALL
            SELECT community_identifier, shenhe_type, status, -1 AS change FROM old_rows
        ) AS changes
        GROUP BY community_identifier, shenhe_type, status
        HAVING SUM(change) <> 0
        ORDER BY community_identifier, shenhe_type, status
        ON CONFLICT (community_identifier, shenhe_type, status, slot)
            DO UPDATE SET n = counts.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER reviews_counted_insert AFTER INSERT ON reviews
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reviews_counted();
CREATE TRIGGER reviews_counted_update AFTER UPDATE ON reviews
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reviews_counted();
CREATE TRIGGER reviews_counted_delete AFTER DELETE ON reviews
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reviews_counted();
