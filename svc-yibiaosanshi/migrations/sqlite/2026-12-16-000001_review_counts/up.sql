-- How many reviews each community has of each type in each status (issue 14): the platform's
-- review list (/api/v1/wjdh/shenheList) answers its exact `total` from these few rows instead of
-- counting the community's reviews on every full page. Triggers keep them, so no writer can
-- forget to. (PostgreSQL spreads a community's counts over slots; SQLite has one writer at a
-- time: one slot.)
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

CREATE TRIGGER reviews_counted_insert AFTER INSERT ON reviews BEGIN
    INSERT INTO review_counts (community_identifier, shenhe_type, status, slot, n)
    VALUES (NEW.community_identifier, NEW.shenhe_type, NEW.status, 0, 1)
    ON CONFLICT (community_identifier, shenhe_type, status, slot) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER reviews_counted_update AFTER UPDATE OF community_identifier, shenhe_type, status ON reviews
WHEN OLD.community_identifier IS NOT NEW.community_identifier
    OR OLD.shenhe_type IS NOT NEW.shenhe_type OR OLD.status IS NOT NEW.status
BEGIN
    INSERT INTO review_counts (community_identifier, shenhe_type, status, slot, n)
    VALUES (OLD.community_identifier, OLD.shenhe_type, OLD.status, 0, -1)
    ON CONFLICT (community_identifier, shenhe_type, status, slot) DO UPDATE SET n = n + excluded.n;
    INSERT INTO review_counts (community_identifier, shenhe_type, status, slot, n)
    VALUES (NEW.community_identifier, NEW.shenhe_type, NEW.status, 0, 1)
    ON CONFLICT (community_identifier, shenhe_type, status, slot) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER reviews_counted_delete AFTER DELETE ON reviews BEGIN
    INSERT INTO review_counts (community_identifier, shenhe_type, status, slot, n)
    VALUES (OLD.community_identifier, OLD.shenhe_type, OLD.status, 0, -1)
    ON CONFLICT (community_identifier, shenhe_type, status, slot) DO UPDATE SET n = n + excluded.n;
END;
