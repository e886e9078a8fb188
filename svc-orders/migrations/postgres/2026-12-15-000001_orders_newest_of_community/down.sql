DROP INDEX orders_community_newest;
CREATE INDEX orders_community ON orders (community_identifier, id);
