DROP TABLE houses;
DROP TABLE floors;
DROP TABLE units;
DROP TABLE buildings;
DROP TABLE communities;
