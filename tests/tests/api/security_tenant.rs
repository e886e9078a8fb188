//! Issue 11, tenant isolation: a platform credential reaches only the people, houses and
//! records of the communities it manages (DESIGN, "Security invariants"). Each test fails on the
//! code the issue was filed against.
use serde_json::{Value, json};

use crate::helpers::{Answer, FU_YU, TestApp, WANG_FANG, ZHAO_QIANG, spawn_app};

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
        chenxi: app.platform().await,
        jiaoyunli: app.platform_10003().await,
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

#[tokio::test]
async fn a_credential_cannot_bill_a_resident_of_another_community_by_phone() {
    let app = spawn_app().await;
    let keys = credentials(&app).await;
    let fuyu = app.bound_resident(FU_YU).await.token;
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
    assert!(all.rows().is_empty(), "{:?}", all.body);
    let his = platform_orders(&app, &keys.jiaoyunli, "10003", json!({"phone": FUYU_PHONE})).await;
    assert!(his.rows().is_empty(), "{:?}", his.body);
    assert!(app.order_numbers(&fuyu).await.is_empty());

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
    assert_eq!(app.order_numbers(&fuyu).await.len(), 1);
    let still_none = platform_orders(&app, &keys.jiaoyunli, "10003", json!({})).await;
    assert!(still_none.rows().is_empty(), "{:?}", still_none.body);
    app.stop().await;
}

