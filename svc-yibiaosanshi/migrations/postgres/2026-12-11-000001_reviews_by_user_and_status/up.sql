-- A user's pending reviews (read at every submission: their registration state and the
-- one-pending-per-house rule) and their open reviews (3.1.1) are read by user and status: one
-- index holds both in id order, so neither reads the user's decided reviews nor their rows. On
-- user_id alone, statistics that gave each user many reviews (wjdh bench-paths' seeded reviews
-- once shared one user) made SQLite scan the whole table: 8 ms a submission at 100,000 reviews.
CREATE INDEX reviews_user_status ON reviews (user_id, status, id);
DROP INDEX reviews_user_id;
