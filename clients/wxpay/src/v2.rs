//! APIv2: flat XML requests and answers signed with the API key (MD5 or HMAC-SHA256).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

use super::crypto::{v2_sign, v2_verify};
use super::xml::{from_xml, to_xml};
use super::{
    NotificationAnswer, NotificationOutcome, PaymentNotice, TRADE_SUCCESS, WxPayClient, WxPayError,
    transport,
};
use crate::settings::WxPaySettings;

type Fields = BTreeMap<String, String>;

const SUCCESS: &str = "SUCCESS";

impl WxPayClient {
    pub(super) async fn v2_create_jsapi(
        &self,
        out_trade_no: &str,
        description: &str,
        total_fen: i64,
        payer_openid: &str,
        client_ip: &str,
    ) -> Result<String, WxPayError> {
        let ip = if client_ip.is_empty() {
            "127.0.0.1"
        } else {
            client_ip
        };
        let answer = self
            .v2_call(
                "/pay/unifiedorder",
                &[
                    ("body", description),
                    ("out_trade_no", out_trade_no),
                    ("total_fee", &total_fen.to_string()),
                    ("fee_type", "CNY"),
                    ("spbill_create_ip", ip),
                    ("notify_url", &self.settings.notify_url),
                    ("trade_type", "JSAPI"),
                    ("openid", payer_openid),
                ],
            )
            .await?;
        let answer = result(answer)?;
        answer
            .get("prepay_id")
            .filter(|id| !id.is_empty())
            .cloned()
            .ok_or_else(|| {
                WxPayError::Unavailable("unifiedorder: an answer without prepay_id".to_owned())
            })
    }

    /// `None` when WeChat Pay has no such order.
    pub(super) async fn v2_query(
        &self,
        out_trade_no: &str,
    ) -> Result<Option<PaymentNotice>, WxPayError> {
        let answer = self
            .v2_call("/pay/orderquery", &[("out_trade_no", out_trade_no)])
            .await?;
        if answer.get("result_code").map(String::as_str) != Some(SUCCESS)
            && answer.get("err_code").map(String::as_str) == Some("ORDERNOTEXIST")
        {
            return Ok(None);
        }
        let answer = result(answer)?;
        let state = answer.get("trade_state").cloned().unwrap_or_default();
        notice_of(&answer, state)
            .map(Some)
            .map_err(|problem| WxPayError::Unavailable(format!("orderquery: {problem}")))
    }

    pub(super) async fn v2_close(&self, out_trade_no: &str) -> Result<(), WxPayError> {
        let answer = self
            .v2_call("/pay/closeorder", &[("out_trade_no", out_trade_no)])
            .await?;
        result(answer).map(|_| ())
    }

    pub(super) fn v2_parse_notification(&self, body: &[u8]) -> Result<PaymentNotice, WxPayError> {
        let bad = |problem: &str| WxPayError::BadNotification(problem.to_owned());
        let text = std::str::from_utf8(body).map_err(|_| bad("the body is not UTF-8"))?;
        let fields =
            from_xml(text).map_err(|error| WxPayError::BadNotification(error.to_string()))?;
        if fields.get("return_code").map(String::as_str) != Some(SUCCESS) {
            return Err(bad("return_code is not SUCCESS"));
        }
        let settings = &self.settings;
        if !v2_verify(&fields, &settings.v2_key, settings.v2_sign_type) {
            return Err(bad("the sign does not match"));
        }
        if fields.get("mch_id") != Some(&settings.mchid) {
            return Err(bad("the payment is another merchant's"));
        }
        if fields.get("appid") != Some(&settings.appid) {
            return Err(bad("the payment is another app's"));
        }
        let state = match fields.get("result_code").map(String::as_str) {
            Some(SUCCESS) => TRADE_SUCCESS.to_owned(),
            _ => "PAYERROR".to_owned(),
        };
        notice_of(&fields, state).map_err(WxPayError::BadNotification)
    }