#[tokio::test]
async fn a_credential_cannot_bill_a_resident_of_another_community_by_phone_and_name() {
    let app = spawn_app().await;
    let keys = credentials(&app).await;
    let fuyu = app.bound_resident(FU_YU).await.token;
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
    assert!(app.order_numbers(&fuyu).await.is_empty());

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
    let fuyu = app.bound_resident(FU_YU).await.token;
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
    let by_idcard = platform_orders(
        &app,
        &keys.jiaoyunli,
        "10003",
        json!({"idcard": FUYU_IDCARD}),
    )
    .await;
    assert!(by_idcard.rows().is_empty(), "{:?}", by_idcard.body);
    assert!(app.order_numbers(&fuyu).await.is_empty());

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
    let fuyu = app.bound_resident(FU_YU).await.token;
    let bound = app.bind_car(&fuyu, "冀C12345").await;
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
    assert!(app.order_numbers(&fuyu).await.is_empty());

    let own = new_order(
        &app,
        &keys.chenxi,
        "10002",
        "car_number",
        json!({"number": "冀C12345"}),
    )
    .await;
    assert_eq!(own.code(), 0, "{:?}", own.body);
    assert_eq!(app.order_numbers(&fuyu).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn assigning_a_spot_tells_a_credential_nothing_of_someone_bound_elsewhere() {
    let app = spawn_app().await;
    let keys = credentials(&app).await;
    // Someone registered and bound elsewhere is refused exactly as a phone nobody signed up with.
    app.bound_resident(ZHAO_QIANG).await;
    let assign = |phone: &'static str| {
        app.post(
            "/api/v1/wjdh/parking/assign",
            json!({"xiaoqu": "10002", "number": "B001", "phone": phone}),
            Some(&keys.chenxi),
        )
    };
    let (elsewhere, unknown) = (assign("13800138000").await, assign(UNKNOWN_PHONE).await);
    assert_eq!(elsewhere.code(), 1, "{:?}", elsewhere.body);
    assert_eq!(elsewhere.status, unknown.status);
    assert_eq!(elsewhere.body, unknown.body);
    app.stop().await;
}

/// 王芳 bound to 10002 and holding its spot A012, with one parking order billed to her.
async fn wangfang_with_a_spot(app: &TestApp, keys: &Credentials) -> String {
    let wangfang = app.bound_resident(WANG_FANG).await.token;
    let assigned = app
        .post(
            "/api/v1/wjdh/parking/assign",
            json!({"xiaoqu": "10002", "number": "A012", "phone": "17600381130"}),
            Some(&keys.chenxi),
        )
        .await;
    assert_eq!(assigned.code(), 0, "{:?}", assigned.body);
    let first = new_order(
        app,
        &keys.chenxi,
        "10002",
        "parking_number",
        json!({"number": "A012"}),
    )
    .await;
    assert_eq!(first.code(), 0, "{:?}", first.body);
    wangfang
}

#[tokio::test]
async fn another_credential_naming_a_spot_finds_none_in_its_own_community() {
    let app = spawn_app().await;
    let keys = credentials(&app).await;
    wangfang_with_a_spot(&app, &keys).await;
    let foreign = new_order(
        &app,
        &keys.jiaoyunli,
        "10003",
        "parking_number",
        json!({"number": "A012"}),
    )
    .await;
    assert_eq!(foreign.code(), 2, "{:?}", foreign.body);
    app.stop().await;
}

#[tokio::test]
async fn a_parking_order_does_not_reach_a_holder_who_left_the_community() {
    let app = spawn_app().await;
    let keys = credentials(&app).await;
    let wangfang = wangfang_with_a_spot(&app, &keys).await;
    // She leaves 晨曦家园 (业主解绑, approved); the spot still names her, but she is no longer
    // a resident there: the next order finds nobody, as for a free spot.
    let houses = app
        .post("/api/v1/user/housesList", json!({}), Some(&wangfang))
        .await;
    let binding = houses.rows()[0]["id"].as_i64().unwrap();
    let leave = app
        .post(
            "/api/v1/weapp/unbindHouse",
            json!({"id": binding}),
            Some(&wangfang),
        )
        .await;
    assert_eq!(leave.code(), 0, "{:?}", leave.body);
    let review = leave.body["data"]["shenhe_id"].as_i64().unwrap();
    let approved = app.approve(&keys.chenxi, review).await;
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
    assert_eq!(
        app.order_numbers(&wangfang).await.len(),
        1,
        "only the first"
    );
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

/// The two credentials and 10002's repair category 楼道; its id.
async fn category_of_10002(app: &TestApp) -> (Credentials, i64) {
    let keys = credentials(app).await;
    let added = app
        .post(
            "/api/v1/wjdh/repair/category",
            json!({"xiaoqu": "10002", "name": "楼道"}),
            Some(&keys.chenxi),
        )
        .await;
    assert_eq!(added.code(), 0, "{:?}", added.body);
    let id = added.body["data"]["id"].as_i64().unwrap();
    (keys, id)
}

#[tokio::test]
async fn a_credential_cannot_delete_a_repair_category_of_another_community() {
    let app = spawn_app().await;
    let (keys, id) = category_of_10002(&app).await;
    // 10003's credential: refused, however it names the category, and it stays.
    for body in [json!({"id": id}), json!({"id": id, "xiaoqu": "10003"})] {
        let row = body.to_string();
        let deleted = app
            .delete_json("/api/v1/wjdh/repair/category", body, &keys.jiaoyunli)
            .await;
        assert_eq!(deleted.code(), 1, "{row}: {:?}", deleted.body);
        assert_eq!(deleted.status.as_u16(), 403, "{row}: {:?}", deleted.body);
    }
    let chenxi = categories(&app, &keys.chenxi, json!({"xiaoqu": "10002"})).await;
    assert_eq!(category_names(&chenxi), ["楼道"]);
    assert_eq!(chenxi.body["data"][0]["xiaoqu"], "10002");

    // Its own credential removes it.
    let removed = app
        .delete_json(
            "/api/v1/wjdh/repair/category",
            json!({"id": id}),
            &keys.chenxi,
        )
        .await;
    assert_eq!(removed.code(), 0, "{:?}", removed.body);
    let gone = categories(&app, &keys.chenxi, json!({})).await;
    assert!(category_names(&gone).is_empty(), "{:?}", gone.body);
    app.stop().await;
}

#[tokio::test]
async fn a_credential_cannot_see_extend_or_add_to_another_communitys_categories() {
    let app = spawn_app().await;
    let (keys, id) = category_of_10002(&app).await;
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
    assert!(
        child.str("msg").starts_with("parent_id"),
        "{:?}",
        child.body
    );
    let elsewhere = app
        .post(
            "/api/v1/wjdh/repair/category",
            json!({"xiaoqu": "10002", "name": "电梯"}),
            Some(&keys.jiaoyunli),
        )
        .await;
    assert_eq!(elsewhere.status.as_u16(), 403, "{:?}", elsewhere.body);
    app.stop().await;
}

#[tokio::test]
async fn residents_see_the_repair_categories_of_their_own_community_only() {
    let app = spawn_app().await;
    category_of_10002(&app).await;
    let fuyu = app.bound_resident(FU_YU).await.token;
    let zhaoqiang = app.bound_resident(ZHAO_QIANG).await.token;
    assert_eq!(
        category_names(&categories(&app, &fuyu, json!({})).await),
        ["楼道"]
    );
    assert!(category_names(&categories(&app, &zhaoqiang, json!({})).await).is_empty());
    let not_theirs = categories(&app, &zhaoqiang, json!({"xiaoqu": "10002"})).await;
    assert_eq!(not_theirs.status.as_u16(), 403, "{:?}", not_theirs.body);
    app.stop().await;
}

async fn claim(app: &TestApp, token: &str, number: &str) -> Answer {
    app.post(
        "/api/v1/weapp/car/transfer",
        json!({"number": number, "reason": "行驶证在物业核验"}),
        Some(token),
    )
    .await
}

async fn decide(app: &TestApp, platform: &str, id: i64, status: &str) -> Answer {
    app.put_form(
        "/api/v1/wjdh/car/transfer",
        &[("id", &id.to_string()), ("status", status)],
        platform,
    )
    .await
}

/// Creates a `car_number` order in 10002; its number.
async fn plate_order(app: &TestApp, platform: &str, number: &str) -> String {
    let created = new_order(
        app,
        platform,
        "10002",
        "car_number",
        json!({"number": number}),
    )
    .await;
    assert_eq!(created.code(), 0, "{:?}", created.body);
    created.str("data").to_owned()
}

/// 付钰 bound 冀C12345 first, without proof; 王芳, who holds its 行驶证, claimed it.
struct Claim {
    keys: Credentials,
    squatter: String,
    owner: String,
    /// The claim's answer.
    claimed: Answer,
    id: i64,
}

async fn claimed_plate(app: &TestApp) -> Claim {
    let keys = credentials(app).await;
    let squatter = app.bound_resident(FU_YU).await.token;
    let owner = app.bound_resident(WANG_FANG).await.token;
    assert_eq!(app.bind_car(&squatter, "冀C12345").await.code(), 0);
    let claimed = claim(app, &owner, "冀c 12345").await;
    assert_eq!(claimed.code(), 0, "{:?}", claimed.body);
    let id = claimed.body["data"]["id"].as_i64().unwrap();
    Claim {
        keys,
        squatter,
        owner,
        claimed,
        id,
    }
}

#[tokio::test]
async fn a_plate_held_by_another_resident_is_claimed_and_waits_for_the_platform() {
    let app = spawn_app().await;
    let Claim {
        keys,
        squatter,
        owner,
        claimed,
        id,
    } = claimed_plate(&app).await;
    // Binding it outright is refused.
    let taken = app.bind_car(&owner, "冀c 12345").await;
    assert_eq!(
        (taken.code(), taken.status.as_u16()),
        (1, 409),
        "{:?}",
        taken.body
    );
    assert!(
        claimed.str("msg").contains("等待物业确认"),
        "{:?}",
        claimed.body
    );
    let data = &claimed.body["data"];
    assert_eq!(
        (&data["status"], &data["xiaoqu"], &data["number"]),
        (&json!(2), &json!("10002"), &json!("冀C12345"))
    );
    assert_eq!(data["holder_phone"], "151****2234", "the holder is masked");
    assert_eq!(
        claim(&app, &owner, "冀C12345").await.body["data"]["id"],
        json!(id),
        "one waiting claim per plate and claimant"
    );

    // Until confirmed, the plate and its orders stay with whoever holds it.
    assert_eq!(app.plates_of(&squatter).await, ["冀C12345"]);
    assert!(app.plates_of(&owner).await.is_empty());
    let first = plate_order(&app, &keys.chenxi, "冀C12345").await;
    assert_eq!(app.order_numbers(&squatter).await, [first]);
    assert!(app.order_numbers(&owner).await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn only_the_credential_managing_the_claimants_community_sees_and_decides_a_claim() {
    let app = spawn_app().await;
    let Claim {
        keys, squatter, id, ..
    } = claimed_plate(&app).await;
    let foreign_list = app
        .post(
            "/api/v1/wjdh/car/transfers",
            json!({"xiaoqu": "10002"}),
            Some(&keys.jiaoyunli),
        )
        .await;
    assert_eq!(foreign_list.status.as_u16(), 403, "{:?}", foreign_list.body);
    let foreign = decide(&app, &keys.jiaoyunli, id, "1").await;
    assert_eq!(
        (foreign.code(), foreign.status.as_u16()),
        (1, 403),
        "{:?}",
        foreign.body
    );
    assert_eq!(app.plates_of(&squatter).await, ["冀C12345"]);
    let waiting = app
        .post(
            "/api/v1/wjdh/car/transfers",
            json!({"xiaoqu": "10002", "status": 2}),
            Some(&keys.chenxi),
        )
        .await;
    assert_eq!(waiting.code(), 0, "{:?}", waiting.body);
    assert_eq!(waiting.rows().len(), 1, "{:?}", waiting.body);
    assert_eq!(waiting.rows()[0]["name"], "王芳");
    assert_eq!(waiting.rows()[0]["phone"], "17600381130");
    app.stop().await;
}

#[tokio::test]
async fn a_confirmed_claim_moves_the_plate_and_the_next_orders_and_is_decided_once() {
    let app = spawn_app().await;
    let Claim {
        keys,
        squatter,
        owner,
        id,
        ..
    } = claimed_plate(&app).await;
    let first = plate_order(&app, &keys.chenxi, "冀C12345").await;
    let confirmed = decide(&app, &keys.chenxi, id, "1").await;
    assert_eq!(confirmed.code(), 0, "{:?}", confirmed.body);
    assert_eq!(confirmed.body["data"]["status"], 1);
    assert!(app.plates_of(&squatter).await.is_empty());
    assert_eq!(app.plates_of(&owner).await, ["冀C12345"]);
    // The first order stays the squatter's.
    let second = plate_order(&app, &keys.chenxi, "冀C12345").await;
    assert_eq!(app.order_numbers(&owner).await, [second]);
    assert_eq!(app.order_numbers(&squatter).await, [first]);
    let twice = decide(&app, &keys.chenxi, id, "0").await;
    assert_eq!(
        (twice.code(), twice.status.as_u16()),
        (1, 409),
        "{:?}",
        twice.body
    );
    app.stop().await;
}

#[tokio::test]
async fn a_refused_claim_leaves_the_plate_where_it_is() {
    let app = spawn_app().await;
    let Claim {
        keys,
        squatter,
        owner,
        id,
        ..
    } = claimed_plate(&app).await;
    assert_eq!(decide(&app, &keys.chenxi, id, "1").await.code(), 0);
    // The squatter tries to take it back.
    let back = claim(&app, &squatter, "冀C12345").await;
    assert_eq!(back.code(), 0, "{:?}", back.body);
    let refused = decide(
        &app,
        &keys.chenxi,
        back.body["data"]["id"].as_i64().unwrap(),
        "0",
    )
    .await;
    assert_eq!(refused.body["data"]["status"], 0, "{:?}", refused.body);
    assert_eq!(app.plates_of(&owner).await, ["冀C12345"]);
    app.stop().await;
}

#[tokio::test]
async fn a_claim_needs_a_house_in_a_community_a_plate_someone_else_holds_and_good_fields() {
    let app = spawn_app().await;
    let Claim {
        keys, squatter, id, ..
    } = claimed_plate(&app).await;
    // Its platform decides: someone with no house has none.
    let drifter = app.resident_token("o-drifter", "13700000078").await;
    let homeless = claim(&app, &drifter, "冀C12345").await;
    assert_eq!(
        (homeless.code(), homeless.status.as_u16()),
        (1, 403),
        "{:?}",
        homeless.body
    );
    let free = claim(&app, &squatter, "冀C99999").await;
    assert_eq!(
        (free.code(), free.status.as_u16()),
        (1, 409),
        "{:?}",
        free.body
    );
    let bad = claim(&app, &squatter, "GK12001").await;
    assert_eq!(
        (bad.code(), bad.status.as_u16()),
        (1, 400),
        "{:?}",
        bad.body
    );
    assert!(bad.str("msg").contains("number"), "{:?}", bad.body);
    let bad_status = decide(&app, &keys.chenxi, id, "yes").await;
    assert!(
        bad_status.str("msg").contains("status"),
        "{:?}",
        bad_status.body
    );
    app.stop().await;
}
