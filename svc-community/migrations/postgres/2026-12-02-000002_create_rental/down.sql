DROP TABLE rental_media;
DROP TABLE rental_listings;
DROP TABLE rental_profiles;
