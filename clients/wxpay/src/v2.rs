//! APIv2: flat XML requests and answers signed with the API key (MD5 or HMAC-SHA256).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

use super::crypto::{v2_req_info_open, v2_sign, v2_verify};
use super::xml::{from_xml, from_xml_root, to_xml};
use super::{
    NotificationAnswer, NotificationOutcome, PaymentNotice, RefundNotice, RefundOutcome,
    RefundRequest, RefundStatus, TRADE_SUCCESS, WxPayClient, WxPayError, transport,
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
        if refused_with(&answer, "ORDERNOTEXIST") {
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
        let fields = self.v2_notification_fields(body)?;
        let settings = &self.settings;
        if !v2_verify(&fields, &settings.v2_key, settings.v2_sign_type) {
            return Err(WxPayError::BadNotification(
                "the sign does not match".to_owned(),
            ));
        }
        let state = match fields.get("result_code").map(String::as_str) {
            Some(SUCCESS) => TRADE_SUCCESS.to_owned(),
            _ => "PAYERROR".to_owned(),
        };
        notice_of(&fields, state).map_err(WxPayError::BadNotification)
    }

    /// Refunds over `/secapi/`, which WeChat Pay serves only to the merchant certificate.
    pub(super) async fn v2_refund(
        &self,
        refund: &RefundRequest<'_>,
    ) -> Result<RefundOutcome, WxPayError> {
        let answer = self
            .v2_call(
                "/secapi/pay/refund",
                &[
                    ("out_trade_no", refund.out_trade_no),
                    ("out_refund_no", refund.out_refund_no),
                    ("total_fee", &refund.total_fen.to_string()),
                    ("refund_fee", &refund.refund_fen.to_string()),
                    ("refund_desc", refund.reason),
                    ("notify_url", &self.settings.refund_notify_url),
                ],
            )
            .await?;
        let answer = result(answer)?;
        let text = |name: &str| answer.get(name).cloned().unwrap_or_default();
        let refund_fen = fen(&answer, "refund_fee")
            .map_err(|problem| WxPayError::Unavailable(format!("refund: {problem}")))?;
        if text("refund_id").is_empty() {
            return Err(WxPayError::Unavailable(
                "refund: an answer without refund_id".to_owned(),
            ));
        }
        // APIv2 only says the refund was accepted; its result comes later.
        Ok(RefundOutcome {
            out_refund_no: text("out_refund_no"),
            refund_id: text("refund_id"),
            status: RefundStatus::Processing,
            refund_fen,
        })
    }

    /// `None` when WeChat Pay has no such refund.
    pub(super) async fn v2_query_refund(
        &self,
        out_refund_no: &str,
    ) -> Result<Option<RefundOutcome>, WxPayError> {
        let answer = self
            .v2_call("/pay/refundquery", &[("out_refund_no", out_refund_no)])
            .await?;
        if refused_with(&answer, "REFUNDNOTEXIST") {
            return Ok(None);
        }
        let answer = result(answer)?;
        listed_refund(&answer, out_refund_no)
            .map(Some)
            .map_err(|problem| WxPayError::Unavailable(format!("refundquery: {problem}")))
    }

    /// A refund notification carries no sign: its `req_info` opens only with our API key.
    pub(super) fn v2_parse_refund_notification(
        &self,
        body: &[u8],
    ) -> Result<RefundNotice, WxPayError> {
        let bad = |problem: &str| WxPayError::BadNotification(problem.to_owned());
        let fields = self.v2_notification_fields(body)?;
        let req_info = fields
            .get("req_info")
            .filter(|info| !info.is_empty())
            .ok_or_else(|| bad("no req_info"))?;
        let plaintext = v2_req_info_open(&self.settings.v2_key, req_info)
            .map_err(|error| WxPayError::BadNotification(error.to_string()))?;
        let text = String::from_utf8(plaintext).map_err(|_| bad("req_info is not UTF-8"))?;
        let refund = from_xml_root(&text, "root")
            .map_err(|error| WxPayError::BadNotification(format!("req_info: {error}")))?;
        refund_notice(&refund).map_err(WxPayError::BadNotification)
    }

    /// A notification's fields once it is XML with `return_code` SUCCESS for our merchant and app.
    fn v2_notification_fields(&self, body: &[u8]) -> Result<Fields, WxPayError> {
        let bad = |problem: &str| WxPayError::BadNotification(problem.to_owned());
        let text = std::str::from_utf8(body).map_err(|_| bad("the body is not UTF-8"))?;
        let fields =
            from_xml(text).map_err(|error| WxPayError::BadNotification(error.to_string()))?;
        if fields.get("return_code").map(String::as_str) != Some(SUCCESS) {
            return Err(bad("return_code is not SUCCESS"));
        }
        if fields.get("mch_id") != Some(&self.settings.mchid) {
            return Err(bad("the notification is another merchant's"));
        }
        if fields.get("appid") != Some(&self.settings.appid) {
            return Err(bad("the notification is another app's"));
        }
        Ok(fields)
    }

    /// Signs and posts `fields` with the common ones; checks `return_code` and the answer's sign.
    /// `/secapi/` paths go out with the merchant certificate.
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
        let what = path.rsplit('/').next().unwrap_or(path);
        let http = if path.starts_with("/secapi/") {
            &self.secapi_http
        } else {
            &self.http
        };
        let response = http
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

/// Whether the answer refuses with `err_code`.
fn refused_with(answer: &Fields, err_code: &str) -> bool {
    answer.get("result_code").map(String::as_str) != Some(SUCCESS)
        && answer.get("err_code").map(String::as_str) == Some(err_code)
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

/// A whole number of fen in `name`.
fn fen(fields: &Fields, name: &str) -> Result<i64, String> {
    fields
        .get(name)
        .and_then(|fee| fee.trim().parse::<i64>().ok())
        .ok_or_else(|| format!("{name} is not a whole number of fen"))
}

/// The refund numbered `out_refund_no` among a refund query's `*_$n` fields.
fn listed_refund(answer: &Fields, out_refund_no: &str) -> Result<RefundOutcome, String> {
    let count = fen(answer, "refund_count")?;
    let n = (0..count.clamp(0, 50))
        .find(|n| {
            answer
                .get(&format!("out_refund_no_{n}"))
                .map(String::as_str)
                == Some(out_refund_no)
        })
        .ok_or("the answer does not list the refund")?;
    let status = answer
        .get(&format!("refund_status_{n}"))
        .map(String::as_str)
        .unwrap_or_default();
    Ok(RefundOutcome {
        out_refund_no: out_refund_no.to_owned(),
        refund_id: answer
            .get(&format!("refund_id_{n}"))
            .cloned()
            .unwrap_or_default(),
        status: RefundStatus::from_wechat(status)
            .ok_or_else(|| format!("an unknown refund_status {status:?}"))?,
        refund_fen: fen(answer, &format!("refund_fee_{n}"))?,
    })
}

/// The `<root>` fields of a refund notification's `req_info` as a notice.
fn refund_notice(refund: &Fields) -> Result<RefundNotice, String> {
    let text = |name: &str| refund.get(name).cloned().unwrap_or_default();
    let status = text("refund_status");
    let notice = RefundNotice {
        out_trade_no: text("out_trade_no"),
        transaction_id: text("transaction_id"),
        out_refund_no: text("out_refund_no"),
        refund_id: text("refund_id"),
        status: RefundStatus::from_wechat(&status)
            .ok_or_else(|| format!("an unknown refund_status {status:?}"))?,
        refund_fen: fen(refund, "refund_fee")?,
        total_fen: fen(refund, "total_fee")?,
        received_account: text("refund_recv_accout"),
        success_time: match refund.get("success_time").filter(|time| !time.is_empty()) {
            Some(time) => Some(
                parse_beijing(time, "%Y-%m-%d %H:%M:%S")
                    .ok_or("success_time is not yyyy-MM-dd HH:mm:ss")?,
            ),
            None => None,
        },
    };
    if notice.out_trade_no.is_empty() || notice.out_refund_no.is_empty() {
        return Err("no out_trade_no or out_refund_no".to_owned());
    }
    Ok(notice)
}

/// `20141030133525`, Beijing time, as UTC.
fn parse_time_end(time: &str) -> Option<DateTime<Utc>> {
    parse_beijing(time, "%Y%m%d%H%M%S")
}

/// `time` in `format` on Beijing's clock, as UTC.
fn parse_beijing(time: &str, format: &str) -> Option<DateTime<Utc>> {
    let local = NaiveDateTime::parse_from_str(time, format).ok()?;
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
            refund_notify_url: "http://127.0.0.1:8080/api/v1/weapp/payment/refund_notify"
                .to_owned(),
            v2_key: "sandbox-wxpay-v2-key-0123456789a".to_owned(),
            v2_sign_type: sign_type,
            v2_client_cert_pem: String::new(),
            v2_client_key_pem: String::new(),
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

    /// A refund notification as WeChat Pay sends it: `refund` as `<root>` sealed under `key`.
    fn refund_notification(settings: &WxPaySettings, key: &str, refund: &Fields) -> Vec<u8> {
        let req_info = crate::crypto::v2_req_info_seal(
            key,
            crate::xml::to_xml_root(refund, "root").as_bytes(),
        )
        .expect("sealed");
        let fields: Fields = [
            ("return_code", "SUCCESS"),
            ("appid", settings.appid.as_str()),
            ("mch_id", settings.mchid.as_str()),
            ("nonce_str", "TeqClE3i0mvn3DrK"),
            ("req_info", req_info.as_str()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        to_xml(&fields).into_bytes()
    }

    fn refund(status: &str) -> Fields {
        [
            ("out_refund_no", "WJDHR0000000001"),
            ("out_trade_no", "WJDH0000000001"),
            ("refund_account", "REFUND_SOURCE_RECHARGE_FUNDS"),
            ("refund_fee", "300"),
            ("refund_id", "50000000382019052709732678859"),
            ("refund_recv_accout", "招商银行信用卡0403"),
            ("refund_request_source", "API"),
            ("refund_status", status),
            ("settlement_refund_fee", "300"),
            ("settlement_total_fee", "12800"),
            ("success_time", "2024-01-01 12:00:00"),
            ("total_fee", "12800"),
            ("transaction_id", "4200000000202401010000000001"),
            ("cash_refund_fee", "300"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn a_refund_notification_opens_with_the_api_key() {
        let settings = settings(WxPaySignType::HmacSha256);
        let client = WxPayClient::new(settings.clone()).expect("client");
        let body = refund_notification(&settings, &settings.v2_key, &refund("SUCCESS"));
        let notice = client
            .parse_refund_notification(&HashMap::new(), &body)
            .expect("accepted");
        assert_eq!(notice.out_refund_no, "WJDHR0000000001");
        assert_eq!(notice.out_trade_no, "WJDH0000000001");
        assert_eq!(notice.refund_id, "50000000382019052709732678859");
        assert_eq!(notice.status, RefundStatus::Success);
        assert_eq!((notice.refund_fen, notice.total_fen), (300, 12800));
        assert_eq!(
            notice.success_time.map(|t| t.to_rfc3339()),
            Some("2024-01-01T04:00:00+00:00".to_owned())
        );
        assert!(!format!("{notice:?}").contains("0403"));
        for (wechat, status) in [
            ("CHANGE", RefundStatus::Abnormal),
            ("REFUNDCLOSE", RefundStatus::Closed),
        ] {
            let body = refund_notification(&settings, &settings.v2_key, &refund(wechat));
            let notice = client.parse_refund_notification(&HashMap::new(), &body);
            assert_eq!(notice.map(|n| n.status), Ok(status));
        }
    }

    #[test]
    fn refund_notifications_sealed_with_another_key_or_not_ours_are_refused() {
        let settings = settings(WxPaySignType::Md5);
        let client = WxPayClient::new(settings.clone()).expect("client");
        let refused = |body: Vec<u8>| {
            matches!(
                client.parse_refund_notification(&HashMap::new(), &body),
                Err(WxPayError::BadNotification(_))
            )
        };
        let other_key = "another-v2-key-0123456789abcdefg";
        assert!(refused(refund_notification(
            &settings,
            other_key,
            &refund("SUCCESS")
        )));
        let mut other = settings.clone();
        other.mchid = "1900000002".to_owned();
        assert!(refused(refund_notification(
            &other,
            &settings.v2_key,
            &refund("SUCCESS")
        )));
        assert!(refused(refund_notification(
            &settings,
            &settings.v2_key,
            &refund("UNKNOWN")
        )));
        let mut no_amount = refund("SUCCESS");
        no_amount.remove("refund_fee");
        assert!(refused(refund_notification(
            &settings,
            &settings.v2_key,
            &no_amount
        )));
        // A payment notification is not a refund notification.
        assert!(refused(notification(&settings, |_| {})));
        assert!(refused(
            b"<xml><return_code>SUCCESS</return_code></xml>".to_vec()
        ));
        assert!(refused(Vec::new()));
    }
}
