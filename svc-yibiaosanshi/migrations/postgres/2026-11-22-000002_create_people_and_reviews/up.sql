-- 一标三实: people, their bindings to houses, the reviews (审核) that change them and every
-- decision the security platform takes on a review. Every list the residents and the platform
-- read is served by an index, so it costs the same with a million people as with ten.

-- A person, known by their ID number; `user_id` is the mini-program user who registered as
-- them (NULL for family members imported from the security platform who have not signed up).
CREATE TABLE people (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT UNIQUE,
    phone TEXT NOT NULL,
    name TEXT NOT NULL,
    sex TEXT NOT NULL,
    nation TEXT NOT NULL,
    birth TEXT NOT NULL,
    address TEXT NOT NULL,
    idcard TEXT NOT NULL UNIQUE,
    photo TEXT NOT NULL,
    zhengzhimianmao TEXT NOT NULL,
    tuiyijunren BOOLEAN NOT NULL,
    dibao BOOLEAN NOT NULL,
    shangfang BOOLEAN NOT NULL,
    job_name TEXT NOT NULL,
    company_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX people_phone ON people (phone);

-- A person's place in a house: role and the house's data as they declared it, the management
-- right (`shouquan`), the payment right (`charge`), and whether they have activated it.
CREATE TABLE people_houses (
    id BIGSERIAL PRIMARY KEY,
    people_id BIGINT NOT NULL REFERENCES people (id),
    house_id BIGINT NOT NULL REFERENCES houses (id),
    community_identifier TEXT NOT NULL,
    role TEXT NOT NULL,
    house_status TEXT NOT NULL,
    house_use TEXT NOT NULL,
    xingzhi TEXT NOT NULL,
    household_type TEXT NOT NULL,
    shouquan BOOLEAN NOT NULL,
    charge BOOLEAN NOT NULL,
    activated BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (people_id, house_id)
);

CREATE INDEX people_houses_house_id ON people_houses (house_id);

-- A change asked for by a resident; `content` is the 审核数据 JSON of seed 001 前言.
-- status: 0 审核未通过, 1 审核通过, 2 等待审核.
CREATE TABLE reviews (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    community_identifier TEXT NOT NULL,
    house_id BIGINT REFERENCES houses (id),
    binding_id BIGINT,
    shenhe_type TEXT NOT NULL,
    content TEXT NOT NULL,
    status INTEGER NOT NULL,
    house_introduction TEXT NOT NULL,
    action_introduction TEXT NOT NULL,
    refuse_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX reviews_community_status ON reviews (community_identifier, status, id);
CREATE INDEX reviews_community_type_status ON reviews (community_identifier, shenhe_type, status, id);
CREATE INDEX reviews_user_id ON reviews (user_id);
CREATE INDEX reviews_house_id ON reviews (house_id);

-- Who decided what, and when: one row per decision, never changed.
CREATE TABLE review_decisions (
    id BIGSERIAL PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews (id),
    credential_id BIGINT NOT NULL,
    secret_id TEXT NOT NULL,
    community_identifier TEXT NOT NULL,
    status INTEGER NOT NULL,
    refuse_reason TEXT,
    decided_at BIGINT NOT NULL
);

CREATE INDEX review_decisions_community ON review_decisions (community_identifier, id);