    /// Signs and posts `fields` with the common ones; checks `return_code` and the answer's sign.
    async fn v2_call(&self, path: &str, fields: &[(&str, &str)]) -> Result<Fields, WxPayError> {
        let settings = &self.settings;
        let mut request: Fields = fields
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        request.insert("appid".to_owned(), settings.appid.clone());
        request.insert("mch_id".to_owned(), settings.mchid.clone());
        request.insert("nonce_str".to_owned(), kit::secret::random_alnum(32));
        request.insert(
            "sign_type".to_owned(),
            settings.v2_sign_type.as_str().to_owned(),
        );
        let sign = v2_sign(&request, &settings.v2_key, settings.v2_sign_type);
        request.insert("sign".to_owned(), sign);
        let what = path.trim_start_matches("/pay/");
        let response = self
            .http
            .post(self.url(path))
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(to_xml(&request))
            .send()
            .await
            .map_err(|error| transport(what, error))?;
        let status = response.status();
        if !status.is_success() {
            return Err(WxPayError::Unavailable(format!("{what}: HTTP {status}")));
        }
        let body = response
            .text()
            .await
            .map_err(|error| transport(what, error))?;
        let answer =
            from_xml(&body).map_err(|error| WxPayError::Unavailable(format!("{what}: {error}")))?;
        if answer.get("return_code").map(String::as_str) != Some(SUCCESS) {
            return Err(WxPayError::Refused {
                code: "FAIL".to_owned(),
                message: answer.get("return_msg").cloned().unwrap_or_default(),
            });
        }
        if !v2_verify(&answer, &settings.v2_key, settings.v2_sign_type) {
            tracing::warn!(what, "WeChat Pay answer failed verification");
            return Err(WxPayError::BadSignature);
        }
        Ok(answer)
    }
}

/// The answer itself when `result_code` is SUCCESS; otherwise its `err_code` as a refusal.
fn result(answer: Fields) -> Result<Fields, WxPayError> {
    if answer.get("result_code").map(String::as_str) == Some(SUCCESS) {
        return Ok(answer);
    }
    Err(WxPayError::Refused {
        code: answer
            .get("err_code")
            .cloned()
            .unwrap_or_else(|| "FAIL".to_owned()),
        message: answer.get("err_code_des").cloned().unwrap_or_default(),
    })
}

