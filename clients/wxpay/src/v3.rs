//! APIv3: JSON requests signed with the merchant key, answers and notifications verified with
//! WeChat Pay's public key, notification resources opened with the APIv3 key.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use super::crypto::{self, V3Authorization};
use super::{
    MAX_CLOCK_SKEW_SECS, NotificationAnswer, NotificationOutcome, PaymentNotice, RefundNotice,
    RefundOutcome, RefundRequest, RefundStatus, V3Keys, WxPayClient, WxPayError, transport,
};

/// The user agent WeChat Pay asks every APIv3 caller to send.
const USER_AGENT: &str = "wjdh-kit/0.1 (WeChat Pay APIv3)";

/// An APIv3 answer whose signature checked out.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl WxPayClient {
    fn keys(&self) -> Result<&V3Keys, WxPayError> {
        self.v3_keys
            .as_deref()
            .ok_or_else(|| WxPayError::Unavailable("APIv3 keys are not configured".to_owned()))
    }

    pub(super) async fn v3_create_jsapi(
        &self,
        out_trade_no: &str,
        description: &str,
        total_fen: i64,
        payer_openid: &str,
        client_ip: &str,
    ) -> Result<String, WxPayError> {
        let settings = &self.settings;
        let mut body = json!({
            "appid": settings.appid,
            "mchid": settings.mchid,
            "description": description,
            "out_trade_no": out_trade_no,
            "notify_url": settings.notify_url,
            "amount": {"total": total_fen, "currency": "CNY"},
            "payer": {"openid": payer_openid},
        });
        if !client_ip.is_empty() {
            body["scene_info"] = json!({ "payer_client_ip": client_ip });
        }
        let answer = self
            .v3_call(Method::POST, "/v3/pay/transactions/jsapi", Some(&body))
            .await?;
        let answer = json_of(&answer.body)?;
        answer
            .get("prepay_id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| WxPayError::Unavailable("jsapi: an answer without prepay_id".to_owned()))
    }

    pub(super) fn v3_pay_sign(
        &self,
        time_stamp: &str,
        nonce_str: &str,
        package: &str,
    ) -> Result<String, WxPayError> {
        let message = format!(
            "{}\n{time_stamp}\n{nonce_str}\n{package}\n",
            self.settings.appid
        );
        self.keys()?
            .merchant
            .sign(message.as_bytes())
            .map_err(|error| WxPayError::Unavailable(format!("paySign: {error}")))
    }

    /// `None` when WeChat Pay has no such order.
    pub(super) async fn v3_query(
        &self,
        out_trade_no: &str,
    ) -> Result<Option<PaymentNotice>, WxPayError> {
        let path = format!(
            "/v3/pay/transactions/out-trade-no/{}?mchid={}",
            path_segment(out_trade_no),
            self.settings.mchid
        );
        let Some(answer) = self.v3_find(&path, "ORDER_NOT_EXIST").await? else {
            return Ok(None);
        };
        let transaction = json_of(&answer.body)?;
        transaction_notice(&transaction)
            .map(Some)
            .map_err(|problem| WxPayError::Unavailable(format!("query: {problem}")))
    }

    pub(super) async fn v3_close(&self, out_trade_no: &str) -> Result<(), WxPayError> {
        let path = format!(
            "/v3/pay/transactions/out-trade-no/{}/close",
            path_segment(out_trade_no)
        );
        let body = json!({ "mchid": self.settings.mchid });
        let answer = self.v3_call(Method::POST, &path, Some(&body)).await?;
        tracing::debug!(status = answer.status, "WeChat Pay close answered");
        Ok(())
    }

    pub(super) fn v3_parse_notification(
        &self,
        headers: &HashMap<String, String>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<PaymentNotice, WxPayError> {
        let bad = |problem: &str| WxPayError::BadNotification(problem.to_owned());
        let (_, transaction) = self.v3_open_notification(headers, body, now)?;
        let text = |name: &str| transaction.get(name).and_then(Value::as_str);
        if text("mchid") != Some(self.settings.mchid.as_str()) {
            return Err(bad("the transaction is another merchant's"));
        }
        if text("appid") != Some(self.settings.appid.as_str()) {
            return Err(bad("the transaction is another app's"));
        }
        transaction_notice(&transaction).map_err(WxPayError::BadNotification)
    }

    pub(super) fn v3_parse_refund_notification(
        &self,
        headers: &HashMap<String, String>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<RefundNotice, WxPayError> {
        let bad = |problem: &str| WxPayError::BadNotification(problem.to_owned());
        let (notification, refund) = self.v3_open_notification(headers, body, now)?;
        let event_type = notification
            .get("event_type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !event_type.starts_with("REFUND.") {
            return Err(bad("not a refund notification (event_type)"));
        }
        // A refund resource names the merchant but not the app.
        if refund.get("mchid").and_then(Value::as_str) != Some(self.settings.mchid.as_str()) {
            return Err(bad("the refund is another merchant's"));
        }
        refund_notice(&refund).map_err(WxPayError::BadNotification)
    }

    /// A notification whose headers sign its body with WeChat Pay's key, recently: the body and
    /// its resource opened with the APIv3 key.
    fn v3_open_notification(
        &self,
        headers: &HashMap<String, String>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(Value, Value), WxPayError> {
        let bad = |problem: &str| WxPayError::BadNotification(problem.to_owned());
        let keys = self
            .keys()
            .map_err(|_| bad("APIv3 keys are not configured"))?;
        let header = |name: &str| {
            headers
                .get(name)
                .map(|value| value.trim())
                .filter(|value| !value.is_empty())
                .ok_or_else(|| WxPayError::BadNotification(format!("no {name} header")))
        };
        let signed = Signed {
            serial: header("wechatpay-serial")?,
            timestamp: header("wechatpay-timestamp")?,
            nonce: header("wechatpay-nonce")?,
            signature: header("wechatpay-signature")?,
        };
        signed
            .check(self, keys, body, now)
            .map_err(|problem| WxPayError::BadNotification(problem.to_owned()))?;
        let notification: Value =
            serde_json::from_slice(body).map_err(|_| bad("the body is not JSON"))?;
        let resource = notification
            .get("resource")
            .ok_or_else(|| bad("no resource"))?;
        let field = |name: &str| resource.get(name).and_then(Value::as_str);
        if field("algorithm") != Some(crypto::V3_RESOURCE_ALGORITHM) {
            return Err(bad("resource algorithm is not AEAD_AES_256_GCM"));
        }
        let plaintext = crypto::aes_gcm_open(
            self.settings.v3_api_key.as_bytes(),
            field("nonce").unwrap_or_default().as_bytes(),
            field("associated_data").unwrap_or_default().as_bytes(),
            field("ciphertext").unwrap_or_default(),
        )
        .map_err(|error| WxPayError::BadNotification(error.to_string()))?;
        let opened: Value =
            serde_json::from_slice(&plaintext).map_err(|_| bad("the resource is not JSON"))?;
        Ok((notification, opened))
    }

    pub(super) async fn v3_refund(
        &self,
        refund: &RefundRequest<'_>,
    ) -> Result<RefundOutcome, WxPayError> {
        let mut body = json!({
            "out_trade_no": refund.out_trade_no,
            "out_refund_no": refund.out_refund_no,
            "notify_url": self.settings.refund_notify_url,
            "amount": {"refund": refund.refund_fen, "total": refund.total_fen, "currency": "CNY"},
        });
        if !refund.reason.is_empty() {
            body["reason"] = json!(refund.reason);
        }
        let answer = self
            .v3_call(Method::POST, "/v3/refund/domestic/refunds", Some(&body))
            .await?;
        refund_outcome(&json_of(&answer.body)?)
            .map_err(|problem| WxPayError::Unavailable(format!("refund: {problem}")))
    }

    /// `None` when WeChat Pay has no such refund.
    pub(super) async fn v3_query_refund(
        &self,
        out_refund_no: &str,
    ) -> Result<Option<RefundOutcome>, WxPayError> {
        let path = format!(
            "/v3/refund/domestic/refunds/{}",
            path_segment(out_refund_no)
        );
        let Some(answer) = self.v3_find(&path, "RESOURCE_NOT_EXISTS").await? else {
            return Ok(None);
        };
        refund_outcome(&json_of(&answer.body)?)
            .map(Some)
            .map_err(|problem| WxPayError::Unavailable(format!("refund query: {problem}")))
    }

    /// A signed GET; `None` when WeChat Pay refuses it with `missing` (it knows no such thing).
    async fn v3_find(&self, path: &str, missing: &str) -> Result<Option<Answer>, WxPayError> {
        match self.v3_call(Method::GET, path, None).await {
            Err(WxPayError::Refused { code, .. }) if code == missing => Ok(None),
            other => other.map(Some),
        }
    }

    /// Sends one signed request; verifies the answer's signature; a 4xx becomes `Refused`.
    async fn v3_call(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<&Value>,
    ) -> Result<Answer, WxPayError> {
        let keys = self.keys()?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let timestamp = Utc::now().timestamp().to_string();
        let nonce = kit::secret::random_alnum(32);
        let message =
            crypto::v3_request_message(method.as_str(), path_and_query, &timestamp, &nonce, &body);
        let signature = keys
            .merchant
            .sign(message.as_bytes())
            .map_err(|error| WxPayError::Unavailable(format!("signing: {error}")))?;
        let authorization = V3Authorization {
            mchid: self.settings.mchid.clone(),
            nonce_str: nonce,
            signature,
            timestamp,
            serial_no: self.settings.v3_merchant_serial.clone(),
        };
        let what = path_and_query
            .split(['?', '/'])
            .rfind(|part| !part.is_empty())
            .unwrap_or("call")
            .to_owned();
        let mut request = self
            .http
            .request(method.clone(), self.url(path_and_query))
            .header("Authorization", authorization.header_value())
            .header("Accept", "application/json")
            .header("User-Agent", USER_AGENT);
        if method != Method::GET {
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|error| transport(&what, error))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|error| transport(&what, error))?
            .to_vec();
        if status >= 500 || status == 429 {
            return Err(WxPayError::Unavailable(format!("{what}: HTTP {status}")));
        }
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::trim)
                .filter(|value| !value.is_empty())
        };
        let signed = match (
            header("wechatpay-serial"),
            header("wechatpay-timestamp"),
            header("wechatpay-nonce"),
            header("wechatpay-signature"),
        ) {
            (Some(serial), Some(timestamp), Some(nonce), Some(signature)) => Some(Signed {
                serial,
                timestamp,
                nonce,
                signature,
            }),
            _ => None,
        };
        let success = (200..300).contains(&status);
        match signed {
            Some(signed) => {
                if let Err(problem) = signed.check(self, keys, &body, Utc::now()) {
                    tracing::warn!(
                        what,
                        status,
                        problem,
                        "WeChat Pay answer failed verification"
                    );
                    return Err(WxPayError::BadSignature);
                }
            }
            // A refusal of our own signature comes unsigned; a success never may.
            None if success => {
                tracing::warn!(what, status, "WeChat Pay answer without a signature");
                return Err(WxPayError::BadSignature);
            }
            None => {}
        }
        if success {
            return Ok(Answer { status, body });
        }
        let refusal = serde_json::from_slice::<Value>(&body).unwrap_or(Value::Null);
        let text = |name: &str| refusal.get(name).and_then(Value::as_str).unwrap_or("");
        let code = match text("code") {
            "" => format!("HTTP_{status}"),
            code => code.to_owned(),
        };
        Err(WxPayError::Refused {
            code,
            message: text("message").to_owned(),
        })
    }
}

