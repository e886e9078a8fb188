//! Alipay (支付宝) for one application: the openapi gateway (`/alipay/gateway.do`, every request
//! verified RSA2 with the application's public key, every answer signed with Alipay's key) with
//! `alipay.trade.wap.pay` (the mobile payment page, which opens the trade) and
//! `alipay.trade.query`; the helpers `POST /alipay/pay` (the payer pays and Alipay notifies, see
//! [`pay`]) and `GET /alipay/trades?out_trade_no=N`.
//!
//! The sandbox holds the application's PUBLIC key and Alipay's PRIVATE key: the dev keys of
//! `fixtures/alipay/` unless `alipay_app_public_key` / `alipay_private_key` name others.

mod gateway;
mod pay;

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::web;
use alipay::sign::{RsaSigner, RsaVerifier};
use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::config::SandboxSettings;
use crate::notify::or_dev;

const APP_PUBLIC_KEY: &str = include_str!("../../fixtures/alipay/dev-app-public-key.pem");
const ALIPAY_PRIVATE_KEY: &str = include_str!("../../fixtures/alipay/dev-alipay-private-key.pem");
const FORGER_PRIVATE_KEY: &str = include_str!("../../fixtures/alipay/dev-forger-private-key.pem");
/// How long the sandbox waits for our notify endpoint, milliseconds.
const NOTIFY_TIMEOUT_MS: u64 = 5000;

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/alipay/gateway.do")
            .route(web::get().to(gateway::gateway))
            .route(web::post().to(gateway::gateway)),
    )
    .route("/alipay/pay", web::post().to(pay::pay))
    .route("/alipay/trades", web::get().to(pay::trade));
}

/// Where a trade stands, as Alipay names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TradeStatus {
    WaitBuyerPay,
    Success,
}

impl TradeStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::WaitBuyerPay => "WAIT_BUYER_PAY",
            Self::Success => "TRADE_SUCCESS",
        }
    }
}

/// A trade the payment page opened.
#[derive(Clone, Debug)]
pub(crate) struct Trade {
    out_trade_no: String,
    trade_no: String,
    subject: String,
    total_fen: i64,
    notify_url: String,
    status: TradeStatus,
    buyer_id: String,
    created_at: DateTime<Utc>,
    paid_at: Option<DateTime<Utc>>,
}

/// One application's Alipay: its identity, the keys, its trades.
pub(crate) struct Alipay {
    app_id: String,
    seller_id: String,
    /// Verifies our requests.
    app: RsaVerifier,
    /// Signs answers and notifications as Alipay.
    alipay: RsaSigner,
    /// Signs `forge` notifications: a key Alipay never had.
    forger: RsaSigner,
    trades: Mutex<HashMap<String, Trade>>,
    /// Delivers notifications, bounded by [`NOTIFY_TIMEOUT_MS`].
    http: reqwest::Client,
}

impl Alipay {
    pub(crate) fn new(settings: &SandboxSettings) -> anyhow::Result<Self> {
        let read = |what: &str, error: alipay::sign::CryptoError| {
            anyhow::anyhow!("Alipay {what}: {}", error.0)
        };
        Ok(Self {
            app_id: settings.alipay_app_id.clone(),
            seller_id: settings.alipay_seller_id.clone(),
            app: RsaVerifier::from_pem(&alipay::sign::armoured(
                or_dev(&settings.alipay_app_public_key, APP_PUBLIC_KEY),
                "PUBLIC KEY",
            ))
            .map_err(|error| read("application public key", error))?,
            alipay: RsaSigner::from_pem(&alipay::sign::armoured(
                or_dev(&settings.alipay_private_key, ALIPAY_PRIVATE_KEY),
                "PRIVATE KEY",
            ))
            .map_err(|error| read("private key", error))?,
            forger: RsaSigner::from_pem(FORGER_PRIVATE_KEY)
                .map_err(|error| read("forger private key", error))?,
            trades: Mutex::default(),
            http: kit::outbound::http_client(NOTIFY_TIMEOUT_MS)
                .context("building the notification client")?,
        })
    }

    fn trades(&self) -> std::sync::MutexGuard<'_, HashMap<String, Trade>> {
        crate::state::lock(&self.trades)
    }
}

/// `time` on Beijing's clock as Alipay writes times: `2026-12-03 10:00:00`.
fn beijing(time: DateTime<Utc>) -> String {
    kit::time::beijing_datetime(time.timestamp())
}
