-- The rental marketplace (seed 004): a resident's rental profile, their listings of houses in our
-- address tree, the listings' photos and videos. Every list and the map search are served by an
-- index.

-- A resident's rental profile (/create_userinfo) and the friend who invited them. A row exists
-- once they used the marketplace; saved_at once they saved the profile.
CREATE TABLE rental_profiles (
    user_id BIGINT PRIMARY KEY,
    nickname TEXT,
    sex INTEGER,
    user_type INTEGER,
    self_description TEXT,
    portrait_key TEXT,
    address_province TEXT,
    address_city TEXT,
    birthday TEXT,
    constellations TEXT,
    education TEXT,
    occupation TEXT,
    account_name TEXT,
    account_number TEXT,
    account_idcardnumber TEXT,
    tel TEXT,
    virtual_tel_flag BOOLEAN,
    virtual_tel TEXT,
    wechat TEXT,
    qq TEXT,
    inviter_id BIGINT,
    saved_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX rental_profiles_by_inviter ON rental_profiles (inviter_id);

-- A listing of a house in our address tree. status: NULL draft, 2 waiting for the platform,
-- 1 published, 0 refused, 3 taken down (platform_hold when the platform took it down or refused
-- it: releasing it again waits for the platform). What search filters and sorts on is a column;
-- the rest of seed 004's fields are `details` (JSON). A deleted listing keeps its row (viewing
-- requests name it) with status NULL and deleted_at set.
CREATE TABLE rental_listings (
    id BIGSERIAL PRIMARY KEY,
    owner_id BIGINT NOT NULL,
    community_identifier TEXT NOT NULL,
    community_house_id BIGINT NOT NULL,
    house_introduction TEXT NOT NULL,
    status INTEGER,
    reason TEXT NOT NULL,
    platform_hold BOOLEAN NOT NULL,
    owner_verified BOOLEAN NOT NULL,
    longitude DOUBLE PRECISION,
    latitude DOUBLE PRECISION,
    house_rent_fen BIGINT,
    house_size DOUBLE PRECISION,
    house_type TEXT,
    rent_time_type INTEGER,
    rent_room_type INTEGER,
    house_source INTEGER,
    house_direction TEXT,
    house_decoration TEXT,
    house_rooms BIGINT,
    subdistrict_code BIGINT,
    subway_station_code BIGINT,
    house_characteristic TEXT,
    description_title TEXT,
    details TEXT NOT NULL,
    praise_count BIGINT NOT NULL,
    view_count BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    released_at BIGINT,
    submitted_at BIGINT,
    deleted_at BIGINT
);

CREATE INDEX rental_listings_by_owner ON rental_listings (owner_id, id);
CREATE INDEX rental_listings_by_community ON rental_listings (community_identifier, status, id);
-- The map search: a bounding box on published listings' coordinates.
CREATE INDEX rental_listings_on_map ON rental_listings (status, latitude, longitude);

-- A listing's photo or video (kind 'photo' / 'video') in the object store.
CREATE TABLE rental_media (
    id BIGSERIAL PRIMARY KEY,
    listing_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    object_key TEXT NOT NULL,
    rooms_type INTEGER,
    rooms_area DOUBLE PRECISION,
    rooms_orientation TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX rental_media_by_listing ON rental_media (listing_id, kind, id);
