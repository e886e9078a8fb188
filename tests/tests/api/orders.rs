//! 001 §2.1.1–§2.1.2 and 000 §4.1.1 through the gateway: the security platform creates orders
//! for a house or a person and lists them; residents see the orders they may pay.
use serde_json::{Value, json};

use crate::helpers::{
    Answer, BoundResident, FU_YU, TestApp, WANG_FANG, assert_refused, assert_refused_for,
    house_identifier, spawn_app,
};

fn house_101() -> Value {
    house_identifier("1", "101")
}

/// [`new_order`], which must succeed; the order's number.
async fn created(
    app: &TestApp,
    platform: &str,
    kind: &str,
    identifier: Value,
    amount: Value,
) -> String {
    let answer = new_order(app, platform, kind, identifier, amount).await;
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
    answer.str("data").to_owned()
}

async fn new_order(
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

#[tokio::test]
async fn a_house_order_is_created_from_json_or_a_form_with_a_time_ordered_number() {
    let app = spawn_app().await;
    let platform = app.platform().await;

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
    let platform = app.platform().await;
    app.bound_resident(FU_YU).await;

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
    let newcomer = app.bound_resident(WANG_FANG).await.token;
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
    assert_eq!(theirs.rows().len(), 1, "{:?}", theirs.body);
    assert_eq!(theirs.rows()[0]["amount"], "6.60元");
    let listed = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002", "phone": "17600381130"}),
            Some(&platform),
        )
        .await;
    assert_eq!(listed.rows().len(), 1, "{:?}", listed.body);
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
    let platform = app.platform().await;
    app.bound_resident(FU_YU).await;

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
        house_identifier("1", "999"),
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
    let platform = app.platform().await;

    // Code 1 naming the field.
    for amount in [
        json!("1.234"),
        json!(-1),
        json!("abc"),
        json!(0),
        json!("1e3"),
    ] {
        let row = amount.to_string();
        let bad = new_order(&app, &platform, "house", house_101(), amount).await;
        assert_refused_for(&row, &bad, 400, "amount");
    }
    let no_title = app
        .post(
            "/api/v1/wjdh/order/new",
            json!({"xiaoqu": "10002", "type": "house", "identifier": house_101(), "amount": "1"}),
            Some(&platform),
        )
        .await;
    assert_refused(&no_title, 400, "title");
    let bad_type = new_order(&app, &platform, "car", house_101(), json!(1)).await;
    assert_refused(&bad_type, 400, "type");
    let bad_identifier = new_order(
        &app,
        &platform,
        "idcard",
        json!({"idcard": "123"}),
        json!(1),
    )
    .await;
    assert_refused(&bad_identifier, 400, "identifier");
    app.stop().await;
}

