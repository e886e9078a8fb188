-- The standard address tree: 小区 → 楼栋 → 单元 → 楼层 → 房屋. Each level is unique by its
-- parent and its number (the natural key imports upsert by); the UNIQUE indexes also serve the
-- parent look-ups.
CREATE TABLE communities (
    id BIGSERIAL PRIMARY KEY,
    community_identifier TEXT NOT NULL UNIQUE,
    community_name TEXT NOT NULL,
    community_pinyin TEXT NOT NULL,
    community_type INTEGER NOT NULL DEFAULT 0,
    community_order INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE buildings (
    id BIGSERIAL PRIMARY KEY,
    community_identifier TEXT NOT NULL REFERENCES communities (community_identifier),
    building_number BIGINT NOT NULL,
    building_name TEXT NOT NULL,
    UNIQUE (community_identifier, building_number)
);

CREATE TABLE units (
    id BIGSERIAL PRIMARY KEY,
    building_id BIGINT NOT NULL REFERENCES buildings (id),
    community_identifier TEXT NOT NULL,
    unit_number BIGINT NOT NULL,
    unit_name TEXT NOT NULL,
    UNIQUE (building_id, unit_number)
);

CREATE TABLE floors (
    id BIGSERIAL PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    community_identifier TEXT NOT NULL,
    floor_number BIGINT NOT NULL,
    floor_name TEXT NOT NULL,
    UNIQUE (unit_id, floor_number)
);

CREATE TABLE houses (
    id BIGSERIAL PRIMARY KEY,
    floor_id BIGINT NOT NULL REFERENCES floors (id),
    community_identifier TEXT NOT NULL,
    house_number BIGINT NOT NULL,
    house_name TEXT NOT NULL,
    house_type TEXT NOT NULL,
    UNIQUE (floor_id, house_number)
);

CREATE INDEX houses_community_identifier ON houses (community_identifier);
