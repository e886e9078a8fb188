//! Issue 11, tenant isolation: a platform credential reaches only the people, houses and
//! records of the communities it manages (DESIGN, "Security invariants"). Each test fails on the
//! code the issue was filed against.
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, spawn_app};

/// 付钰, owner of 晨曦家园 (10002) 1-1-1-101; registered. His father 付文生 and his wife 李娜 are
/// entered in 一标三实 but never signed up.
const FUYU_PHONE: &str = "15131512234";
const FUYU_IDCARD: &str = "130302198705041019";
const FATHER_IDCARD: &str = "130302196003122018";
const WIFE_PHONE: &str = "13931512002";
/// Valid, and nobody on the platform.
const UNKNOWN_PHONE: &str = "13700000077";
const UNKNOWN_IDCARD: &str = "130302199211302519";

/// The two demo credentials: 10002's and 10003's.
struct Credentials {
    chenxi: String,
    jiaoyunli: String,
}

async fn credentials(app: &TestApp) -> Credentials {
    Credentials {
        chenxi: app.platform_token("123456", "123456").await,
        jiaoyunli: app.platform_token("jyl-demo", "jyl-demo-secret").await,
    }
}

/// 001 §2.1.1 for community `xiaoqu`.
async fn new_order(
    app: &TestApp,
    platform: &str,
    xiaoqu: &str,
    kind: &str,
    identifier: Value,
) -> Answer {
    app.post(
        "/api/v1/wjdh/order/new",
        json!({"xiaoqu": xiaoqu, "type": kind, "identifier": identifier, "title": "物业费",
               "amount": "0.01"}),
        Some(platform),
    )
    .await
}

fn rows(answer: &Answer) -> &Vec<Value> {
    answer.body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {:?}", answer.body))
}

/// Someone bound elsewhere answers exactly as someone unknown: same HTTP status and body.
fn indistinguishable(elsewhere: &Answer, unknown: &Answer) {
    assert_eq!(elsewhere.code(), 2, "{:?}", elsewhere.body);
    assert_eq!(elsewhere.status, unknown.status);
    assert_eq!(elsewhere.body, unknown.body);
}

/// The platform's order list of `xiaoqu`, filtered by `filter`.
async fn platform_orders(app: &TestApp, platform: &str, xiaoqu: &str, filter: Value) -> Answer {
    let mut body = filter;
    body["xiaoqu"] = json!(xiaoqu);
    let list = app
        .post("/api/v1/wjdh/order/list", body, Some(platform))
        .await;
    assert_eq!(list.code(), 0, "{:?}", list.body);
    list
}

async fn resident_orders(app: &TestApp, token: &str) -> Vec<Value> {
    let list = app
        .post("/api/v1/orders/list", json!({}), Some(token))
        .await;
    assert_eq!(list.code(), 0, "{:?}", list.body);
    rows(&list).clone()
}

#[tokio::test]
async fn a_credential_cannot_bill_a_resident_of_another_community_by_phone() {
    let app = spawn_app().await;
    let keys = credentials(&app).await;
    let fuyu = app
        .imported_resident("o-fuyu", FUYU_PHONE, "10002")
        .await;
    // Signed up, bound nowhere.
    app.resident_token("o-drifter", "13700000078").await;

    let unknown = new_order(
        &app,
        &keys.jiaoyunli,
        "10003",
        "phone",
        json!({"phone": UNKNOWN_PHONE}),
    )
    .await;
    assert_eq!(unknown.str("msg"), "查无此人", "{:?}", unknown.body);
    for phone in [FUYU_PHONE, "13700000078"] {
        let elsewhere = new_order(
            &app,
            &keys.jiaoyunli,
            "10003",
            "phone",
            json!({"phone": phone}),
        )
        .await;
        indistinguishable(&elsewhere, &unknown);
    }

    // Nothing of 10002 in 10003's list, filtered or not, nor in 付钰's.
    let all = platform_orders(&app, &keys.jiaoyunli, "10003", json!({})).await;
    assert!(rows(&all).is_empty(), "{:?}", all.body);
    let his = platform_orders(&app, &keys.jiaoyunli, "10003", json!({"phone": FUYU_PHONE})).await;
    assert!(rows(&his).is_empty(), "{:?}", his.body);
    assert!(resident_orders(&app, &fuyu).await.is_empty());

    // His own community's credential still bills him.
    let own = new_order(
        &app,
        &keys.chenxi,
        "10002",
        "phone",
        json!({"phone": FUYU_PHONE}),
    )
    .await;
    assert_eq!(own.code(), 0, "{:?}", own.body);
    assert_eq!(resident_orders(&app, &fuyu).await.len(), 1);
    let still_none = platform_orders(&app, &keys.jiaoyunli, "10003", json!({})).await;
    assert!(rows(&still_none).is_empty(), "{:?}", still_none.body);
    app.stop().await;
}

