//! The WeChat Pay (微信支付) client for mini-program (JSAPI) payments: place an order, hand the
//! mini-program its `wx.requestPayment` parameters, read and answer payment notifications, query
//! and close orders; refund them, query refunds, read refund notifications. APIv3 or APIv2 is
//! chosen by `[wxpay] version`; callers see one API.
//!
//! Nothing here is retried: placing, closing and refunding change state at WeChat, and the caller
//! decides when to query again (a refund retried under the same `out_refund_no` is refunded
//! once). Every call is bounded by `timeout_ms`.
pub mod crypto;
mod settings;
mod v2;
mod v3;
pub mod xml;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crypto::{RsaSigner, RsaVerifier};
use kit::error::{ErrorKind, ServiceError};
pub use settings::{WxPaySettings, WxPaySignType, WxPayVersion};

/// How far a signed timestamp may be from our clock, seconds (WeChat's SDKs allow 5 minutes).
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;
/// `trade_state` of a paid order.
pub const TRADE_SUCCESS: &str = "SUCCESS";

/// Why a WeChat Pay call or notification gave nothing we can use.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WxPayError {
    /// Timeout, no connection, a 5xx, or an answer we cannot read.
    #[error("WeChat Pay unavailable: {0}")]
    Unavailable(String),
    /// WeChat Pay answered and said no (`ORDERPAID`, `OUT_TRADE_NO_USED`, `PARAM_ERROR`...).
    #[error("WeChat Pay refused: {code} {message}")]
    Refused { code: String, message: String },
    /// An answer whose signature is missing or wrong: not from WeChat Pay, or altered.
    #[error("WeChat Pay answer has a bad signature")]
    BadSignature,
    /// A notification that is not WeChat Pay's, is stale, or cannot be read.
    #[error("bad payment notification: {0}")]
    BadNotification(String),
}

