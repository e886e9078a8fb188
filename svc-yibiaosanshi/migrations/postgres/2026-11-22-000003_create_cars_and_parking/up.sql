-- Cars and parking spots: whom 001 §2.1.1's car_number and parking_number orders reach. Plates
-- and spot numbers are stored normalised (upper case, no spaces), so look-ups are exact matches
-- on an index.

-- A plate (车牌) a mini-program user bound; a plate belongs to one user at a time.
CREATE TABLE cars (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    plate TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE INDEX cars_user_id ON cars (user_id);

-- A community's parking spot (车位); `user_id` is the resident it is assigned to (NULL: free),
-- `assigned_by` the platform credential that assigned it.
CREATE TABLE parking_spots (
    id BIGSERIAL PRIMARY KEY,
    community_identifier TEXT NOT NULL,
    number TEXT NOT NULL,
    user_id BIGINT,
    assigned_at BIGINT,
    assigned_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (community_identifier, number)
);

CREATE INDEX parking_spots_user_id ON parking_spots (user_id);