#[tokio::test]
async fn a_credential_cannot_bill_a_resident_of_another_community_by_phone_and_name() {
    let app = spawn_app().await;
    let keys = credentials(&app).await;
    let fuyu = app
        .imported_resident("o-fuyu", FUYU_PHONE, "10002")
        .await;
    let unknown = new_order(
        &app,
        &keys.jiaoyunli,
        "10003",
        "phone",
        json!({"name": "付钰", "phone": UNKNOWN_PHONE}),
    )
    .await;
    // Registered (code 3 at home would say "not registered"): here both are simply nobody.
    for (name, phone) in [("付钰", FUYU_PHONE), ("李娜", WIFE_PHONE)] {
        let elsewhere = new_order(
            &app,
            &keys.jiaoyunli,
            "10003",
            "phone",
            json!({"name": name, "phone": phone}),
        )
        .await;
        indistinguishable(&elsewhere, &unknown);
    }
    assert!(resident_orders(&app, &fuyu).await.is_empty());

    // At home the seed's codes hold: 0 for him, 3 for his wife who never signed up.
    let own = new_order(
        &app,
        &keys.chenxi,
        "10002",
        "phone",
        json!({"name": "付钰", "phone": FUYU_PHONE}),
    )
    .await;
    assert_eq!(own.code(), 0, "{:?}", own.body);
    let wife = new_order(
        &app,
        &keys.chenxi,
        "10002",
        "phone",
        json!({"name": "李娜", "phone": WIFE_PHONE}),
    )
    .await;
    assert_eq!(wife.code(), 3, "{:?}", wife.body);
    app.stop().await;
}

#[tokio::test]
async fn a_credential_cannot_bill_a_resident_of_another_community_by_id_number() {
    let app = spawn_app().await;
    let keys = credentials(&app).await;
    let fuyu = app
        .imported_resident("o-fuyu", FUYU_PHONE, "10002")
        .await;
    let unknown = new_order(
        &app,
        &keys.jiaoyunli,
        "10003",
        "idcard",
        json!({"idcard": UNKNOWN_IDCARD}),
    )
    .await;
    for idcard in [FUYU_IDCARD, FATHER_IDCARD] {
        let elsewhere = new_order(
            &app,
            &keys.jiaoyunli,
            "10003",
            "idcard",
            json!({"idcard": idcard}),
        )
        .await;
        indistinguishable(&elsewhere, &unknown);
    }
    let by_idcard =
        platform_orders(&app, &keys.jiaoyunli, "10003", json!({"idcard": FUYU_IDCARD})).await;
    assert!(rows(&by_idcard).is_empty(), "{:?}", by_idcard.body);
    assert!(resident_orders(&app, &fuyu).await.is_empty());

    let own = new_order(
        &app,
        &keys.chenxi,
        "10002",
        "idcard",
        json!({"idcard": FUYU_IDCARD}),
    )
    .await;
    assert_eq!(own.code(), 0, "{:?}", own.body);
    let father = new_order(
        &app,
        &keys.chenxi,
        "10002",
        "idcard",
        json!({"idcard": FATHER_IDCARD}),
    )
    .await;
    assert_eq!(father.code(), 3, "{:?}", father.body);
    app.stop().await;
}

