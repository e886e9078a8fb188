//! 001 §2.1.1–§2.1.2 and 000 §4.1.1 through the gateway: the security platform creates orders
//! for a house or a person and lists them; residents see the orders they may pay.
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, spawn_app};

/// The fixture's 付钰 (owner of 晨曦家园 1-1-101 and 102), imported with his family; (token, house 101).
pub(crate) async fn fuyu(app: &TestApp) -> (String, i64) {
    let phone = "15131512234";
    let token = app.resident_token("o-fuyu", phone).await;
    app.a_minute_passes(phone).await;
    let sent = app
        .post(
            "/api/v1/verificationCodes/phone",
            json!({"phone": phone, "type": "verify"}),
            None,
        )
        .await;
    assert_eq!(sent.code(), 0, "{:?}", sent.body);
    let code = app.last_code(phone).await;
    let imported = app
        .post(
            "/api/v1/security/phone",
            json!({"verification_key": sent.str("key"), "verification_code": code, "id": "10002"}),
            Some(&token),
        )
        .await;
    assert_eq!(imported.code(), 0, "{:?}", imported.body);
    let list = app
        .post("/api/v1/user/housesList", json!({}), Some(&token))
        .await;
    let house = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["introduction"] == "晨曦家园1栋1单元1楼101号")
        .unwrap_or_else(|| panic!("101 in {:?}", list.body))["house_id"]
        .as_i64()
        .unwrap();
    (token, house)
}

pub(crate) fn house_101() -> Value {
    json!({"louhao": "1", "danyuan": "1", "louceng": "1", "fangjian": "101"})
}

pub(crate) async fn new_order(
    app: &TestApp,
    platform: &str,
    kind: &str,
    identifier: Value,
    amount: Value,
) -> Answer {
    app.post(
        "/api/v1/wjdh/order/new",
        json!({"xiaoqu": 10002, "type": kind, "identifier": identifier, "title": "物业费",
               "remark": "2020年物业费征收", "extra": {"单价": "100元/平方"}, "amount": amount}),
        Some(platform),
    )
    .await
}

/// Code 1 with this HTTP status, `msg` naming the field or saying why.
pub(crate) fn refused(answer: &Answer, code: i64, status: u16, says: &str) {
    assert_eq!(answer.code(), code, "{:?}", answer.body);
    assert_eq!(answer.status.as_u16(), status, "{:?}", answer.body);
    assert!(answer.str("msg").contains(says), "{:?}", answer.body);
    assert_eq!(answer.body["token_expired"], 1);
}

pub(crate) fn rows(answer: &Answer) -> &Vec<Value> {
    answer.body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {:?}", answer.body))
}

#[tokio::test]
async fn a_house_order_is_created_from_json_or_a_form_with_a_time_ordered_number() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;

    let created = new_order(&app, &platform, "house", house_101(), json!(0.01)).await;
    assert_eq!(created.code(), 0, "{:?}", created.body);
    assert_eq!(created.str("msg"), "订单创建成功");
    let number = created.str("data").to_owned();
    assert_eq!(number.len(), 20);
    assert!(number.bytes().all(|b| b.is_ascii_digit()));
    // Identifier and extra may come as JSON text too; form bodies carry them so.
    let second = app
        .post_form_token(
            "/api/v1/order/new",
            &[
                ("xiaoqu", "10002"),
                ("type", "house"),
                (
                    "identifier",
                    r#"{"louhao":1,"danyuan":1,"louceng":1,"fangjian":101}"#,
                ),
                ("title", "水费"),
                ("amount", "12.5"),
                ("manager", "晨曦家园物业公司"),
            ],
            &platform,
        )
        .await;
    assert_eq!(second.code(), 0, "{:?}", second.body);
    assert!(second.str("data") > number.as_str(), "time-ordered numbers");
    app.stop().await;
}