impl WxPayError {
    fn refused(code: &str, message: impl Into<String>) -> Self {
        Self::Refused {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// The `code` of a refusal, e.g. `ORDERPAID`.
    pub fn refusal_code(&self) -> Option<&str> {
        match self {
            Self::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

impl From<WxPayError> for ServiceError {
    fn from(error: WxPayError) -> Self {
        tracing::warn!(%error, "WeChat Pay call failed");
        let cause = error.to_string();
        match &error {
            WxPayError::Refused { code, .. } => match code.as_str() {
                "ORDERPAID" => {
                    ServiceError::new(ErrorKind::Conflict, "该订单已支付，请勿重复缴费", cause)
                }
                "ORDERCLOSED" | "ORDER_CLOSED" => {
                    ServiceError::new(ErrorKind::Conflict, "该订单已关闭，请重新下单", cause)
                }
                "OUT_TRADE_NO_USED" => {
                    ServiceError::new(ErrorKind::Conflict, "订单金额已变化，请重新下单", cause)
                }
                // Refunds: more than is left to refund, an unpaid order, or a refund number
                // reused for another amount (APIv3 says INVALID_REQUEST for all of them).
                "INVALID_REQUEST"
                | "REFUND_FEE_INVALID"
                | "REFUND_FEE_MISMATCH"
                | "TRADE_STATE_ERROR" => ServiceError::new(
                    ErrorKind::Conflict,
                    "微信支付不受理此退款：退款金额超过可退金额，或订单状态不允许退款",
                    cause,
                ),
                // The merchant's account holds too little to refund from.
                "NOT_ENOUGH" | "NOTENOUGH" => ServiceError::new(
                    ErrorKind::Upstream,
                    "商户账户余额不足，暂时无法退款，请联系工作人员",
                    cause,
                ),
                _ => ServiceError::new(
                    ErrorKind::Upstream,
                    "微信支付未能受理，请稍后重试或联系工作人员",
                    cause,
                ),
            },
            WxPayError::BadNotification(_) => {
                ServiceError::new(ErrorKind::Invalid, "支付通知无效", cause)
            }
            WxPayError::Unavailable(_) | WxPayError::BadSignature => {
                ServiceError::new(ErrorKind::Upstream, "微信支付暂时不可用，请稍后重试", cause)
            }
        }
    }
}

/// What the mini-program passes to `wx.requestPayment` (seed 000 §4.2.1's `data`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PayParams {
    pub app_id: String,
    pub time_stamp: String,
    pub nonce_str: String,
    /// `prepay_id=…`
    pub package: String,
    /// `RSA` (v3), `MD5` or `HMAC-SHA256` (v2).
    pub sign_type: String,
    pub pay_sign: String,
}

/// A payment as WeChat Pay reports it, in a notification or an order query.
#[derive(Clone, PartialEq, Eq)]
pub struct PaymentNotice {
    pub out_trade_no: String,
    /// WeChat's own number of the payment (微信支付订单号).
    pub transaction_id: String,
    /// The order total WeChat reports, fen: compare it with ours before trusting the payment.
    pub total_fen: i64,
    /// `CNY`.
    pub currency: String,
    pub payer_openid: String,
    /// `SUCCESS` when paid; otherwise `REFUND`, `NOTPAY`, `CLOSED`, `PAYERROR`...
    pub trade_state: String,
    /// When it was paid, UTC; set for `SUCCESS`.
    pub success_time: Option<DateTime<Utc>>,
}

impl PaymentNotice {
    /// Whether WeChat Pay says the money arrived.
    pub fn is_paid(&self) -> bool {
        self.trade_state == TRADE_SUCCESS
    }
}

impl std::fmt::Debug for PaymentNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentNotice")
            .field("out_trade_no", &self.out_trade_no)
            .field("transaction_id", &self.transaction_id)
            .field("total_fen", &self.total_fen)
            .field("currency", &self.currency)
            .field("payer_openid", &mask_openid(&self.payer_openid))
            .field("trade_state", &self.trade_state)
            .field("success_time", &self.success_time)
            .finish()
    }
}

/// A refund to ask WeChat Pay for: part or all of a paid order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefundRequest<'a> {
    pub out_trade_no: &'a str,
    /// Our number of the refund (商户退款单号): asking again with it refunds once.
    pub out_refund_no: &'a str,
    /// What to refund, fen; at most what is left of the order.
    pub refund_fen: i64,
    /// The order's total as paid, fen.
    pub total_fen: i64,
    /// Shown to the payer; up to 80 characters, may be empty.
    pub reason: &'a str,
}

/// Where a refund stands at WeChat Pay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundStatus {
    /// The money is back with the payer.
    Success,
    /// Accepted, not finished yet.
    Processing,
    /// Closed without refunding (APIv2 `REFUNDCLOSE`).
    Closed,
    /// Failed: the payer's account is closed or frozen (APIv2 `CHANGE`); refund another way.
    Abnormal,
}

impl RefundStatus {
    /// APIv3's `status` / `refund_status`, or APIv2's `refund_status`.
    fn from_wechat(status: &str) -> Option<Self> {
        match status {
            "SUCCESS" => Some(Self::Success),
            "PROCESSING" => Some(Self::Processing),
            "CLOSED" | "REFUNDCLOSE" => Some(Self::Closed),
            "ABNORMAL" | "CHANGE" => Some(Self::Abnormal),
            _ => None,
        }
    }

    /// APIv3's name of it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "SUCCESS",
            Self::Processing => "PROCESSING",
            Self::Closed => "CLOSED",
            Self::Abnormal => "ABNORMAL",
        }
    }
}

/// A refund as WeChat Pay answers a refund request or a refund query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundOutcome {
    pub out_refund_no: String,
    /// WeChat's own number of the refund (微信退款单号).
    pub refund_id: String,
    /// APIv2 answers a refund request without one: `Processing` until queried or notified.
    pub status: RefundStatus,
    pub refund_fen: i64,
}

