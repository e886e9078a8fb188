//! The Alipay (支付宝) openapi client: the WAP payment page (`alipay.trade.wap.pay`), trade queries
//! (`alipay.trade.query`), refunds (`alipay.trade.refund`), payouts
//! (`alipay.fund.trans.uni.transfer`), the user authorisation page with its token
//! (`alipay.system.oauth.token`) and 芝麻分 (`zhima.credit.score.get`), and the asynchronous
//! notifications; every request signed RSA2 with the application's private key and every answer
//! and notification verified with Alipay's public key.
//!
//! Nothing here is retried: the caller decides when to ask again. Every call is bounded by
//! `timeout_ms`.
mod auth;
mod refund;
pub mod sign;
mod transfer;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use sign::{RSA2, RsaSigner, RsaVerifier};

pub use auth::{OauthToken, ZHIMA_SCORE_PRODUCT, ZhimaScore};
pub use refund::Refund;
pub use transfer::{IdentityType, Transfer, Transferred, is_user_id};

/// `code` of an answer that did what was asked.
pub const SUCCESS_CODE: &str = "10000";
/// `trade_status` of a paid trade (`TRADE_FINISHED`: paid, and no refund is possible any more).
pub const TRADE_SUCCESS: &str = "TRADE_SUCCESS";
pub const TRADE_FINISHED: &str = "TRADE_FINISHED";
/// `trade_status` of a trade unpaid and closed, or fully refunded.
pub const TRADE_CLOSED: &str = "TRADE_CLOSED";
/// What a merchant answers a notification it took: Alipay stops sending it.
pub const NOTIFICATION_TAKEN: &str = "success";

/// `[alipay]`: which application we are at Alipay, and how to reach it.
#[derive(Clone, Deserialize)]
pub struct AlipaySettings {
    /// The openapi gateway, `https://openapi.alipay.com/gateway.do` in production.
    pub gateway: String,
    /// Our application's APPID.
    pub app_id: String,
    /// Our merchant's Alipay user id (2088…): the `seller_id` a notification must name.
    pub seller_id: String,
    /// The application private key (PEM, or the bare base64 Alipay's tools print).
    pub app_private_key: String,
    /// Alipay's public key (支付宝公钥; PEM or bare base64).
    pub alipay_public_key: String,
    /// Where Alipay sends its asynchronous notifications.
    pub notify_url: String,
    /// The user authorisation page (`https://openauth.alipay.com/oauth2/publicAppAuthorize.htm`
    /// in production).
    pub auth_page: String,
    /// Where that page sends the user back with an `auth_code` (our
    /// `/api/v1/rental/payment/ali/auth_notify`).
    pub auth_redirect_url: String,
    pub timeout_ms: u64,
}

impl std::fmt::Debug for AlipaySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlipaySettings")
            .field("gateway", &self.gateway)
            .field("app_id", &self.app_id)
            .field("seller_id", &self.seller_id)
            .field("notify_url", &self.notify_url)
            .field("auth_page", &self.auth_page)
            .field("auth_redirect_url", &self.auth_redirect_url)
            .finish_non_exhaustive()
    }
}

/// Why an Alipay call or notification gave nothing we can use.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AlipayError {
    /// Timeout, no connection, a 5xx, or an answer we cannot read.
    #[error("Alipay unavailable: {0}")]
    Unavailable(String),
    /// Alipay answered and said no (`sub_code` such as `ACQ.TRADE_NOT_EXIST`, else `code`).
    #[error("Alipay refused: {code} {message}")]
    Refused { code: String, message: String },
    /// An answer or notification whose signature is missing or wrong.
    #[error("Alipay answer has a bad signature")]
    BadSignature,
    /// A notification that is not Alipay's for us, or cannot be read.
    #[error("bad Alipay notification: {0}")]
    BadNotification(String),
    /// A key of the settings that cannot be read.
    #[error("Alipay key: {0}")]
    Key(String),
}

