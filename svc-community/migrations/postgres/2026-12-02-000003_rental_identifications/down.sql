DROP TABLE rental_identifications;
ALTER TABLE rental_profiles DROP COLUMN identified_at;
ALTER TABLE rental_profiles DROP COLUMN idcard_back_key;
ALTER TABLE rental_profiles DROP COLUMN idcard_front_key;
ALTER TABLE rental_profiles DROP COLUMN id_portrait_key;
ALTER TABLE rental_profiles DROP COLUMN idcardnumber;
ALTER TABLE rental_profiles DROP COLUMN realname;
