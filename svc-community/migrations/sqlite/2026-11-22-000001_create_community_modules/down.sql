DROP TABLE community_modules;
