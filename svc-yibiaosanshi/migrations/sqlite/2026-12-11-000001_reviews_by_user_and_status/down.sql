CREATE INDEX reviews_user_id ON reviews (user_id);
DROP INDEX reviews_user_status;
