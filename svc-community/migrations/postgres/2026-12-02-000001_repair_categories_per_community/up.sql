-- Repair categories belong to one community (issue 11): a credential lists, adds and removes only
-- the categories of the communities it manages, and a resident sees those of the community of
-- their house. Categories made before this have no community (NULL): they stay as shared,
-- read-only defaults that every community sees and no credential can remove.
ALTER TABLE repair_categories ADD COLUMN community_identifier TEXT;

CREATE INDEX repair_categories_by_community ON repair_categories (community_identifier, id);