impl AlipayError {
    /// The `sub_code` (or `code`) of a refusal.
    pub fn refusal_code(&self) -> Option<&str> {
        match self {
            Self::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

impl From<AlipayError> for kit::error::ServiceError {
    fn from(error: AlipayError) -> Self {
        use kit::error::{ErrorKind, ServiceError};
        tracing::warn!(%error, "Alipay call failed");
        let cause = error.to_string();
        match &error {
            AlipayError::Refused { code, .. } if code == "ACQ.TRADE_HAS_SUCCESS" => {
                ServiceError::new(ErrorKind::Conflict, "该笔费用已支付，请勿重复支付", cause)
            }
            AlipayError::Refused { code, .. }
                if matches!(
                    code.as_str(),
                    "isv.code-invalid" | "aop.invalid-auth-token" | "aop.auth-token-time-out"
                ) =>
            {
                ServiceError::new(ErrorKind::Invalid, "支付宝授权已失效，请重新授权", cause)
            }
            AlipayError::BadNotification(_) => {
                ServiceError::new(ErrorKind::Invalid, "支付宝通知无效", cause)
            }
            AlipayError::Key(_) => {
                ServiceError::new(ErrorKind::Internal, "支付宝配置有误，请联系工作人员", cause)
            }
            _ => ServiceError::new(ErrorKind::Upstream, "支付宝暂时不可用，请稍后重试", cause),
        }
    }
}

/// A trade as `alipay.trade.query` tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trade {
    pub trade_no: String,
    pub out_trade_no: String,
    /// `WAIT_BUYER_PAY`, `TRADE_CLOSED`, `TRADE_SUCCESS` or `TRADE_FINISHED`.
    pub trade_status: String,
    pub total_fen: i64,
    pub buyer_user_id: String,
}

impl Trade {
    pub fn is_paid(&self) -> bool {
        matches!(self.trade_status.as_str(), TRADE_SUCCESS | TRADE_FINISHED)
    }
}

/// A verified asynchronous notification of a trade of ours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TradeNotice {
    pub notify_id: String,
    pub trade_no: String,
    pub out_trade_no: String,
    pub trade_status: String,
    pub total_fen: i64,
    pub buyer_id: String,
    /// `gmt_payment` (Beijing time, `yyyy-MM-dd HH:mm:ss`), when paid.
    pub gmt_payment: Option<String>,
    /// What a refund's notification adds; `None` for a payment's.
    pub refund: Option<RefundNotice>,
}

/// The fields by which a notification tells of a refund rather than a payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundNotice {
    /// The refund's `out_request_no`.
    pub out_biz_no: String,
    /// `refund_fee`: refunded so far on the trade, fen.
    pub refund_fee: i64,
    /// `gmt_refund` (Beijing time, `yyyy-MM-dd HH:mm:ss.SSS`).
    pub gmt_refund: String,
}

impl TradeNotice {
    /// A payment: the trade is paid and this notification is not a refund's.
    pub fn is_paid(&self) -> bool {
        self.refund.is_none()
            && matches!(self.trade_status.as_str(), TRADE_SUCCESS | TRADE_FINISHED)
    }

    /// A refund's notification (`TRADE_SUCCESS` after a partial refund, `TRADE_CLOSED` after the
    /// last one).
    pub fn is_refund(&self) -> bool {
        self.refund.is_some()
    }
}

/// Our application at Alipay.
#[derive(Clone)]
pub struct Alipay {
    settings: AlipaySettings,
    signer: RsaSigner,
    alipay: RsaVerifier,
    http: reqwest::Client,
}

