-- Runs once, when the data volume is empty: one database per service, each
-- owned by POSTGRES_USER. Every service creates its own tables (`<binary> migrate`).
CREATE DATABASE wjdh_auth;
CREATE DATABASE wjdh_yibiaosanshi;
CREATE DATABASE wjdh_orders;
CREATE DATABASE wjdh_community;