/// `paySign` of `wx.requestPayment`: the v2 sign over appId, timeStamp, nonceStr, package and
/// signType.
pub(super) fn pay_sign(
    settings: &WxPaySettings,
    time_stamp: &str,
    nonce_str: &str,
    package: &str,
) -> String {
    let fields: Fields = [
        ("appId", settings.appid.as_str()),
        ("timeStamp", time_stamp),
        ("nonceStr", nonce_str),
        ("package", package),
        ("signType", settings.v2_sign_type.as_str()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect();
    v2_sign(&fields, &settings.v2_key, settings.v2_sign_type)
}

/// `<xml><return_code>SUCCESS</return_code><return_msg>OK</return_msg></xml>`, or FAIL.
pub(super) fn notification_answer(outcome: NotificationOutcome) -> NotificationAnswer {
    // APIv2 always answers 200; `return_code` FAIL tells WeChat Pay to try again.
    let (code, message) = if outcome == NotificationOutcome::Accepted {
        ("SUCCESS", "OK")
    } else {
        ("FAIL", "失败")
    };
    let fields: Fields = [("return_code", code), ("return_msg", message)]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
    NotificationAnswer {
        status: 200,
        content_type: "text/xml",
        body: to_xml(&fields),
    }
}

/// A notification's or order query's fields as a notice with `trade_state`.
fn notice_of(fields: &Fields, trade_state: String) -> Result<PaymentNotice, String> {
    let text = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let out_trade_no = text("out_trade_no");
    if out_trade_no.is_empty() || trade_state.is_empty() {
        return Err("no out_trade_no or trade_state".to_owned());
    }
    let paid = trade_state == TRADE_SUCCESS;
    let total_fen = match fields.get("total_fee") {
        Some(fee) => fee
            .trim()
            .parse::<i64>()
            .map_err(|_| "total_fee is not a whole number of fen".to_owned())?,
        None if paid => return Err("a paid order without total_fee".to_owned()),
        None => 0,
    };
    let success_time = match fields.get("time_end").filter(|time| !time.is_empty()) {
        Some(time) => Some(parse_time_end(time).ok_or("time_end is not yyyyMMddHHmmss")?),
        None if paid => return Err("a paid order without time_end".to_owned()),
        None => None,
    };
    Ok(PaymentNotice {
        out_trade_no,
        transaction_id: text("transaction_id"),
        total_fen,
        // APIv2 leaves fee_type out when it is CNY.
        currency: fields
            .get("fee_type")
            .filter(|fee_type| !fee_type.is_empty())
            .cloned()
            .unwrap_or_else(|| "CNY".to_owned()),
        payer_openid: text("openid"),
        trade_state,
        success_time,
    })
}

/// `20141030133525`, Beijing time, as UTC.
fn parse_time_end(time: &str) -> Option<DateTime<Utc>> {
    let local = NaiveDateTime::parse_from_str(time, "%Y%m%d%H%M%S").ok()?;
    let beijing = FixedOffset::east_opt(8 * 3600)?;
    beijing
        .from_local_datetime(&local)
        .single()
        .map(|time| time.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::settings::{WxPaySignType, WxPayVersion};

    fn settings(sign_type: WxPaySignType) -> WxPaySettings {
        WxPaySettings {
            version: WxPayVersion::V2,
            base_url: "http://127.0.0.1:9".to_owned(),
            appid: "wx-sandbox-appid".to_owned(),
            mchid: "1900000001".to_owned(),
            notify_url: "http://127.0.0.1:8080/api/v1/weapp/payment/notify".to_owned(),
            v2_key: "sandbox-wxpay-v2-key-0123456789a".to_owned(),
            v2_sign_type: sign_type,
            v3_api_key: String::new(),
            v3_merchant_serial: String::new(),
            v3_merchant_private_key: String::new(),
            v3_platform_public_key: String::new(),
            v3_platform_public_key_id: String::new(),
            timeout_ms: 1000,
        }
    }

    fn notification(settings: &WxPaySettings, change: impl FnOnce(&mut Fields)) -> Vec<u8> {
        let mut fields: Fields = [
            ("return_code", "SUCCESS"),
            ("result_code", "SUCCESS"),
            ("appid", settings.appid.as_str()),
            ("mch_id", settings.mchid.as_str()),
            ("nonce_str", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"),
            ("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
            ("trade_type", "JSAPI"),
            ("bank_type", "CMC"),
            ("total_fee", "12800"),
            ("cash_fee", "12800"),
            ("transaction_id", "1004400740201409030005092168"),
            ("out_trade_no", "WJDH0000000001"),
            ("time_end", "20141030133525"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let sign = v2_sign(&fields, &settings.v2_key, settings.v2_sign_type);
        fields.insert("sign".to_owned(), sign);
        change(&mut fields);
        to_xml(&fields).into_bytes()
    }

    #[test]
    fn a_signed_notification_is_read_and_its_time_is_utc() {
        for sign_type in [WxPaySignType::Md5, WxPaySignType::HmacSha256] {
            let settings = settings(sign_type);
            let client = WxPayClient::new(settings.clone()).expect("client");
            let notice = client
                .parse_notification(&HashMap::new(), &notification(&settings, |_| {}))
                .expect("accepted");
            assert_eq!(notice.out_trade_no, "WJDH0000000001");
            assert_eq!(notice.total_fen, 12800);
            assert_eq!(notice.currency, "CNY");
            assert!(notice.is_paid());
            assert_eq!(
                notice.success_time.map(|t| t.to_rfc3339()),
                Some("2014-10-30T05:35:25+00:00".to_owned())
            );
            assert!(!format!("{notice:?}").contains("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"));
        }
    }

    #[test]
    fn tampered_foreign_or_garbage_notifications_are_refused() {
        let settings = settings(WxPaySignType::HmacSha256);
        let client = WxPayClient::new(settings.clone()).expect("client");
        let refused = |body: Vec<u8>| {
            matches!(
                client.parse_notification(&HashMap::new(), &body),
                Err(WxPayError::BadNotification(_))
            )
        };
        assert!(refused(notification(&settings, |f| {
            f.insert("total_fee".to_owned(), "1".to_owned());
        })));
        assert!(refused(notification(&settings, |f| {
            f.remove("sign");
        })));
        let md5 = self::settings(WxPaySignType::Md5);
        assert!(refused(notification(&md5, |_| {})));
        let mut other = settings.clone();
        other.mchid = "1900000002".to_owned();
        assert!(refused(notification(&other, |_| {})));
        assert!(refused(
            b"<xml><return_code>FAIL</return_code></xml>".to_vec()
        ));
        assert!(refused(b"\xff\xfe".to_vec()));
        assert!(refused(b"{\"resource\":{}}".to_vec()));
        assert!(refused(Vec::new()));
    }

    #[test]
    fn answers_and_pay_signs_are_wechats() {
        let settings = settings(WxPaySignType::Md5);
        let client = WxPayClient::new(settings.clone()).expect("client");
        let ok = client.notification_answer(NotificationOutcome::Accepted);
        assert_eq!(ok.status, 200);
        assert_eq!(
            ok.body,
            "<xml><return_code><![CDATA[SUCCESS]]></return_code>\
             <return_msg><![CDATA[OK]]></return_msg></xml>"
        );
        let refused = client.notification_answer(NotificationOutcome::Refused);
        assert_eq!(refused.status, 200);
        assert!(refused.body.contains("FAIL"));
        let params = client.mini_program_params("wx2017").expect("params");
        assert_eq!(params.sign_type, "MD5");
        assert_eq!(params.package, "prepay_id=wx2017");
        let fields: Fields = [
            ("appId", params.app_id.as_str()),
            ("timeStamp", params.time_stamp.as_str()),
            ("nonceStr", params.nonce_str.as_str()),
            ("package", params.package.as_str()),
            ("signType", "MD5"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(
            params.pay_sign,
            v2_sign(&fields, &settings.v2_key, WxPaySignType::Md5)
        );
        let json = serde_json::to_value(&params).expect("serializes");
        assert!(json.get("appId").is_some() && json.get("paySign").is_some());
    }
}
