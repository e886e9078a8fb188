-- The root of the standard address tree (小区); buildings, units, floors and houses follow.
CREATE TABLE communities (
    id BIGSERIAL PRIMARY KEY,
    community_identifier TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