/// The four `Wechatpay-*` headers of a signed answer or notification.
struct Signed<'a> {
    serial: &'a str,
    timestamp: &'a str,
    nonce: &'a str,
    signature: &'a str,
}

impl Signed<'_> {
    fn check(
        &self,
        client: &WxPayClient,
        keys: &V3Keys,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), &'static str> {
        if self.serial != client.settings.v3_platform_public_key_id {
            return Err("signed by an unknown WeChat Pay key (Wechatpay-Serial)");
        }
        let timestamp: i64 = self
            .timestamp
            .parse()
            .map_err(|_| "Wechatpay-Timestamp is not a number")?;
        if (now.timestamp() - timestamp).abs() > MAX_CLOCK_SKEW_SECS {
            return Err("Wechatpay-Timestamp is more than 5 minutes away");
        }
        let message = crypto::v3_answer_message(self.timestamp, self.nonce, body);
        if keys.platform.verify(&message, self.signature) {
            Ok(())
        } else {
            Err("Wechatpay-Signature does not match")
        }
    }
}

/// `{"code":"SUCCESS"}` with 200, or a 500 that makes WeChat Pay notify again.
pub(super) fn notification_answer(outcome: NotificationOutcome) -> NotificationAnswer {
    let (status, body) = match outcome {
        NotificationOutcome::Accepted => (200, json!({"code": "SUCCESS"})),
        NotificationOutcome::Refused => (400, json!({"code": "FAIL", "message": "通知无效"})),
        NotificationOutcome::Failed => (500, json!({"code": "FAIL", "message": "失败"})),
    };
    NotificationAnswer {
        status,
        content_type: "application/json",
        body: body.to_string(),
    }
}

