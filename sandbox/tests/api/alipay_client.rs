//! `alipay::Alipay` against the sandbox's Alipay: the payment page opens a trade, the payer pays,
//! the notification verifies at a small notify endpoint, and the query finds the trade.
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpResponse, HttpServer, web};
use alipay::{Alipay, AlipayError, AlipaySettings, TradeNotice};
use serde_json::{Value, json};

use crate::helpers::{TestSandbox, spawn_sandbox};

const APP_PRIVATE_KEY: &str = include_str!("../../fixtures/alipay/dev-app-private-key.pem");
const ALIPAY_PUBLIC_KEY: &str = include_str!("../../fixtures/alipay/dev-alipay-public-key.pem");
const FORGER_PRIVATE_KEY: &str = include_str!("../../fixtures/alipay/dev-forger-private-key.pem");

fn settings(app: &TestSandbox, notify_url: &str) -> AlipaySettings {
    AlipaySettings {
        gateway: app.url("/alipay/gateway.do"),
        app_id: app.settings.alipay_app_id.clone(),
        seller_id: app.settings.alipay_seller_id.clone(),
        app_private_key: APP_PRIVATE_KEY.to_owned(),
        alipay_public_key: ALIPAY_PUBLIC_KEY.to_owned(),
        notify_url: notify_url.to_owned(),
        auth_page: app.url("/alipay/oauth2/publicAppAuthorize.htm"),
        auth_redirect_url: "http://127.0.0.1:9/auth_notify".to_owned(),
        timeout_ms: 3000,
    }
}

type Notices = Arc<Mutex<Vec<Result<TradeNotice, AlipayError>>>>;

