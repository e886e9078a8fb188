//! Table definitions (portable column types only).
diesel::table! {
    communities (id) {
        id -> BigInt,
        community_identifier -> Text,
        community_name -> Text,
        community_pinyin -> Text,
        community_type -> Integer,
        community_order -> Integer,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    buildings (id) {
        id -> BigInt,
        community_identifier -> Text,
        building_number -> BigInt,
        building_name -> Text,
    }
}

diesel::table! {
    units (id) {
        id -> BigInt,
        building_id -> BigInt,
        community_identifier -> Text,
        unit_number -> BigInt,
        unit_name -> Text,
    }
}

diesel::table! {
    floors (id) {
        id -> BigInt,
        unit_id -> BigInt,
        community_identifier -> Text,
        floor_number -> BigInt,
        floor_name -> Text,
    }
}

diesel::table! {
    houses (id) {
        id -> BigInt,
        floor_id -> BigInt,
        community_identifier -> Text,
        house_number -> BigInt,
        house_name -> Text,
        house_type -> Text,
    }
}

diesel::joinable!(units -> buildings (building_id));
diesel::joinable!(floors -> units (unit_id));
diesel::joinable!(houses -> floors (floor_id));
diesel::allow_tables_to_appear_in_same_query!(communities, buildings, units, floors, houses);