/// A refund notification's content, verified.
#[derive(Clone, PartialEq, Eq)]
pub struct RefundNotice {
    pub out_trade_no: String,
    pub transaction_id: String,
    pub out_refund_no: String,
    pub refund_id: String,
    pub status: RefundStatus,
    pub refund_fen: i64,
    /// The order's total, fen.
    pub total_fen: i64,
    /// Where the money went (`支付用户零钱`, a bank card's name and last digits): personal.
    pub received_account: String,
    /// When it was refunded, UTC; set for `Success`.
    pub success_time: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for RefundNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefundNotice")
            .field("out_trade_no", &self.out_trade_no)
            .field("transaction_id", &self.transaction_id)
            .field("out_refund_no", &self.out_refund_no)
            .field("refund_id", &self.refund_id)
            .field("status", &self.status)
            .field("refund_fen", &self.refund_fen)
            .field("total_fen", &self.total_fen)
            .field("received_account", &"***")
            .field("success_time", &self.success_time)
            .finish()
    }
}

/// What became of a notification, for the answer WeChat Pay gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotificationOutcome {
    /// Applied, or nothing to apply: WeChat Pay stops sending it.
    Accepted,
    /// Forged, unreadable or not ours: refused for good (a 4xx in APIv3).
    Refused,
    /// We could not apply it now (a database down): WeChat Pay sends it again later.
    Failed,
}

/// The HTTP answer WeChat Pay expects to a notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationAnswer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

/// `oUpF8uMuAJO_M2pxb1Q9zNjWeS6o` → `oUpF…eS6o`: enough to match log lines, not the openid.
pub fn mask_openid(openid: &str) -> String {
    let chars: Vec<char> = openid.chars().collect();
    if chars.len() < 12 {
        return "***".to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// An out_trade_no WeChat accepts: 6–32 of letters, digits, `_ - | *`.
pub fn is_valid_out_trade_no(out_trade_no: &str) -> bool {
    (6..=32).contains(&out_trade_no.len())
        && out_trade_no
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'|' | b'*'))
}

/// An out_refund_no WeChat accepts: 1–64 of letters, digits, `_ - | * @`.
pub fn is_valid_out_refund_no(out_refund_no: &str) -> bool {
    (1..=64).contains(&out_refund_no.len())
        && out_refund_no
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'|' | b'*' | b'@'))
}

/// APIv3 keys, read once.
struct V3Keys {
    merchant: RsaSigner,
    platform: RsaVerifier,
}

/// The WeChat Pay client, pointed at the sandbox or at WeChat Pay by configuration.
#[derive(Clone)]
pub struct WxPayClient {
    http: reqwest::Client,
    /// APIv2's `/secapi/` calls: `http` with the merchant certificate when one is configured.
    secapi_http: reqwest::Client,
    settings: Arc<WxPaySettings>,
    /// Present when `version` is v3.
    v3_keys: Option<Arc<V3Keys>>,
}

impl WxPayClient {
    /// A client whose every call is bounded by `settings.timeout_ms`; fails on unreadable keys.
    pub fn new(settings: WxPaySettings) -> anyhow::Result<Self> {
        anyhow::ensure!(
            !settings.appid.is_empty() && !settings.mchid.is_empty(),
            "wxpay.appid and wxpay.mchid are required"
        );
        let v3_keys = match settings.version {
            WxPayVersion::V3 => {
                anyhow::ensure!(
                    settings.v3_api_key.len() == 32,
                    "wxpay.v3_api_key must be 32 bytes"
                );
                anyhow::ensure!(
                    !settings.v3_merchant_serial.is_empty()
                        && !settings.v3_platform_public_key_id.is_empty(),
                    "wxpay.v3_merchant_serial and wxpay.v3_platform_public_key_id are required"
                );
                let merchant = RsaSigner::from_pem(&settings.v3_merchant_private_key)
                    .map_err(|error| anyhow::anyhow!("wxpay.v3_merchant_private_key: {error}"))?;
                let platform = RsaVerifier::from_pem(&settings.v3_platform_public_key)
                    .map_err(|error| anyhow::anyhow!("wxpay.v3_platform_public_key: {error}"))?;
                Some(Arc::new(V3Keys { merchant, platform }))
            }
            WxPayVersion::V2 => {
                anyhow::ensure!(!settings.v2_key.is_empty(), "wxpay.v2_key is required");
                None
            }
        };
        let http = kit::outbound::http_client(settings.timeout_ms)?;
        let secapi_http = secapi_client(&settings)?.unwrap_or_else(|| http.clone());
        Ok(Self {
            http,
            secapi_http,
            settings: Arc::new(settings),
            v3_keys,
        })
    }

