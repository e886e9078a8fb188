//! Cars and parking spots through the gateway: residents bind plates, the security platform
//! assigns spots, and 001 §2.1.1's `car_number` / `parking_number` orders reach those people.
use serde_json::{Value, json};

use crate::helpers::{
    Answer, FU_YU, TestApp, WANG_FANG, ZHAO_QIANG, assert_refused, assert_refused_for, spawn_app,
};

async fn new_order(app: &TestApp, platform: &str, kind: &str, identifier: Value) -> Answer {
    app.post(
        "/api/v1/wjdh/order/new",
        json!({"xiaoqu": "10002", "type": kind, "identifier": identifier, "title": "临时停车费",
               "amount": "3.5"}),
        Some(platform),
    )
    .await
}

async fn assign(app: &TestApp, platform: &str, xiaoqu: &str, number: &str, phone: &str) -> Answer {
    app.post(
        "/api/v1/wjdh/parking/assign",
        json!({"xiaoqu": xiaoqu, "number": number, "phone": phone}),
        Some(platform),
    )
    .await
}

#[tokio::test]
async fn residents_bind_list_and_unbind_their_cars() {
    let app = spawn_app().await;
    let driver = app.resident_token("o-driver", "13700000011").await;
    let neighbour = app.resident_token("o-neighbour", "13700000012").await;

    // Case, spaces and the printed dot do not matter; the plate is stored normalised.
    let bound = app.bind_car(&driver, "冀c 12345").await;
    assert_eq!(bound.code(), 0, "{:?}", bound.body);
    assert_eq!(bound.str("msg"), "车辆绑定成功");
    assert_eq!(bound.body["data"]["number"], "冀C12345");
    let again = app.bind_car(&driver, "冀C·12345").await;
    assert_eq!(
        again.code(),
        0,
        "binding one's own plate again: {:?}",
        again.body
    );
    assert_eq!(again.body["data"]["id"], bound.body["data"]["id"]);
    let new_energy = app.bind_car(&driver, "京AD12345").await;
    assert_eq!(new_energy.code(), 0, "{:?}", new_energy.body);
    assert_eq!(app.plates_of(&driver).await, ["冀C12345", "京AD12345"]);

    // Not a mainland plate, or none at all: code 1 naming `number`.
    for bad in ["GK12001", "冀C1234", "冀I12345", "冀C12345678", "美A12345"] {
        assert_refused_for(bad, &app.bind_car(&driver, bad).await, 400, "number");
    }
    let missing = app
        .post("/api/v1/weapp/car/bind", json!({}), Some(&driver))
        .await;
    assert_refused(&missing, 400, "number");

    // Someone else's plate is refused in words a resident understands.
    let taken = app.bind_car(&neighbour, "冀C12345").await;
    assert_refused(&taken, 409, "其他用户");

    // Five cars each.
    for plate in ["冀C00001", "冀C00002", "冀C00003"] {
        assert_eq!(app.bind_car(&driver, plate).await.code(), 0, "{plate}");
    }
    assert_refused(&app.bind_car(&driver, "冀C00004").await, 409, "最多");

    // Unbinding frees the plate for someone else.
    let unbound = app
        .post(
            "/api/v1/weapp/car/unbind",
            json!({"number": "冀c12345"}),
            Some(&driver),
        )
        .await;
    assert_eq!(unbound.code(), 0, "{:?}", unbound.body);
    let listed = app.plates_of(&driver).await;
    assert!(!listed.contains(&"冀C12345".to_owned()), "{listed:?}");
    let twice = app
        .post(
            "/api/v1/weapp/car/unbind",
            json!({"number": "冀C12345"}),
            Some(&driver),
        )
        .await;
    assert_refused(&twice, 404, "number");
    assert_eq!(app.bind_car(&neighbour, "冀C12345").await.code(), 0);
    assert_eq!(app.plates_of(&neighbour).await, ["冀C12345"]);

    // Residents' routes want a resident's token.
    let platform = app.platform().await;
    assert_refused(&app.bind_car(&platform, "冀C54321").await, 403, "权限");
    let nobody = app.post("/api/v1/weapp/cars", json!({}), None).await;
    assert_eq!(nobody.code(), 9, "{:?}", nobody.body);
    app.stop().await;
}

