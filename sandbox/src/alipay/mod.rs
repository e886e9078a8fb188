//! Alipay (支付宝) for one application: the openapi gateway (`/alipay/gateway.do`, every request
//! verified RSA2 with the application's public key, every answer signed with Alipay's key) with
//! `alipay.trade.wap.pay` (the mobile payment page, which opens the trade),
//! `alipay.trade.query`, `alipay.trade.refund` (see [`refund`]),
//! `alipay.fund.trans.uni.transfer` (see [`transfer`]), `alipay.system.oauth.token` and
//! `zhima.credit.score.get` (see [`oauth`]); the user authorisation page
//! `GET /alipay/oauth2/publicAppAuthorize.htm`; the helpers `POST /alipay/pay` (the payer pays
//! and Alipay notifies, see [`pay`]), `POST /alipay/authorize` (the user approves),
//! `GET /alipay/trades?out_trade_no=N` and `GET /alipay/transfers`.
//!
//! Our merchant's balance starts at [`OPENING_BALANCE_FEN`] (100,000.00 元); payments add to
//! it, refunds and payouts draw on it and are refused when it cannot cover them
//! (`ACQ.SELLER_BALANCE_NOT_ENOUGH`, `PAYER_BALANCE_NOT_ENOUGH`).
//!
//! The Alipay accounts the sandbox knows (payees of payouts):
//! - a logon id that is a mainland mobile number (`1[3-9]` and 9 digits) or an email is an
//!   account; its real name is the one the payout gives, unless [`ACCOUNTS`] lists it with
//!   another name (then `PAYEE_USER_INFO_ERROR`); any other logon id is `PAYEE_NOT_EXIST`;
//! - a user id of 2088 and 12 digits is an account, named as [`ACCOUNTS`] says when listed
//!   (a name given for an unlisted one is taken); anything else is `PAYEE_NOT_EXIST`.
//!
//! The sandbox holds the application's PUBLIC key and Alipay's PRIVATE key: the dev keys of
//! `fixtures/alipay/` unless `alipay_app_public_key` / `alipay_private_key` name others.

mod gateway;
mod oauth;
mod pay;
mod refund;
mod transfer;

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::web;
use alipay::sign::{RsaSigner, RsaVerifier};
use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::config::SandboxSettings;
use crate::notify::or_dev;

pub use oauth::zhima_score;

const APP_PUBLIC_KEY: &str = include_str!("../../fixtures/alipay/dev-app-public-key.pem");
const ALIPAY_PRIVATE_KEY: &str = include_str!("../../fixtures/alipay/dev-alipay-private-key.pem");
const FORGER_PRIVATE_KEY: &str = include_str!("../../fixtures/alipay/dev-forger-private-key.pem");
/// How long the sandbox waits for our notify endpoint, milliseconds.
const NOTIFY_TIMEOUT_MS: u64 = 5000;
/// What our merchant's Alipay balance holds before any payment, fen (100,000.00 元).
pub const OPENING_BALANCE_FEN: i64 = 10_000_000;
/// Accounts listed by name: `(logon id, user id, real name)`.
pub const ACCOUNTS: &[(&str, &str, &str)] = &[
    ("13800138000", "2088102000000001", "王芳"),
    ("landlord@example.com", "2088102000000002", "李雷"),
];

pub(crate) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/alipay/gateway.do")
            .route(web::get().to(gateway::gateway))
            .route(web::post().to(gateway::gateway)),
    )
    .route("/alipay/pay", web::post().to(pay::pay))
    .route("/alipay/trades", web::get().to(pay::trade))
    .route("/alipay/transfers", web::get().to(transfer::list))
    .route(
        "/alipay/oauth2/publicAppAuthorize.htm",
        web::get().to(oauth::page),
    )
    .route("/alipay/authorize", web::post().to(oauth::authorize));
}

/// Where a trade stands, as Alipay names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TradeStatus {
    WaitBuyerPay,
    Success,
    /// Fully refunded.
    Closed,
}

impl TradeStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::WaitBuyerPay => "WAIT_BUYER_PAY",
            Self::Success => "TRADE_SUCCESS",
            Self::Closed => alipay::TRADE_CLOSED,
        }
    }
}

/// One refund of a trade, by its `out_request_no`.
#[derive(Clone, Debug)]
pub(crate) struct TradeRefund {
    out_request_no: String,
    fen: i64,
    at: DateTime<Utc>,
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
    /// Oldest first.
    refunds: Vec<TradeRefund>,
}

impl Trade {
    fn refunded_fen(&self) -> i64 {
        self.refunds.iter().map(|refund| refund.fen).sum()
    }
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
    /// Payouts, oldest first.
    transfers: Mutex<Vec<transfer::Payout>>,
    /// Our merchant's balance, fen; locked after `trades` or `transfers`, never before.
    balance_fen: Mutex<i64>,
    /// Authorisation pages, codes and tokens.
    auth: Mutex<oauth::Grants>,
    /// Where `POST /alipay/authorize` sends the user when no page was opened with the state.
    auth_redirect_uri: String,
    /// Delivers notifications, bounded by [`NOTIFY_TIMEOUT_MS`].
    http: reqwest::Client,
    /// Sends the user back to `auth_notify`, bounded likewise; redirects are not followed (the
    /// first answer is what we judge).
    redirect: reqwest::Client,
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
            transfers: Mutex::default(),
            balance_fen: Mutex::new(OPENING_BALANCE_FEN),
            auth: Mutex::default(),
            auth_redirect_uri: settings.alipay_auth_redirect_uri.clone(),
            http: kit::outbound::http_client(NOTIFY_TIMEOUT_MS)
                .context("building the notification client")?,
            redirect: reqwest::Client::builder()
                .timeout(std::time::Duration::from_millis(NOTIFY_TIMEOUT_MS))
                .connect_timeout(std::time::Duration::from_millis(NOTIFY_TIMEOUT_MS))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .context("building the redirect client")?,
        })
    }

    fn trades(&self) -> std::sync::MutexGuard<'_, HashMap<String, Trade>> {
        crate::state::lock(&self.trades)
    }

    fn transfers(&self) -> std::sync::MutexGuard<'_, Vec<transfer::Payout>> {
        crate::state::lock(&self.transfers)
    }

    fn grants(&self) -> std::sync::MutexGuard<'_, oauth::Grants> {
        crate::state::lock(&self.auth)
    }

    /// Adds `fen` (negative: draws) to our merchant's balance; `false`, changing nothing, when
    /// the balance cannot cover a draw.
    fn credit(&self, fen: i64) -> bool {
        let mut balance = crate::state::lock(&self.balance_fen);
        if *balance + fen < 0 {
            return false;
        }
        *balance += fen;
        true
    }
}

/// `time` on Beijing's clock as Alipay writes times: `2026-12-03 10:00:00`.
fn beijing(time: DateTime<Utc>) -> String {
    kit::time::beijing_datetime(time.timestamp())
}

/// `time` on Beijing's clock to the millisecond, as `gmt_refund`: `2026-12-03 10:00:00.320`.
fn beijing_millis(time: DateTime<Utc>) -> String {
    format!("{}.{:03}", beijing(time), time.timestamp_subsec_millis())
}

/// An Alipay number: `prefix` after today's date, then random digits up to `len` characters.
fn number(prefix: &str, len: usize) -> String {
    use rand::Rng;
    let head = format!("{}{prefix}", Utc::now().format("%Y%m%d"));
    let mut rng = rand::rng();
    let tail: String = (head.len()..len)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect();
    head + &tail
}