impl std::fmt::Debug for Alipay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Alipay")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Alipay {
    /// Reads the keys; fails naming the one that cannot be read.
    pub fn new(settings: AlipaySettings) -> Result<Self, AlipayError> {
        let signer = RsaSigner::from_pem(&sign::armoured(&settings.app_private_key, "PRIVATE KEY"))
            .map_err(|e| AlipayError::Key(format!("alipay.app_private_key: {}", e.0)))?;
        let alipay =
            RsaVerifier::from_pem(&sign::armoured(&settings.alipay_public_key, "PUBLIC KEY"))
                .map_err(|e| AlipayError::Key(format!("alipay.alipay_public_key: {}", e.0)))?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_millis(settings.timeout_ms))
            .build()
            .map_err(|e| AlipayError::Unavailable(e.to_string()))?;
        Ok(Self {
            settings,
            signer,
            alipay,
            http,
        })
    }

    /// The common parameters of a call of `method` with `biz_content` (none for the methods
    /// whose parameters are all public, as `alipay.system.oauth.token`) and `extra` public
    /// parameters, signed.
    fn signed(
        &self,
        method: &str,
        biz_content: Option<&Value>,
        extra: &[(&str, &str)],
    ) -> Result<BTreeMap<String, String>, AlipayError> {
        let mut params: BTreeMap<String, String> = [
            ("app_id", self.settings.app_id.as_str()),
            ("method", method),
            ("format", "JSON"),
            ("charset", "utf-8"),
            ("sign_type", RSA2),
            ("version", "1.0"),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        params.insert(
            "timestamp".to_owned(),
            kit::time::beijing_datetime(kit::time::now_unix()),
        );
        if let Some(biz_content) = biz_content {
            params.insert("biz_content".to_owned(), biz_content.to_string());
        }
        let signature = self
            .signer
            .sign(sign::request_content(&params).as_bytes())
            .map_err(|e| AlipayError::Key(e.0))?;
        params.insert("sign".to_owned(), signature);
        Ok(params)
    }

    /// The address of Alipay's mobile payment page for a trade (`alipay.trade.wap.pay`): the
    /// payer's browser opens it; Alipay notifies `notify_url` and sends the payer back to
    /// `return_url`.
    pub fn wap_pay_url(
        &self,
        out_trade_no: &str,
        subject: &str,
        total_fen: i64,
        return_url: &str,
    ) -> Result<String, AlipayError> {
        let biz = json!({
            "out_trade_no": out_trade_no,
            "total_amount": kit::money::yuan_decimal(total_fen),
            "subject": subject,
            "product_code": "QUICK_WAP_WAY",
        });
        let mut extra = vec![("notify_url", self.settings.notify_url.as_str())];
        if !return_url.is_empty() {
            extra.push(("return_url", return_url));
        }
        let params = self.signed("alipay.trade.wap.pay", Some(&biz), &extra)?;
        let mut url = url::Url::parse(&self.settings.gateway)
            .map_err(|e| AlipayError::Unavailable(format!("alipay.gateway: {e}")))?;
        url.query_pairs_mut().extend_pairs(params.iter());
        Ok(url.into())
    }

    /// Calls `method` and returns its verified `<method>_response` object when its `code` is
    /// 10000 (or absent, as in `alipay.system.oauth.token`'s answers); a refusal, in that object
    /// or in `error_response`, names its `sub_code`.
    async fn call(
        &self,
        method: &str,
        biz_content: Option<&Value>,
        extra: &[(&str, &str)],
    ) -> Result<Value, AlipayError> {
        let params = self.signed(method, biz_content, extra)?;
        let response = self
            .http
            .post(&self.settings.gateway)
            .form(&params)
            .send()
            .await
            .map_err(|e| AlipayError::Unavailable(e.to_string()))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| AlipayError::Unavailable(e.to_string()))?;
        if status.is_server_error() {
            return Err(AlipayError::Unavailable(format!("HTTP {status}")));
        }
        let key = format!("{}_response", method.replace('.', "_"));
        let (node_key, signed) = match sign::response_object(&body, &key) {
            Some(text) => (key.as_str(), text),
            None => match sign::response_object(&body, "error_response") {
                Some(text) => ("error_response", text),
                None => return Err(AlipayError::Unavailable(format!("HTTP {status}: no {key}"))),
            },
        };
        let whole: Value = serde_json::from_str(&body)
            .map_err(|e| AlipayError::Unavailable(format!("unreadable answer: {e}")))?;
        let node = whole[node_key].clone();
        // Alipay signs every answer it can attribute to our application; an unsigned
        // `error_response` (our own signature refused, an unknown app_id) is a refusal still.
        match whole["sign"].as_str() {
            Some(signature) if self.alipay.verify(signed.as_bytes(), signature) => {}
            Some(_) => return Err(AlipayError::BadSignature),
            None if node_key == "error_response" => {}
            None => return Err(AlipayError::BadSignature),
        }
        let code = node["code"].as_str().unwrap_or_default();
        let done =
            node_key != "error_response" && (code == SUCCESS_CODE || node.get("code").is_none());
        if !done {
            let sub = node["sub_code"].as_str().filter(|s| !s.is_empty());
            return Err(AlipayError::Refused {
                code: sub.unwrap_or(code).to_owned(),
                message: node["sub_msg"]
                    .as_str()
                    .or(node["msg"].as_str())
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
        Ok(node)
    }

    /// `alipay.trade.query`: the trade, or `None` when Alipay has none of that number (the payer
    /// never opened the payment page).
    pub async fn query(&self, out_trade_no: &str) -> Result<Option<Trade>, AlipayError> {
        let node = match self
            .call(
                "alipay.trade.query",
                Some(&json!({ "out_trade_no": out_trade_no })),
                &[],
            )
            .await
        {
            Ok(node) => node,
            Err(error) if error.refusal_code() == Some("ACQ.TRADE_NOT_EXIST") => return Ok(None),
            Err(error) => return Err(error),
        };
        let text = |key: &str| text_of(&node, key);
        Ok(Some(Trade {
            trade_no: text("trade_no"),
            out_trade_no: text("out_trade_no"),
            trade_status: text("trade_status"),
            total_fen: fen_in(&node, "total_amount")?,
            buyer_user_id: text("buyer_user_id"),
        }))
    }

    /// A trade notification (the form Alipay posts), verified: Alipay's RSA2 signature, our
    /// `app_id` and `seller_id`, a readable amount. The caller still checks the amount against
    /// its own order and answers [`NOTIFICATION_TAKEN`] once it applied it.
    pub fn verify_notification(&self, form: &[u8]) -> Result<TradeNotice, AlipayError> {
        let params: BTreeMap<String, String> = url::form_urlencoded::parse(form)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let bad = |what: &str| AlipayError::BadNotification(what.to_owned());
        let signature = params.get("sign").ok_or_else(|| bad("no sign"))?;
        if params.get("sign_type").map(String::as_str) != Some(RSA2) {
            return Err(bad("sign_type is not RSA2"));
        }
        if !self
            .alipay
            .verify(sign::notification_content(&params).as_bytes(), signature)
        {
            return Err(AlipayError::BadSignature);
        }
        let text = |key: &str| params.get(key).cloned().unwrap_or_default();
        if text("app_id") != self.settings.app_id {
            return Err(bad("another application's notification"));
        }
        if !self.settings.seller_id.is_empty() && text("seller_id") != self.settings.seller_id {
            return Err(bad("another merchant's notification"));
        }
        let total_fen = sign::fen_of(&text("total_amount")).ok_or_else(|| bad("total_amount"))?;
        if text("out_trade_no").is_empty() || text("trade_status").is_empty() {
            return Err(bad("out_trade_no or trade_status missing"));
        }
        let refund = match params.get("refund_fee") {
            Some(fee) => Some(RefundNotice {
                out_biz_no: text("out_biz_no"),
                refund_fee: sign::fen_of(fee).ok_or_else(|| bad("refund_fee"))?,
                gmt_refund: text("gmt_refund"),
            }),
            None => None,
        };
        Ok(TradeNotice {
            notify_id: text("notify_id"),
            trade_no: text("trade_no"),
            out_trade_no: text("out_trade_no"),
            trade_status: text("trade_status"),
            total_fen,
            buyer_id: text("buyer_id"),
            gmt_payment: params.get("gmt_payment").cloned(),
            refund,
        })
    }
}

/// The text member `key` of an answer ("" when absent; a number is written as text).
fn text_of(node: &Value, key: &str) -> String {
    match &node[key] {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        _ => String::new(),
    }
}

/// The amount member `key` of an answer, fen.
fn fen_in(node: &Value, key: &str) -> Result<i64, AlipayError> {
    let text = text_of(node, key);
    sign::fen_of(&text).ok_or_else(|| AlipayError::Unavailable(format!("{key} {text:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = "../../sandbox/fixtures/alipay";

    fn client() -> Alipay {
        let key = |name: &str| {
            std::fs::read_to_string(format!("{}/{FIXTURES}/{name}", env!("CARGO_MANIFEST_DIR")))
                .expect("a dev key")
        };
        Alipay::new(AlipaySettings {
            gateway: "http://127.0.0.1:9/gateway.do".to_owned(),
            app_id: "2021000000000001".to_owned(),
            seller_id: "2088000000000001".to_owned(),
            app_private_key: key("dev-app-private-key.pem"),
            alipay_public_key: key("dev-alipay-public-key.pem"),
            notify_url: "https://wjdh.example.com/notify".to_owned(),
            auth_page: "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm".to_owned(),
            auth_redirect_url: "https://wjdh.example.com/api/v1/rental/payment/ali/auth_notify"
                .to_owned(),
            timeout_ms: 1000,
        })
        .expect("client")
    }

    /// A notification form signed with Alipay's dev key.
    fn signed_form(fields: &[(&str, &str)]) -> Vec<u8> {
        let pem = std::fs::read_to_string(format!(
            "{}/{FIXTURES}/dev-alipay-private-key.pem",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("Alipay's dev key");
        let mut params: BTreeMap<String, String> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        params.insert("sign_type".to_owned(), RSA2.to_owned());
        let signature = RsaSigner::from_pem(&pem)
            .expect("key")
            .sign(sign::notification_content(&params).as_bytes())
            .expect("signed");
        params.insert("sign".to_owned(), signature);
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter())
            .finish()
            .into_bytes()
    }

    const TRADE: &[(&str, &str)] = &[
        ("app_id", "2021000000000001"),
        ("seller_id", "2088000000000001"),
        ("notify_id", "n1"),
        ("trade_no", "2026010122001000000000000001"),
        ("out_trade_no", "KF1"),
        ("total_amount", "10.00"),
        ("buyer_id", "2088000000000009"),
    ];

    #[test]
    fn a_refund_notification_is_never_a_payment() {
        let client = client();
        let paid = [TRADE, &[("trade_status", TRADE_SUCCESS)]].concat();
        let paid = client
            .verify_notification(&signed_form(&paid))
            .expect("verifies");
        assert!(paid.is_paid() && !paid.is_refund());

        for (status, refunded) in [(TRADE_SUCCESS, "3.00"), (TRADE_CLOSED, "10.00")] {
            let refund = [
                TRADE,
                &[
                    ("trade_status", status),
                    ("out_biz_no", "R1"),
                    ("refund_fee", refunded),
                    ("gmt_refund", "2026-01-01 10:00:00.320"),
                ],
            ]
            .concat();
            let notice = client
                .verify_notification(&signed_form(&refund))
                .expect("verifies");
            assert!(notice.is_refund() && !notice.is_paid(), "{notice:?}");
            let refund = notice.refund.expect("refund fields");
            assert_eq!(refund.out_biz_no, "R1");
            assert_eq!(Some(refund.refund_fee), sign::fen_of(refunded));
            assert_eq!(refund.gmt_refund, "2026-01-01 10:00:00.320");
        }
        let unreadable = [
            TRADE,
            &[("trade_status", TRADE_SUCCESS), ("refund_fee", "ten")],
        ]
        .concat();
        assert!(matches!(
            client.verify_notification(&signed_form(&unreadable)),
            Err(AlipayError::BadNotification(_))
        ));
    }

    #[test]
    fn the_authorisation_page_carries_our_app_the_scope_and_the_encoded_return() {
        assert_eq!(
            client().auth_url("a b&c"),
            "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm?app_id=2021000000000001\
             &scope=auth_user&redirect_uri=https%3A%2F%2Fwjdh.example.com%2Fapi%2Fv1%2Frental%2F\
             payment%2Fali%2Fauth_notify&state=a+b%26c"
        );
    }
}