#[tokio::test]
async fn concurrent_binds_keep_five_cars_a_user_and_one_user_a_plate() {
    let app = spawn_app().await;
    let driver = app.resident_token("o-driver", "13700000011").await;
    let neighbour = app.resident_token("o-neighbour", "13700000012").await;
    let answers = tokio::join!(
        app.bind_car(&driver, "冀C10001"),
        app.bind_car(&driver, "冀C10002"),
        app.bind_car(&driver, "冀C10003"),
        app.bind_car(&driver, "冀C10004"),
        app.bind_car(&driver, "冀C10005"),
        app.bind_car(&driver, "冀C10006"),
        app.bind_car(&driver, "冀C10007"),
    );
    let answers = [
        answers.0, answers.1, answers.2, answers.3, answers.4, answers.5, answers.6,
    ];
    let bound = answers.iter().filter(|a| a.code() == 0).count();
    assert_eq!(bound, 5, "{answers:?}");
    for refusal in answers.iter().filter(|a| a.code() != 0) {
        assert_refused(refusal, 409, "最多");
    }
    let listed = app.plates_of(&driver).await;
    assert_eq!(listed.len(), 5, "{listed:?}");

    // Two users race for one plate: one gets it, the other hears why not.
    let third = app.resident_token("o-third", "13700000013").await;
    let (other_a, other_b) = tokio::join!(
        app.bind_car(&neighbour, "苏E88888"),
        app.bind_car(&third, "苏E88888"),
    );
    let refusals: Vec<&Answer> = [&other_a, &other_b]
        .into_iter()
        .filter(|a| a.code() != 0)
        .collect();
    assert_eq!(refusals.len(), 1, "{other_a:?} {other_b:?}");
    assert_refused(refusals[0], 409, "其他用户");
    app.stop().await;
}

#[tokio::test]
async fn a_car_number_order_reaches_the_user_who_bound_the_car() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    // The driver is bound in the order's community: a credential reaches only its residents.
    let driver = app.bound_resident(WANG_FANG).await.token;
    let fuyu = app.bound_resident(FU_YU).await.token;
    assert_eq!(app.bind_car(&driver, "京A·D12345").await.code(), 0);

    // The look-up is lenient about case and spaces.
    let created = new_order(
        &app,
        &platform,
        "car_number",
        json!({"number": "京ad 12345"}),
    )
    .await;
    assert_eq!(created.code(), 0, "{:?}", created.body);
    assert_eq!(created.str("msg"), "订单创建成功");
    let number = created.str("data").to_owned();
    assert_eq!(
        app.order_numbers(&driver).await,
        std::slice::from_ref(&number)
    );
    assert!(!app.order_numbers(&fuyu).await.contains(&number));
    let list = app
        .post("/api/v1/orders/list", json!({}), Some(&driver))
        .await;
    let order = &list.rows()[0];
    assert_eq!(order["amount"], "3.50元");
    assert_eq!(order["title"], "临时停车费");
    assert!(order.get("house").is_none(), "a personal order: {order:?}");

    // The seed's example, exactly: nobody bound that plate.
    let unknown = new_order(&app, &platform, "car_number", json!({"number": "GK12001"})).await;
    assert_eq!(unknown.status, 200);
    assert_eq!(
        unknown.body,
        json!({"code": 2, "token_expired": 1, "msg": "查无此车",
               "message": "没有通过car_number查询到people_car表有人绑定该车辆", "data": null})
    );
    assert_refused(
        &new_order(&app, &platform, "car_number", json!({"plate": "京AD12345"})).await,
        400,
        "identifier",
    );

    // An unbound car is no longer found.
    let unbound = app
        .post(
            "/api/v1/weapp/car/unbind",
            json!({"number": "京AD12345"}),
            Some(&driver),
        )
        .await;
    assert_eq!(unbound.code(), 0, "{:?}", unbound.body);
    let gone = new_order(
        &app,
        &platform,
        "car_number",
        json!({"number": "京AD12345"}),
    )
    .await;
    assert_eq!(gone.code(), 2, "{:?}", gone.body);
    app.stop().await;
}

