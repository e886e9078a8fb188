//! Bills (000 §4.1.2, 001 §2.1.3), closing orders, one live WeChat Pay order per order, and
//! reconciliation of payments whose notification never came — through the gateway.
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{
    Answer, BoundResident, FU_YU, TestApp, assert_refused, assert_refused_for, house_identifier,
    spawn_app, spawn_app_with,
};

/// An order titled `title` for 晨曦家园 1-1-1-101.
async fn titled_order(app: &TestApp, platform: &str, title: &str, amount: &str) -> String {
    let created = app
        .post(
            "/api/v1/order/new",
            json!({"xiaoqu": "10002", "type": "house", "identifier": house_identifier("1", "101"),
                   "title": title, "amount": amount}),
            Some(platform),
        )
        .await;
    assert_eq!(created.code(), 0, "{:?}", created.body);
    created.str("data").to_owned()
}

/// Waits until `check` holds (20 s at most).
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never happened: {what}");
}

fn today() -> String {
    kit::time::beijing_datetime(kit::time::now_unix())[..10].to_owned()
}

/// 付钰 (bound to 101) with two orders of 101, 测试费1 and 测试费2 (0.01 each), paid together.
struct PaidBill {
    platform: String,
    resident: BoundResident,
    /// The orders' numbers and ids, in the order they were made.
    orders: [(String, i64); 2],
    /// The sandbox's payment (`out_trade_no`, `transaction_id`).
    paid: Value,
}

