//! `wxpay::WxPayClient` against the sandbox's WeChat Pay, APIv3 and APIv2, with a small
//! notify endpoint that verifies notifications as the gateway will.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};
use wxpay::crypto::{RsaVerifier, v2_sign};
use wxpay::{
    NotificationOutcome, PayParams, PaymentNotice, WxPayClient, WxPayError, WxPaySettings,
    WxPaySignType, WxPayVersion,
};

use crate::helpers::{TestSandbox, spawn_sandbox};

const MERCHANT_PUBLIC_KEY: &str = include_str!("../../fixtures/wxpay/dev-merchant-public-key.pem");
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

/// The `[wxpay]` defaults, pointed at this sandbox and `notify_url`: they must work as they are.
fn settings(app: &TestSandbox, version: &str, sign_type: &str, notify_url: &str) -> WxPaySettings {
    #[derive(serde::Deserialize)]
    struct Section {
        wxpay: WxPaySettings,
    }
    let section: Section = kit::settings::load_with(&[
        ("wxpay.base_url", app.sandbox.base_url()),
        ("wxpay.version", version.to_owned()),
        ("wxpay.v2_sign_type", sign_type.to_owned()),
        ("wxpay.notify_url", notify_url.to_owned()),
        ("wxpay.timeout_ms", "3000".to_owned()),
    ])
    .expect("defaults load");
    section.wxpay
}

/// What our notify endpoint received, and what it made of it.
struct Received {
    headers: HashMap<String, String>,
    body: Vec<u8>,
    parsed: Result<PaymentNotice, WxPayError>,
}

/// A notify endpoint on a free port that verifies with `client` and answers as WeChat requires.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(client: WxPayClient) -> Receiver {
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let url = crate::helpers::serve(
            "/api/v1/weapp/payment/notify",
            (client, received.clone()),
            || web::post().to(notify),
        );
        Receiver { url, received }
    }

    fn take(&self) -> Vec<Received> {
        std::mem::take(&mut *self.received.lock().expect("lock"))
    }
}

type ReceiverState = (WxPayClient, Arc<Mutex<Vec<Received>>>);

async fn notify(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<ReceiverState>,
) -> HttpResponse {
    let (client, received) = state.get_ref();
    let headers: HashMap<String, String> = req
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    let parsed = client.parse_notification(&headers, &body);
    let answer = client.notification_answer(if parsed.is_ok() {
        NotificationOutcome::Accepted
    } else {
        NotificationOutcome::Refused
    });
    received.lock().expect("lock").push(Received {
        headers,
        body: body.to_vec(),
        parsed,
    });
    HttpResponse::build(actix_web::http::StatusCode::from_u16(answer.status).expect("a status"))
        .content_type(answer.content_type)
        .body(answer.body)
}

/// A sandbox, a client of `version` and a receiver that verifies with it.
async fn setup(version: &str, sign_type: &str) -> (TestSandbox, WxPayClient, Receiver) {
    let app = spawn_sandbox().await;
    // The receiver needs a client, the client the receiver's URL: the URL does not change what
    // the receiver's client verifies.
    let receiver = Receiver::start(
        WxPayClient::new(settings(&app, version, sign_type, "http://unused")).expect("client"),
    )
    .await;
    let client =
        WxPayClient::new(settings(&app, version, sign_type, &receiver.url)).expect("client");
    (app, client, receiver)
}

