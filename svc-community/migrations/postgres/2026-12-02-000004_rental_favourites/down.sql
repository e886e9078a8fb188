DROP TABLE rental_views;
DROP TABLE rental_favourites;
