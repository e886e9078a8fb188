-- A house carries the numbers of its building, unit and floor, as it carries its community: an
-- address (小区, 楼栋, 单元, 楼层, 房屋) then finds its house in one index, and a house's place
-- (house lists, payers, registrations) is read without joining up the tree. Numbers are the tree's
-- natural keys: an import upserts by them, so they never change once a house has them.
ALTER TABLE houses ADD COLUMN building_number BIGINT NOT NULL DEFAULT 0;
ALTER TABLE houses ADD COLUMN unit_number BIGINT NOT NULL DEFAULT 0;
ALTER TABLE houses ADD COLUMN floor_number BIGINT NOT NULL DEFAULT 0;
UPDATE houses SET building_number = buildings.building_number, unit_number = units.unit_number,
    floor_number = floors.floor_number
FROM floors, units, buildings
WHERE floors.id = houses.floor_id AND units.id = floors.unit_id AND buildings.id = units.building_id;
CREATE UNIQUE INDEX houses_address ON houses
    (community_identifier, building_number, unit_number, floor_number, house_number);
-- The address's first column serves what this served.
DROP INDEX houses_community_identifier;
