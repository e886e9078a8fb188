CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    openid TEXT UNIQUE,
    phone TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    avatar TEXT NOT NULL,
    registration_state TEXT NOT NULL DEFAULT 'NewMember',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE platform_credentials (
    id BIGSERIAL PRIMARY KEY,
    secret_id TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE credential_communities (
    credential_id BIGINT NOT NULL REFERENCES platform_credentials (id) ON DELETE CASCADE,
    community_identifier TEXT NOT NULL,
    PRIMARY KEY (credential_id, community_identifier)
);
