DROP INDEX repair_categories_by_community;
ALTER TABLE repair_categories DROP COLUMN community_identifier;
