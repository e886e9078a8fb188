//! WeChat Pay (微信支付) for one merchant: JSAPI orders, order query and close, refunds and
//! refund queries over APIv3 (`/v3/pay/transactions/...`, `/v3/refund/domestic/refunds`,
//! RSA-signed both ways) and APIv2 (`/pay/unifiedorder`, `/pay/orderquery`, `/pay/closeorder`,
//! `/secapi/pay/refund`, `/pay/refundquery`, XML signed with the API key); the helper
//! `POST /wxpay/pay` that plays the payer and sends WeChat Pay's notification (see [`pay`]); and
//! refund notifications with the helper `GET /wxpay/refunds` (see [`refunds`]).
//!
//! The sandbox holds the merchant's PUBLIC key (to verify our APIv3 requests) and WeChat Pay's
//! PRIVATE key (to sign answers and notifications): the dev keys of `fixtures/wxpay/` unless
//! `wxpay_merchant_public_key` / `wxpay_platform_private_key` name others (the topology tests and
//! the dev overlay run the standalone binaries, which refuse the dev keys, on keys of their own).

mod orders;
mod pay;
mod refunds;
mod v2;
mod v3;

use std::sync::Mutex;

use actix_web::web;
use anyhow::Context;
use wxpay::crypto::{RsaSigner, RsaVerifier};

use crate::config::SandboxSettings;
use crate::notify::or_dev;
use orders::Orders;

const MERCHANT_PUBLIC_KEY: &str = include_str!("../../fixtures/wxpay/dev-merchant-public-key.pem");
const PLATFORM_PRIVATE_KEY: &str =
    include_str!("../../fixtures/wxpay/dev-platform-private-key.pem");
const FORGER_PRIVATE_KEY: &str = include_str!("../../fixtures/wxpay/dev-forger-private-key.pem");
/// Where refunded money goes, as refunds report it (退款入账账户).
const RECEIVED_ACCOUNT: &str = "支付用户零钱";
/// How long the sandbox waits for our notify endpoint, milliseconds.
const NOTIFY_TIMEOUT_MS: u64 = 5000;

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/v3/pay/transactions/jsapi", web::post().to(v3::jsapi))
        .route(
            "/v3/pay/transactions/out-trade-no/{out_trade_no}",
            web::get().to(v3::query),
        )
        .route(
            "/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
            web::post().to(v3::close),
        )
        .route("/pay/unifiedorder", web::post().to(v2::unified_order))
        .route("/pay/orderquery", web::post().to(v2::order_query))
        .route("/pay/closeorder", web::post().to(v2::close_order))
        .route("/v3/refund/domestic/refunds", web::post().to(v3::refund))
        .route(
            "/v3/refund/domestic/refunds/{out_refund_no}",
            web::get().to(v3::query_refund),
        )
        .route("/secapi/pay/refund", web::post().to(v2::refund))
        .route("/pay/refundquery", web::post().to(v2::refund_query))
        .route("/wxpay/pay", web::post().to(pay::pay))
        .route("/wxpay/refunds", web::get().to(refunds::list));
}

/// One merchant's WeChat Pay: its credentials, WeChat Pay's keys, its orders.
pub(crate) struct WxPay {
    appid: String,
    mchid: String,
    v2_key: String,
    v3_api_key: String,
    merchant_serial: String,
    platform_key_id: String,
    /// Verifies our APIv3 requests.
    merchant: RsaVerifier,
    /// Signs answers and notifications as WeChat Pay.
    platform: RsaSigner,
    /// Signs `forge` notifications: a key WeChat Pay never had.
    forger: RsaSigner,
    orders: Mutex<Orders>,
    /// Delivers notifications, bounded by [`NOTIFY_TIMEOUT_MS`].
    http: reqwest::Client,
}

impl WxPay {
    pub(crate) fn new(settings: &SandboxSettings) -> anyhow::Result<Self> {
        let read =
            |what: &str, error: wxpay::crypto::CryptoError| anyhow::anyhow!("{what}: {error}");
        Ok(Self {
            appid: settings.wechat_appid.clone(),
            mchid: settings.wxpay_mchid.clone(),
            v2_key: settings.wxpay_v2_key.clone(),
            v3_api_key: settings.wxpay_v3_api_key.clone(),
            merchant_serial: settings.wxpay_merchant_serial.clone(),
            platform_key_id: settings.wxpay_platform_public_key_id.clone(),
            merchant: RsaVerifier::from_pem(or_dev(
                &settings.wxpay_merchant_public_key,
                MERCHANT_PUBLIC_KEY,
            ))
            .map_err(|error| read("merchant public key", error))?,
            platform: RsaSigner::from_pem(or_dev(
                &settings.wxpay_platform_private_key,
                PLATFORM_PRIVATE_KEY,
            ))
            .map_err(|error| read("platform private key", error))?,
            forger: RsaSigner::from_pem(FORGER_PRIVATE_KEY)
                .map_err(|error| read("forger private key", error))?,
            orders: Mutex::default(),
            http: kit::outbound::http_client(NOTIFY_TIMEOUT_MS)
                .context("building the notification client")?,
        })
    }

    fn orders(&self) -> std::sync::MutexGuard<'_, Orders> {
        crate::state::lock(&self.orders)
    }
}

/// `time` on Beijing's clock, as WeChat Pay writes times.
fn beijing(time: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::FixedOffset> {
    match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(offset) => time.with_timezone(&offset),
        None => time.fixed_offset(),
    }
}
