DROP TRIGGER reviews_counted_insert;
DROP TRIGGER reviews_counted_update;
DROP TRIGGER reviews_counted_delete;
ALTER TABLE review_counts DROP COLUMN changes;
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
