DROP INDEX reviews_community_type_status_newest;
DROP INDEX reviews_community_status_newest;
DROP INDEX reviews_community_newest;
CREATE INDEX reviews_community_type_status ON reviews (community_identifier, shenhe_type, status, id);
CREATE INDEX reviews_community_status ON reviews (community_identifier, status, id);
