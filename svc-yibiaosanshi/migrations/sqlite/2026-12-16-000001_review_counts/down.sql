DROP TRIGGER reviews_counted_delete;
DROP TRIGGER reviews_counted_update;
DROP TRIGGER reviews_counted_insert;
DROP TABLE review_counts;