    /// The API version this client speaks.
    pub fn version(&self) -> WxPayVersion {
        self.settings.version
    }

    /// Places a JSAPI order and returns its `prepay_id`. Placing the same `out_trade_no` with the
    /// same amount again gives the same prepay_id; with another amount, `OUT_TRADE_NO_USED`.
    pub async fn create_jsapi(
        &self,
        out_trade_no: &str,
        description: &str,
        total_fen: i64,
        payer_openid: &str,
        client_ip: &str,
    ) -> Result<String, WxPayError> {
        check_out_trade_no(out_trade_no)?;
        if total_fen <= 0 {
            return Err(WxPayError::refused(
                "PARAM_ERROR",
                "the amount must be positive",
            ));
        }
        if payer_openid.is_empty() || description.is_empty() {
            return Err(WxPayError::refused(
                "PARAM_ERROR",
                "payer openid and description are required",
            ));
        }
        let prepay_id = match self.settings.version {
            WxPayVersion::V3 => {
                self.v3_create_jsapi(
                    out_trade_no,
                    description,
                    total_fen,
                    payer_openid,
                    client_ip,
                )
                .await?
            }
            WxPayVersion::V2 => {
                self.v2_create_jsapi(
                    out_trade_no,
                    description,
                    total_fen,
                    payer_openid,
                    client_ip,
                )
                .await?
            }
        };
        tracing::info!(
            out_trade_no,
            total_fen,
            payer = %mask_openid(payer_openid),
            "WeChat Pay order placed"
        );
        Ok(prepay_id)
    }

    /// The signed parameters of `wx.requestPayment` for `prepay_id`.
    pub fn mini_program_params(&self, prepay_id: &str) -> Result<PayParams, WxPayError> {
        if prepay_id.is_empty() {
            return Err(WxPayError::refused("PARAM_ERROR", "no prepay_id"));
        }
        let time_stamp = Utc::now().timestamp().to_string();
        let nonce_str = kit::secret::random_alnum(32);
        let package = format!("prepay_id={prepay_id}");
        let (sign_type, pay_sign) = match self.settings.version {
            WxPayVersion::V3 => (
                "RSA".to_owned(),
                self.v3_pay_sign(&time_stamp, &nonce_str, &package)?,
            ),
            WxPayVersion::V2 => {
                let sign_type = self.settings.v2_sign_type;
                let sign = v2::pay_sign(&self.settings, &time_stamp, &nonce_str, &package);
                (sign_type.as_str().to_owned(), sign)
            }
        };
        Ok(PayParams {
            app_id: self.settings.appid.clone(),
            time_stamp,
            nonce_str,
            package,
            sign_type,
            pay_sign,
        })
    }

    /// Verifies and reads a payment notification; `headers` by lower-case name. Any failure is
    /// `BadNotification`. The caller still compares the amount with its order.
    pub fn parse_notification(
        &self,
        headers: &HashMap<String, String>,
        body: &[u8],
    ) -> Result<PaymentNotice, WxPayError> {
        let notice = match self.settings.version {
            WxPayVersion::V3 => self.v3_parse_notification(headers, body, Utc::now())?,
            WxPayVersion::V2 => self.v2_parse_notification(body)?,
        };
        tracing::info!(
            out_trade_no = %notice.out_trade_no,
            transaction_id = %notice.transaction_id,
            total_fen = notice.total_fen,
            trade_state = %notice.trade_state,
            "WeChat Pay notification verified"
        );
        Ok(notice)
    }

