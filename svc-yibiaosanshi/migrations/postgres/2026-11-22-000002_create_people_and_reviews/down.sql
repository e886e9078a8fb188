DROP TABLE review_decisions;
DROP TABLE reviews;
DROP TABLE people_houses;
DROP TABLE people;
