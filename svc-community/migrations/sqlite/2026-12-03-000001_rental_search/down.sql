DROP INDEX rental_listings_by_size;
DROP INDEX rental_listings_by_rent;
DROP INDEX rental_listings_by_attention;
DROP INDEX rental_listings_by_release;
DROP INDEX rental_listings_on_map_bands;
CREATE INDEX rental_listings_on_map ON rental_listings (status, latitude, longitude);