    /// What to answer WeChat Pay: only an accepted notification stops its retries.
    pub fn notification_answer(&self, outcome: NotificationOutcome) -> NotificationAnswer {
        match self.settings.version {
            WxPayVersion::V3 => v3::notification_answer(outcome),
            WxPayVersion::V2 => v2::notification_answer(outcome),
        }
    }

    /// The order as WeChat Pay knows it: `Some` only when it is paid (`SUCCESS`); `None` when it
    /// is unpaid, closed, refunded or unknown to WeChat.
    pub async fn query(&self, out_trade_no: &str) -> Result<Option<PaymentNotice>, WxPayError> {
        check_out_trade_no(out_trade_no)?;
        let notice = match self.settings.version {
            WxPayVersion::V3 => self.v3_query(out_trade_no).await?,
            WxPayVersion::V2 => self.v2_query(out_trade_no).await?,
        };
        let state = notice
            .as_ref()
            .map_or("ORDER_NOT_EXIST", |n| n.trade_state.as_str());
        tracing::info!(
            out_trade_no,
            trade_state = state,
            "WeChat Pay order queried"
        );
        Ok(notice.filter(PaymentNotice::is_paid))
    }

    /// Closes an unpaid order so it can no longer be paid; a paid one is refused (`ORDERPAID`).
    pub async fn close(&self, out_trade_no: &str) -> Result<(), WxPayError> {
        check_out_trade_no(out_trade_no)?;
        match self.settings.version {
            WxPayVersion::V3 => self.v3_close(out_trade_no).await?,
            WxPayVersion::V2 => self.v2_close(out_trade_no).await?,
        }
        tracing::info!(out_trade_no, "WeChat Pay order closed");
        Ok(())
    }

    /// Refunds part or all of a paid order. Asking again with the same `out_refund_no` and amount
    /// gives the same refund; with another amount, a refusal. The outcome is usually
    /// `Processing`: the result comes by refund notification or [`Self::query_refund`].
    pub async fn refund(&self, refund: &RefundRequest<'_>) -> Result<RefundOutcome, WxPayError> {
        check_refund(refund)?;
        let outcome = match self.settings.version {
            WxPayVersion::V3 => self.v3_refund(refund).await?,
            WxPayVersion::V2 => self.v2_refund(refund).await?,
        };
        if outcome.out_refund_no != refund.out_refund_no {
            return Err(WxPayError::Unavailable(
                "refund: the answer is about another refund".to_owned(),
            ));
        }
        tracing::info!(
            out_trade_no = refund.out_trade_no,
            out_refund_no = refund.out_refund_no,
            refund_fen = outcome.refund_fen,
            status = outcome.status.as_str(),
            "WeChat Pay refund requested"
        );
        Ok(outcome)
    }

    /// The refund as WeChat Pay knows it; `None` when it knows no refund of that number.
    pub async fn query_refund(
        &self,
        out_refund_no: &str,
    ) -> Result<Option<RefundOutcome>, WxPayError> {
        check_out_refund_no(out_refund_no)?;
        let outcome = match self.settings.version {
            WxPayVersion::V3 => self.v3_query_refund(out_refund_no).await?,
            WxPayVersion::V2 => self.v2_query_refund(out_refund_no).await?,
        };
        let status = outcome
            .as_ref()
            .map_or("REFUND_NOT_EXIST", |outcome| outcome.status.as_str());
        tracing::info!(out_refund_no, status, "WeChat Pay refund queried");
        Ok(outcome)
    }