#[tokio::test]
async fn another_communitys_credential_or_a_resident_token_is_refused() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await.token;

    // Another platform's community, or a resident's token.
    let other = app
        .post("/api/v1/wjdh/order/new",
              json!({"xiaoqu": "10003", "type": "house", "identifier": house_101(), "title": "物业费", "amount": "1"}),
              Some(&platform))
        .await;
    assert_refused(&other, 403, "您没有权限管理该小区");
    let jyl = app.platform_10003().await;
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
    let platform = app.platform().await;
    let BoundResident {
        token: resident,
        house: h101,
    } = app.bound_resident(FU_YU).await;
    created(&app, &platform, "house", house_101(), json!("0.01")).await;
    let h102 = house_identifier("1", "102");
    created(&app, &platform, "house", h102, json!("0.02")).await;
    let h201 = house_identifier("2", "201");
    created(&app, &platform, "house", h201, json!("0.03")).await;
    created(
        &app,
        &platform,
        "idcard",
        json!({"idcard": "130302198705041019"}),
        json!("5"),
    )
    .await;

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
    assert_eq!(all.rows().len(), 4);
    let newest = &all.rows()[0];
    assert_eq!(newest["amount"], "5.00元");
    assert_eq!(newest["paied"], "未付款");
    assert_eq!(newest["status"], "进行中");
    assert!(
        newest.get("house").is_none(),
        "a personal order has no house"
    );
    let oldest = &all.rows()[3];
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
    assert_eq!(floor_1.rows().len(), 2, "{:?}", floor_1.body);
    let room = app.post("/api/v1/wjdh/order/list",
        json!({"xiaoqu": "10002", "louhao": "1", "danyuan": "1", "louceng": "2", "fangjian": "201"}), Some(&platform)).await;
    assert_eq!(room.rows().len(), 1);
    assert_eq!(room.rows()[0]["amount"], "0.03元");
    let person = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002", "phone": "15131512234", "name": "付钰"}),
            Some(&platform),
        )
        .await;
    assert_eq!(person.rows().len(), 1, "{:?}", person.body);
    let by_idcard = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002", "idcard": "130302198705041019"}),
            Some(&platform),
        )
        .await;
    assert_eq!(by_idcard.rows().len(), 1);
    let titled = app.post("/api/v1/wjdh/order/list",
        json!({"xiaoqu": "10002", "title": "物业费", "status": 1, "paied": 0, "per_page": 3, "page": 2}), Some(&platform)).await;
    assert_eq!(titled.rows().len(), 1, "{:?}", titled.body);
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
    assert!(paid.rows().is_empty());
    assert_eq!(paid.body["pages"], Value::Null);
    app.stop().await;
}

/// How many pages of the platform's order list were answered with `outcome`.
async fn list_pages(app: &TestApp, outcome: &str) -> i64 {
    app.list_pages("/api/v1/wjdh/order/list", outcome).await
}