fn json_of(body: &[u8]) -> Result<Value, WxPayError> {
    serde_json::from_slice(body)
        .map_err(|_| WxPayError::Unavailable("the answer is not JSON".to_owned()))
}

/// `|` is not allowed in a URL path as it is; the other characters of an out_trade_no or
/// out_refund_no are.
fn path_segment(number: &str) -> String {
    number.replace('|', "%7C")
}

/// The time `name` of `object` as UTC; `None` when absent or empty.
fn rfc3339_time(object: &Value, name: &str) -> Result<Option<DateTime<Utc>>, String> {
    match object.get(name).and_then(Value::as_str) {
        Some(time) if !time.is_empty() => DateTime::parse_from_rfc3339(time)
            .map(|time| Some(time.with_timezone(&Utc)))
            .map_err(|_| format!("{name} is not RFC 3339")),
        _ => Ok(None),
    }
}

/// A refund (refund or refund query answer) as an outcome.
fn refund_outcome(refund: &Value) -> Result<RefundOutcome, String> {
    let text = |name: &str| refund.get(name).and_then(Value::as_str).unwrap_or_default();
    let status = text("status");
    let status = RefundStatus::from_wechat(status)
        .ok_or_else(|| format!("an unknown refund status {status:?}"))?;
    let refund_fen = refund
        .pointer("/amount/refund")
        .and_then(Value::as_i64)
        .ok_or("no amount.refund")?;
    if text("out_refund_no").is_empty() || text("refund_id").is_empty() {
        return Err("no out_refund_no or refund_id".to_owned());
    }
    Ok(RefundOutcome {
        out_refund_no: text("out_refund_no").to_owned(),
        refund_id: text("refund_id").to_owned(),
        status,
        refund_fen,
    })
}

