//! Table definitions (portable column types only).
diesel::table! {
    community_modules (community_identifier, module) {
        community_identifier -> Text,
        module -> Text,
        enabled -> Bool,
        updated_at -> BigInt,
    }
}

diesel::table! {
    repair_categories (id) {
        id -> BigInt,
        parent_id -> Nullable<BigInt>,
        level -> Integer,
        name -> Text,
        created_at -> BigInt,
        community_identifier -> Nullable<Text>,
    }
}

diesel::table! {
    repairs (id) {
        id -> BigInt,
        community_identifier -> Text,
        user_id -> BigInt,
        house_id -> BigInt,
        house_introduction -> Text,
        name -> Text,
        phone -> Text,
        possion -> Text,
        description -> Text,
        images -> Text,
        category_id -> Nullable<BigInt>,
        category -> Text,
        status -> Integer,
        stage -> Text,
        reply -> Nullable<Text>,
        received_by -> Nullable<Text>,
        received_at -> Nullable<BigInt>,
        repairing_by -> Nullable<Text>,
        repairing_at -> Nullable<BigInt>,
        done_by -> Nullable<Text>,
        done_at -> Nullable<BigInt>,
        pay_part -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    announcements (id) {
        id -> BigInt,
        community_identifier -> Text,
        title -> Text,
        content -> Text,
        weight -> BigInt,
        top -> Bool,
        enabled -> Bool,
        manager -> Text,
        logo -> Text,
        images -> Text,
        created_by -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    complaints (id) {
        id -> BigInt,
        community_identifier -> Text,
        user_id -> BigInt,
        phone -> Text,
        kind -> Text,
        content -> Text,
        images -> Text,
        house_id -> Nullable<BigInt>,
        house_introduction -> Text,
        status -> Text,
        reply -> Nullable<Text>,
        replied_by -> Nullable<Text>,
        replied_at -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    emergency_phones (id) {
        id -> BigInt,
        community_identifier -> Text,
        name -> Text,
        phone -> Text,
        weight -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    visitor_passes (id) {
        id -> BigInt,
        community_identifier -> Text,
        user_id -> BigInt,
        house_id -> BigInt,
        house_introduction -> Text,
        visitor_name -> Text,
        visitor_phone -> Text,
        code -> Text,
        valid_from -> BigInt,
        valid_until -> BigInt,
        used_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}