#[tokio::test]
async fn orders_for_a_person_by_phone_name_or_id_number_reach_the_user_bound_in_the_community() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    fuyu(&app).await;

    // A person: phone alone (registered user), phone with name, ID number.
    let by_phone = new_order(
        &app,
        &platform,
        "phone",
        json!({"phone": "15131512234"}),
        json!("1"),
    )
    .await;
    assert_eq!(by_phone.code(), 0, "{:?}", by_phone.body);
    let named = new_order(
        &app,
        &platform,
        "phone",
        json!({"name": "付钰", "phone": 15131512234_i64}),
        json!("2"),
    )
    .await;
    assert_eq!(named.code(), 0, "{:?}", named.body);
    let by_idcard = new_order(
        &app,
        &platform,
        "idcard",
        json!({"idcard": "130302198705041019"}),
        json!("3.00"),
    )
    .await;
    assert_eq!(by_idcard.code(), 0, "{:?}", by_idcard.body);

    // A user signed up with the phone (mode 1) and bound in the community sees their order.
    let newcomer = app
        .imported_resident("o-wangfang", "17600381130", "10002")
        .await;
    let signed_up = new_order(
        &app,
        &platform,
        "phone",
        json!({"phone": "17600381130"}),
        json!("6.6"),
    )
    .await;
    assert_eq!(signed_up.code(), 0, "{:?}", signed_up.body);
    let theirs = app
        .post("/api/v1/orders/list", json!({}), Some(&newcomer))
        .await;
    assert_eq!(rows(&theirs).len(), 1, "{:?}", theirs.body);
    assert_eq!(rows(&theirs)[0]["amount"], "6.60元");
    let listed = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002", "phone": "17600381130"}),
            Some(&platform),
        )
        .await;
    assert_eq!(rows(&listed).len(), 1, "{:?}", listed.body);
    // Signed up but bound to no house of the community: nobody the credential may bill.
    app.resident_token("o-newcomer", "13700000002").await;
    let unbound = new_order(
        &app,
        &platform,
        "phone",
        json!({"phone": "13700000002"}),
        json!("6.6"),
    )
    .await;
    assert_eq!(unbound.code(), 2, "{:?}", unbound.body);
    app.stop().await;
}

#[tokio::test]
async fn nobody_found_is_code_2_and_a_person_not_signed_up_is_code_3() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    fuyu(&app).await;

    // Code 2: nobody / no such house; code 3: entered in 一标三实 but not registered.
    let wrong_name = new_order(
        &app,
        &platform,
        "phone",
        json!({"name": "杨哲", "phone": "15131512234"}),
        json!(1),
    )
    .await;
    assert_eq!(wrong_name.code(), 2, "{:?}", wrong_name.body);
    assert_eq!(wrong_name.str("msg"), "查无此人");
    assert_eq!(wrong_name.status, 200);
    let stranger = new_order(
        &app,
        &platform,
        "idcard",
        json!({"idcard": "130302199211302519"}),
        json!(1),
    )
    .await;
    assert_eq!(stranger.code(), 2, "{:?}", stranger.body);
    let no_house = new_order(
        &app,
        &platform,
        "house",
        json!({"louhao": "1", "danyuan": "1", "louceng": "1", "fangjian": "999"}),
        json!(1),
    )
    .await;
    assert_eq!(no_house.code(), 2, "{:?}", no_house.body);
    let father = new_order(
        &app,
        &platform,
        "idcard",
        json!({"idcard": "130302196003122018"}),
        json!(1),
    )
    .await;
    assert_eq!(father.code(), 3, "{:?}", father.body);
    assert_eq!(father.str("msg"), "用户未注册");
    let wife = new_order(
        &app,
        &platform,
        "phone",
        json!({"name": "李娜", "phone": "13931512002"}),
        json!(1),
    )
    .await;
    assert_eq!(wife.code(), 3, "{:?}", wife.body);
    app.stop().await;
}

