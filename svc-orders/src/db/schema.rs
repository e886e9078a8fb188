//! Table definitions (portable column types only).
diesel::table! {
    orders (id) {
        id -> BigInt,
        order_number -> Text,
        target_type -> Text,
        community_identifier -> Text,
        house_id -> Nullable<BigInt>,
        user_id -> Nullable<BigInt>,
        louhao -> Nullable<BigInt>,
        danyuan -> Nullable<BigInt>,
        louceng -> Nullable<BigInt>,
        fangjian -> Nullable<BigInt>,
        house_introduction -> Text,
        title -> Text,
        remark -> Text,
        extra -> Text,
        manager -> Text,
        amount_fen -> BigInt,
        status -> Text,
        paied -> Bool,
        bill_id -> Nullable<BigInt>,
        created_by -> BigInt,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    payments (id) {
        id -> BigInt,
        out_trade_no -> Text,
        prepay_id -> Text,
        user_id -> BigInt,
        order_ids -> Text,
        amount_fen -> BigInt,
        state -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    bills (id) {
        id -> BigInt,
        user_id -> BigInt,
        total_amount_fen -> BigInt,
        payment_number -> Text,
        payment_shop_number -> Text,
        paid_at -> BigInt,
        created_at -> BigInt,
        community_identifier -> Text,
    }
}

diesel::table! {
    live_payments (order_id) {
        order_id -> BigInt,
        payment_id -> BigInt,
    }
}

diesel::table! {
    /// The payments reconciliation watches (placing, pending, superseded): since when each
    /// was last changed or looked at.
    unsettled_payments (payment_id) {
        payment_id -> BigInt,
        since -> BigInt,
    }
}

diesel::table! {
    viewing_requests (id) {
        id -> BigInt,
        seeker_id -> BigInt,
        listing_id -> BigInt,
        owner_id -> BigInt,
        community_identifier -> Text,
        house_title -> Text,
        wished_times -> Text,
        fee_fen -> BigInt,
        status -> Text,
        viewing_time -> Nullable<BigInt>,
        reason -> Text,
        pay_channel -> Nullable<Text>,
        trade_no -> Nullable<Text>,
        paid_at -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
        offered_at -> Nullable<BigInt>,
        check_at -> Nullable<BigInt>,
        inviter_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> BigInt,
        movement -> Text,
        account -> Text,
        amount_fen -> BigInt,
        viewing_id -> Nullable<BigInt>,
        refund_id -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    refunds (id) {
        id -> BigInt,
        out_refund_no -> Text,
        channel -> Text,
        out_trade_no -> Text,
        total_fen -> BigInt,
        amount_fen -> BigInt,
        reason -> Text,
        purpose -> Text,
        viewing_id -> Nullable<BigInt>,
        bill_id -> Nullable<BigInt>,
        state -> Text,
        refund_id -> Nullable<Text>,
        failure -> Text,
        attempts -> Integer,
        next_at -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
        refunded_at -> Nullable<BigInt>,
        request_no -> Nullable<Text>,
        community_identifier -> Nullable<Text>,
    }
}

diesel::table! {
    alipay_users (user_id) {
        user_id -> BigInt,
        alipay_user_id -> Text,
        access_token -> Text,
        token_expires_at -> BigInt,
        refresh_token -> Text,
        zhima_score -> Nullable<BigInt>,
        zhima_fetched_at -> Nullable<BigInt>,
        bound_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    payouts (id) {
        id -> BigInt,
        order_id -> Text,
        out_biz_no -> Text,
        community_identifier -> Text,
        owner_id -> BigInt,
        payee_type -> Text,
        payee_account -> Text,
        payee_name -> Text,
        amount_fen -> BigInt,
        remark -> Text,
        state -> Text,
        alipay_order_id -> Nullable<Text>,
        failure -> Text,
        credential_id -> BigInt,
        created_at -> BigInt,
        updated_at -> BigInt,
        paid_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Kept by triggers on `orders` (migration 2026-12-13-000001): never written by the code.
    order_counts (community_identifier, slot) {
        community_identifier -> Text,
        slot -> Integer,
        open_unpaid -> BigInt,
        open_paid -> BigInt,
        closed_unpaid -> BigInt,
        closed_paid -> BigInt,
        /// Rows the slot's statements wrote (2026-12-17-000001_order_versions).
        changes -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    orders,
    payments,
    bills,
    live_payments,
    unsettled_payments
);
