-- A community's lists are newest first: by creation time, then id. The platform's orders
-- (001 §2.1.2) and bills, and a community's refunds and payouts. Ordered by id alone,
-- PostgreSQL's one plan for any community (plan_cache_mode = force_generic_plan) may walk the
-- primary key backwards and skip the other communities' rows: with few communities it guesses
-- each holds a large share, so a small community beside a large one read the large one's rows
-- to fill a page (~5 ms at 50,000 orders, growing with them). No primary-key walk yields this
-- order: each list is read from its index whatever the community's size.
DROP INDEX orders_community;
CREATE INDEX orders_community_newest ON orders (community_identifier, created_at, id);
DROP INDEX bills_community;
CREATE INDEX bills_community_newest ON bills (community_identifier, created_at, id);
DROP INDEX refunds_of_community;
CREATE INDEX refunds_of_community_newest ON refunds (community_identifier, created_at, id);
DROP INDEX payouts_of_community;
CREATE INDEX payouts_of_community_newest ON payouts (community_identifier, created_at, id);
