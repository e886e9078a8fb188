DROP INDEX payouts_of_community_newest;
CREATE INDEX payouts_of_community ON payouts (community_identifier, id);
DROP INDEX refunds_of_community_newest;
CREATE INDEX refunds_of_community ON refunds (community_identifier, id);
DROP INDEX bills_community_newest;
CREATE INDEX bills_community ON bills (community_identifier, id);
DROP INDEX orders_community_newest;
CREATE INDEX orders_community ON orders (community_identifier, id);