/// A refund notification's resource as a notice.
fn refund_notice(refund: &Value) -> Result<RefundNotice, String> {
    let text = |name: &str| {
        refund
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let status = text("refund_status");
    let status = RefundStatus::from_wechat(&status)
        .ok_or_else(|| format!("an unknown refund_status {status:?}"))?;
    let fen = |pointer: &str| {
        refund
            .pointer(pointer)
            .and_then(Value::as_i64)
            .ok_or_else(|| format!("no {pointer}"))
    };
    let notice = RefundNotice {
        out_trade_no: text("out_trade_no"),
        transaction_id: text("transaction_id"),
        out_refund_no: text("out_refund_no"),
        refund_id: text("refund_id"),
        status,
        refund_fen: fen("/amount/refund")?,
        total_fen: fen("/amount/total")?,
        received_account: text("user_received_account"),
        success_time: rfc3339_time(refund, "success_time")?,
    };
    if notice.out_trade_no.is_empty() || notice.out_refund_no.is_empty() {
        return Err("the refund has no out_trade_no or out_refund_no".to_owned());
    }
    Ok(notice)
}

/// A transaction (query answer or notification resource) as a notice.
pub(super) fn transaction_notice(transaction: &Value) -> Result<PaymentNotice, String> {
    let text = |name: &str| {
        transaction
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let out_trade_no = text("out_trade_no");
    let trade_state = text("trade_state");
    if out_trade_no.is_empty() || trade_state.is_empty() {
        return Err("the transaction has no out_trade_no or trade_state".to_owned());
    }
    let amount = transaction.get("amount");
    let total_fen = amount
        .and_then(|amount| amount.get("total"))
        .and_then(Value::as_i64);
    let success_time = rfc3339_time(transaction, "success_time")?;
    let paid = trade_state == super::TRADE_SUCCESS;
    if paid && (total_fen.is_none() || success_time.is_none()) {
        return Err("a paid transaction without amount.total or success_time".to_owned());
    }
    Ok(PaymentNotice {
        out_trade_no,
        transaction_id: text("transaction_id"),
        total_fen: total_fen.unwrap_or(0),
        currency: amount
            .and_then(|amount| amount.get("currency"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        payer_openid: transaction
            .get("payer")
            .and_then(|payer| payer.get("openid"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        trade_state,
        success_time,
    })
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::crypto::RsaSigner;
    use crate::settings::{WxPaySettings, WxPaySignType, WxPayVersion};

    const MERCHANT_KEY: &str =
        include_str!("../../../sandbox/fixtures/wxpay/dev-merchant-private-key.pem");
    const MERCHANT_PUBLIC: &str =
        include_str!("../../../sandbox/fixtures/wxpay/dev-merchant-public-key.pem");
    const PLATFORM_KEY: &str =
        include_str!("../../../sandbox/fixtures/wxpay/dev-platform-private-key.pem");
    const PLATFORM_PUBLIC: &str =
        include_str!("../../../sandbox/fixtures/wxpay/dev-platform-public-key.pem");
    const API_KEY: &str = "sandbox-wxpay-v3-api-key-0123456";
    const KEY_ID: &str = "PUB_KEY_ID_0119000000000000000000000000000001";

    fn client() -> WxPayClient {
        WxPayClient::new(WxPaySettings {
            version: WxPayVersion::V3,
            base_url: "http://127.0.0.1:9".to_owned(),
            appid: "wx-sandbox-appid".to_owned(),
            mchid: "1900000001".to_owned(),
            notify_url: "http://127.0.0.1:8080/api/v1/weapp/payment/notify".to_owned(),
            refund_notify_url: "http://127.0.0.1:8080/api/v1/weapp/payment/refund_notify"
                .to_owned(),
            v2_key: String::new(),
            v2_sign_type: WxPaySignType::HmacSha256,
            v2_client_cert_pem: String::new(),
            v2_client_key_pem: String::new(),
            v3_api_key: API_KEY.to_owned(),
            v3_merchant_serial: "5A4D3E2F1B0C9D8E7F6A5B4C3D2E1F0A9B8C7D6E".to_owned(),
            v3_merchant_private_key: MERCHANT_KEY.to_owned(),
            v3_platform_public_key: PLATFORM_PUBLIC.to_owned(),
            v3_platform_public_key_id: KEY_ID.to_owned(),
            timeout_ms: 1000,
        })
        .expect("client")
    }

    fn transaction(total: i64) -> Value {
        json!({
            "appid": "wx-sandbox-appid",
            "mchid": "1900000001",
            "out_trade_no": "WJDH0000000001",
            "transaction_id": "4200000000202401010000000001",
            "trade_type": "JSAPI",
            "trade_state": "SUCCESS",
            "trade_state_desc": "支付成功",
            "bank_type": "OTHERS",
            "success_time": "2024-01-01T12:00:00+08:00",
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
            "amount": {"total": total, "payer_total": total, "currency": "CNY", "payer_currency": "CNY"}
        })
    }

    /// A payment notification as WeChat Pay sends it: resource sealed with `api_key`, body
    /// signed with `signer` at `at`.
    fn notification(
        resource: &Value,
        api_key: &str,
        signer: &str,
        at: DateTime<Utc>,
    ) -> (HashMap<String, String>, Vec<u8>) {
        event(
            "TRANSACTION.SUCCESS",
            "transaction",
            resource,
            api_key,
            signer,
            at,
        )
    }

    /// A notification of `event_type` whose resource is of `original_type`.
    fn event(
        event_type: &str,
        original_type: &str,
        resource: &Value,
        api_key: &str,
        signer: &str,
        at: DateTime<Utc>,
    ) -> (HashMap<String, String>, Vec<u8>) {
        let nonce = "fdasflkja484";
        let ciphertext = crypto::aes_gcm_seal(
            api_key.as_bytes(),
            nonce.as_bytes(),
            original_type.as_bytes(),
            resource.to_string().as_bytes(),
        )
        .expect("sealed");
        let body = json!({
            "id": "EV-2018022511223320873",
            "create_time": "2024-01-01T12:00:01+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "通知",
            "resource": {
                "original_type": original_type,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": ciphertext,
                "associated_data": original_type,
                "nonce": nonce
            }
        })
        .to_string()
        .into_bytes();
        let timestamp = at.timestamp().to_string();
        let message = crypto::v3_answer_message(&timestamp, "n0nce", &body);
        let signature = RsaSigner::from_pem(signer)
            .expect("key")
            .sign(&message)
            .expect("signed");
        let headers = [
            ("wechatpay-serial", KEY_ID),
            ("wechatpay-timestamp", timestamp.as_str()),
            ("wechatpay-nonce", "n0nce"),
            ("wechatpay-signature", signature.as_str()),
            ("wechatpay-signature-type", "WECHATPAY2-SHA256-RSA2048"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        (headers, body)
    }

    fn refused(client: &WxPayClient, (headers, body): (HashMap<String, String>, Vec<u8>)) -> bool {
        matches!(
            client.parse_notification(&headers, &body),
            Err(WxPayError::BadNotification(_))
        )
    }

    #[test]
    fn a_signed_notification_is_opened_and_read() {
        let client = client();
        let (headers, body) = notification(&transaction(12800), API_KEY, PLATFORM_KEY, Utc::now());
        let notice = client
            .parse_notification(&headers, &body)
            .expect("accepted");
        assert_eq!(notice.out_trade_no, "WJDH0000000001");
        assert_eq!(notice.transaction_id, "4200000000202401010000000001");
        assert_eq!(notice.total_fen, 12800);
        assert_eq!(notice.currency, "CNY");
        assert_eq!(notice.payer_openid, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
        assert!(notice.is_paid());
        assert_eq!(
            notice.success_time.map(|t| t.to_rfc3339()),
            Some("2024-01-01T04:00:00+00:00".to_owned())
        );
    }

    #[test]
    fn tampered_stale_forged_or_garbage_notifications_are_refused() {
        let client = client();
        let now = Utc::now();
        // Signed by someone else's key.
        assert!(refused(
            &client,
            notification(&transaction(1), API_KEY, MERCHANT_KEY, now)
        ));
        // Sealed with another APIv3 key.
        let other_key = "another-v3-api-key-0123456789abc";
        assert!(refused(
            &client,
            notification(&transaction(1), other_key, PLATFORM_KEY, now)
        ));
        // Too old, or from the future.
        let old = now - Duration::minutes(6);
        assert!(refused(
            &client,
            notification(&transaction(1), API_KEY, PLATFORM_KEY, old)
        ));
        let ahead = now + Duration::minutes(6);
        assert!(refused(
            &client,
            notification(&transaction(1), API_KEY, PLATFORM_KEY, ahead)
        ));
        // Another merchant's transaction, properly signed.
        let mut foreign = transaction(1);
        foreign["mchid"] = json!("1900000002");
        assert!(refused(
            &client,
            notification(&foreign, API_KEY, PLATFORM_KEY, now)
        ));
        // One byte of the body changed after signing.
        let (headers, mut body) = notification(&transaction(1), API_KEY, PLATFORM_KEY, now);
        let last = body.len() - 2;
        body[last] = b' ';
        assert!(refused(&client, (headers.clone(), body)));
        // Another serial, missing headers, garbage.
        let (mut wrong_serial, body) = notification(&transaction(1), API_KEY, PLATFORM_KEY, now);
        wrong_serial.insert("wechatpay-serial".to_owned(), "PUB_KEY_ID_X".to_owned());
        assert!(refused(&client, (wrong_serial, body.clone())));
        assert!(refused(&client, (HashMap::new(), body)));
        assert!(refused(&client, (headers.clone(), b"<xml></xml>".to_vec())));
        assert!(refused(&client, (headers, Vec::new())));
    }

    #[test]
    fn pay_signs_verify_with_the_merchant_public_key() {
        let client = client();
        let params = client
            .mini_program_params("wx201410272009395522657a690389285100")
            .expect("params");
        assert_eq!(params.sign_type, "RSA");
        assert_eq!(params.app_id, "wx-sandbox-appid");
        let message = format!(
            "{}\n{}\n{}\n{}\n",
            params.app_id, params.time_stamp, params.nonce_str, params.package
        );
        let verifier = crypto::RsaVerifier::from_pem(MERCHANT_PUBLIC).expect("key");
        assert!(verifier.verify(message.as_bytes(), &params.pay_sign));
    }

    #[test]
    fn notification_answers_are_wechats() {
        let ok = notification_answer(NotificationOutcome::Accepted);
        assert_eq!(
            (ok.status, ok.body.as_str()),
            (200, "{\"code\":\"SUCCESS\"}")
        );
        let refused = notification_answer(NotificationOutcome::Refused);
        assert_eq!(refused.status, 400);
        assert!(refused.body.contains("\"FAIL\""));
        let fail = notification_answer(NotificationOutcome::Failed);
        assert_eq!(fail.status, 500);
        assert!(fail.body.contains("\"FAIL\""));
    }

    #[test]
    fn unreadable_keys_stop_the_client_from_starting() {
        let mut settings = (*client().settings).clone();
        settings.v3_merchant_private_key = "not a key".to_owned();
        assert!(WxPayClient::new(settings.clone()).is_err());
        settings.v3_merchant_private_key = MERCHANT_KEY.to_owned();
        settings.v3_api_key = "short".to_owned();
        assert!(WxPayClient::new(settings).is_err());
    }

    fn refund(status: &str) -> Value {
        json!({
            "mchid": "1900000001",
            "out_trade_no": "WJDH0000000001",
            "transaction_id": "4200000000202401010000000001",
            "out_refund_no": "WJDHR0000000001",
            "refund_id": "50000000382019052709732678859",
            "refund_status": status,
            "success_time": "2024-01-01T12:00:00+08:00",
            "user_received_account": "招商银行信用卡0403",
            "amount": {"total": 12800, "refund": 300, "payer_total": 12800, "payer_refund": 300}
        })
    }

    #[test]
    fn a_signed_refund_notification_is_opened_and_read() {
        let client = client();
        for (wechat, status) in [
            ("SUCCESS", RefundStatus::Success),
            ("ABNORMAL", RefundStatus::Abnormal),
            ("CLOSED", RefundStatus::Closed),
        ] {
            let (headers, body) = event(
                &format!("REFUND.{wechat}"),
                "refund",
                &refund(wechat),
                API_KEY,
                PLATFORM_KEY,
                Utc::now(),
            );
            let notice = client
                .parse_refund_notification(&headers, &body)
                .expect("accepted");
            assert_eq!(notice.status, status);
            assert_eq!(notice.out_refund_no, "WJDHR0000000001");
            assert_eq!(notice.refund_id, "50000000382019052709732678859");
            assert_eq!((notice.refund_fen, notice.total_fen), (300, 12800));
            assert_eq!(
                notice.success_time.map(|t| t.to_rfc3339()),
                Some("2024-01-01T04:00:00+00:00".to_owned())
            );
            assert!(!format!("{notice:?}").contains("0403"));
        }
    }

    #[test]
    fn forged_foreign_or_payment_notifications_are_not_refunds() {
        let client = client();
        let now = Utc::now();
        let refused = |(headers, body): (HashMap<String, String>, Vec<u8>)| {
            matches!(
                client.parse_refund_notification(&headers, &body),
                Err(WxPayError::BadNotification(_))
            )
        };
        let genuine = || {
            event(
                "REFUND.SUCCESS",
                "refund",
                &refund("SUCCESS"),
                API_KEY,
                PLATFORM_KEY,
                now,
            )
        };
        assert!(!refused(genuine()));
        assert!(refused(event(
            "REFUND.SUCCESS",
            "refund",
            &refund("SUCCESS"),
            API_KEY,
            MERCHANT_KEY,
            now
        )));
        let (headers, mut body) = genuine();
        let last = body.len() - 2;
        body[last] = b' ';
        assert!(refused((headers, body)));
        let mut foreign = refund("SUCCESS");
        foreign["mchid"] = json!("1900000002");
        assert!(refused(event(
            "REFUND.SUCCESS",
            "refund",
            &foreign,
            API_KEY,
            PLATFORM_KEY,
            now
        )));
        assert!(refused(notification(
            &transaction(1),
            API_KEY,
            PLATFORM_KEY,
            now
        )));
        assert!(refused(event(
            "REFUND.SUCCESS",
            "refund",
            &refund("REFUNDED"),
            API_KEY,
            PLATFORM_KEY,
            now
        )));
    }
}