async fn paid_bill(app: &TestApp) -> PaidBill {
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await;
    let first = titled_order(app, &platform, "测试费1", "0.01").await;
    let second = titled_order(app, &platform, "测试费2", "0.01").await;
    let mine = app
        .post("/api/v1/orders/list", json!({}), Some(&resident.token))
        .await;
    let id = |number: &str| {
        mine.rows().iter().find(|r| r["number"] == number).unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (a, b) = (id(&first), id(&second));
    let paying = app.pay(&resident.token, &format!("{a}A{b}")).await;
    let paid = app
        .sandbox("/wxpay/pay", json!({"prepay_id": paying.prepay_id()}))
        .await;
    assert_eq!(paid["delivered"], true, "{paid:?}");
    PaidBill {
        platform,
        resident,
        orders: [(first, a), (second, b)],
        paid,
    }
}

#[tokio::test]
async fn a_resident_who_paid_nothing_has_an_empty_bill_list() {
    let app = spawn_app().await;
    let resident = app.bound_resident(FU_YU).await.token;
    let empty = app
        .post("/api/v1/payments/list", json!({}), Some(&resident))
        .await;
    assert_eq!(empty.code(), 0, "{:?}", empty.body);
    assert!(empty.rows().is_empty());
    assert_eq!(empty.body["pages"], Value::Null);
    app.stop().await;
}

#[tokio::test]
async fn a_bill_shows_what_its_payment_paid_as_the_seed_shows() {
    let app = spawn_app().await;
    let PaidBill {
        resident,
        orders: paid_orders,
        paid,
        ..
    } = paid_bill(&app).await;
    // 000 §4.1.2's example, field by field.
    let bills = app
        .post("/api/v1/payments/list", json!({}), Some(&resident.token))
        .await;
    assert_eq!(bills.code(), 0, "{:?}", bills.body);
    assert_eq!(bills.str("msg"), "成功获取账单列表");
    assert_eq!(bills.str("message"), "成功获取账单列表Payments234");
    assert_eq!(bills.body["token_expired"], 1);
    let list = bills.rows();
    assert_eq!(list.len(), 1, "{:?}", bills.body);
    let bill = &list[0];
    assert!(bill["id"].as_i64().unwrap() > 0);
    assert_eq!(bill["total_amount"], "0.02");
    let paid_at = bill["paid_at"].as_str().unwrap();
    assert_eq!(paid_at.len(), 19, "2020-12-13 23:01:07: {paid_at}");
    assert!(paid_at.starts_with(&today()), "{paid_at}");
    assert_eq!(bill["payment_number"], paid["transaction_id"]);
    assert_eq!(bill["payment_shop_number"], paid["out_trade_no"]);
    let orders = bill["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 2);
    for (order, ((number, id), title)) in orders
        .iter()
        .zip(paid_orders.iter().zip(["测试费1", "测试费2"]))
    {
        assert_eq!(order["id"], *id);
        assert_eq!(order["number"], number.as_str());
        assert_eq!(order["title"], title);
        assert_eq!(order["amount"], "0.01元");
        assert_eq!(order["house"], "晨曦家园1栋1单元1楼101号");
        assert_eq!(order["status"], "进行中");
        assert_eq!(order["paied"], "已付款");
    }
    let pages = &bills.body["pages"];
    assert_eq!(pages["current_page"], 1);
    assert_eq!(pages["total"], 1);
    assert!(
        pages["path"]
            .as_str()
            .unwrap()
            .ends_with("/api/v1/payments/list")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_residents_bills_are_filtered_by_title_house_and_order_status() {
    let app = spawn_app().await;
    let PaidBill { resident, .. } = paid_bill(&app).await;
    let BoundResident { token, house } = resident;
    // `paied` is the orders' status (1 进行中).
    for (filter, expected) in [
        (json!({"title": "测试费1"}), 1),
        (json!({"title": "水费"}), 0),
        (json!({"house_id": house}), 1),
        (json!({"house_id": house + 1}), 0),
        (json!({"paied": 1}), 1),
        (json!({"paied": 0}), 0),
        (json!({"page": 2}), 0),
    ] {
        let answer = app
            .post("/api/v1/payments/list", filter.clone(), Some(&token))
            .await;
        assert_eq!(answer.code(), 0, "{filter}: {:?}", answer.body);
        assert_eq!(answer.rows().len(), expected, "{filter}: {:?}", answer.body);
    }
    let bad = app
        .post(
            "/api/v1/payments/list",
            json!({"house_id": "x"}),
            Some(&token),
        )
        .await;
    assert_refused(&bad, 400, "house_id");
    let no_token = app.post("/api/v1/payments/list", json!({}), None).await;
    assert_eq!(no_token.code(), 9);
    app.stop().await;
}

#[tokio::test]
async fn nobody_else_sees_a_residents_bill() {
    let app = spawn_app().await;
    paid_bill(&app).await;
    let other = app.resident_token("o-wangfang", "17600381130").await;
    let theirs = app
        .post("/api/v1/payments/list", json!({}), Some(&other))
        .await;
    assert_eq!(theirs.code(), 0);
    assert!(theirs.rows().is_empty(), "{:?}", theirs.body);
    app.stop().await;
}

#[tokio::test]
async fn the_platform_lists_its_communitys_bills_by_the_order_lists_filters_and_the_payments() {
    let app = spawn_app().await;
    let PaidBill { platform, paid, .. } = paid_bill(&app).await;
    // 001 §2.1.3.
    for (filter, expected) in [
        (json!({}), 1),
        (
            json!({"louhao": 1, "danyuan": 1, "louceng": 1, "fangjian": 101}),
            1,
        ),
        (
            json!({"louhao": 1, "danyuan": 1, "louceng": 1, "fangjian": 102}),
            0,
        ),
        (json!({"phone": "15131512234"}), 1),
        (json!({"phone": "17600381130"}), 0),
        (json!({"title": "测试费2"}), 1),
        (json!({"paid_from": today(), "paid_to": today()}), 1),
        (json!({"paid_to": "2020-12-13"}), 0),
        (json!({"payment_number": paid["transaction_id"]}), 1),
        (json!({"payment_shop_number": "WJDH0000"}), 0),
    ] {
        let mut body = filter.clone();
        body["xiaoqu"] = json!("10002");
        let answer = app
            .post("/api/v1/wjdh/bill/list", body, Some(&platform))
            .await;
        assert_eq!(answer.code(), 0, "{filter}: {:?}", answer.body);
        assert_eq!(answer.rows().len(), expected, "{filter}: {:?}", answer.body);
    }
    let listed = app
        .post(
            "/api/v1/bill/list",
            json!({"xiaoqu": "10002"}),
            Some(&platform),
        )
        .await;
    assert_eq!(listed.rows()[0]["orders"].as_array().unwrap().len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn the_platforms_bill_list_refuses_bad_filters_and_other_communities() {
    let app = spawn_app().await;
    let PaidBill { platform, .. } = paid_bill(&app).await;
    for (body, field) in [
        (
            json!({"xiaoqu": "10002", "paid_from": "2020/12/13"}),
            "paid_from",
        ),
        (json!({"xiaoqu": "10002", "fangjian": 101}), "fangjian"),
        (json!({"xiaoqu": "10002", "page": 0}), "page"),
        (json!({}), "xiaoqu"),
    ] {
        let answer = app
            .post("/api/v1/wjdh/bill/list", body.clone(), Some(&platform))
            .await;
        assert_refused_for(field, &answer, 400, field);
    }
    let jyl = app.platform_10003().await;
    let foreign = app
        .post(
            "/api/v1/wjdh/bill/list",
            json!({"xiaoqu": "10002"}),
            Some(&jyl),
        )
        .await;
    assert_refused(&foreign, 403, "没有权限");
    let own = app
        .post(
            "/api/v1/wjdh/bill/list",
            json!({"xiaoqu": "10003"}),
            Some(&jyl),
        )
        .await;
    assert_eq!(own.code(), 0);
    assert!(own.rows().is_empty());
    app.stop().await;
}

/// Closes order `number` of 10002 as `platform` (no `number` when it is null).
async fn close(app: &TestApp, platform: &str, number: Value) -> Answer {
    let mut body = json!({"xiaoqu": "10002"});
    if !number.is_null() {
        body["number"] = number;
    }
    app.post("/api/v1/wjdh/order/close", body, Some(platform))
        .await
}

#[tokio::test]
async fn the_platform_closes_an_unpaid_order_and_its_wechat_payment_with_it() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await.token;
    let number = titled_order(&app, &platform, "物业费", "0.03").await;
    let id = app.order_id(&resident, "0.03元").await;
    let prepay = app.pay(&resident, &id.to_string()).await.prepay_id();

    let jyl = app.platform_10003().await;
    let foreign = close(&app, &jyl, json!(number)).await;
    assert_refused(&foreign, 403, "没有权限");
    let closed = close(&app, &platform, json!(number)).await;
    assert_eq!(closed.code(), 0, "{:?}", closed.body);
    assert_eq!(closed.str("msg"), "订单已关闭");
    assert_eq!(closed.body["data"]["status"], "已关闭");
    assert_eq!(closed.body["data"]["paied"], "未付款");

    // Its WeChat Pay order is closed too: the payer can no longer pay it.
    let late = app
        .client
        .post(format!("{}/wxpay/pay", app.stack.sandbox_url))
        .json(&json!({ "prepay_id": prepay }))
        .send()
        .await
        .unwrap();
    assert_eq!(late.status().as_u16(), 409);
    assert_refused(&app.pay(&resident, &id.to_string()).await, 409, "已关闭");
    let again = app
        .post(
            "/api/v1/order/close",
            json!({"xiaoqu": "10002", "id": id}),
            Some(&platform),
        )
        .await;
    assert_refused(&again, 409, "已关闭");
    let listed = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002", "status": 0}),
            Some(&platform),
        )
        .await;
    assert_eq!(listed.rows().len(), 1);
    assert_eq!(listed.rows()[0]["number"], number.as_str());
    app.stop().await;
}

#[tokio::test]
async fn a_paid_order_is_not_closed_and_unknown_or_missing_numbers_are_named() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await.token;
    let paid_number = titled_order(&app, &platform, "水费", "0.04").await;
    let paid_id = app.order_id(&resident, "0.04元").await;
    let paying = app.pay(&resident, &paid_id.to_string()).await;
    app.sandbox("/wxpay/pay", json!({"prepay_id": paying.prepay_id()}))
        .await;
    let paid = close(&app, &platform, json!(paid_number)).await;
    assert_refused(&paid, 409, "已支付");
    let unknown = close(&app, &platform, json!("20201211114931367693")).await;
    assert_refused(&unknown, 404, "订单不存在");
    let missing = close(&app, &platform, Value::Null).await;
    assert_refused(&missing, 400, "number");
    app.stop().await;
}

#[tokio::test]
async fn an_order_never_has_two_wechat_payments_that_could_both_take_money() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await.token;
    titled_order(&app, &platform, "物业费", "0.11").await;
    titled_order(&app, &platform, "物业费", "0.12").await;
    let a = app.order_id(&resident, "0.11元").await;
    let b = app.order_id(&resident, "0.12元").await;

    // A double tap, twenty times over: one WeChat Pay order, offered to every call.
    let set = format!("{a}A{b}");
    let calls = (0..20).map(|_| app.pay(&resident, &set));
    let answers = futures::future::join_all(calls).await;
    let first = answers[0].prepay_id();
    for answer in &answers {
        assert_eq!(answer.code(), 0, "{:?}", answer.body);
        assert_eq!(answer.prepay_id(), first);
    }

    // Paying a smaller set replaces it: the first WeChat Pay order is closed before the new one
    // is offered.
    let only_a = app.pay(&resident, &a.to_string()).await;
    assert_eq!(only_a.code(), 0, "{:?}", only_a.body);
    let second = only_a.prepay_id();
    assert_ne!(second, first);
    let stale = app
        .client
        .post(format!("{}/wxpay/pay", app.stack.sandbox_url))
        .json(&json!({ "prepay_id": first }))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 409, "the replaced order is closed");
    let paid = app
        .sandbox("/wxpay/pay", json!({ "prepay_id": second }))
        .await;
    assert_eq!(paid["delivered"], true, "{paid:?}");
    assert_refused(&app.pay(&resident, &set).await, 409, "已支付");
    let bills = app
        .post("/api/v1/payments/list", json!({}), Some(&resident))
        .await;
    assert_eq!(bills.rows().len(), 1);
    assert_eq!(bills.rows()[0]["total_amount"], "0.11");

    // One payment goes to one community: a personal order from 交运里 (where he owns a house
    // too; 交运里's credential reaches only its own residents) cannot join.
    let jyl = app.platform_10003().await;
    let jyl_102 = app.house_id(&resident, "10003", [1, 1, 1, 102]).await;
    app.owner_bound_by_review(&resident, &jyl, jyl_102).await;
    let personal = app
        .post(
            "/api/v1/order/new",
            json!({"xiaoqu": "10003", "type": "phone", "identifier": {"phone": "15131512234"},
                   "title": "临时停车费", "amount": "0.13"}),
            Some(&jyl),
        )
        .await;
    assert_eq!(personal.code(), 0, "{:?}", personal.body);
    let c = app.order_id(&resident, "0.13元").await;
    assert_refused(&app.pay(&resident, &format!("{b}A{c}")).await, 400, "ids");
    assert_eq!(app.pay(&resident, &c.to_string()).await.code(), 0);
    app.stop().await;
}

#[tokio::test]
async fn a_payment_whose_notification_never_arrives_is_found_by_asking_wechat_pay() {
    let app = spawn_app_with(&[
        ("reconciliation.interval_ms", "200"),
        ("reconciliation.after_seconds", "0"),
    ])
    .await;
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await.token;
    let number = titled_order(&app, &platform, "物业费", "0.21").await;
    let id = app.order_id(&resident, "0.21元").await;
    let paying = app.pay(&resident, &id.to_string()).await;
    let paid = app
        .sandbox(
            "/wxpay/pay",
            json!({"prepay_id": paying.prepay_id(), "deliver": false}),
        )
        .await;
    assert_eq!(paid["delivered"], false, "{paid:?}");
    eventually("the order is paid", || async {
        let mine = app
            .post("/api/v1/orders/list", json!({"paied": 1}), Some(&resident))
            .await;
        mine.rows().len() == 1
    })
    .await;
    let bills = app
        .post("/api/v1/payments/list", json!({}), Some(&resident))
        .await;
    assert_eq!(bills.rows().len(), 1);
    assert_eq!(bills.rows()[0]["payment_number"], paid["transaction_id"]);
    eventually("the security platform hears of it", || async {
        app.secplat_payments()
            .await
            .iter()
            .any(|p| p["order_number"] == number.as_str())
    })
    .await;
    // The late notification changes nothing.
    let late = app
        .sandbox(
            "/wxpay/pay",
            json!({"prepay_id": paying.prepay_id(), "times": 5}),
        )
        .await;
    assert_eq!(late["delivered"], true, "{late:?}");
    let bills = app
        .post("/api/v1/payments/list", json!({}), Some(&resident))
        .await;
    assert_eq!(bills.rows().len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn wechat_pay_apiv2_pays_with_md5_or_hmac_signatures_as_the_seed_shows() {
    for sign_type in ["MD5", "HMAC-SHA256"] {
        let app =
            spawn_app_with(&[("wxpay.version", "v2"), ("wxpay.v2_sign_type", sign_type)]).await;
        let platform = app.platform().await;
        let resident = app.bound_resident(FU_YU).await.token;
        titled_order(&app, &platform, "物业费", "0.31").await;
        let id = app.order_id(&resident, "0.31元").await;
        // 000 §4.2.1's example: the mini-program's parameters, signed as configured.
        let paying = app.pay(&resident, &id.to_string()).await;
        assert_eq!(paying.code(), 0, "{:?}", paying.body);
        assert_eq!(paying.str("msg"), "成功获取缴费信息");
        let data = &paying.body["data"];
        assert_eq!(data["signType"], sign_type);
        assert_eq!(data["appId"], "wx-sandbox-appid");
        assert!(data["package"].as_str().unwrap().starts_with("prepay_id="));
        assert!(data["timeStamp"].as_str().unwrap().parse::<i64>().is_ok());
        let sign = data["paySign"].as_str().unwrap();
        assert!(
            sign.len() == if sign_type == "MD5" { 32 } else { 64 }
                && sign
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()),
            "{sign}"
        );
        let forged = app
            .sandbox(
                "/wxpay/pay",
                json!({"prepay_id": paying.prepay_id(), "forge": true}),
            )
            .await;
        assert_eq!(forged["delivered"], false, "{forged:?}");
        let paid = app
            .sandbox(
                "/wxpay/pay",
                json!({"prepay_id": paying.prepay_id(), "times": 10}),
            )
            .await;
        assert_eq!(paid["delivered"], true, "{paid:?}");
        let bills = app
            .post("/api/v1/payments/list", json!({}), Some(&resident))
            .await;
        assert_eq!(bills.rows().len(), 1, "{sign_type}: {:?}", bills.body);
        assert_eq!(bills.rows()[0]["payment_number"], paid["transaction_id"]);
        app.stop().await;
    }
}

/// The platform's refunds of `xiaoqu`'s bills.
async fn refunds_of(app: &TestApp, platform: &str) -> Vec<Value> {
    let list = app
        .post(
            "/api/v1/wjdh/bill/refunds",
            json!({"xiaoqu": "10002"}),
            Some(platform),
        )
        .await;
    assert_eq!(list.code(), 0, "{:?}", list.body);
    list.rows().clone()
}

/// Waits (up to 15 s) until the refund numbered `number` is `status`; the row.
async fn refund_becomes(app: &TestApp, platform: &str, number: &str, status: &str) -> Value {
    for _ in 0..150 {
        let rows = refunds_of(app, platform).await;
        if let Some(row) = rows
            .iter()
            .find(|row| row["refund_number"] == number && row["status"] == status)
        {
            return row.clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "refund {number} never became {status}: {:?}",
        refunds_of(app, platform).await
    );
}

#[tokio::test]
async fn the_platform_refunds_a_bill_in_part_once_per_refund_number() {
    let app = spawn_app().await;
    let PaidBill { platform, paid, .. } = paid_bill(&app).await;
    let bills = app
        .post(
            "/api/v1/wjdh/bill/list",
            json!({"xiaoqu": "10002"}),
            Some(&platform),
        )
        .await;
    let bill = bills.rows()[0]["id"].as_i64().unwrap();
    let refund = |number: &str, amount: &str| {
        let (app, platform) = (&app, platform.clone());
        let body = json!({"xiaoqu": "10002", "bill_id": bill, "amount": amount,
            "refund_number": number, "reason": "多收了"});
        async move {
            app.post("/api/v1/wjdh/bill/refund", body, Some(&platform))
                .await
        }
    };

    // Half of the bill: accepted, then paid back by WeChat Pay (its refund notification).
    let first = refund("TK-1", "0.01").await;
    assert_eq!(first.code(), 0, "{:?}", first.body);
    assert_eq!(first.body["data"]["amount"], "0.01");
    assert_eq!(first.body["data"]["refund_number"], "TK-1");
    let done = refund_becomes(&app, &platform, "TK-1", "已退款").await;
    assert!(done["refunded_at"].is_string(), "{done}");
    // The same number again: the same refund, nothing more goes back.
    let again = refund("TK-1", "0.01").await;
    assert_eq!(
        again.body["data"]["out_refund_no"],
        first.body["data"]["out_refund_no"]
    );
    assert_refused(&refund("TK-1", "0.02").await, 409, "refund_number");
    // More than is left.
    assert_refused(&refund("TK-2", "0.02").await, 400, "amount");
    assert_refused(&refund("退款一", "0.01").await, 400, "refund_number");
    // Another community's credential reaches nothing; a bill that is not there is named.
    let jyl = app.platform_10003().await;
    let theirs = app
        .post(
            "/api/v1/wjdh/bill/refund",
            json!({"xiaoqu": "10003", "bill_id": bill, "amount": "0.01", "refund_number": "X-1"}),
            Some(&jyl),
        )
        .await;
    assert_refused(&theirs, 404, "bill_id");
    let listed = refunds_of(&app, &platform).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    // WeChat Pay holds one refund of 0.01 for the payment.
    let out_trade_no = paid["out_trade_no"].as_str().unwrap();
    let at_wechat = app.wechat_refunds(out_trade_no).await;
    assert_eq!(at_wechat.as_array().map(Vec::len), Some(1), "{at_wechat}");
    // The rest: the bill is then fully refunded.
    let rest = refund("TK-2", "0.01").await;
    assert_eq!(rest.code(), 0, "{:?}", rest.body);
    refund_becomes(&app, &platform, "TK-2", "已退款").await;
    assert_refused(&refund("TK-3", "0.01").await, 400, "amount");
    app.stop().await;
}
