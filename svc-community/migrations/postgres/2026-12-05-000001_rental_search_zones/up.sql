-- The sorts other than nearest-first read each latitude zone the search's box crosses in the
-- sort's order, and merge the zones (issue 12). Reading the whole city in the sort's order
-- walked the page divided by the box's share of the city: the same share at any size, but at a
-- million listings those entries are out of cache, and at ten thousand the page is never full.
-- Within a zone the box holds a far larger share, so a zone's read stops after few entries.
--
-- A zone is 0.01° of latitude (1.1 km): CAST(floor(latitude * 100 + BASE) AS INTEGER)
-- (PostgreSQL rounds a cast, so the floor is written), written exactly so in svc-community's
-- queries (db::rental::Written::zone): the planner matches an index's expression by its text.
-- Each sort numbers the zones from its own BASE (10000 release, 20000 attention, 30000 rent,
-- 40000 size), so a read in one sort's order can only take its own index: a zone equality
-- cannot lead the planner to another sort's index, its own key filtered there, read whole and
-- sorted. After the key comes the id, which orders ties, so a read continues past the last key
-- and id it read. The indexes keep their names and what they hold after that.

DROP INDEX rental_listings_by_release;
DROP INDEX rental_listings_by_attention;
DROP INDEX rental_listings_by_rent;
DROP INDEX rental_listings_by_size;
CREATE INDEX rental_listings_by_release ON rental_listings (status, (CAST(floor(latitude * 100 + 10000) AS INTEGER)), released_at, id, latitude, longitude, rent_room_type, rent_time_type, house_rent_fen);
CREATE INDEX rental_listings_by_attention ON rental_listings (status, (CAST(floor(latitude * 100 + 20000) AS INTEGER)), (praise_count + view_count), id, latitude, longitude, rent_room_type, rent_time_type, house_rent_fen);
CREATE INDEX rental_listings_by_rent ON rental_listings (status, (CAST(floor(latitude * 100 + 30000) AS INTEGER)), house_rent_fen, id, latitude, longitude, rent_room_type, rent_time_type);
CREATE INDEX rental_listings_by_size ON rental_listings (status, (CAST(floor(latitude * 100 + 40000) AS INTEGER)), house_size, id, latitude, longitude, rent_room_type, rent_time_type, house_rent_fen);