#[tokio::test]
async fn a_page_asked_again_is_the_one_kept_until_the_communitys_orders_change() {
    let (app, platform, _, _) = four_orders().await;
    let list = |body: Value| app.post("/api/v1/wjdh/order/list", body, Some(&platform));
    let first = list(json!({"xiaoqu": "10002"})).await;
    let again = list(json!({"xiaoqu": "10002"})).await;
    assert_eq!(first.body, again.body);
    assert_eq!(again.rows().len(), 4);
    assert_eq!(
        (
            list_pages(&app, "read").await,
            list_pages(&app, "unchanged").await
        ),
        (1, 1)
    );
    // Another page, or the same under other filters, is its own.
    let second = list(json!({"xiaoqu": "10002", "per_page": 3, "page": 2})).await;
    assert_eq!(second.rows().len(), 1);
    assert_eq!(list_pages(&app, "read").await, 2);

    // A close changes the community's orders: the next call reads the page again.
    let number = first.rows()[0]["number"].clone();
    let closed = app
        .post(
            "/api/v1/wjdh/order/close",
            json!({"xiaoqu": "10002", "number": number}),
            Some(&platform),
        )
        .await;
    assert_eq!(closed.code(), 0, "{:?}", closed.body);
    let after = list(json!({"xiaoqu": "10002"})).await;
    assert_eq!(after.rows()[0]["number"], number);
    assert_eq!(after.rows()[0]["status"], "已关闭");
    assert_eq!(list_pages(&app, "read").await, 3);
    // So does a new order, which the page and its total show at once.
    created(&app, &platform, "house", house_101(), json!("0.04")).await;
    let newer = list(json!({"xiaoqu": "10002"})).await;
    assert_eq!(newer.rows().len(), 5);
    assert_eq!(newer.rows()[0]["amount"], "0.04元");
    assert_eq!(newer.body["pages"]["total"], 5);
    assert_eq!(
        (
            list_pages(&app, "read").await,
            list_pages(&app, "unchanged").await
        ),
        (4, 1)
    );
    // A page kept for one credential is not another's: 10003's is refused, not answered.
    let foreign = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002"}),
            Some(&app.platform_10003().await),
        )
        .await;
    assert_refused(&foreign, 403, "您没有权限管理该小区");
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
    assert_refused(&skipped, 400, "fangjian");
    let bad_flag = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002", "paied": "yes"}),
            Some(&platform),
        )
        .await;
    assert_refused(&bad_flag, 400, "paied");
    let foreign = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10003"}),
            Some(&platform),
        )
        .await;
    assert_refused(&foreign, 403, "您没有权限管理该小区");

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
    let amounts: Vec<&str> = mine
        .rows()
        .iter()
        .map(|r| r["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["5.00元", "0.02元", "0.01元"]);
    assert_eq!(mine.rows()[2]["manager"], "晨曦家园");
    let one_house = app
        .post(
            "/api/v1/orders/list",
            json!({"house_id": h101, "paied": 0}),
            Some(&resident),
        )
        .await;
    assert_eq!(one_house.rows().len(), 1);
    let paged = app
        .post(
            "/api/v1/orders/list",
            json!({"per_page": 2, "page": 2}),
            Some(&resident),
        )
        .await;
    assert_eq!(paged.rows().len(), 1);
    assert_eq!(paged.body["pages"]["total"], 3);
    let not_mine = app
        .post(
            "/api/v1/orders/list",
            json!({"house_id": h101 + 1000}),
            Some(&resident),
        )
        .await;
    assert_refused(&not_mine, 403, "缴费权限");
    let stranger = app.resident_token("o-stranger", "13700000001").await;
    let none = app
        .post("/api/v1/orders/list", json!({}), Some(&stranger))
        .await;
    assert_eq!(none.code(), 0);
    assert!(none.rows().is_empty());
    let anonymous = app.post("/api/v1/orders/list", json!({}), None).await;
    assert_eq!(anonymous.code(), 9);
    app.stop().await;
}

/// 付钰's orders for 101 (0.01元) and 102 (0.02元), 王芳's for 201 (0.04元); 付钰's two by
/// number and by id.
struct ThreeOrders {
    platform: String,
    resident: String,
    numbers: [String; 2],
    a: i64,
    b: i64,
}

async fn three_orders(app: &TestApp) -> ThreeOrders {
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await.token;
    let numbers = [
        created(app, &platform, "house", house_101(), json!("0.01")).await,
        created(
            app,
            &platform,
            "house",
            house_identifier("1", "102"),
            json!("0.02"),
        )
        .await,
    ];
    created(
        app,
        &platform,
        "house",
        house_identifier("2", "201"),
        json!("0.04"),
    )
    .await;
    ThreeOrders {
        a: app.order_id(&resident, "0.01元").await,
        b: app.order_id(&resident, "0.02元").await,
        numbers,
        platform,
        resident,
    }
}

/// [`three_orders`] with 付钰's two paid together while the security platform is down for the
/// first two deliveries; the sandbox's payment (`out_trade_no`, `transaction_id`).
async fn paid_together(app: &TestApp) -> (ThreeOrders, Value) {
    let orders = three_orders(app).await;
    let paying = app
        .pay(&orders.resident, &format!("{}A{}", orders.a, orders.b))
        .await;
    assert_eq!(paying.code(), 0, "{:?}", paying.body);
    app.sandbox("/secplat/fail", json!({"times": 2})).await;
    let paid = app
        .sandbox(
            "/wxpay/pay",
            json!({"prepay_id": paying.prepay_id(), "times": 100}),
        )
        .await;
    assert_eq!(paid["delivered"], true, "{paid:?}");
    (orders, paid)
}

#[tokio::test]
async fn paying_a_set_of_orders_gives_the_mini_programs_parameters_once_per_set() {
    let app = spawn_app().await;
    let ThreeOrders { resident, a, b, .. } = three_orders(&app).await;
    let paying = app.pay(&resident, &format!("{a}A{b}")).await;
    assert_eq!(paying.code(), 0, "{:?}", paying.body);
    assert_eq!(paying.str("msg"), "成功获取缴费信息");
    let data = &paying.body["data"];
    assert_eq!(data["appId"], "wx-sandbox-appid");
    assert_eq!(data["signType"], "RSA");
    for key in ["timeStamp", "nonceStr", "paySign"] {
        assert!(!data[key].as_str().unwrap().is_empty(), "{key}");
    }
    let again = app.pay(&resident, &format!("{b}A{a}")).await;
    assert_eq!(
        again.prepay_id(),
        paying.prepay_id(),
        "the same set reuses its WeChat order"
    );
    app.stop().await;
}

#[tokio::test]
async fn paying_refuses_an_order_not_theirs_a_bad_id_list_and_an_unknown_order() {
    let app = spawn_app().await;
    let ThreeOrders {
        platform,
        resident,
        a,
        ..
    } = three_orders(&app).await;
    let all = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002"}),
            Some(&platform),
        )
        .await;
    let foreign = all.rows().iter().find(|r| r["amount"] == "0.04元").unwrap()["id"]
        .as_i64()
        .unwrap();
    let not_mine = app.pay(&resident, &format!("{a}A{foreign}")).await;
    assert_refused(&not_mine, 403, "缴费权限");
    let bad = app.pay(&resident, "21AxA").await;
    assert_refused(&bad, 400, "ids");
    let unknown = app.pay(&resident, "999999").await;
    assert_refused(&unknown, 404, "订单不存在");
    app.stop().await;
}

