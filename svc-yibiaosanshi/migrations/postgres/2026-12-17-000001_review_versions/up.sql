-- A version of each community's reviews (issue 14): `changes` adds up the review rows that
-- statements wrote, so that their sum over a community's rows grows with every insert, update
-- and delete, including those that change no count (a decision's reason, a corrected content:
-- the counting trigger skipped those). The platform's review list answers "unchanged" to a
-- caller that kept the page of the current version (svc_yibiaosanshi::db::reviews::version).
ALTER TABLE review_counts ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION reviews_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO review_counts AS counts (community_identifier, shenhe_type, status, slot, n, changes)
        SELECT community_identifier, shenhe_type, status, pg_backend_pid() % 8, COUNT(*), COUNT(*)
        FROM new_rows
        GROUP BY community_identifier, shenhe_type, status
        ORDER BY community_identifier, shenhe_type, status
        ON CONFLICT (community_identifier, shenhe_type, status, slot)
            DO UPDATE SET n = counts.n + excluded.n, changes = counts.changes + excluded.changes;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO review_counts AS counts (community_identifier, shenhe_type, status, slot, n, changes)
        SELECT community_identifier, shenhe_type, status, pg_backend_pid() % 8, -COUNT(*), COUNT(*)
        FROM old_rows
        GROUP BY community_identifier, shenhe_type, status
        ORDER BY community_identifier, shenhe_type, status
        ON CONFLICT (community_identifier, shenhe_type, status, slot)
            DO UPDATE SET n = counts.n + excluded.n, changes = counts.changes + excluded.changes;
    ELSE
        INSERT INTO review_counts AS counts (community_identifier, shenhe_type, status, slot, n, changes)
        SELECT community_identifier, shenhe_type, status, pg_backend_pid() % 8, SUM(change), COUNT(*)
        FROM (
            SELECT community_identifier, shenhe_type, status, 1 AS change FROM new_rows
            UNION ALL
            SELECT community_identifier, shenhe_type, status, -1 AS change FROM old_rows
        ) AS changed
        GROUP BY community_identifier, shenhe_type, status
        ORDER BY community_identifier, shenhe_type, status
        ON CONFLICT (community_identifier, shenhe_type, status, slot)
            DO UPDATE SET n = counts.n + excluded.n, changes = counts.changes + excluded.changes;
    END IF;
    RETURN NULL;
END
$$;
