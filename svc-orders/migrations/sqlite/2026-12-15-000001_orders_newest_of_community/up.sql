-- The platform's order list (001 §2.1.2) is a community's orders newest first: by creation
-- time, then id. Ordered by id alone, PostgreSQL's one plan for any community (plan_cache_mode
-- = force_generic_plan) may walk the primary key backwards and skip the other communities'
-- orders: with few communities it guesses each holds a large share, so a small community
-- beside a large one read the large one's orders to fill a page (~5 ms at 50,000 orders,
-- growing with them). No primary-key walk yields this order: the list is read from this index
-- whatever the community's size.
DROP INDEX orders_community;
CREATE INDEX orders_community_newest ON orders (community_identifier, created_at, id);
