//! Table definitions (portable column types only).
diesel::table! {
    users (id) {
        id -> BigInt,
        openid -> Nullable<Text>,
        phone -> Text,
        name -> Text,
        avatar -> Text,
        registration_state -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    platform_credentials (id) {
        id -> BigInt,
        secret_id -> Text,
        secret_hash -> Text,
        name -> Text,
        created_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    credential_communities (credential_id, community_identifier) {
        credential_id -> BigInt,
        community_identifier -> Text,
    }
}

diesel::table! {
    subscriptions (openid, template_id) {
        openid -> Text,
        template_id -> Text,
        quota -> Integer,
        last_answer -> Text,
        updated_at -> BigInt,
    }
}

diesel::table! {
    notices (id) {
        id -> BigInt,
        source -> Text,
        event_id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        template_id -> Text,
        openid -> Nullable<Text>,
        page -> Text,
        data -> Text,
        status -> Text,
        reason -> Text,
        created_at -> BigInt,
        sent_at -> Nullable<BigInt>,
    }
}

diesel::joinable!(credential_communities -> platform_credentials (credential_id));
diesel::allow_tables_to_appear_in_same_query!(users, platform_credentials, credential_communities);
