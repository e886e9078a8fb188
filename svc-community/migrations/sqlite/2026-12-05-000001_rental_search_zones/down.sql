DROP INDEX rental_listings_by_release;
DROP INDEX rental_listings_by_attention;
DROP INDEX rental_listings_by_rent;
DROP INDEX rental_listings_by_size;
CREATE INDEX rental_listings_by_release ON rental_listings (status, released_at, latitude, longitude, rent_room_type, rent_time_type, house_rent_fen);
CREATE INDEX rental_listings_by_attention ON rental_listings (status, (praise_count + view_count), latitude, longitude, rent_room_type, rent_time_type, house_rent_fen);
CREATE INDEX rental_listings_by_rent ON rental_listings (status, house_rent_fen, latitude, longitude, rent_room_type, rent_time_type);
CREATE INDEX rental_listings_by_size ON rental_listings (status, house_size, latitude, longitude, rent_room_type, rent_time_type, house_rent_fen);
