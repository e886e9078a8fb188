-- A sort other than nearest-first read the city's listings in the sort's order and checked the
-- box on each index entry: it stopped after a page in the box, i.e. after about a page divided by
-- the box's share of the city, and longer where the box is sparse (the city's edge), so its
-- slowest searches grew with the listings (issue 12). The city is now cut into cells of 1/32° of
-- latitude and longitude (3.5 × 3 km around Shanghai), and each sort has an index per cell: a
-- search reads the few cells its box crosses, each in the sort's order and only up to the page's
-- last key found so far.
--
-- The cell is floor((latitude + 90) × 32) × 16384 + floor((longitude + 180) × 32), as
-- svc-community's domain::rental::map_cell computes it (× 32 is exact in floating point, so the
-- database and the service agree on every coordinate). A generated column: every write of the
-- coordinates moves it, whichever statement writes them.
--
-- The cell leads each index: led by the status, whose values are few, SQLite's planner may
-- skip-scan the status and estimate the cell's rows by the average cell's, and so sorted a dense
-- cell (a city's centre) instead of reading it in order.
ALTER TABLE rental_listings ADD COLUMN map_cell INTEGER GENERATED ALWAYS AS (CAST((latitude + 90) * 32 AS INTEGER) * 16384 + CAST((longitude + 180) * 32 AS INTEGER)) VIRTUAL;
CREATE INDEX rental_listings_cells_by_release ON rental_listings (map_cell, status, released_at, latitude, longitude, rent_room_type, rent_time_type, house_rent_fen);
CREATE INDEX rental_listings_cells_by_attention ON rental_listings (map_cell, status, (praise_count + view_count), latitude, longitude, rent_room_type, rent_time_type, house_rent_fen);
CREATE INDEX rental_listings_cells_by_rent ON rental_listings (map_cell, status, house_rent_fen, latitude, longitude, rent_room_type, rent_time_type);
CREATE INDEX rental_listings_cells_by_size ON rental_listings (map_cell, status, house_size, latitude, longitude, rent_room_type, rent_time_type, house_rent_fen);
