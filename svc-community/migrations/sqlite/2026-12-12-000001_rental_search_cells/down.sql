DROP INDEX rental_listings_cells_by_size;
DROP INDEX rental_listings_cells_by_rent;
DROP INDEX rental_listings_cells_by_attention;
DROP INDEX rental_listings_cells_by_release;
ALTER TABLE rental_listings DROP COLUMN map_cell;