    /// Verifies and reads a refund notification, taken as [`Self::parse_notification`] takes a
    /// payment notification; any failure is `BadNotification`. Answer it with
    /// [`Self::notification_answer`].
    pub fn parse_refund_notification(
        &self,
        headers: &HashMap<String, String>,
        body: &[u8],
    ) -> Result<RefundNotice, WxPayError> {
        let notice = match self.settings.version {
            WxPayVersion::V3 => self.v3_parse_refund_notification(headers, body, Utc::now())?,
            WxPayVersion::V2 => self.v2_parse_refund_notification(body)?,
        };
        tracing::info!(
            out_trade_no = %notice.out_trade_no,
            out_refund_no = %notice.out_refund_no,
            refund_fen = notice.refund_fen,
            status = notice.status.as_str(),
            "WeChat Pay refund notification verified"
        );
        Ok(notice)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.base_url.trim_end_matches('/'))
    }
}

fn check_out_trade_no(out_trade_no: &str) -> Result<(), WxPayError> {
    if is_valid_out_trade_no(out_trade_no) {
        Ok(())
    } else {
        Err(WxPayError::refused(
            "PARAM_ERROR",
            "out_trade_no must be 6-32 letters, digits or _-|*",
        ))
    }
}

fn check_out_refund_no(out_refund_no: &str) -> Result<(), WxPayError> {
    if is_valid_out_refund_no(out_refund_no) {
        Ok(())
    } else {
        Err(WxPayError::refused(
            "PARAM_ERROR",
            "out_refund_no must be 1-64 letters, digits or _-|*@",
        ))
    }
}

/// What WeChat Pay would refuse anyway, refused before sending.
fn check_refund(refund: &RefundRequest<'_>) -> Result<(), WxPayError> {
    check_out_trade_no(refund.out_trade_no)?;
    check_out_refund_no(refund.out_refund_no)?;
    let problem = if refund.total_fen <= 0 || refund.refund_fen <= 0 {
        "the amounts must be positive"
    } else if refund.refund_fen > refund.total_fen {
        "the refund exceeds the order's total"
    } else if refund.reason.chars().count() > 80 {
        "the reason is longer than 80 characters"
    } else {
        return Ok(());
    };
    Err(WxPayError::refused("PARAM_ERROR", problem))
}

/// The `/secapi/` client presenting the merchant certificate, when one is configured.
fn secapi_client(settings: &WxPaySettings) -> anyhow::Result<Option<reqwest::Client>> {
    let cert = settings.v2_client_cert_pem.trim();
    let key = settings.v2_client_key_pem.trim();
    match (cert.is_empty(), key.is_empty()) {
        (true, true) => Ok(None),
        (false, false) => {
            let unusable = |error: reqwest::Error| {
                anyhow::anyhow!("wxpay.v2_client_cert_pem / v2_client_key_pem: {error}")
            };
            let identity = reqwest::Identity::from_pem(format!("{key}\n{cert}\n").as_bytes())
                .map_err(unusable)?;
            kit::outbound::http_client_with_identity(settings.timeout_ms, identity)
                .map(Some)
                .map_err(unusable)
        }
        _ => anyhow::bail!("wxpay.v2_client_cert_pem and wxpay.v2_client_key_pem go together"),
    }
}