#[tokio::test]
async fn bad_fields_are_code_1_naming_the_field() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;

    // Code 1 naming the field.
    for amount in [
        json!("1.234"),
        json!(-1),
        json!("abc"),
        json!(0),
        json!("1e3"),
    ] {
        let bad = new_order(&app, &platform, "house", house_101(), amount).await;
        refused(&bad, 1, 400, "amount");
    }
    let no_title = app
        .post(
            "/api/v1/wjdh/order/new",
            json!({"xiaoqu": "10002", "type": "house", "identifier": house_101(), "amount": "1"}),
            Some(&platform),
        )
        .await;
    refused(&no_title, 1, 400, "title");
    let bad_type = new_order(&app, &platform, "car", house_101(), json!(1)).await;
    refused(&bad_type, 1, 400, "type");
    let bad_identifier = new_order(
        &app,
        &platform,
        "idcard",
        json!({"idcard": "123"}),
        json!(1),
    )
    .await;
    refused(&bad_identifier, 1, 400, "identifier");
    app.stop().await;
}

#[tokio::test]
async fn another_communitys_credential_or_a_resident_token_is_refused() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    let (resident, _) = fuyu(&app).await;

    // Another platform's community, or a resident's token.
    let other = app
        .post("/api/v1/wjdh/order/new",
              json!({"xiaoqu": "10003", "type": "house", "identifier": house_101(), "title": "物业费", "amount": "1"}),
              Some(&platform))
        .await;
    refused(&other, 1, 403, "您没有权限管理该小区");
    let jyl = app.platform_token("jyl-demo", "jyl-demo-secret").await;
    let foreign = new_order(&app, &jyl, "house", house_101(), json!(1)).await;
    assert_eq!(foreign.code(), 1);
    assert_eq!(foreign.status, 403);
    let as_resident = new_order(&app, &resident, "house", house_101(), json!(1)).await;
    assert_ne!(as_resident.code(), 0);
    app.stop().await;
}

/// 付钰 (imported, owner of 101 and 102) with the platform's token, and four orders of 10002:
/// 101 0.01元, 102 0.02元, 201 0.03元 and 付钰's own 5元; (app, platform, 付钰's token, house 101).
async fn four_orders() -> (TestApp, String, String, i64) {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    let (resident, h101) = fuyu(&app).await;
    assert_eq!(
        new_order(&app, &platform, "house", house_101(), json!("0.01"))
            .await
            .code(),
        0
    );
    let h102 = json!({"louhao": "1", "danyuan": "1", "louceng": "1", "fangjian": "102"});
    assert_eq!(
        new_order(&app, &platform, "house", h102, json!("0.02"))
            .await
            .code(),
        0
    );
    let h201 = json!({"louhao": "1", "danyuan": "1", "louceng": "2", "fangjian": "201"});
    assert_eq!(
        new_order(&app, &platform, "house", h201, json!("0.03"))
            .await
            .code(),
        0
    );
    assert_eq!(
        new_order(
            &app,
            &platform,
            "idcard",
            json!({"idcard": "130302198705041019"}),
            json!("5")
        )
        .await
        .code(),
        0
    );

    (app, platform, resident, h101)
}

