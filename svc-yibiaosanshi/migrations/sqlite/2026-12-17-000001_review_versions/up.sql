-- A version of each community's reviews (issue 14): `changes` counts the review rows written,
-- so that it grows with every insert, update and delete, including those that change no count
-- (a decision's reason, a corrected content: the counting trigger skipped those). The
-- platform's review list answers "unchanged" to a caller that kept the page of the current
-- version (svc_yibiaosanshi::db::reviews::version).
ALTER TABLE review_counts ADD COLUMN changes BIGINT NOT NULL DEFAULT 0;
DROP TRIGGER reviews_counted_insert;
DROP TRIGGER reviews_counted_update;
DROP TRIGGER reviews_counted_delete;

CREATE TRIGGER reviews_counted_insert AFTER INSERT ON reviews BEGIN
    INSERT INTO review_counts (community_identifier, shenhe_type, status, slot, n, changes)
    VALUES (NEW.community_identifier, NEW.shenhe_type, NEW.status, 0, 1, 1)
    ON CONFLICT (community_identifier, shenhe_type, status, slot) DO UPDATE SET n = n + excluded.n, changes = changes + excluded.changes;
END;
-- Every update now: the old row's count out, the new row's in, a change for each.
CREATE TRIGGER reviews_counted_update AFTER UPDATE ON reviews
BEGIN
    INSERT INTO review_counts (community_identifier, shenhe_type, status, slot, n, changes)
    VALUES (OLD.community_identifier, OLD.shenhe_type, OLD.status, 0, -1, 1)
    ON CONFLICT (community_identifier, shenhe_type, status, slot) DO UPDATE SET n = n + excluded.n, changes = changes + excluded.changes;
    INSERT INTO review_counts (community_identifier, shenhe_type, status, slot, n, changes)
    VALUES (NEW.community_identifier, NEW.shenhe_type, NEW.status, 0, 1, 1)
    ON CONFLICT (community_identifier, shenhe_type, status, slot) DO UPDATE SET n = n + excluded.n, changes = changes + excluded.changes;
END;
CREATE TRIGGER reviews_counted_delete AFTER DELETE ON reviews BEGIN
    INSERT INTO review_counts (community_identifier, shenhe_type, status, slot, n, changes)
    VALUES (OLD.community_identifier, OLD.shenhe_type, OLD.status, 0, -1, 1)
    ON CONFLICT (community_identifier, shenhe_type, status, slot) DO UPDATE SET n = n + excluded.n, changes = changes + excluded.changes;
END;
