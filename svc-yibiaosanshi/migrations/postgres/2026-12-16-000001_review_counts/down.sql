DROP TRIGGER reviews_counted_delete ON reviews;
DROP TRIGGER reviews_counted_update ON reviews;
DROP TRIGGER reviews_counted_insert ON reviews;
DROP FUNCTION reviews_counted();
DROP TABLE review_counts;
