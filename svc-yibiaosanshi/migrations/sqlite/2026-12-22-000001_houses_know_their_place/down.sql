CREATE INDEX houses_community_identifier ON houses (community_identifier);
DROP INDEX houses_address;
ALTER TABLE houses DROP COLUMN floor_number;
ALTER TABLE houses DROP COLUMN unit_number;
ALTER TABLE houses DROP COLUMN building_number;
