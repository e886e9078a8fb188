-- A resident's claim on a plate another user holds (issue 11): a plate moves only when the
-- platform credential managing the claimant's community confirms the claim; until then the plate,
-- and the car_number orders it names, stay with its holder. `status`: 2 waiting, 1 confirmed
-- (the plate moved), 0 refused. Plates are stored normalised, as in `cars`.
CREATE TABLE car_transfers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plate TEXT NOT NULL,
    claimant_user_id BIGINT NOT NULL,
    holder_user_id BIGINT NOT NULL,
    community_identifier TEXT NOT NULL,
    reason TEXT NOT NULL,
    status INTEGER NOT NULL,
    decided_by BIGINT,
    decided_at BIGINT,
    decision_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX car_transfers_by_community ON car_transfers (community_identifier, status, id);
CREATE INDEX car_transfers_by_claimant ON car_transfers (claimant_user_id, plate);