/// The platform of 10002 with 付钰 and 王芳 bound there.
struct Parking {
    platform: String,
    fuyu: String,
    wangfang: String,
}

async fn parking(app: &TestApp) -> Parking {
    Parking {
        platform: app.platform().await,
        fuyu: app.bound_resident(FU_YU).await.token,
        wangfang: app.bound_resident(WANG_FANG).await.token,
    }
}

async fn spots_of(app: &TestApp, token: &str) -> Answer {
    let spots = app
        .post("/api/v1/weapp/parking", json!({}), Some(token))
        .await;
    assert_eq!(spots.code(), 0, "{:?}", spots.body);
    spots
}

#[tokio::test]
async fn a_new_spot_is_assigned_and_shows_its_holder_to_the_platform_and_to_them() {
    let app = spawn_app().await;
    let Parking {
        platform,
        fuyu,
        wangfang,
    } = parking(&app).await;
    let assigned = assign(&app, &platform, "10002", "a012", "15131512234").await;
    assert_eq!(assigned.code(), 0, "{:?}", assigned.body);
    assert_eq!(assigned.str("msg"), "车位分配成功");
    let spot = &assigned.body["data"];
    assert_eq!(spot["number"], "A012");
    assert_eq!(spot["xiaoqu"], "10002");
    assert_eq!(spot["assigned"], 1);
    assert_eq!(spot["name"], "付钰");
    assert_eq!(spot["phone"], "15131512234");
    let mine = spots_of(&app, &fuyu).await;
    assert_eq!(mine.rows().len(), 1);
    assert_eq!(mine.rows()[0]["number"], "A012");
    assert_eq!(mine.rows()[0]["community_name"], "晨曦家园");
    let hers = spots_of(&app, &wangfang).await;
    assert!(hers.rows().is_empty(), "{:?}", hers.body);
    app.stop().await;
}

#[tokio::test]
async fn a_parking_order_reaches_the_assignee_only_and_follows_a_reassignment() {
    let app = spawn_app().await;
    let Parking {
        platform,
        fuyu,
        wangfang,
    } = parking(&app).await;
    let assigned = assign(&app, &platform, "10002", "a012", "15131512234").await;
    assert_eq!(assigned.code(), 0, "{:?}", assigned.body);
    let first = new_order(&app, &platform, "parking_number", json!({"number": "A012"})).await;
    assert_eq!(first.code(), 0, "{:?}", first.body);
    let first = first.str("data").to_owned();
    assert!(app.order_numbers(&fuyu).await.contains(&first));
    assert!(!app.order_numbers(&wangfang).await.contains(&first));

    // Reassigning moves the next orders.
    let moved = assign(&app, &platform, "10002", "A012", "17600381130").await;
    assert_eq!(moved.code(), 0, "{:?}", moved.body);
    assert_eq!(
        moved.body["data"]["id"], assigned.body["data"]["id"],
        "the same spot"
    );
    let second = new_order(
        &app,
        &platform,
        "parking_number",
        json!({"number": " a012"}),
    )
    .await;
    assert_eq!(second.code(), 0, "{:?}", second.body);
    let second = second.str("data").to_owned();
    assert!(app.order_numbers(&wangfang).await.contains(&second));
    assert!(!app.order_numbers(&fuyu).await.contains(&second));
    app.stop().await;
}

