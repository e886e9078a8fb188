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
        /// Its floor's, unit's and building's numbers (2026-12-22-000001_houses_know_their_place).
        building_number -> BigInt,
        unit_number -> BigInt,
        floor_number -> BigInt,
    }
}

diesel::table! {
    people (id) {
        id -> BigInt,
        user_id -> Nullable<BigInt>,
        phone -> Text,
        name -> Text,
        sex -> Text,
        nation -> Text,
        birth -> Text,
        address -> Text,
        idcard -> Text,
        photo -> Text,
        zhengzhimianmao -> Text,
        tuiyijunren -> Bool,
        dibao -> Bool,
        shangfang -> Bool,
        job_name -> Text,
        company_name -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    people_houses (id) {
        id -> BigInt,
        people_id -> BigInt,
        house_id -> BigInt,
        community_identifier -> Text,
        role -> Text,
        house_status -> Text,
        house_use -> Text,
        xingzhi -> Text,
        household_type -> Text,
        shouquan -> Bool,
        charge -> Bool,
        activated -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    reviews (id) {
        id -> BigInt,
        user_id -> BigInt,
        community_identifier -> Text,
        house_id -> Nullable<BigInt>,
        binding_id -> Nullable<BigInt>,
        shenhe_type -> Text,
        content -> Text,
        status -> Integer,
        house_introduction -> Text,
        action_introduction -> Text,
        refuse_reason -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    review_decisions (id) {
        id -> BigInt,
        review_id -> BigInt,
        credential_id -> BigInt,
        secret_id -> Text,
        community_identifier -> Text,
        status -> Integer,
        refuse_reason -> Nullable<Text>,
        decided_at -> BigInt,
    }
}

diesel::table! {
    cars (id) {
        id -> BigInt,
        user_id -> BigInt,
        plate -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    parking_spots (id) {
        id -> BigInt,
        community_identifier -> Text,
        number -> Text,
        user_id -> Nullable<BigInt>,
        assigned_at -> Nullable<BigInt>,
        assigned_by -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    module_switches (community_identifier, module_name) {
        community_identifier -> Text,
        module_name -> Text,
        enabled -> Bool,
        updated_at -> BigInt,
    }
}

diesel::table! {
    car_transfers (id) {
        id -> BigInt,
        plate -> Text,
        claimant_user_id -> BigInt,
        holder_user_id -> BigInt,
        community_identifier -> Text,
        reason -> Text,
        status -> Integer,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<BigInt>,
        decision_reason -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    /// How many reviews a community has of each type in each status, kept by triggers (migration
    /// 2026-12-16-000001_review_counts); a community's counts are the sum over its slots.
    review_counts (community_identifier, shenhe_type, status, slot) {
        community_identifier -> Text,
        shenhe_type -> Text,
        status -> Integer,
        slot -> Integer,
        n -> BigInt,
        /// Rows the slot's statements wrote (2026-12-17-000001_review_versions).
        changes -> BigInt,
    }
}

diesel::joinable!(units -> buildings (building_id));
diesel::joinable!(floors -> units (unit_id));
diesel::joinable!(houses -> floors (floor_id));
diesel::joinable!(people_houses -> people (people_id));
diesel::joinable!(people_houses -> houses (house_id));
diesel::joinable!(review_decisions -> reviews (review_id));
diesel::allow_tables_to_appear_in_same_query!(
    communities,
    buildings,
    units,
    floors,
    houses,
    people,
    people_houses,
    reviews,
    review_counts,
    review_decisions,
    cars,
    car_transfers,
    parking_spots,
    module_switches
);