/// A transport failure (timeout, refused connection...), without the URL.
fn transport(what: &str, error: reqwest::Error) -> WxPayError {
    WxPayError::Unavailable(format!("{what}: {}", error.without_url()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_trade_numbers_follow_wechats_rules() {
        assert!(is_valid_out_trade_no("WJDH20240101000001"));
        assert!(is_valid_out_trade_no("a_b-c|d*e"));
        assert!(!is_valid_out_trade_no("12345"));
        assert!(!is_valid_out_trade_no("has space"));
        assert!(!is_valid_out_trade_no("../../x"));
        assert!(!is_valid_out_trade_no(&"1".repeat(33)));
    }

    #[test]
    fn openids_are_masked() {
        assert_eq!(mask_openid("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"), "oUpF…eS6o");
        assert_eq!(mask_openid("short"), "***");
    }

    #[test]
    fn errors_speak_to_the_resident_in_chinese() {
        let paid: ServiceError = WxPayError::refused("ORDERPAID", "paid").into();
        assert_eq!(paid.kind, ErrorKind::Conflict);
        assert_eq!(paid.msg, "该订单已支付，请勿重复缴费");
        let down: ServiceError = WxPayError::Unavailable("timeout".to_owned()).into();
        assert_eq!(down.kind, ErrorKind::Upstream);
        assert_eq!(down.msg, "微信支付暂时不可用，请稍后重试");
        assert!(down.message.contains("timeout"));
        let forged: ServiceError = WxPayError::BadNotification("sig".to_owned()).into();
        assert_eq!(forged.kind, ErrorKind::Invalid);
        let other: ServiceError = WxPayError::refused("SYSTEMERROR", "x").into();
        assert_eq!(other.kind, ErrorKind::Upstream);
    }

    const MERCHANT_CERT: &str =
        include_str!("../../../sandbox/fixtures/wxpay/dev-merchant-cert.pem");
    const MERCHANT_KEY: &str =
        include_str!("../../../sandbox/fixtures/wxpay/dev-merchant-private-key.pem");

    fn v2_with_certificate(cert: &str, key: &str) -> anyhow::Result<WxPayClient> {
        #[derive(serde::Deserialize)]
        struct Section {
            wxpay: WxPaySettings,
        }
        let section: Section = kit::settings::load_with(&[
            ("wxpay.version", "v2".to_owned()),
            ("wxpay.v2_client_cert_pem", cert.to_owned()),
            ("wxpay.v2_client_key_pem", key.to_owned()),
        ])?;
        WxPayClient::new(section.wxpay)
    }

    #[test]
    fn a_merchant_certificate_starts_only_with_its_key() {
        assert!(v2_with_certificate("", "").is_ok());
        assert!(v2_with_certificate(MERCHANT_CERT, MERCHANT_KEY).is_ok());
        assert!(v2_with_certificate(MERCHANT_CERT, "").is_err());
        assert!(v2_with_certificate("", MERCHANT_KEY).is_err());
        assert!(v2_with_certificate("not a certificate", MERCHANT_KEY).is_err());
        assert!(v2_with_certificate(MERCHANT_CERT, "not a key").is_err());
    }

    #[test]
    fn refunds_wechat_would_refuse_are_not_sent() {
        let good = RefundRequest {
            out_trade_no: "WJDH20240101000001",
            out_refund_no: "WJDHR20240101000001",
            refund_fen: 100,
            total_fen: 100,
            reason: "",
        };
        assert_eq!(check_refund(&good), Ok(()));
        let long_reason = "退".repeat(81);
        for bad in [
            RefundRequest {
                refund_fen: 0,
                ..good
            },
            RefundRequest {
                refund_fen: 101,
                ..good
            },
            RefundRequest {
                total_fen: -1,
                ..good
            },
            RefundRequest {
                out_refund_no: "",
                ..good
            },
            RefundRequest {
                out_refund_no: "has space",
                ..good
            },
            RefundRequest {
                out_trade_no: "../x",
                ..good
            },
            RefundRequest {
                reason: &long_reason,
                ..good
            },
        ] {
            let refused = check_refund(&bad).expect_err("refused");
            assert_eq!(refused.refusal_code(), Some("PARAM_ERROR"), "{bad:?}");
        }
        assert!(is_valid_out_refund_no("R|1*2@3-4_5"));
        assert!(!is_valid_out_refund_no(&"1".repeat(65)));
    }

    #[test]
    fn refund_refusals_speak_to_the_resident() {
        let over: ServiceError =
            WxPayError::refused("INVALID_REQUEST", "申请退款金额超过订单可退金额").into();
        assert_eq!(over.kind, ErrorKind::Conflict);
        assert!(over.message.contains("申请退款金额超过订单可退金额"));
        let v2_over: ServiceError = WxPayError::refused("REFUND_FEE_INVALID", "x").into();
        assert_eq!(v2_over.kind, ErrorKind::Conflict);
        let poor: ServiceError = WxPayError::refused("NOT_ENOUGH", "余额不足").into();
        assert_eq!(poor.kind, ErrorKind::Upstream);
        assert!(poor.msg.contains("余额不足"));
    }
}