#[tokio::test]
async fn the_platform_lists_its_orders_in_the_seeds_shape_and_filters_them() {
    let (app, platform, _, _) = four_orders().await;
    let all = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002"}),
            Some(&platform),
        )
        .await;
    assert_eq!(all.code(), 0, "{:?}", all.body);
    assert_eq!(all.str("msg"), "获取订单列表成功");
    assert_eq!(rows(&all).len(), 4);
    let newest = &rows(&all)[0];
    assert_eq!(newest["amount"], "5.00元");
    assert_eq!(newest["paied"], "未付款");
    assert_eq!(newest["status"], "进行中");
    assert!(
        newest.get("house").is_none(),
        "a personal order has no house"
    );
    let oldest = &rows(&all)[3];
    assert_eq!(oldest["amount"], "0.01元");
    assert_eq!(oldest["house"], "晨曦家园1栋1单元1楼101号");
    assert_eq!(oldest["remark"], "2020年物业费征收");
    assert_eq!(oldest["manager"], "晨曦家园");
    assert_eq!(oldest["shop_number"], Value::Null);
    assert_eq!(
        serde_json::from_str::<Value>(oldest["extra"].as_str().unwrap()).unwrap()["单价"],
        "100元/平方"
    );
    assert_eq!(all.body["pages"]["total"], 4);
    assert_eq!(all.body["pages"]["current_page"], 1);

    let floor_1 = app
        .post(
            "/api/v1/order/list",
            json!({"xiaoqu": 10002, "louhao": 1, "danyuan": 1, "louceng": 1}),
            Some(&platform),
        )
        .await;
    assert_eq!(rows(&floor_1).len(), 2, "{:?}", floor_1.body);
    let room = app.post("/api/v1/wjdh/order/list",
        json!({"xiaoqu": "10002", "louhao": "1", "danyuan": "1", "louceng": "2", "fangjian": "201"}), Some(&platform)).await;
    assert_eq!(rows(&room).len(), 1);
    assert_eq!(rows(&room)[0]["amount"], "0.03元");
    let person = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002", "phone": "15131512234", "name": "付钰"}),
            Some(&platform),
        )
        .await;
    assert_eq!(rows(&person).len(), 1, "{:?}", person.body);
    let by_idcard = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002", "idcard": "130302198705041019"}),
            Some(&platform),
        )
        .await;
    assert_eq!(rows(&by_idcard).len(), 1);
    let titled = app.post("/api/v1/wjdh/order/list",
        json!({"xiaoqu": "10002", "title": "物业费", "status": 1, "paied": 0, "per_page": 3, "page": 2}), Some(&platform)).await;
    assert_eq!(rows(&titled).len(), 1, "{:?}", titled.body);
    assert_eq!(titled.body["pages"]["last_page"], 2);
    assert_eq!(titled.body["pages"]["from"], 4);
    let paid = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002", "paied": 1}),
            Some(&platform),
        )
        .await;
    assert_eq!(paid.code(), 0);
    assert!(rows(&paid).is_empty());
    assert_eq!(paid.body["pages"], Value::Null);
    app.stop().await;
}

#[tokio::test]
async fn the_platforms_list_refuses_bad_filters_and_other_communities() {
    let (app, platform, _, _) = four_orders().await;
    let skipped = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002", "fangjian": "101"}),
            Some(&platform),
        )
        .await;
    refused(&skipped, 1, 400, "fangjian");
    let bad_flag = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002", "paied": "yes"}),
            Some(&platform),
        )
        .await;
    refused(&bad_flag, 1, 400, "paied");
    let foreign = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10003"}),
            Some(&platform),
        )
        .await;
    refused(&foreign, 1, 403, "您没有权限管理该小区");

    app.stop().await;
}

