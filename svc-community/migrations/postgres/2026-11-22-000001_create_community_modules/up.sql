-- A community's feature switches (001 §3): one row per community and module.
CREATE TABLE community_modules (
    community_identifier TEXT NOT NULL,
    module TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (community_identifier, module)
);