/// A notify endpoint on a free port: verifies each notification with `client`, answers
/// `success` when it verified (as a merchant must), and keeps what it made of each.
fn receiver(client: Alipay) -> (String, Notices) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}/notify", listener.local_addr().expect("bound"));
    let notices: Notices = Arc::default();
    let state = web::Data::new((client, notices.clone()));
    let server = HttpServer::new(move || {
        App::new().app_data(state.clone()).route(
            "/notify",
            web::post().to(
                |body: web::Bytes, state: web::Data<(Alipay, Notices)>| async move {
                    let notice = state.0.verify_notification(&body);
                    let answer = if notice.is_ok() { "success" } else { "fail" };
                    state.1.lock().expect("lock").push(notice);
                    HttpResponse::Ok().body(answer)
                },
            ),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .expect("listening")
    .run();
    tokio::spawn(server);
    (url, notices)
}

async fn setup() -> (TestSandbox, Alipay, Notices) {
    let app = spawn_sandbox().await;
    let (url, notices) = receiver(Alipay::new(settings(&app, "http://unused")).expect("client"));
    let client = Alipay::new(settings(&app, &url)).expect("client");
    (app, client, notices)
}

fn out_trade_no() -> String {
    format!("KF{}", &uuid::Uuid::new_v4().simple().to_string()[..16])
}

/// The payer's browser opens the payment page of trade `no` for `fen`: its status and HTML.
async fn open_page(app: &TestSandbox, client: &Alipay, no: &str, fen: i64) -> (u16, String) {
    let url = client
        .wap_pay_url(no, "看房信息费", fen, "")
        .expect("signed");
    let page = app.client.get(url).send().await.expect("page");
    (page.status().as_u16(), page.text().await.expect("html"))
}

async fn pay(app: &TestSandbox, body: Value) -> Value {
    let (status, answer) = app.post_json("/alipay/pay", &[], &body).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

#[tokio::test]
async fn a_wap_payment_opens_is_paid_notified_and_found_by_query() {
    let (app, client, notices) = setup().await;
    let no = out_trade_no();
    assert_eq!(
        client.query(&no).await,
        Ok(None),
        "no trade before the page"
    );

    // The payer's browser opens the payment page: the trade is open, waiting.
    let url = client
        .wap_pay_url(&no, "看房信息费", 1000, "https://m.example.com/paid")
        .expect("signed");
    assert!(url.contains("method=alipay.trade.wap.pay"), "{url}");
    let page = app.client.get(&url).send().await.expect("page");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("10.00") && html.contains(&no), "{html}");
    let waiting = client.query(&no).await.expect("queried").expect("a trade");
    assert_eq!(waiting.trade_status, "WAIT_BUYER_PAY");
    assert_eq!(waiting.total_fen, 1000);
    assert!(!waiting.is_paid());

    // Paid: one notification, verified, naming the trade and the amount.
    let answer = pay(&app, json!({ "out_trade_no": no })).await;
    assert_eq!(answer["delivered"], true, "{answer}");
    let received = std::mem::take(&mut *notices.lock().expect("lock"));
    assert_eq!(received.len(), 1);
    let notice = received[0].clone().expect("the notification verifies");
    assert_eq!(notice.out_trade_no, no);
    assert_eq!(notice.total_fen, 1000);
    assert!(notice.is_paid());
    assert_eq!(notice.trade_no, answer["trade_no"]);
    assert!(notice.gmt_payment.is_some());
    let paid = client.query(&no).await.expect("queried").expect("a trade");
    assert_eq!(paid.trade_status, "TRADE_SUCCESS");
    assert_eq!(paid.buyer_user_id, notice.buyer_id);
    let (status, held) = app
        .get_json("/alipay/trades", &[("out_trade_no", no.as_str())])
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        held,
        json!({"trade_status": "TRADE_SUCCESS", "total_amount": "10.00", "refund_amount": "0.00"})
    );

    // Replays arrive as often as asked; a forged one does not verify and is not taken.
    let replayed = pay(&app, json!({ "out_trade_no": no, "times": 3 })).await;
    assert_eq!(replayed["statuses"].as_array().map(Vec::len), Some(3));
    let forged = pay(&app, json!({ "out_trade_no": no, "forge": true })).await;
    assert_eq!(forged["delivered"], false);
    let received = std::mem::take(&mut *notices.lock().expect("lock"));
    assert_eq!(received.len(), 4);
    assert_eq!(received[3], Err(AlipayError::BadSignature));

    // A paid trade's page is refused, as is the same number for another amount.
    let (status, html) = open_page(&app, &client, &no, 1000).await;
    assert_eq!(status, 400);
    assert!(html.contains("ACQ.TRADE_HAS_SUCCESS"));
}

#[tokio::test]
async fn a_request_alipay_cannot_verify_is_refused_and_a_foreign_notification_too() {
    let (app, client, _) = setup().await;
    let no = out_trade_no();
    let (status, _) = open_page(&app, &client, &no, 1000).await;
    assert_eq!(status, 200);
    let (status, html) = open_page(&app, &client, &no, 999).await;
    assert_eq!(status, 400);
    assert!(html.contains("ACQ.CONTEXT_INCONSISTENT"));

    // Signed with a key that is not the application's: Alipay says so.
    let impostor = Alipay::new(AlipaySettings {
        app_private_key: FORGER_PRIVATE_KEY.to_owned(),
        ..settings(&app, "http://unused")
    })
    .expect("client");
    let refused = impostor.query(&no).await.expect_err("refused");
    assert_eq!(refused.refusal_code(), Some("isv.invalid-signature"));
    // Answers signed by someone else than Alipay are not believed.
    let gullible = Alipay::new(AlipaySettings {
        alipay_public_key: include_str!("../../fixtures/alipay/dev-app-public-key.pem").to_owned(),
        ..settings(&app, "http://unused")
    })
    .expect("client");
    assert_eq!(gullible.query(&no).await, Err(AlipayError::BadSignature));

    // A notification for another application is not ours.
    let foreign = Alipay::new(AlipaySettings {
        app_id: "2021999999999999".to_owned(),
        ..settings(&app, "http://unused")
    })
    .expect("client");
    let (url, notices) = receiver(foreign);
    let notifying_there = Alipay::new(settings(&app, &url)).expect("client");
    let (_, html) = open_page(&app, &notifying_there, &out_trade_no(), 1000).await;
    let opened = html
        .split("class=\"out-trade-no\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the page names the trade")
        .to_owned();
    let answer = pay(&app, json!({ "out_trade_no": opened })).await;
    assert_eq!(answer["delivered"], false);
    assert!(matches!(
        notices.lock().expect("lock")[0],
        Err(AlipayError::BadNotification(_))
    ));
    assert_eq!(
        app.post_json("/alipay/pay", &[], &json!({"out_trade_no": "nope"}))
            .await
            .0,
        404
    );
}
