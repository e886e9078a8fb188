-- The map search reads a bounded number of index entries whatever the number of listings
-- (issue 12). rental_listings_on_map (status, latitude, longitude) range-scanned a whole
-- latitude strip across the city, which grows with the listings.
--
-- A band is 0.001° of latitude (111 m): CAST(latitude * 1000 + 100000 AS INTEGER), written
-- exactly so in svc-community's queries (the planners match an index's expression by its text).
-- The band index holds the coordinates as (longitude + 0) and (latitude + 0), which only the band
-- read writes: a read in a sort's order cannot turn to it and sort the whole box.
-- The nearest-first sort reads the bands a box crosses, each as one range of longitude; the other
-- sorts read listings in their order through an index that also holds the coordinates, so the
-- box is checked on index entries and the read stops once a page is found. Each index also
-- holds the filters a seeker sets most (room type, term, rent), checked on its entries too, so
-- only the listings that pass are read.

DROP INDEX rental_listings_on_map;
CREATE INDEX rental_listings_on_map_bands ON rental_listings (status, (CAST(latitude * 1000 + 100000 AS INTEGER)), (longitude + 0), (latitude + 0), rent_room_type, rent_time_type, house_rent_fen);
CREATE INDEX rental_listings_by_release ON rental_listings (status, released_at, latitude, longitude, rent_room_type, rent_time_type, house_rent_fen);
CREATE INDEX rental_listings_by_attention ON rental_listings (status, (praise_count + view_count), latitude, longitude, rent_room_type, rent_time_type, house_rent_fen);
CREATE INDEX rental_listings_by_rent ON rental_listings (status, house_rent_fen, latitude, longitude, rent_room_type, rent_time_type);
CREATE INDEX rental_listings_by_size ON rental_listings (status, house_size, latitude, longitude, rent_room_type, rent_time_type, house_rent_fen);