/// 10002's spots A012 (王芳's) and B-001 (付钰's).
async fn two_spots(app: &TestApp, platform: &str) {
    for (number, phone) in [("A012", "17600381130"), ("B-001", "15131512234")] {
        let assigned = assign(app, platform, "10002", number, phone).await;
        assert_eq!(assigned.code(), 0, "{number}: {:?}", assigned.body);
    }
}

#[tokio::test]
async fn the_platform_lists_its_spots_by_number_filtered_and_paged() {
    let app = spawn_app().await;
    let Parking { platform, .. } = parking(&app).await;
    two_spots(&app, &platform).await;
    let all = app
        .post(
            "/api/v1/wjdh/parking/list",
            json!({"xiaoqu": 10002, "per_page": 1}),
            Some(&platform),
        )
        .await;
    assert_eq!(all.code(), 0, "{:?}", all.body);
    assert_eq!(all.rows()[0]["number"], "A012");
    assert_eq!(all.body["meta"]["total"], 2);
    assert!(all.body["links"]["next"].is_string(), "{:?}", all.body);
    let by_number = app
        .post(
            "/api/v1/wjdh/parking/list",
            json!({"xiaoqu": "10002", "number": "b"}),
            Some(&platform),
        )
        .await;
    assert_eq!(by_number.rows().len(), 1, "{:?}", by_number.body);
    assert_eq!(by_number.rows()[0]["number"], "B-001");
    app.stop().await;
}

#[tokio::test]
async fn a_released_spot_stays_free_and_its_orders_find_nobody() {
    let app = spawn_app().await;
    let Parking { platform, .. } = parking(&app).await;
    two_spots(&app, &platform).await;
    let released = app
        .post(
            "/api/v1/wjdh/parking/release",
            json!({"xiaoqu": "10002", "number": "A012"}),
            Some(&platform),
        )
        .await;
    assert_eq!(released.code(), 0, "{:?}", released.body);
    assert_eq!(released.body["data"]["assigned"], 0);
    assert_eq!(released.body["data"]["phone"], Value::Null);
    let free = app
        .post(
            "/api/v1/wjdh/parking/list",
            json!({"xiaoqu": "10002", "assigned": 0}),
            Some(&platform),
        )
        .await;
    assert_eq!(free.rows().len(), 1, "{:?}", free.body);
    assert_eq!(free.rows()[0]["number"], "A012");
    let nobody = new_order(&app, &platform, "parking_number", json!({"number": "A012"})).await;
    assert_eq!(nobody.status, 200);
    assert_eq!(nobody.code(), 2, "{:?}", nobody.body);
    assert_eq!(nobody.str("msg"), "查无此车位");
    let never = new_order(&app, &platform, "parking_number", json!({"number": "Z999"})).await;
    assert_eq!(never.code(), 2, "{:?}", never.body);
    let unknown = app
        .post(
            "/api/v1/wjdh/parking/release",
            json!({"xiaoqu": "10002", "number": "Z999"}),
            Some(&platform),
        )
        .await;
    assert_refused(&unknown, 404, "number");
    app.stop().await;
}

#[tokio::test]
async fn a_credential_manages_only_the_spots_of_its_communities() {
    let app = spawn_app().await;
    let Parking { platform, fuyu, .. } = parking(&app).await;
    let jyl = app.platform_10003().await;
    let zhaoqiang = app.bound_resident(ZHAO_QIANG).await.token;
    let assigned = assign(&app, &platform, "10002", "B-001", "15131512234").await;
    assert_eq!(assigned.code(), 0, "{:?}", assigned.body);
    assert_refused(
        &assign(&app, &jyl, "10002", "A012", "15131512234").await,
        403,
        "您没有权限管理该小区",
    );
    for path in ["/api/v1/wjdh/parking/list", "/api/v1/wjdh/parking/release"] {
        let answer = app
            .post(
                path,
                json!({"xiaoqu": "10002", "number": "B-001"}),
                Some(&jyl),
            )
            .await;
        assert_refused_for(path, &answer, 403, "您没有权限管理该小区");
    }
    let spots = spots_of(&app, &fuyu).await;
    assert_eq!(spots.rows()[0]["number"], "B-001", "untouched");
    let elsewhere = assign(&app, &jyl, "10003", "A012", "13800138000").await;
    assert_eq!(elsewhere.code(), 0, "{:?}", elsewhere.body);
    let his = spots_of(&app, &zhaoqiang).await;
    assert_eq!(his.rows()[0]["xiaoqu"], "10003");
    app.stop().await;
}

