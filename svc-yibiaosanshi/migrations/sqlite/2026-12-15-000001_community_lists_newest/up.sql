-- The platform's review list (/api/v1/wjdh/shenheList) is a community's reviews newest first:
-- by creation time, then id, whatever the filter (none, a status, a type and a status, a type);
-- so are its lists of car claims, with or without a status, and of decisions (by decision time).
-- Ordered by id alone, PostgreSQL's one plan for any community (plan_cache_mode =
-- force_generic_plan) may walk the primary key backwards and skip the other communities'
-- rows: with few communities it guesses each holds a large share, so a small community
-- beside a large one read the large one's rows to fill a page. No primary-key walk yields
-- this order: each list is read from the index that holds it.
DROP INDEX reviews_community_status;
DROP INDEX reviews_community_type_status;
CREATE INDEX reviews_community_newest ON reviews (community_identifier, created_at, id);
CREATE INDEX reviews_community_status_newest ON reviews (community_identifier, status, created_at, id);
CREATE INDEX reviews_community_type_status_newest ON reviews (community_identifier, shenhe_type, status, created_at, id);
DROP INDEX car_transfers_by_community;
CREATE INDEX car_transfers_of_community_newest ON car_transfers (community_identifier, created_at, id);
CREATE INDEX car_transfers_of_community_status_newest ON car_transfers (community_identifier, status, created_at, id);
DROP INDEX review_decisions_community;
CREATE INDEX review_decisions_of_community_newest ON review_decisions (community_identifier, decided_at, id);