#[tokio::test]
async fn orders_paid_together_are_paid_with_one_shop_number_and_cannot_be_paid_again() {
    let app = spawn_app().await;
    let (orders, paid) = paid_together(&app).await;
    let mine = app
        .post(
            "/api/v1/orders/list",
            json!({"paied": 1}),
            Some(&orders.resident),
        )
        .await;
    assert_eq!(mine.rows().len(), 2, "{:?}", mine.body);
    for row in mine.rows() {
        assert_eq!(row["paied"], "已付款");
        assert_eq!(row["shop_number"], paid["out_trade_no"]);
    }
    let unpaid = app
        .post(
            "/api/v1/wjdh/order/list",
            json!({"xiaoqu": "10002", "paied": 0}),
            Some(&orders.platform),
        )
        .await;
    assert_eq!(unpaid.rows().len(), 1, "only 201's order is left");
    let twice = app.pay(&orders.resident, &orders.a.to_string()).await;
    assert_refused(&twice, 409, "已支付");
    app.stop().await;
}

#[tokio::test]
async fn orders_paid_together_reach_the_security_platform_once_each_despite_its_failures() {
    let app = spawn_app().await;
    let (orders, paid) = paid_together(&app).await;
    // 001 §2.2.1.
    let mut delivered = Vec::new();
    for _ in 0..60 {
        delivered = app.secplat_payments().await;
        if delivered.len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let delivered = {
        let settled = app.secplat_payments().await;
        assert_eq!(settled.len(), delivered.len().max(2), "{settled:?}");
        settled
    };
    let mut numbers: Vec<&str> = delivered
        .iter()
        .map(|p| p["order_number"].as_str().unwrap())
        .collect();
    numbers.sort_unstable();
    let mut expected = vec![orders.numbers[0].as_str(), orders.numbers[1].as_str()];
    expected.sort_unstable();
    assert_eq!(numbers, expected);
    for payment in &delivered {
        assert_eq!(payment["shop_number"], paid["out_trade_no"]);
        assert_eq!(payment["weixin_number"], paid["transaction_id"]);
    }
    app.stop().await;
}

#[tokio::test]
async fn a_forged_notification_changes_nothing_and_a_short_payment_goes_back() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await.token;
    created(&app, &platform, "house", house_101(), json!("0.05")).await;
    created(
        &app,
        &platform,
        "idcard",
        json!({"idcard": "130302198705041019"}),
        json!("0.07"),
    )
    .await;
    let (a, b) = (
        app.order_id(&resident, "0.05元").await,
        app.order_id(&resident, "0.07元").await,
    );
    let first = app.pay(&resident, &a.to_string()).await;
    let forged = app
        .sandbox(
            "/wxpay/pay",
            json!({"prepay_id": first.prepay_id(), "forge": true}),
        )
        .await;
    assert_eq!(forged["delivered"], false, "{forged:?}");
    let second = app.pay(&resident, &b.to_string()).await;
    let short = app
        .sandbox(
            "/wxpay/pay",
            json!({"prepay_id": second.prepay_id(), "amount_fen": 1}),
        )
        .await;
    // Taken (WeChat Pay stops notifying), but it pays nothing: the 0.01 goes back, and the
    // platform sees that refund.
    assert_eq!(short["delivered"], true, "{short:?}");
    let paid = app
        .post("/api/v1/orders/list", json!({"paied": 1}), Some(&resident))
        .await;
    assert!(paid.rows().is_empty(), "{:?}", paid.body);
    let mut refunds = Vec::new();
    for _ in 0..150 {
        let listed = app
            .post(
                "/api/v1/wjdh/bill/refunds",
                json!({"xiaoqu": "10002"}),
                Some(&platform),
            )
            .await;
        refunds = listed.rows().clone();
        if refunds.iter().any(|r| r["status"] == "已退款") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(refunds.len(), 1, "{refunds:?}");
    assert_eq!(refunds[0]["amount"], "0.01");
    assert_eq!(refunds[0]["status"], "已退款", "{refunds:?}");
    let at_wechat = app
        .wechat_refunds(short["out_trade_no"].as_str().unwrap())
        .await;
    assert_eq!(at_wechat[0]["refund_fen"], 1, "{at_wechat}");
    // The same notification again refunds nothing more.
    let again = app
        .sandbox(
            "/wxpay/pay",
            json!({"prepay_id": second.prepay_id(), "amount_fen": 1}),
        )
        .await;
    assert_eq!(again["delivered"], true, "{again:?}");
    let listed = app
        .post(
            "/api/v1/wjdh/bill/refunds",
            json!({"xiaoqu": "10002"}),
            Some(&platform),
        )
        .await;
    assert_eq!(listed.rows().len(), 1, "{:?}", listed.body);
    assert!(app.secplat_payments().await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn with_payments_off_no_order_is_paid() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let resident = app.bound_resident(FU_YU).await.token;
    created(&app, &platform, "house", house_101(), json!("0.05")).await;
    let a = app.order_id(&resident, "0.05元").await;
    app.set_module(&platform, "生活缴费", "0").await;
    let refused_pay = app.pay(&resident, &a.to_string()).await;
    assert_refused(&refused_pay, 403, "生活缴费");
    app.stop().await;
}

/// Issue 14: svc-orders remembers a resident's houses between calls, and still a house the
/// resident left is gone from their very next list, and its orders can't be paid.
#[tokio::test]
async fn a_house_left_is_gone_from_the_next_list_though_houses_are_remembered() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let owner = app.bound_resident(FU_YU).await;
    let number = created(&app, &platform, "house", house_101(), json!(12)).await;
    // Asked twice: the second answer comes from what svc-orders remembers.
    for _ in 0..2 {
        assert_eq!(app.order_numbers(&owner.token).await, vec![number.clone()]);
    }
    let id = app.order_id(&owner.token, "12.00元").await;

    let binding = app.first_binding(&owner.token).await;
    let leave = app
        .post(
            "/api/v1/weapp/unbindHouse",
            json!({"id": binding}),
            Some(&owner.token),
        )
        .await;
    assert_eq!(leave.code(), 0, "{:?}", leave.body);
    let review = leave.body["data"]["shenhe_id"].as_i64().unwrap();
    assert_eq!(app.approve(&platform, review).await.code(), 0);

    assert!(app.order_numbers(&owner.token).await.is_empty());
    let pay = app.pay(&owner.token, &id.to_string()).await;
    assert_ne!(pay.code(), 0, "{:?}", pay.body);
    app.stop().await;
}
