//! `wxpay::WxPayClient` against the sandbox's WeChat Pay, APIv3 and APIv2, with a small
//! notify endpoint that verifies notifications as the gateway will.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};
use wxpay::crypto::{RsaVerifier, v2_sign};
use wxpay::{
    NotificationOutcome, PayParams, PaymentNotice, RefundNotice, RefundRequest, RefundStatus,
    WxPayClient, WxPayError, WxPaySettings, WxPaySignType, WxPayVersion,
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
struct Received<T> {
    headers: HashMap<String, String>,
    body: Vec<u8>,
    parsed: Result<T, WxPayError>,
}

type Inbox<T> = Arc<Mutex<Vec<Received<T>>>>;
/// How the gateway reads a notification: `parse_notification` or `parse_refund_notification`.
type Parse<T> = fn(&WxPayClient, &HashMap<String, String>, &[u8]) -> Result<T, WxPayError>;

/// Notify endpoints (payments and refunds) on a free port that verify with `client` and answer
/// as WeChat requires.
struct Receiver {
    url: String,
    refund_url: String,
    received: Inbox<PaymentNotice>,
    refunds: Inbox<RefundNotice>,
}

impl Receiver {
    async fn start(client: WxPayClient) -> Receiver {
        let received: Inbox<PaymentNotice> = Arc::default();
        let refunds: Inbox<RefundNotice> = Arc::default();
        let state = ReceiverState {
            client,
            received: received.clone(),
            refunds: refunds.clone(),
        };
        let base = format!(
            "{}/api/v1/weapp/payment",
            crate::helpers::serve_routes(
                state,
                &[
                    ("/api/v1/weapp/payment/notify", || web::post().to(notify)),
                    ("/api/v1/weapp/payment/refund_notify", || {
                        web::post().to(refund_notify)
                    }),
                ],
            )
        );
        Receiver {
            url: format!("{base}/notify"),
            refund_url: format!("{base}/refund_notify"),
            received,
            refunds,
        }
    }

    fn take(&self) -> Vec<Received<PaymentNotice>> {
        std::mem::take(&mut *self.received.lock().expect("lock"))
    }

    fn take_refunds(&self) -> Vec<Received<RefundNotice>> {
        std::mem::take(&mut *self.refunds.lock().expect("lock"))
    }
}

struct ReceiverState {
    client: WxPayClient,
    received: Inbox<PaymentNotice>,
    refunds: Inbox<RefundNotice>,
}

async fn notify(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<ReceiverState>,
) -> HttpResponse {
    receive(
        &state.client,
        &req,
        &body,
        &state.received,
        WxPayClient::parse_notification,
    )
}

async fn refund_notify(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<ReceiverState>,
) -> HttpResponse {
    receive(
        &state.client,
        &req,
        &body,
        &state.refunds,
        WxPayClient::parse_refund_notification,
    )
}

/// Verifies with `parse` as the gateway will, keeps what came, answers as WeChat requires.
fn receive<T>(
    client: &WxPayClient,
    req: &HttpRequest,
    body: &[u8],
    inbox: &Inbox<T>,
    parse: Parse<T>,
) -> HttpResponse {
    let headers: HashMap<String, String> = req
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    let parsed = parse(client, &headers, body);
    let answer = client.notification_answer(if parsed.is_ok() {
        NotificationOutcome::Accepted
    } else {
        NotificationOutcome::Refused
    });
    inbox.lock().expect("lock").push(Received {
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
    let mut ours = settings(&app, version, sign_type, &receiver.url);
    ours.refund_notify_url = receiver.refund_url.clone();
    let client = WxPayClient::new(ours).expect("client");
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

    // Handed over instead of posted: nothing arrives, and what was handed over verifies as the
    // notification would have.
    let handed = out_trade_no("H");
    let prepay_id = client
        .create_jsapi(&handed, "物业费", 900, OPENID, "")
        .await
        .expect("placed");
    let answer = pay(&app, json!({ "prepay_id": prepay_id, "hand_over": true })).await;
    assert_eq!(answer["delivered"], false, "{answer}");
    assert!(receiver.take().is_empty(), "nothing was posted");
    let notification = &answer["notification"];
    assert_eq!(notification["url"], receiver.url);
    let headers: HashMap<String, String> = notification["headers"]
        .as_object()
        .expect("headers")
        .iter()
        .map(|(name, value)| {
            let value = value.as_str().expect("a header's text").to_owned();
            (name.to_ascii_lowercase(), value)
        })
        .collect();
    let body = notification["body"].as_str().expect("the body");
    let notice = client
        .parse_notification(&headers, body.as_bytes())
        .expect("the handed-over notification verifies");
    assert_eq!(
        (notice.out_trade_no.as_str(), notice.total_fen),
        (handed.as_str(), 900)
    );
    assert_eq!(notice.transaction_id, answer["transaction_id"]);

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

const MERCHANT_CERT: &str = include_str!("../../fixtures/wxpay/dev-merchant-cert.pem");
const MERCHANT_KEY: &str = include_str!("../../fixtures/wxpay/dev-merchant-private-key.pem");

/// The order's refunds as the sandbox lists them.
async fn refunds_of(app: &TestSandbox, out_trade_no: &str) -> Vec<Value> {
    let (status, list) = app
        .get_json("/wxpay/refunds", &[("out_trade_no", out_trade_no)])
        .await;
    assert_eq!(status, 200, "{list}");
    list.as_array().expect("a list").clone()
}

/// The order's refunds once `count` of them are listed and every notification was taken.
async fn notified_refunds(app: &TestSandbox, out_trade_no: &str, count: usize) -> Vec<Value> {
    for _ in 0..100 {
        let list = refunds_of(app, out_trade_no).await;
        if list.len() == count && list.iter().all(|refund| refund["notified"] == true) {
            return list;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{count} notified refunds of {out_trade_no} never came");
}

/// A paid order of `total_fen`, its payment notification consumed.
async fn paid_order(
    app: &TestSandbox,
    client: &WxPayClient,
    receiver: &Receiver,
    total_fen: i64,
) -> String {
    let no = out_trade_no("P");
    let prepay_id = client
        .create_jsapi(&no, "物业费", total_fen, OPENID, "")
        .await
        .expect("placed");
    let answer = pay(app, json!({ "prepay_id": prepay_id })).await;
    assert_eq!(answer["delivered"], true, "{answer}");
    receiver.take();
    no
}

fn refund_request<'a>(
    out_trade_no: &'a str,
    out_refund_no: &'a str,
    refund_fen: i64,
) -> RefundRequest<'a> {
    RefundRequest {
        out_trade_no,
        out_refund_no,
        refund_fen,
        total_fen: 10_000,
        reason: "多缴退还",
    }
}

/// The one refund notification received, verified.
fn the_refund_notice(receiver: &Receiver) -> (Received<RefundNotice>, RefundNotice) {
    let mut received = receiver.take_refunds();
    assert_eq!(received.len(), 1, "one refund notification");
    let received = received.remove(0);
    let notice = received
        .parsed
        .clone()
        .expect("the refund notification verifies");
    (received, notice)
}

/// Partial refund, its notification and query, a retry, refusals, then the rest.
async fn refunds_go_round(version: &str, sign_type: &str) {
    let (app, client, receiver) = setup(version, sign_type).await;
    let client = if version == "v2" {
        // APIv2 refunds go out with the merchant certificate (plain HTTP to the sandbox).
        let mut with_certificate = settings(&app, version, sign_type, &receiver.url);
        with_certificate.refund_notify_url = receiver.refund_url.clone();
        with_certificate.v2_client_cert_pem = MERCHANT_CERT.to_owned();
        with_certificate.v2_client_key_pem = MERCHANT_KEY.to_owned();
        WxPayClient::new(with_certificate).expect("client")
    } else {
        client
    };
    let v3 = client.version() == WxPayVersion::V3;
    let no = paid_order(&app, &client, &receiver, 10_000).await;
    let first_no = format!("{no}R1");

    let first = client
        .refund(&refund_request(&no, &first_no, 3_000))
        .await
        .expect("refunded in part");
    assert_eq!(first.out_refund_no, first_no);
    assert_eq!(first.refund_fen, 3_000);
    assert_eq!(first.status, RefundStatus::Processing);
    assert!(!first.refund_id.is_empty());
    let listed = notified_refunds(&app, &no, 1).await;
    assert_eq!(listed[0]["status"], "SUCCESS");
    assert_eq!(listed[0]["refund_fen"], 3_000);
    let (received, notice) = the_refund_notice(&receiver);
    assert_eq!(notice.out_trade_no, no);
    assert_eq!(notice.out_refund_no, first_no);
    assert_eq!(notice.refund_id, first.refund_id);
    assert_eq!((notice.refund_fen, notice.total_fen), (3_000, 10_000));
    assert_eq!(notice.status, RefundStatus::Success);
    assert!(notice.success_time.is_some());
    let queried = client.query_refund(&first_no).await.expect("queried");
    assert_eq!(
        queried.map(|q| (q.refund_id, q.status, q.refund_fen)),
        Some((first.refund_id.clone(), RefundStatus::Success, 3_000))
    );
    // The order is refunded in part: no longer plainly paid.
    assert_eq!(client.query(&no).await, Ok(None));

    // The same refund again is the same refund, refunded and notified once.
    let again = client
        .refund(&refund_request(&no, &first_no, 3_000))
        .await
        .expect("the same refund");
    assert_eq!(again.refund_id, first.refund_id);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(receiver.take_refunds().is_empty(), "no second notification");
    assert_eq!(refunds_of(&app, &no).await.len(), 1);

    // The same number for another amount, more than is left, an unknown or unpaid order.
    let reused = client
        .refund(&refund_request(&no, &first_no, 3_001))
        .await
        .expect_err("another amount under the same number");
    assert_eq!(
        reused.refusal_code(),
        Some(if v3 {
            "INVALID_REQUEST"
        } else {
            "REFUND_FEE_MISMATCH"
        })
    );
    let rest_no = format!("{no}R2");
    let over = client
        .refund(&refund_request(&no, &rest_no, 7_001))
        .await
        .expect_err("more than is left");
    assert_eq!(
        over.refusal_code(),
        Some(if v3 {
            "INVALID_REQUEST"
        } else {
            "REFUND_FEE_INVALID"
        })
    );
    let unknown = out_trade_no("U");
    let refused = client
        .refund(&refund_request(&unknown, &format!("{unknown}R"), 1))
        .await
        .expect_err("unknown order");
    assert_eq!(
        refused.refusal_code(),
        Some(if v3 {
            "RESOURCE_NOT_EXISTS"
        } else {
            "ORDERNOTEXIST"
        })
    );
    let unpaid = out_trade_no("N");
    client
        .create_jsapi(&unpaid, "物业费", 10_000, OPENID, "")
        .await
        .expect("placed");
    let refused = client
        .refund(&refund_request(&unpaid, &format!("{unpaid}R"), 1))
        .await
        .expect_err("unpaid order");
    assert_eq!(
        refused.refusal_code(),
        Some(if v3 {
            "INVALID_REQUEST"
        } else {
            "TRADE_STATE_ERROR"
        })
    );
    assert_eq!(refunds_of(&app, &unpaid).await, Vec::<Value>::new());

    // The rest: the order is refunded in full, and nothing more can be.
    client
        .refund(&refund_request(&no, &rest_no, 7_000))
        .await
        .expect("the rest refunded");
    let listed = notified_refunds(&app, &no, 2).await;
    let refunded: i64 = listed.iter().filter_map(|r| r["refund_fen"].as_i64()).sum();
    assert_eq!(refunded, 10_000);
    let (_, rest) = the_refund_notice(&receiver);
    assert_eq!(
        (rest.out_refund_no.as_str(), rest.refund_fen),
        (rest_no.as_str(), 7_000)
    );
    let beyond = client
        .refund(&refund_request(&no, &format!("{no}R3"), 1))
        .await
        .expect_err("nothing left");
    assert!(beyond.refusal_code().is_some(), "{beyond:?}");
    assert_eq!(client.query_refund(&format!("{no}R3")).await, Ok(None));

    refund_forgeries_are_refused(&client, received);
}

/// The genuine refund notification `received`, altered or sealed by someone else: refused.
fn refund_forgeries_are_refused(client: &WxPayClient, received: Received<RefundNotice>) {
    let refused = |headers: &HashMap<String, String>, body: &[u8]| {
        matches!(
            client.parse_refund_notification(headers, body),
            Err(WxPayError::BadNotification(_))
        )
    };
    assert!(
        !refused(&received.headers, &received.body),
        "the genuine one verifies"
    );
    match client.version() {
        WxPayVersion::V3 => {
            // One byte of the signed body changed.
            let mut body = received.body.clone();
            let last = body.len() - 2;
            body[last] = b' ';
            assert!(refused(&received.headers, &body));
            // Another signature.
            let mut headers = received.headers.clone();
            let other = client
                .mini_program_params("wx-any")
                .expect("a merchant signature");
            headers.insert("wechatpay-signature".to_owned(), other.pay_sign);
            assert!(refused(&headers, &received.body));
        }
        WxPayVersion::V2 => {
            // The same content sealed with another API key.
            let text = String::from_utf8(received.body.clone()).expect("UTF-8");
            let mut fields = wxpay::xml::from_xml(&text).expect("XML");
            let ours = wxpay::crypto::v2_req_info_open(
                "sandbox-wxpay-v2-key-0123456789a",
                &fields["req_info"],
            )
            .expect("opens with our key");
            let forged = wxpay::crypto::v2_req_info_seal("another-v2-key-0123456789abcdefg", &ours)
                .expect("sealed");
            fields.insert("req_info".to_owned(), forged);
            let body = wxpay::xml::to_xml(&fields);
            assert!(refused(&received.headers, body.as_bytes()));
        }
    }
}

#[tokio::test]
async fn a_v3_refund_is_notified_queried_idempotent_and_bounded_by_the_paid_total() {
    refunds_go_round("v3", "HMAC-SHA256").await;
}

#[tokio::test]
async fn a_v2_refund_is_notified_queried_idempotent_and_bounded_by_the_paid_total() {
    refunds_go_round("v2", "HMAC-SHA256").await;
    refunds_go_round("v2", "MD5").await;
}

#[tokio::test]
async fn refund_endpoints_refuse_garbage_without_a_500() {
    let app = spawn_sandbox().await;
    let post = |path: &str, body: &'static str| {
        app.client
            .post(app.url(path))
            .header("Content-Type", "text/xml")
            .body(body)
            .send()
    };
    for path in ["/secapi/pay/refund", "/pay/refundquery"] {
        for body in ["", "<xml>", "<xml><appid>x</appid></xml>", "\u{1F600}"] {
            let response = post(path, body).await.expect("answered");
            assert_eq!(response.status(), 200, "{path} {body:?}");
            let text = response.text().await.expect("a body");
            assert!(text.contains("<return_code><![CDATA[FAIL]]>"), "{text}");
        }
    }
    let unsigned = post("/v3/refund/domestic/refunds", "{}")
        .await
        .expect("answered");
    assert_eq!(unsigned.status(), 401);
    let unsigned = app
        .client
        .get(app.url("/v3/refund/domestic/refunds/WJDHR1"))
        .send()
        .await
        .expect("answered");
    assert_eq!(unsigned.status(), 401);
    let (status, _) = app.get_json("/wxpay/refunds", &[]).await;
    assert_eq!(status, 400);
    let (status, _) = app
        .get_json("/wxpay/refunds", &[("out_trade_no", "WJDH-none")])
        .await;
    assert_eq!(status, 404);
    // A refund the client refuses to send: WeChat would refuse it too.
    let client =
        WxPayClient::new(settings(&app, "v3", "MD5", "http://127.0.0.1:1/notify")).expect("client");
    let bad = client
        .refund(&RefundRequest {
            out_trade_no: "WJDH000001",
            out_refund_no: "R 1",
            refund_fen: 1,
            total_fen: 1,
            reason: "",
        })
        .await
        .expect_err("not sent");
    assert_eq!(bad.refusal_code(), Some("PARAM_ERROR"));
}