#[tokio::test]
async fn residents_see_the_orders_of_the_houses_where_they_may_pay() {
    let (app, _, resident, h101) = four_orders().await;
    // 000 §4.1.1: 付钰 pays for 101 and 102 and his own order, not for 201.
    let mine = app
        .post("/api/v1/orders/list", json!({}), Some(&resident))
        .await;
    assert_eq!(mine.code(), 0, "{:?}", mine.body);
    let amounts: Vec<&str> = rows(&mine)
        .iter()
        .map(|r| r["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["5.00元", "0.02元", "0.01元"]);
    assert_eq!(rows(&mine)[2]["manager"], "晨曦家园");
    let one_house = app
        .post(
            "/api/v1/orders/list",
            json!({"house_id": h101, "paied": 0}),
            Some(&resident),
        )
        .await;
    assert_eq!(rows(&one_house).len(), 1);
    let paged = app
        .post(
            "/api/v1/orders/list",
            json!({"per_page": 2, "page": 2}),
            Some(&resident),
        )
        .await;
    assert_eq!(rows(&paged).len(), 1);
    assert_eq!(paged.body["pages"]["total"], 3);
    let not_mine = app
        .post(
            "/api/v1/orders/list",
            json!({"house_id": h101 + 1000}),
            Some(&resident),
        )
        .await;
    refused(&not_mine, 1, 403, "缴费权限");
    let stranger = app.resident_token("o-stranger", "13700000001").await;
    let none = app
        .post("/api/v1/orders/list", json!({}), Some(&stranger))
        .await;
    assert_eq!(none.code(), 0);
    assert!(rows(&none).is_empty());
    let anonymous = app.post("/api/v1/orders/list", json!({}), None).await;
    assert_eq!(anonymous.code(), 9);
    app.stop().await;
}

pub(crate) async fn sandbox(app: &TestApp, path: &str, body: Value) -> Value {
    app.client
        .post(format!("{}{path}", app.stack.sandbox_url))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub(crate) async fn secplat_payments(app: &TestApp) -> Vec<Value> {
    app.client
        .get(format!("{}/secplat/payments", app.stack.sandbox_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The resident's order ids by amount.
pub(crate) async fn order_id(app: &TestApp, resident: &str, amount: &str) -> i64 {
    let mine = app
        .post(
            "/api/v1/orders/list",
            json!({"per_page": 100}),
            Some(resident),
        )
        .await;
    rows(&mine)
        .iter()
        .find(|r| r["amount"] == amount)
        .unwrap_or_else(|| panic!("{amount} in {:?}", mine.body))["id"]
        .as_i64()
        .unwrap()
}

pub(crate) fn prepay_id(answer: &Answer) -> String {
    answer.body["data"]["package"]
        .as_str()
        .unwrap_or_else(|| panic!("pay params: {:?}", answer.body))
        .trim_start_matches("prepay_id=")
        .to_owned()
}

#[tokio::test]
async fn orders_paid_together_make_one_bill_once_and_reach_the_security_platform() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    let (resident, _) = fuyu(&app).await;
    let h102 = json!({"louhao": "1", "danyuan": "1", "louceng": "1", "fangjian": "102"});
    let h201 = json!({"louhao": "1", "danyuan": "1", "louceng": "2", "fangjian": "201"});
    let first = new_order(&app, &platform, "house", house_101(), json!("0.01")).await;
    let second = new_order(&app, &platform, "house", h102, json!("0.02")).await;
    assert_eq!(
        new_order(&app, &platform, "house", h201, json!("0.04"))
            .await
            .code(),
        0
    );
    let (a, b) = (
        order_id(&app, &resident, "0.01元").await,
        order_id(&app, &resident, "0.02元").await,
    );

    let paying = app
        .post(
            "/api/v1/weapp/payment",
            json!({"ids": format!("{a}A{b}")}),
            Some(&resident),
        )
        .await;
    assert_eq!(paying.code(), 0, "{:?}", paying.body);
    assert_eq!(paying.str("msg"), "成功获取缴费信息");
    let data = &paying.body["data"];
    assert_eq!(data["appId"], "wx-sandbox-appid");
    assert_eq!(data["signType"], "RSA");
    for key in ["timeStamp", "nonceStr", "paySign"] {
        assert!(!data[key].as_str().unwrap().is_empty(), "{key}");
    }
    let prepay = prepay_id(&paying);
    let again = app
        .post(
            "/api/v1/weapp/payment",
            json!({"ids": format!("{b}A{a}")}),
            Some(&resident),
        )
        .await;
    assert_eq!(
        prepay_id(&again),
        prepay,
        "the same set reuses its WeChat order"
    );

    // Not theirs, not an id list.
    let all = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002"}),
            Some(&platform),
        )
        .await;
    let foreign = rows(&all).iter().find(|r| r["amount"] == "0.04元").unwrap()["id"]
        .as_i64()
        .unwrap();
    let not_mine = app
        .post(
            "/api/v1/weapp/payment",
            json!({"ids": format!("{a}A{foreign}")}),
            Some(&resident),
        )
        .await;
    refused(&not_mine, 1, 403, "缴费权限");
    let bad = app
        .post(
            "/api/v1/weapp/payment",
            json!({"ids": "21AxA"}),
            Some(&resident),
        )
        .await;
    refused(&bad, 1, 400, "ids");
    let unknown = app
        .post(
            "/api/v1/weapp/payment",
            json!({"ids": "999999"}),
            Some(&resident),
        )
        .await;
    refused(&unknown, 1, 404, "订单不存在");

    // The security platform is down for the first two deliveries.
    sandbox(&app, "/secplat/fail", json!({"times": 2})).await;
    let paid = sandbox(
        &app,
        "/wxpay/pay",
        json!({"prepay_id": prepay, "times": 100}),
    )
    .await;
    assert_eq!(paid["delivered"], true, "{paid:?}");
    let out_trade_no = paid["out_trade_no"].as_str().unwrap().to_owned();
    let transaction_id = paid["transaction_id"].as_str().unwrap().to_owned();

    let mine = app
        .post("/api/v1/orders/list", json!({"paied": 1}), Some(&resident))
        .await;
    assert_eq!(rows(&mine).len(), 2, "{:?}", mine.body);
    for row in rows(&mine) {
        assert_eq!(row["paied"], "已付款");
        assert_eq!(row["shop_number"], out_trade_no.as_str());
    }
    let unpaid = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002", "paied": 0}),
            Some(&platform),
        )
        .await;
    assert_eq!(rows(&unpaid).len(), 1, "only 201's order is left");
    let twice = app
        .post(
            "/api/v1/weapp/payment",
            json!({"ids": format!("{a}")}),
            Some(&resident),
        )
        .await;
    refused(&twice, 1, 409, "已支付");

    // 001 §2.2.1: both orders reach the security platform, once each, despite the failures.
    let mut delivered = Vec::new();
    for _ in 0..60 {
        delivered = secplat_payments(&app).await;
        if delivered.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let delivered = {
        let settled = secplat_payments(&app).await;
        assert_eq!(settled.len(), delivered.len().max(2), "{settled:?}");
        settled
    };
    let mut numbers: Vec<&str> = delivered
        .iter()
        .map(|p| p["order_number"].as_str().unwrap())
        .collect();
    numbers.sort_unstable();
    let mut expected = vec![first.str("data"), second.str("data")];
    expected.sort_unstable();
    assert_eq!(numbers, expected);
    for payment in &delivered {
        assert_eq!(payment["shop_number"], out_trade_no.as_str());
        assert_eq!(payment["weixin_number"], transaction_id.as_str());
    }
    app.stop().await;
}

#[tokio::test]
async fn forged_or_short_notifications_change_nothing_and_the_switch_stops_payments() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    let (resident, _) = fuyu(&app).await;
    assert_eq!(
        new_order(&app, &platform, "house", house_101(), json!("0.05"))
            .await
            .code(),
        0
    );
    assert_eq!(
        new_order(
            &app,
            &platform,
            "idcard",
            json!({"idcard": "130302198705041019"}),
            json!("0.07")
        )
        .await
        .code(),
        0
    );
    let (a, b) = (
        order_id(&app, &resident, "0.05元").await,
        order_id(&app, &resident, "0.07元").await,
    );
    let first = app
        .post(
            "/api/v1/weapp/payment",
            json!({"ids": a.to_string()}),
            Some(&resident),
        )
        .await;
    let forged = sandbox(
        &app,
        "/wxpay/pay",
        json!({"prepay_id": prepay_id(&first), "forge": true}),
    )
    .await;
    assert_eq!(forged["delivered"], false, "{forged:?}");
    let second = app
        .post(
            "/api/v1/weapp/payment",
            json!({"ids": b.to_string()}),
            Some(&resident),
        )
        .await;
    let short = sandbox(
        &app,
        "/wxpay/pay",
        json!({"prepay_id": prepay_id(&second), "amount_fen": 1}),
    )
    .await;
    assert_eq!(short["delivered"], false, "{short:?}");
    let paid = app
        .post("/api/v1/orders/list", json!({"paied": 1}), Some(&resident))
        .await;
    assert!(rows(&paid).is_empty(), "{:?}", paid.body);
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert!(secplat_payments(&app).await.is_empty());

    let off = app
        .put_form(
            "/api/v1/wjdh/module",
            &[
                ("xiaoqu", "10002"),
                ("module_name", "生活缴费"),
                ("module_status", "0"),
            ],
            &platform,
        )
        .await;
    assert_eq!(off.code(), 0, "{:?}", off.body);
    let refused_pay = app
        .post(
            "/api/v1/weapp/payment",
            json!({"ids": a.to_string()}),
            Some(&resident),
        )
        .await;
    refused(&refused_pay, 1, 403, "生活缴费");
    app.stop().await;
}
