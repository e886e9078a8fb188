-- Community content: repairs (001 §4, seed 003), announcements (001 §5), complaints (001 §6),
-- emergency numbers and visitor passes. Every list is served by an index.

-- Seed 003's 3-level repair categories; level 1 has no parent.
CREATE TABLE repair_categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id BIGINT,
    level INTEGER NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A repair: status 0/1 as 001 §4 renders it, stage NEW → RECEIVE → REPAIR → DONE (seed 003),
-- with who and when for each step and the settlement party once done.
CREATE TABLE repairs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_identifier TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    house_id BIGINT NOT NULL,
    house_introduction TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    possion TEXT NOT NULL,
    description TEXT NOT NULL,
    images TEXT NOT NULL,
    category_id BIGINT,
    category TEXT NOT NULL,
    status INTEGER NOT NULL,
    stage TEXT NOT NULL,
    reply TEXT,
    received_by TEXT,
    received_at BIGINT,
    repairing_by TEXT,
    repairing_at BIGINT,
    done_by TEXT,
    done_at BIGINT,
    pay_part TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX repairs_by_community ON repairs (community_identifier, status, id);
CREATE INDEX repairs_by_user ON repairs (user_id, id);

-- An announcement (001 §5.1): weight is the seed's `order`, enabled its `status`.
CREATE TABLE announcements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_identifier TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    weight BIGINT NOT NULL,
    top BOOLEAN NOT NULL,
    enabled BOOLEAN NOT NULL,
    manager TEXT NOT NULL,
    logo TEXT NOT NULL,
    images TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX announcements_for_residents ON announcements (community_identifier, enabled, top, weight, id);

-- A complaint (投诉) or suggestion (建议), 001 §6.
CREATE TABLE complaints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_identifier TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    phone TEXT NOT NULL,
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    images TEXT NOT NULL,
    house_id BIGINT,
    house_introduction TEXT NOT NULL,
    status TEXT NOT NULL,
    reply TEXT,
    replied_by TEXT,
    replied_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX complaints_by_community ON complaints (community_identifier, status, id);
CREATE INDEX complaints_by_user ON complaints (user_id, id);

-- 应急电话 of a community.
CREATE TABLE emergency_phones (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_identifier TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    weight BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX emergency_phones_by_community ON emergency_phones (community_identifier, weight);

-- 访客通行: a pass a resident issued; the gate uses it once within its window.
CREATE TABLE visitor_passes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    community_identifier TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    house_id BIGINT NOT NULL,
    house_introduction TEXT NOT NULL,
    visitor_name TEXT NOT NULL,
    visitor_phone TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    valid_from BIGINT NOT NULL,
    valid_until BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE INDEX visitor_passes_by_user ON visitor_passes (user_id, id);