#[tokio::test]
async fn a_credential_cannot_bill_a_resident_of_another_community_by_plate() {
    let app = spawn_app().await;
    let keys = credentials(&app).await;
    let fuyu = app
        .imported_resident("o-fuyu", FUYU_PHONE, "10002")
        .await;
    let bound = app
        .post(
            "/api/v1/weapp/car/bind",
            json!({"number": "冀C12345"}),
            Some(&fuyu),
        )
        .await;
    assert_eq!(bound.code(), 0, "{:?}", bound.body);

    let unknown = new_order(
        &app,
        &keys.jiaoyunli,
        "10003",
        "car_number",
        json!({"number": "冀C54321"}),
    )
    .await;
    assert_eq!(unknown.str("msg"), "查无此车", "{:?}", unknown.body);
    let elsewhere = new_order(
        &app,
        &keys.jiaoyunli,
        "10003",
        "car_number",
        json!({"number": "冀C12345"}),
    )
    .await;
    indistinguishable(&elsewhere, &unknown);
    assert!(resident_orders(&app, &fuyu).await.is_empty());

    let own = new_order(
        &app,
        &keys.chenxi,
        "10002",
        "car_number",
        json!({"number": "冀C12345"}),
    )
    .await;
    assert_eq!(own.code(), 0, "{:?}", own.body);
    assert_eq!(resident_orders(&app, &fuyu).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn a_parking_order_does_not_reach_a_holder_who_left_the_community() {
    let app = spawn_app().await;
    let keys = credentials(&app).await;
    let wangfang = app
        .imported_resident("o-wangfang", "17600381130", "10002")
        .await;
    let assigned = app
        .post(
            "/api/v1/wjdh/parking/assign",
            json!({"xiaoqu": "10002", "number": "A012", "phone": "17600381130"}),
            Some(&keys.chenxi),
        )
        .await;
    assert_eq!(assigned.code(), 0, "{:?}", assigned.body);
    let first = new_order(
        &app,
        &keys.chenxi,
        "10002",
        "parking_number",
        json!({"number": "A012"}),
    )
    .await;
    assert_eq!(first.code(), 0, "{:?}", first.body);

    // Another credential names the spot in its own community: there is none.
    let foreign = new_order(
        &app,
        &keys.jiaoyunli,
        "10003",
        "parking_number",
        json!({"number": "A012"}),
    )
    .await;
    assert_eq!(foreign.code(), 2, "{:?}", foreign.body);

    // She leaves 晨曦家园 (业主解绑, approved); the spot still names her, but she is no longer
    // a resident there: the next order finds nobody, as for a free spot.
    let houses = app
        .post("/api/v1/user/housesList", json!({}), Some(&wangfang))
        .await;
    let binding = rows(&houses)[0]["id"].as_i64().unwrap();
    let leave = app
        .post(
            "/api/v1/weapp/unbindHouse",
            json!({"id": binding}),
            Some(&wangfang),
        )
        .await;
    assert_eq!(leave.code(), 0, "{:?}", leave.body);
    let approved = app
        .put_form(
            "/api/v1/wjdh/shenhe",
            &[
                ("id", &leave.body["data"]["shenhe_id"].to_string()),
                ("status", "1"),
            ],
            &keys.chenxi,
        )
        .await;
    assert_eq!(approved.code(), 0, "{:?}", approved.body);
    let free = new_order(
        &app,
        &keys.chenxi,
        "10002",
        "parking_number",
        json!({"number": "Z999"}),
    )
    .await;
    let after = new_order(
        &app,
        &keys.chenxi,
        "10002",
        "parking_number",
        json!({"number": "A012"}),
    )
    .await;
    assert_eq!(after.code(), 2, "{:?}", after.body);
    assert_eq!(after.body, free.body);
    assert_eq!(resident_orders(&app, &wangfang).await.len(), 1, "only the first");
    app.stop().await;
}

/// The names in a category tree answer, depth first.
fn category_names(answer: &Answer) -> Vec<String> {
    fn walk(nodes: &Value, names: &mut Vec<String>) {
        for node in nodes.as_array().into_iter().flatten() {
            names.push(node["name"].as_str().unwrap_or_default().to_owned());
            walk(&node["children"], names);
        }
    }
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
    let mut names = Vec::new();
    walk(&answer.body["data"], &mut names);
    names
}

async fn categories(app: &TestApp, token: &str, filter: Value) -> Answer {
    app.post("/api/v1/repair/categories", filter, Some(token))
        .await
}

#[tokio::test]
async fn a_credential_cannot_delete_a_repair_category_of_another_community() {
    let app = spawn_app().await;
    let keys = credentials(&app).await;
    let fuyu = app
        .imported_resident("o-fuyu", FUYU_PHONE, "10002")
        .await;
    let zhaoqiang = app
        .imported_resident("o-zhaoqiang", "13800138000", "10003")
        .await;
    let added = app
        .post(
            "/api/v1/wjdh/repair/category",
            json!({"xiaoqu": "10002", "name": "楼道"}),
            Some(&keys.chenxi),
        )
        .await;
    assert_eq!(added.code(), 0, "{:?}", added.body);
    assert_eq!(added.body["data"]["xiaoqu"], "10002");
    let id = added.body["data"]["id"].as_i64().unwrap();

    // 10003's credential: refused, however it names the category, and it stays.
    for body in [json!({"id": id}), json!({"id": id, "xiaoqu": "10003"})] {
        let deleted = app
            .delete_json("/api/v1/wjdh/repair/category", body, &keys.jiaoyunli)
            .await;
        assert_eq!(deleted.code(), 1, "{:?}", deleted.body);
        assert_eq!(deleted.status.as_u16(), 403, "{:?}", deleted.body);
    }
    let chenxi = categories(&app, &keys.chenxi, json!({"xiaoqu": "10002"})).await;
    assert_eq!(category_names(&chenxi), ["楼道"]);

    // Nor can it see, extend or list 10002's tree.
    let own = categories(&app, &keys.jiaoyunli, json!({"xiaoqu": "10003"})).await;
    assert!(category_names(&own).is_empty(), "{:?}", own.body);
    let foreign = categories(&app, &keys.jiaoyunli, json!({"xiaoqu": "10002"})).await;
    assert_eq!(
        (foreign.code(), foreign.status.as_u16()),
        (1, 403),
        "{:?}",
        foreign.body
    );
    let child = app
        .post(
            "/api/v1/wjdh/repair/category",
            json!({"xiaoqu": "10003", "name": "灯泡", "parent_id": id}),
            Some(&keys.jiaoyunli),
        )
        .await;
    assert_eq!(child.code(), 1, "{:?}", child.body);
    assert!(child.str("msg").starts_with("parent_id"), "{:?}", child.body);
    let elsewhere = app
        .post(
            "/api/v1/wjdh/repair/category",
            json!({"xiaoqu": "10002", "name": "电梯"}),
            Some(&keys.jiaoyunli),
        )
        .await;
    assert_eq!(elsewhere.status.as_u16(), 403, "{:?}", elsewhere.body);

    // Residents see the categories of their own community only.
    assert_eq!(category_names(&categories(&app, &fuyu, json!({})).await), ["楼道"]);
    assert!(category_names(&categories(&app, &zhaoqiang, json!({})).await).is_empty());
    let not_theirs = categories(&app, &zhaoqiang, json!({"xiaoqu": "10002"})).await;
    assert_eq!(not_theirs.status.as_u16(), 403, "{:?}", not_theirs.body);

    // Its own credential removes it.
    let removed = app
        .delete_json("/api/v1/wjdh/repair/category", json!({"id": id}), &keys.chenxi)
        .await;
    assert_eq!(removed.code(), 0, "{:?}", removed.body);
    let gone = categories(&app, &keys.chenxi, json!({})).await;
    assert!(category_names(&gone).is_empty(), "{:?}", gone.body);
    app.stop().await;
}