#[tokio::test]
async fn only_registered_residents_of_the_community_get_a_spot_and_only_from_its_platform() {
    let app = spawn_app().await;
    let Parking { platform, fuyu, .. } = parking(&app).await;
    // 赵强 is registered, but in 10003.
    app.bound_resident(ZHAO_QIANG).await;
    for (xiaoqu, number, phone, field) in [
        ("10002", "C001", "13800138000", "phone"),
        ("10002", "C001", "13700000099", "phone"),
        ("10002", "C001", "123", "phone"),
        ("10002", "C 0%1", "15131512234", "number"),
        ("", "C001", "15131512234", "xiaoqu"),
    ] {
        let answer = assign(&app, &platform, xiaoqu, number, phone).await;
        let row = format!("{xiaoqu} {number} {phone}");
        assert_refused_for(&row, &answer, 400, field);
    }
    // A resident's token does not reach the platform's routes.
    assert_refused(
        &assign(&app, &fuyu, "10002", "C001", "15131512234").await,
        403,
        "权限",
    );
    app.stop().await;
}

#[tokio::test]
async fn the_edge_reads_each_field_once_and_names_the_bad_one() {
    let app = spawn_app().await;
    let platform = app.platform().await;
    let driver = app.resident_token("o-driver", "13700000011").await;
    let long = "理".repeat(201);
    for (path, body, field) in [
        (
            "/api/v1/wjdh/parking/list",
            json!({"xiaoqu": "10a02"}),
            "xiaoqu",
        ),
        (
            "/api/v1/wjdh/parking/list",
            json!({"xiaoqu": "10002", "assigned": "x"}),
            "assigned",
        ),
        (
            "/api/v1/wjdh/parking/list",
            json!({"xiaoqu": "10002", "per_page": 101}),
            "per_page",
        ),
        (
            "/api/v1/wjdh/car/transfers",
            json!({"xiaoqu": "10002", "status": 3}),
            "status",
        ),
        (
            "/api/v1/wjdh/parking/release",
            json!({"xiaoqu": "10002"}),
            "number",
        ),
    ] {
        let row = format!("{path} {body}");
        assert_refused_for(
            &row,
            &app.post(path, body, Some(&platform)).await,
            400,
            field,
        );
    }
    let decide = app
        .put_json(
            "/api/v1/wjdh/car/transfer",
            json!({"id": 1, "status": 2}),
            &platform,
        )
        .await;
    assert_refused(&decide, 400, "status");
    let decide = app
        .put_json(
            "/api/v1/wjdh/car/transfer",
            json!({"id": "x", "status": 1}),
            &platform,
        )
        .await;
    assert_refused(&decide, 400, "id");
    let claim = app
        .post(
            "/api/v1/weapp/car/transfer",
            json!({"number": "冀C12345", "reason": long}),
            Some(&driver),
        )
        .await;
    assert_refused(&claim, 400, "reason");
    // Numbers as numbers, plates as typed: a list still answers.
    let listed = app
        .post(
            "/api/v1/wjdh/parking/list",
            json!({"xiaoqu": 10002, "assigned": 0, "page": "1"}),
            Some(&platform),
        )
        .await;
    assert_eq!(listed.code(), 0, "{:?}", listed.body);
    app.stop().await;
}