async fn pay(app: &TestSandbox, body: Value) -> Value {
    let (status, answer) = app.post_json("/wxpay/pay", &[], &body).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

fn out_trade_no(tag: &str) -> String {
    format!(
        "WJDH{tag}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

fn assert_v3_pay_sign(params: &PayParams) {
    assert_eq!(params.sign_type, "RSA");
    let message = format!(
        "{}\n{}\n{}\n{}\n",
        params.app_id, params.time_stamp, params.nonce_str, params.package
    );
    let merchant = RsaVerifier::from_pem(MERCHANT_PUBLIC_KEY).expect("dev key");
    assert!(merchant.verify(message.as_bytes(), &params.pay_sign));
}

fn assert_v2_pay_sign(params: &PayParams, settings: &WxPaySettings) {
    assert_eq!(params.sign_type, settings.v2_sign_type.as_str());
    let fields = [
        ("appId", &params.app_id),
        ("timeStamp", &params.time_stamp),
        ("nonceStr", &params.nonce_str),
        ("package", &params.package),
        ("signType", &params.sign_type),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.clone()))
    .collect();
    assert_eq!(
        params.pay_sign,
        v2_sign(&fields, &settings.v2_key, settings.v2_sign_type)
    );
}

/// Place → params → pay → notification verified → query finds it paid → close refused.
async fn a_payment_goes_round(version: &str, sign_type: &str) {
    let (app, client, receiver) = setup(version, sign_type).await;
    let no = out_trade_no("A");
    let prepay_id = client
        .create_jsapi(&no, "物业费 2024-01", 12800, OPENID, "127.0.0.1")
        .await
        .expect("placed");
    assert!(prepay_id.starts_with("wx"), "{prepay_id}");
    let params = client.mini_program_params(&prepay_id).expect("params");
    assert_eq!(params.app_id, "wx-sandbox-appid");
    assert_eq!(params.package, format!("prepay_id={prepay_id}"));
    match client.version() {
        WxPayVersion::V3 => assert_v3_pay_sign(&params),
        WxPayVersion::V2 => assert_v2_pay_sign(&params, &settings(&app, version, sign_type, "")),
    }
    assert_eq!(client.query(&no).await, Ok(None), "not paid yet");

    let answer = pay(&app, json!({ "prepay_id": prepay_id })).await;
    assert_eq!(answer["delivered"], true, "{answer}");
    assert_eq!(answer["status"], 200);
    let received = receiver.take();
    assert_eq!(received.len(), 1);
    let notice = received[0]
        .parsed
        .clone()
        .expect("the notification verifies");
    assert_eq!(notice.out_trade_no, no);
    assert_eq!(notice.total_fen, 12800);
    assert_eq!(notice.currency, "CNY");
    assert_eq!(notice.payer_openid, OPENID);
    assert!(notice.is_paid());
    assert_eq!(notice.transaction_id, answer["transaction_id"]);
    assert!(notice.success_time.is_some());
    if version == "v2" {
        // As WeChat Pay does: a sign other than MD5 is named (merchants' SDKs read it).
        let body = String::from_utf8_lossy(&received[0].body);
        assert_eq!(
            body.contains("<sign_type><![CDATA[HMAC-SHA256]]></sign_type>"),
            sign_type == "HMAC-SHA256",
            "{body}"
        );
    }

    let queried = client.query(&no).await.expect("queried").expect("paid");
    assert_eq!(queried.transaction_id, notice.transaction_id);
    assert_eq!(queried.total_fen, 12800);
    assert_eq!(queried.payer_openid, OPENID);
    let closing = client.close(&no).await.expect_err("a paid order stays");
    assert_eq!(closing.refusal_code(), Some("ORDERPAID"));
    let again = client
        .create_jsapi(&no, "物业费 2024-01", 12800, OPENID, "127.0.0.1")
        .await
        .expect_err("paid already");
    assert_eq!(again.refusal_code(), Some("ORDERPAID"));
}

#[tokio::test]
async fn a_v3_payment_is_notified_verified_and_found_by_query() {
    a_payment_goes_round("v3", "HMAC-SHA256").await;
}

#[tokio::test]
async fn a_v2_payment_is_notified_verified_and_found_by_query_with_either_sign() {
    a_payment_goes_round("v2", "HMAC-SHA256").await;
    a_payment_goes_round("v2", "MD5").await;
}

async fn orders_keep_their_amount_and_close(version: &str) {
    let (app, client, receiver) = setup(version, "MD5").await;
    let no = out_trade_no("B");
    let first = client
        .create_jsapi(&no, "物业费", 100, OPENID, "")
        .await
        .expect("placed");
    let second = client
        .create_jsapi(&no, "物业费", 100, OPENID, "")
        .await
        .expect("placed again");
    assert_eq!(first, second, "the same order keeps its prepay_id");
    let changed = client
        .create_jsapi(&no, "物业费", 99, OPENID, "")
        .await
        .expect_err("another amount");
    assert_eq!(changed.refusal_code(), Some("OUT_TRADE_NO_USED"));

    client.close(&no).await.expect("an unpaid order closes");
    assert_eq!(client.query(&no).await, Ok(None));
    let reopened = client
        .create_jsapi(&no, "物业费", 100, OPENID, "")
        .await
        .expect_err("closed");
    assert!(
        matches!(
            reopened.refusal_code(),
            Some("ORDERCLOSED" | "ORDER_CLOSED")
        ),
        "{reopened:?}"
    );
    let (status, _) = app
        .post_json("/wxpay/pay", &[], &json!({ "prepay_id": first }))
        .await;
    assert_eq!(status, 409, "a closed order cannot be paid");
    assert!(receiver.take().is_empty());

    assert_eq!(client.query(&out_trade_no("NONE")).await, Ok(None));
    let unknown = client
        .close(&out_trade_no("NONE"))
        .await
        .expect_err("unknown");
    assert!(unknown.refusal_code().is_some());
}

#[tokio::test]
async fn orders_keep_their_amount_and_unpaid_ones_close_v3() {
    orders_keep_their_amount_and_close("v3").await;
}

#[tokio::test]
async fn orders_keep_their_amount_and_unpaid_ones_close_v2() {
    orders_keep_their_amount_and_close("v2").await;
}

async fn payment_helper_options(version: &str) {
    let (app, client, receiver) = setup(version, "HMAC-SHA256").await;

    // A notification that never arrives: the order query finds the payment.
    let quiet = out_trade_no("Q");
    let prepay_id = client
        .create_jsapi(&quiet, "物业费", 500, OPENID, "")
        .await
        .expect("placed");
    let answer = pay(&app, json!({ "prepay_id": prepay_id, "deliver": false })).await;
    assert_eq!(
        answer,
        json!({
            "delivered": false, "status": 0, "statuses": [],
            "out_trade_no": quiet, "transaction_id": answer["transaction_id"],
        })
    );
    assert!(receiver.take().is_empty());
    let found = client.query(&quiet).await.expect("queried").expect("paid");
    assert_eq!(found.total_fen, 500);

    // The same notification three times at once: all verify, one transaction.
    let repeated = out_trade_no("R");
    let prepay_id = client
        .create_jsapi(&repeated, "物业费", 600, OPENID, "")
        .await
        .expect("placed");
    let answer = pay(&app, json!({ "prepay_id": prepay_id, "times": 3 })).await;
    assert_eq!(answer["delivered"], true);
    assert_eq!(answer["statuses"], json!([200, 200, 200]));
    let received = receiver.take();
    assert_eq!(received.len(), 3);
    assert!(received.iter().all(|r| r.body == received[0].body));
    let ids: Vec<String> = received
        .iter()
        .map(|r| r.parsed.clone().expect("verifies").transaction_id)
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]));

    // A short payment: WeChat reports less than the order's amount.
    let short = out_trade_no("S");
    let prepay_id = client
        .create_jsapi(&short, "物业费", 700, OPENID, "")
        .await
        .expect("placed");
    pay(&app, json!({ "prepay_id": prepay_id, "amount_fen": 1 })).await;
    let notice = receiver.take().remove(0).parsed.expect("verifies");
    assert_eq!(
        notice.total_fen, 1,
        "the caller must compare it with its order"
    );

    // A forged notification is refused, and WeChat is told so.
    let forged = out_trade_no("F");
    let prepay_id = client
        .create_jsapi(&forged, "物业费", 800, OPENID, "")
        .await
        .expect("placed");
    let answer = pay(&app, json!({ "prepay_id": prepay_id, "forge": true })).await;
    let received = receiver.take();
    assert!(
        matches!(received[0].parsed, Err(WxPayError::BadNotification(_))),
        "{:?}",
        received[0].parsed
    );
    match client.version() {
        WxPayVersion::V3 => {
            assert_eq!(
                (answer["delivered"].clone(), answer["status"].clone()),
                (json!(false), json!(400))
            );
            assert!(received[0].headers.contains_key("wechatpay-signature"));
        }
        // APIv2 answers 200 with a FAIL body.
        WxPayVersion::V2 => {
            assert_eq!(answer["status"], 200);
            assert!(String::from_utf8_lossy(&received[0].body).contains("<sign>"));
        }
    }

    let (status, _) = app
        .post_json("/wxpay/pay", &[], &json!({ "prepay_id": "wx-unknown" }))
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .post_json(
            "/wxpay/pay",
            &[],
            &json!({ "prepay_id": prepay_id, "times": 0 }),
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn payment_helper_options_work_over_v3() {
    payment_helper_options("v3").await;
}

#[tokio::test]
async fn payment_helper_options_work_over_v2() {
    payment_helper_options("v2").await;
}

#[tokio::test]
async fn wrong_credentials_and_a_missing_wechat_pay_are_told_apart() {
    let app = spawn_sandbox().await;
    let no = out_trade_no("C");

    let mut wrong_serial = settings(&app, "v3", "MD5", "http://127.0.0.1:1/notify");
    wrong_serial.v3_merchant_serial = "0000".to_owned();
    let refused = WxPayClient::new(wrong_serial)
        .expect("client")
        .create_jsapi(&no, "物业费", 1, OPENID, "")
        .await
        .expect_err("an unknown certificate");
    assert_eq!(refused.refusal_code(), Some("SIGN_ERROR"));

    let mut wrong_platform = settings(&app, "v3", "MD5", "http://127.0.0.1:1/notify");
    wrong_platform.v3_platform_public_key = MERCHANT_PUBLIC_KEY.to_owned();
    let unverified = WxPayClient::new(wrong_platform)
        .expect("client")
        .create_jsapi(&no, "物业费", 1, OPENID, "")
        .await;
    assert_eq!(unverified, Err(WxPayError::BadSignature));

    let mut wrong_key = settings(&app, "v2", "MD5", "http://127.0.0.1:1/notify");
    wrong_key.v2_key = "another-v2-key-0123456789abcdefg".to_owned();
    let refused = WxPayClient::new(wrong_key)
        .expect("client")
        .create_jsapi(&no, "物业费", 1, OPENID, "")
        .await
        .expect_err("a wrong key");
    assert!(
        matches!(refused, WxPayError::Refused { ref code, .. } if code == "FAIL"),
        "{refused:?}"
    );

    let mut invalid = settings(&app, "v3", "MD5", "http://127.0.0.1:1/notify");
    invalid.base_url = "http://127.0.0.1:1".to_owned();
    for version in [WxPayVersion::V3, WxPayVersion::V2] {
        let mut unreachable = invalid.clone();
        unreachable.version = version;
        let error = WxPayClient::new(unreachable)
            .expect("client")
            .query(&no)
            .await
            .expect_err("nothing listens there");
        assert!(matches!(error, WxPayError::Unavailable(_)), "{error:?}");
    }
    let bad_input = WxPayClient::new(settings(&app, "v3", "MD5", "http://127.0.0.1:1/notify"))
        .expect("client")
        .create_jsapi("../x", "物业费", 0, OPENID, "")
        .await
        .expect_err("not sent");
    assert_eq!(bad_input.refusal_code(), Some("PARAM_ERROR"));
}

#[test]
fn the_kit_defaults_hold_the_sandboxs_dev_keys() {
    #[derive(serde::Deserialize)]
    struct Section {
        wxpay: WxPaySettings,
    }
    let section: Section = kit::settings::load_with(&[]).expect("defaults load");
    assert_eq!(
        section.wxpay.v3_merchant_private_key.trim(),
        include_str!("../../fixtures/wxpay/dev-merchant-private-key.pem").trim()
    );
    assert_eq!(
        section.wxpay.v3_platform_public_key.trim(),
        include_str!("../../fixtures/wxpay/dev-platform-public-key.pem").trim()
    );
    let sandbox = sandbox::SandboxSettings::default();
    assert_eq!(section.wxpay.mchid, sandbox.wxpay_mchid);
    assert_eq!(section.wxpay.v2_key, sandbox.wxpay_v2_key);
    assert_eq!(section.wxpay.v3_api_key, sandbox.wxpay_v3_api_key);
    assert_eq!(
        section.wxpay.v3_merchant_serial,
        sandbox.wxpay_merchant_serial
    );
    assert_eq!(
        section.wxpay.v3_platform_public_key_id,
        sandbox.wxpay_platform_public_key_id
    );
    assert_eq!(section.wxpay.appid, sandbox.wechat_appid);
    assert_eq!(section.wxpay.v2_sign_type, WxPaySignType::HmacSha256);
}
