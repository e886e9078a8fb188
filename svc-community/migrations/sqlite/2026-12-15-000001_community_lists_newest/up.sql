-- A community's repairs and complaints are listed newest first: by creation time, then id,
-- with or without a status. Ordered by id alone, PostgreSQL's one plan for any community
-- (plan_cache_mode = force_generic_plan) may walk the primary key backwards and skip the other
-- communities' rows: with few communities it guesses each holds a large share, so a small
-- community beside a large one read the large one's rows to fill a page. No primary-key walk
-- yields this order: each list is read from the index that holds it.
DROP INDEX repairs_by_community;
CREATE INDEX repairs_of_community_newest ON repairs (community_identifier, created_at, id);
CREATE INDEX repairs_of_community_status_newest ON repairs (community_identifier, status, created_at, id);
DROP INDEX complaints_by_community;
CREATE INDEX complaints_of_community_newest ON complaints (community_identifier, created_at, id);
CREATE INDEX complaints_of_community_status_newest ON complaints (community_identifier, status, created_at, id);
