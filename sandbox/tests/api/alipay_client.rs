//! `alipay::Alipay` against the sandbox's Alipay: the payment page opens a trade, the payer pays,
//! the notification verifies at a small notify endpoint, and the query finds the trade; refunds
//! and their notifications, payouts, the user's authorisation, its token and 芝麻分.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use alipay::{
    Alipay, AlipayError, AlipaySettings, IdentityType, Refund, TradeNotice, Transfer, Transferred,
};
use sandbox::SandboxSettings;
use serde_json::{Value, json};

use crate::helpers::{TestSandbox, serve, spawn_sandbox, spawn_sandbox_with};

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
    let notices: Notices = Arc::default();
    let url = serve("/notify", (client, notices.clone()), || {
        web::post().to(
            |body: web::Bytes, state: web::Data<(Alipay, Notices)>| async move {
                let notice = state.0.verify_notification(&body);
                let answer = if notice.is_ok() { "success" } else { "fail" };
                state.1.lock().expect("lock").push(notice);
                HttpResponse::Ok().body(answer)
            },
        )
    });
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

    // Handed over instead of posted: nothing arrives, and the form verifies as it would have.
    let handed = pay(&app, json!({ "out_trade_no": no, "hand_over": true })).await;
    assert!(
        notices.lock().expect("lock").is_empty(),
        "nothing was posted"
    );
    let notification = &handed["notification"];
    let url = notification["url"].as_str().unwrap_or_default();
    assert!(url.ends_with("/notify"), "the receiver's URL: {url}");
    assert_eq!(
        notification["headers"],
        json!({"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    );
    let form = notification["body"].as_str().expect("the form");
    let notice = client
        .verify_notification(form.as_bytes())
        .expect("the handed-over form verifies");
    assert_eq!(
        (notice.out_trade_no.as_str(), notice.total_fen),
        (no.as_str(), 1000)
    );

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

/// The notifications `notices` received once there are `count` (waiting up to 5 s).
async fn received(notices: &Notices, count: usize) -> Vec<Result<TradeNotice, AlipayError>> {
    for _ in 0..100 {
        if notices.lock().expect("lock").len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    notices.lock().expect("lock").clone()
}

/// A trade of `fen` opened and paid; its payment notification taken from `notices`.
async fn paid_trade(app: &TestSandbox, client: &Alipay, notices: &Notices, fen: i64) -> String {
    let no = out_trade_no();
    assert_eq!(open_page(app, client, &no, fen).await.0, 200);
    assert_eq!(
        pay(app, json!({ "out_trade_no": no })).await["delivered"],
        true
    );
    let payment = std::mem::take(&mut *notices.lock().expect("lock"));
    assert!(payment[0].as_ref().is_ok_and(TradeNotice::is_paid));
    no
}

async fn held(app: &TestSandbox, no: &str) -> Value {
    let (status, held) = app
        .get_json("/alipay/trades", &[("out_trade_no", no)])
        .await;
    assert_eq!(status, 200, "{held}");
    held
}

fn refused<T: std::fmt::Debug>(answer: Result<T, AlipayError>) -> String {
    answer
        .expect_err("refused")
        .refusal_code()
        .unwrap_or("not a refusal")
        .to_owned()
}

#[tokio::test]
async fn a_paid_trade_is_refunded_in_part_then_in_whole_each_refund_notified_as_a_refund() {
    let (app, client, notices) = setup().await;
    let no = paid_trade(&app, &client, &notices, 1000).await;

    // A partial refund: the trade stays TRADE_SUCCESS and says what was refunded.
    let first = client
        .refund(&no, "R1", 300, "看房取消")
        .await
        .expect("refunded");
    assert_eq!(
        (
            first.refund_fen,
            first.total_refunded_fen,
            first.fund_change
        ),
        (300, 300, true)
    );
    assert_eq!(first.out_trade_no, no);
    assert_eq!(
        held(&app, &no).await,
        json!({"trade_status": "TRADE_SUCCESS", "total_amount": "10.00", "refund_amount": "3.00"})
    );
    let notice = received(&notices, 1).await[0].clone().expect("verifies");
    assert!(notice.is_refund() && !notice.is_paid(), "{notice:?}");
    assert_eq!(notice.trade_status, "TRADE_SUCCESS");
    let refund = notice.refund.expect("refund fields");
    assert_eq!((refund.out_biz_no.as_str(), refund.refund_fee), ("R1", 300));
    assert!(!refund.gmt_refund.is_empty());

    // The same request again is the same refund: nothing more moves; another amount under it
    // is refused, as is more than is left.
    let again = client
        .refund(&no, "R1", 300, "看房取消")
        .await
        .expect("answered");
    assert_eq!(
        again,
        Refund {
            fund_change: false,
            ..first.clone()
        }
    );
    assert_eq!(
        refused(client.refund(&no, "R1", 500, "").await),
        "ACQ.REASON_TRADE_REFUND_FEE_ERR"
    );
    assert_eq!(
        refused(client.refund(&no, "R2", 701, "").await),
        "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    );
    assert_eq!(held(&app, &no).await["refund_amount"], "3.00");

    // The rest: the trade closes.
    let last = client.refund(&no, "R2", 700, "").await.expect("refunded");
    assert_eq!((last.total_refunded_fen, last.fund_change), (1000, true));
    assert_eq!(
        held(&app, &no).await,
        json!({"trade_status": "TRADE_CLOSED", "total_amount": "10.00", "refund_amount": "10.00"})
    );
    let closed = client.query(&no).await.expect("queried").expect("a trade");
    assert_eq!(closed.trade_status, alipay::TRADE_CLOSED);
    assert!(!closed.is_paid());
    let notices_now = received(&notices, 2).await;
    let notice = notices_now[1].clone().expect("verifies");
    assert!(notice.is_refund() && !notice.is_paid());
    assert_eq!(notice.trade_status, "TRADE_CLOSED");
    assert_eq!(
        notice.refund.map(|r| (r.out_biz_no, r.refund_fee)),
        Some(("R2".to_owned(), 1000))
    );
    assert_eq!(
        refused(client.refund(&no, "R3", 1, "").await),
        "ACQ.TRADE_STATUS_ERROR"
    );
    let repeated = client.refund(&no, "R2", 700, "").await.expect("answered");
    assert!(!repeated.fund_change);
    // Only the two refunds that moved money were notified.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(notices.lock().expect("lock").len(), 2);
}

#[tokio::test]
async fn an_unpaid_or_unknown_trade_is_not_refunded() {
    let (app, client, _) = setup().await;
    let no = out_trade_no();
    assert_eq!(open_page(&app, &client, &no, 1000).await.0, 200);
    assert_eq!(
        refused(client.refund(&no, "R1", 1000, "").await),
        "ACQ.TRADE_STATUS_ERROR"
    );
    assert_eq!(
        refused(client.refund(&out_trade_no(), "R1", 1000, "").await),
        "ACQ.TRADE_NOT_EXIST"
    );
    assert_eq!(held(&app, &no).await["refund_amount"], "0.00");
}

fn payout<'a>(out_biz_no: &'a str, fen: i64, to: &'a str, name: Option<&'a str>) -> Transfer<'a> {
    Transfer {
        out_biz_no,
        amount_fen: fen,
        payee_identity: to,
        identity_type: if to.starts_with("2088") {
            IdentityType::AlipayUserId
        } else {
            IdentityType::AlipayLogonId
        },
        payee_name: name,
        order_title: "租金结算",
        remark: "万家灯火",
    }
}

#[tokio::test]
async fn a_payout_is_made_once_per_out_biz_no_and_listed() {
    let (app, client, _) = setup().await;
    let (logon, user, name) = sandbox::ACCOUNTS[0];
    let paid: Transferred = client
        .transfer(&payout("T1", 10, logon, Some(name)))
        .await
        .expect("paid out");
    assert_eq!(paid.status, "SUCCESS");
    assert!(!paid.order_id.is_empty() && !paid.pay_fund_order_id.is_empty());
    assert_eq!(paid.trans_date.len(), "2026-01-01 00:00:00".len());
    let again = client
        .transfer(&payout("T1", 10, logon, Some(name)))
        .await
        .expect("answered");
    assert_eq!(again, paid, "the same out_biz_no is the same payout");

    // Refusals as Alipay's.
    let cases = [
        (
            payout("T2", 9, logon, Some(name)),
            "EXCEED_LIMIT_SM_MIN_AMOUNT",
        ),
        (
            payout("T2", 10, logon, Some("张三")),
            "PAYEE_USER_INFO_ERROR",
        ),
        (
            payout("T2", 10, user, Some("张三")),
            "PAYEE_USER_INFO_ERROR",
        ),
        (
            payout("T2", 10, logon, None),
            "isv.missing-required-arguments",
        ),
        (payout("T2", 10, "nobody", Some("张三")), "PAYEE_NOT_EXIST"),
        (payout("T2", 10, "2088123", None), "PAYEE_NOT_EXIST"),
        (payout("T1", 20, logon, Some(name)), "INVALID_PARAMETER"),
    ];
    for (transfer, code) in cases {
        assert_eq!(
            refused(client.transfer(&transfer).await),
            code,
            "{transfer:?}"
        );
    }

    // Any mobile or email is an account, named as the payout names it; a listed user id is
    // named as listed.
    client
        .transfer(&payout("T2", 1234, "13912345678", Some("张三")))
        .await
        .expect("paid out");
    client
        .transfer(&payout("T3", 50, user, None))
        .await
        .expect("paid out");
    let (status, listed) = app.get_json("/alipay/transfers", &[]).await;
    assert_eq!(status, 200);
    let listed = listed.as_array().expect("a list").clone();
    let brief: Vec<(&str, &str, &str, &str)> = listed
        .iter()
        .map(|t| {
            let text = |key: &str| t[key].as_str().unwrap_or_default();
            (
                text("out_biz_no"),
                text("amount"),
                text("identity"),
                text("name"),
            )
        })
        .collect();
    assert_eq!(
        brief,
        [
            ("T1", "0.10", logon, name),
            ("T2", "12.34", "13912345678", "张三"),
            ("T3", "0.50", user, name),
        ]
    );
    assert_eq!(listed[0]["order_id"], paid.order_id.as_str());
    assert_eq!(listed[0]["status"], "SUCCESS");
    assert_eq!(listed[0]["trans_date"], paid.trans_date.as_str());
}

#[tokio::test]
async fn refunds_and_payouts_draw_on_the_merchants_balance() {
    let (app, client, notices) = setup().await;
    let no = paid_trade(&app, &client, &notices, 1000).await;
    // The opening balance goes out, then half of the payment: 5.00 元 are left.
    let (logon, _, name) = sandbox::ACCOUNTS[0];
    client
        .transfer(&payout(
            "B1",
            sandbox::OPENING_BALANCE_FEN,
            logon,
            Some(name),
        ))
        .await
        .expect("paid out");
    client
        .transfer(&payout("B2", 500, logon, Some(name)))
        .await
        .expect("paid out");
    assert_eq!(
        refused(client.refund(&no, "R1", 1000, "").await),
        "ACQ.SELLER_BALANCE_NOT_ENOUGH"
    );
    assert_eq!(
        refused(client.transfer(&payout("B3", 501, logon, Some(name))).await),
        "PAYER_BALANCE_NOT_ENOUGH"
    );
    let refund = client.refund(&no, "R1", 500, "").await.expect("covered");
    assert_eq!(refund.total_refunded_fen, 500);
}

type Returns = Arc<Mutex<Vec<BTreeMap<String, String>>>>;

/// Our `auth_notify` on a free port: keeps the query of each return from Alipay.
fn auth_receiver() -> (String, Returns) {
    let returns: Returns = Arc::default();
    let url = serve("/auth_notify", returns.clone(), || {
        web::get().to(|req: HttpRequest, returns: web::Data<Returns>| async move {
            let query = url::form_urlencoded::parse(req.query_string().as_bytes())
                .into_owned()
                .collect();
            returns.lock().expect("lock").push(query);
            HttpResponse::Ok().body("<html>授权成功</html>")
        })
    });
    (url, returns)
}

#[tokio::test]
async fn an_approved_authorisation_buys_a_token_and_the_users_zhima_score() {
    let app = spawn_sandbox().await;
    let (auth_notify, returns) = auth_receiver();
    let client = Alipay::new(AlipaySettings {
        auth_redirect_url: auth_notify.clone(),
        ..settings(&app, "http://unused")
    })
    .expect("client");

    // The user opens the page we send them to, and approves.
    let url = client.auth_url("listing 42&x");
    assert!(
        url.starts_with(&format!(
            "{}?app_id={}&scope=auth_user&redirect_uri=",
            app.url("/alipay/oauth2/publicAppAuthorize.htm"),
            app.settings.alipay_app_id
        )),
        "{url}"
    );
    let page = app.client.get(&url).send().await.expect("page");
    assert_eq!(page.status().as_u16(), 200);
    assert!(
        page.text()
            .await
            .expect("html")
            .contains("listing 42&amp;x")
    );
    let user_id = "2088102000000042";
    let (status, approved) = app
        .post_json(
            "/alipay/authorize",
            &[],
            &json!({"state": "listing 42&x", "user_id": user_id}),
        )
        .await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(
        approved,
        json!({"delivered": true, "status": 200, "auth_code": approved["auth_code"]})
    );
    let back = returns.lock().expect("lock").clone();
    assert_eq!(back.len(), 1);
    let text = |key: &str| back[0].get(key).cloned().unwrap_or_default();
    assert_eq!(text("state"), "listing 42&x");
    assert_eq!(text("app_id"), app.settings.alipay_app_id);
    assert_eq!(
        (text("source").as_str(), text("scope").as_str()),
        ("alipay_wallet", "auth_user")
    );
    let auth_code = text("auth_code");
    assert_eq!(approved["auth_code"], auth_code.as_str());

    // The code buys the user's token once.
    let token = client.oauth_token(&auth_code).await.expect("a token");
    assert_eq!(token.user_id, user_id);
    assert!(!token.open_id.is_empty() && !token.refresh_token.is_empty());
    assert!(token.expires_in > 0);
    assert_eq!(
        refused(client.oauth_token(&auth_code).await),
        "isv.code-invalid"
    );
    assert_eq!(
        refused(client.oauth_token("made-up").await),
        "isv.code-invalid"
    );

    // The token reads that user's score, and no one else's.
    let score = client
        .zhima_score(&token.access_token, "ZM-TX-1")
        .await
        .expect("a score");
    assert_eq!(score.score, sandbox::zhima_score(user_id));
    assert!(!score.biz_no.is_empty());
    assert_eq!(
        refused(client.zhima_score("authusrBmadeup", "ZM-TX-2").await),
        "aop.invalid-auth-token"
    );
}

#[tokio::test]
async fn an_authorisation_without_a_page_returns_to_the_configured_address() {
    let (auth_notify, returns) = auth_receiver();
    let app = spawn_sandbox_with(SandboxSettings {
        alipay_auth_redirect_uri: auth_notify,
        ..SandboxSettings::default()
    })
    .await;
    let user = json!({"state": "s-1", "user_id": "2088102000000043"});
    let (status, approved) = app.post_json("/alipay/authorize", &[], &user).await;
    assert_eq!((status, approved["delivered"].clone()), (200, json!(true)));
    assert_eq!(
        returns.lock().expect("lock")[0]
            .get("state")
            .map(String::as_str),
        Some("s-1")
    );

    // Not an Alipay user id, or not the body: the helper says so.
    for body in [
        json!({"state": "s-1", "user_id": "2088"}),
        json!({"state": "s-1", "user_id": "3088102000000043"}),
        json!({"user_id": "2088102000000043"}),
    ] {
        assert_eq!(
            app.post_json("/alipay/authorize", &[], &body).await.0,
            400,
            "{body}"
        );
    }
    // Another application's page is refused.
    let page = app
        .client
        .get(app.url("/alipay/oauth2/publicAppAuthorize.htm"))
        .query(&[
            ("app_id", "2021999999999999"),
            ("scope", "auth_user"),
            ("redirect_uri", "http://x.cn/"),
        ])
        .send()
        .await
        .expect("page");
    assert_eq!(page.status().as_u16(), 400);
    assert!(
        page.text()
            .await
            .expect("html")
            .contains("isv.invalid-app-id")
    );
}

#[tokio::test]
async fn a_request_signed_with_another_key_is_refused_by_every_new_method() {
    let (app, client, notices) = setup().await;
    let no = paid_trade(&app, &client, &notices, 1000).await;
    let impostor = Alipay::new(AlipaySettings {
        app_private_key: FORGER_PRIVATE_KEY.to_owned(),
        ..settings(&app, "http://unused")
    })
    .expect("client");
    let (logon, _, name) = sandbox::ACCOUNTS[0];
    let forged = [
        refused(impostor.refund(&no, "R1", 1000, "").await),
        refused(
            impostor
                .transfer(&payout("F1", 10, logon, Some(name)))
                .await,
        ),
        refused(impostor.oauth_token("any").await),
        refused(impostor.zhima_score("any", "ZM-TX-3").await),
    ];
    assert_eq!(forged, ["isv.invalid-signature"; 4].map(str::to_owned));
    // Nothing moved.
    assert_eq!(held(&app, &no).await["refund_amount"], "0.00");
    assert_eq!(app.get_json("/alipay/transfers", &[]).await.1, json!([]));
}
