-- What seekers keep and look at in the rental marketplace (seed 004): favourites (收藏), whose
-- number is a listing's `praise_count`, and the residents who opened a listing, whose number is
-- its `view_count` (one per resident, so nobody inflates it by reloading). Both feed the
-- "attention" sort.

CREATE TABLE rental_favourites (
    user_id BIGINT NOT NULL,
    listing_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, listing_id)
);

-- A resident's favourites, the latest first.
CREATE INDEX rental_favourites_by_user ON rental_favourites (user_id, created_at, listing_id);

CREATE TABLE rental_views (
    listing_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    viewed_at BIGINT NOT NULL,
    PRIMARY KEY (listing_id, user_id)
);
