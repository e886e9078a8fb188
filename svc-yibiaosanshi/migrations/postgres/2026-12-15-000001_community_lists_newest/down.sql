DROP INDEX car_transfers_of_community_status_newest;
DROP INDEX car_transfers_of_community_newest;
CREATE INDEX car_transfers_by_community ON car_transfers (community_identifier, status, id);
DROP INDEX reviews_community_type_status_newest;
DROP INDEX reviews_community_status_newest;
DROP INDEX reviews_community_newest;
CREATE INDEX reviews_community_type_status ON reviews (community_identifier, shenhe_type, status, id);
CREATE INDEX reviews_community_status ON reviews (community_identifier, status, id);
