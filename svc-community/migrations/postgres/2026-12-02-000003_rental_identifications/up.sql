-- Identification in the rental marketplace (seed 004): a resident's real name and ID number
-- checked against OCR of their card (/user_identification), and claims to let a house of our
-- address tree (/house_identification) that the platform managing its community decides.

ALTER TABLE rental_profiles ADD COLUMN realname TEXT;
ALTER TABLE rental_profiles ADD COLUMN idcardnumber TEXT;
ALTER TABLE rental_profiles ADD COLUMN id_portrait_key TEXT;
ALTER TABLE rental_profiles ADD COLUMN idcard_front_key TEXT;
ALTER TABLE rental_profiles ADD COLUMN idcard_back_key TEXT;
ALTER TABLE rental_profiles ADD COLUMN identified_at BIGINT;

-- A claim to let a house: its property certificate (and, for a 二房东, the lease agreement).
-- status: 2 waiting for the platform, 1 approved, 0 refused (reason shown to the claimant).
CREATE TABLE rental_identifications (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    community_identifier TEXT NOT NULL,
    community_house_id BIGINT NOT NULL,
    house_introduction TEXT NOT NULL,
    certname TEXT NOT NULL,
    idcardnumber TEXT NOT NULL,
    property_cert_number TEXT NOT NULL,
    property_cert_key TEXT NOT NULL,
    house_type INTEGER NOT NULL,
    lease_key TEXT,
    status INTEGER NOT NULL,
    reason TEXT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX rental_identifications_by_user ON rental_identifications (user_id, community_house_id, id);
CREATE INDEX rental_identifications_by_community ON rental_identifications (community_identifier, status, id);
CREATE INDEX rental_identifications_by_cert ON rental_identifications (property_cert_key);
CREATE INDEX rental_identifications_by_lease ON rental_identifications (lease_key);
