DROP TABLE credential_communities;
DROP TABLE platform_credentials;
DROP TABLE users;
