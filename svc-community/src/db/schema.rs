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

diesel::table! {
    rental_profiles (user_id) {
        user_id -> BigInt,
        nickname -> Nullable<Text>,
        sex -> Nullable<Integer>,
        user_type -> Nullable<Integer>,
        self_description -> Nullable<Text>,
        portrait_key -> Nullable<Text>,
        address_province -> Nullable<Text>,
        address_city -> Nullable<Text>,
        birthday -> Nullable<Text>,
        constellations -> Nullable<Text>,
        education -> Nullable<Text>,
        occupation -> Nullable<Text>,
        account_name -> Nullable<Text>,
        account_number -> Nullable<Text>,
        account_idcardnumber -> Nullable<Text>,
        tel -> Nullable<Text>,
        virtual_tel_flag -> Nullable<Bool>,
        virtual_tel -> Nullable<Text>,
        wechat -> Nullable<Text>,
        qq -> Nullable<Text>,
        inviter_id -> Nullable<BigInt>,
        saved_at -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
        realname -> Nullable<Text>,
        idcardnumber -> Nullable<Text>,
        id_portrait_key -> Nullable<Text>,
        idcard_front_key -> Nullable<Text>,
        idcard_back_key -> Nullable<Text>,
        identified_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    rental_listings (id) {
        id -> BigInt,
        owner_id -> BigInt,
        community_identifier -> Text,
        community_house_id -> BigInt,
        house_introduction -> Text,
        status -> Nullable<Integer>,
        reason -> Text,
        platform_hold -> Bool,
        owner_verified -> Bool,
        longitude -> Nullable<Double>,
        latitude -> Nullable<Double>,
        house_rent_fen -> Nullable<BigInt>,
        house_size -> Nullable<Double>,
        house_type -> Nullable<Text>,
        rent_time_type -> Nullable<Integer>,
        rent_room_type -> Nullable<Integer>,
        house_source -> Nullable<Integer>,
        house_direction -> Nullable<Text>,
        house_decoration -> Nullable<Text>,
        house_rooms -> Nullable<BigInt>,
        subdistrict_code -> Nullable<BigInt>,
        subway_station_code -> Nullable<BigInt>,
        house_characteristic -> Nullable<Text>,
        description_title -> Nullable<Text>,
        details -> Text,
        praise_count -> BigInt,
        view_count -> BigInt,
        created_at -> BigInt,
        updated_at -> BigInt,
        released_at -> Nullable<BigInt>,
        submitted_at -> Nullable<BigInt>,
        deleted_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    rental_media (id) {
        id -> BigInt,
        listing_id -> BigInt,
        kind -> Text,
        object_key -> Text,
        rooms_type -> Nullable<Integer>,
        rooms_area -> Nullable<Double>,
        rooms_orientation -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    rental_identifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        community_identifier -> Text,
        community_house_id -> BigInt,
        house_introduction -> Text,
        certname -> Text,
        idcardnumber -> Text,
        property_cert_number -> Text,
        property_cert_key -> Text,
        house_type -> Integer,
        lease_key -> Nullable<Text>,
        status -> Integer,
        reason -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    rental_favourites (user_id, listing_id) {
        user_id -> BigInt,
        listing_id -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    rental_views (listing_id, user_id) {
        listing_id -> BigInt,
        user_id -> BigInt,
        viewed_at -> BigInt,
    }
}
