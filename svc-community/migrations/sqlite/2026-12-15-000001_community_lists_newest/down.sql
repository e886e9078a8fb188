DROP INDEX complaints_of_community_status_newest;
DROP INDEX complaints_of_community_newest;
CREATE INDEX complaints_by_community ON complaints (community_identifier, status, id);
DROP INDEX repairs_of_community_status_newest;
DROP INDEX repairs_of_community_newest;
CREATE INDEX repairs_by_community ON repairs (community_identifier, status, id);
