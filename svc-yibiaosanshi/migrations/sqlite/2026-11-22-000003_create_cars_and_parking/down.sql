DROP TABLE parking_spots;
DROP TABLE cars;
