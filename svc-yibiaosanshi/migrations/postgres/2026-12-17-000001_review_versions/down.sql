CREATE OR REPLACE FUNCTION reviews_counted() RETURNS trigger LANGUAGE plpgsql AS $$
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
ALTER TABLE review_counts DROP COLUMN changes;
