//! Cars and parking spots through the gateway: residents bind plates, the security platform
//! assigns spots, and 001 §2.1.1's `car_number` / `parking_number` orders reach those people.
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, spawn_app};

async fn new_order(app: &TestApp, platform: &str, kind: &str, identifier: Value) -> Answer {
    app.post(
        "/api/v1/wjdh/order/new",
        json!({"xiaoqu": "10002", "type": kind, "identifier": identifier, "title": "临时停车费",
               "amount": "3.5"}),
        Some(platform),
    )
    .await
}

/// The order numbers in a resident's 000 §4.1.1 list.
async fn order_numbers(app: &TestApp, resident: &str) -> Vec<String> {
    let list = app
        .post("/api/v1/orders/list", json!({}), Some(resident))
        .await;
    assert_eq!(list.code(), 0, "{:?}", list.body);
    rows(&list)
        .iter()
        .map(|row| row["number"].as_str().unwrap().to_owned())
        .collect()
}

/// Code 1 with this HTTP status and `msg` containing `says`.
fn refused(answer: &Answer, status: u16, says: &str) {
    assert_eq!(answer.code(), 1, "{:?}", answer.body);
    assert_eq!(answer.status.as_u16(), status, "{:?}", answer.body);
    assert!(answer.str("msg").contains(says), "{:?}", answer.body);
    assert_eq!(answer.body["token_expired"], 1);
}

fn rows(answer: &Answer) -> &Vec<Value> {
    answer.body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {:?}", answer.body))
}

fn plates(answer: &Answer) -> Vec<&str> {
    rows(answer)
        .iter()
        .map(|car| car["number"].as_str().unwrap())
        .collect()
}

async fn bind(app: &TestApp, token: &str, number: &str) -> Answer {
    app.post(
        "/api/v1/weapp/car/bind",
        json!({"number": number}),
        Some(token),
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
    let bound = bind(&app, &driver, "冀c 12345").await;
    assert_eq!(bound.code(), 0, "{:?}", bound.body);
    assert_eq!(bound.str("msg"), "车辆绑定成功");
    assert_eq!(bound.body["data"]["number"], "冀C12345");
    let again = bind(&app, &driver, "冀C·12345").await;
    assert_eq!(
        again.code(),
        0,
        "binding one's own plate again: {:?}",
        again.body
    );
    assert_eq!(again.body["data"]["id"], bound.body["data"]["id"]);
    let new_energy = bind(&app, &driver, "京AD12345").await;
    assert_eq!(new_energy.code(), 0, "{:?}", new_energy.body);
    let listed = app
        .post("/api/v1/weapp/cars", json!({}), Some(&driver))
        .await;
    assert_eq!(listed.code(), 0, "{:?}", listed.body);
    assert_eq!(plates(&listed), ["冀C12345", "京AD12345"]);

    // Not a mainland plate, or none at all: code 1 naming `number`.
    for bad in ["GK12001", "冀C1234", "冀I12345", "冀C12345678", "美A12345"] {
        refused(&bind(&app, &driver, bad).await, 400, "number");
    }
    let missing = app
        .post("/api/v1/weapp/car/bind", json!({}), Some(&driver))
        .await;
    refused(&missing, 400, "number");

    // Someone else's plate is refused in words a resident understands.
    let taken = bind(&app, &neighbour, "冀C12345").await;
    refused(&taken, 409, "其他用户");

    // Five cars each.
    for plate in ["冀C00001", "冀C00002", "冀C00003"] {
        assert_eq!(bind(&app, &driver, plate).await.code(), 0);
    }
    refused(&bind(&app, &driver, "冀C00004").await, 409, "最多");

    // Unbinding frees the plate for someone else.
    let unbound = app
        .post(
            "/api/v1/weapp/car/unbind",
            json!({"number": "冀c12345"}),
            Some(&driver),
        )
        .await;
    assert_eq!(unbound.code(), 0, "{:?}", unbound.body);
    let listed = app
        .post("/api/v1/weapp/cars", json!({}), Some(&driver))
        .await;
    assert!(!plates(&listed).contains(&"冀C12345"), "{:?}", listed.body);
    let twice = app
        .post(
            "/api/v1/weapp/car/unbind",
            json!({"number": "冀C12345"}),
            Some(&driver),
        )
        .await;
    refused(&twice, 404, "number");
    assert_eq!(bind(&app, &neighbour, "冀C12345").await.code(), 0);
    let theirs = app
        .post("/api/v1/weapp/cars", json!({}), Some(&neighbour))
        .await;
    assert_eq!(plates(&theirs), ["冀C12345"]);

    // Residents' routes want a resident's token.
    let platform = app.platform_token("123456", "123456").await;
    refused(&bind(&app, &platform, "冀C54321").await, 403, "权限");
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
        bind(&app, &driver, "冀C10001"),
        bind(&app, &driver, "冀C10002"),
        bind(&app, &driver, "冀C10003"),
        bind(&app, &driver, "冀C10004"),
        bind(&app, &driver, "冀C10005"),
        bind(&app, &driver, "冀C10006"),
        bind(&app, &driver, "冀C10007"),
    );
    let answers = [
        answers.0, answers.1, answers.2, answers.3, answers.4, answers.5, answers.6,
    ];
    let bound = answers.iter().filter(|a| a.code() == 0).count();
    assert_eq!(bound, 5, "{answers:?}");
    for refusal in answers.iter().filter(|a| a.code() != 0) {
        refused(refusal, 409, "最多");
    }
    let listed = app
        .post("/api/v1/weapp/cars", json!({}), Some(&driver))
        .await;
    assert_eq!(rows(&listed).len(), 5, "{:?}", listed.body);

    // Two users race for one plate: one gets it, the other hears why not.
    let third = app.resident_token("o-third", "13700000013").await;
    let (other_a, other_b) = tokio::join!(
        bind(&app, &neighbour, "苏E88888"),
        bind(&app, &third, "苏E88888"),
    );
    let refusals: Vec<&Answer> = [&other_a, &other_b]
        .into_iter()
        .filter(|a| a.code() != 0)
        .collect();
    assert_eq!(refusals.len(), 1, "{other_a:?} {other_b:?}");
    refused(refusals[0], 409, "其他用户");
    app.stop().await;
}

#[tokio::test]
async fn a_car_number_order_reaches_the_user_who_bound_the_car() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    // The driver is bound in the order's community: a credential reaches only its residents.
    let driver = app
        .imported_resident("o-wangfang", "17600381130", "10002")
        .await;
    let fuyu = app
        .imported_resident("o-fuyu", "15131512234", "10002")
        .await;
    assert_eq!(bind(&app, &driver, "京A·D12345").await.code(), 0);

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
        order_numbers(&app, &driver).await,
        std::slice::from_ref(&number)
    );
    assert!(!order_numbers(&app, &fuyu).await.contains(&number));
    let list = app
        .post("/api/v1/orders/list", json!({}), Some(&driver))
        .await;
    let order = &rows(&list)[0];
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
    refused(
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

#[tokio::test]
async fn the_platform_assigns_its_parking_spots_and_parking_orders_follow_the_assignee() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
    let jyl = app.platform_token("jyl-demo", "jyl-demo-secret").await;
    let fuyu = app
        .imported_resident("o-fuyu", "15131512234", "10002")
        .await;
    let wangfang = app
        .imported_resident("o-wangfang", "17600381130", "10002")
        .await;
    let zhaoqiang = app
        .imported_resident("o-zhaoqiang", "13800138000", "10003")
        .await;

    // A new spot is created and assigned; the managing platform sees the whole phone.
    let assigned = assign(&app, &platform, "10002", "a012", "15131512234").await;
    assert_eq!(assigned.code(), 0, "{:?}", assigned.body);
    assert_eq!(assigned.str("msg"), "车位分配成功");
    let spot = &assigned.body["data"];
    assert_eq!(spot["number"], "A012");
    assert_eq!(spot["xiaoqu"], "10002");
    assert_eq!(spot["assigned"], 1);
    assert_eq!(spot["name"], "付钰");
    assert_eq!(spot["phone"], "15131512234");
    let mine = app
        .post("/api/v1/weapp/parking", json!({}), Some(&fuyu))
        .await;
    assert_eq!(mine.code(), 0, "{:?}", mine.body);
    assert_eq!(rows(&mine).len(), 1);
    assert_eq!(rows(&mine)[0]["number"], "A012");
    assert_eq!(rows(&mine)[0]["community_name"], "晨曦家园");
    let hers = app
        .post("/api/v1/weapp/parking", json!({}), Some(&wangfang))
        .await;
    assert!(rows(&hers).is_empty(), "{:?}", hers.body);

    // A parking_number order reaches the assignee only.
    let first = new_order(&app, &platform, "parking_number", json!({"number": "A012"})).await;
    assert_eq!(first.code(), 0, "{:?}", first.body);
    let first = first.str("data").to_owned();
    assert!(order_numbers(&app, &fuyu).await.contains(&first));
    assert!(!order_numbers(&app, &wangfang).await.contains(&first));

    // Reassigning moves the next orders.
    let moved = assign(&app, &platform, "10002", "A012", "17600381130").await;
    assert_eq!(moved.code(), 0, "{:?}", moved.body);
    assert_eq!(moved.body["data"]["id"], spot["id"], "the same spot");
    let second = new_order(
        &app,
        &platform,
        "parking_number",
        json!({"number": " a012"}),
    )
    .await;
    assert_eq!(second.code(), 0, "{:?}", second.body);
    let second = second.str("data").to_owned();
    assert!(order_numbers(&app, &wangfang).await.contains(&second));
    assert!(!order_numbers(&app, &fuyu).await.contains(&second));

    // The platform's list: by number, filtered, paged as its other lists.
    assert_eq!(
        assign(&app, &platform, "10002", "B-001", "15131512234")
            .await
            .code(),
        0
    );
    let all = app
        .post(
            "/api/v1/wjdh/parking/list",
            json!({"xiaoqu": 10002, "per_page": 1}),
            Some(&platform),
        )
        .await;
    assert_eq!(all.code(), 0, "{:?}", all.body);
    assert_eq!(rows(&all)[0]["number"], "A012");
    assert_eq!(all.body["meta"]["total"], 2);
    assert!(all.body["links"]["next"].is_string(), "{:?}", all.body);
    let by_number = app
        .post(
            "/api/v1/wjdh/parking/list",
            json!({"xiaoqu": "10002", "number": "b"}),
            Some(&platform),
        )
        .await;
    assert_eq!(rows(&by_number).len(), 1, "{:?}", by_number.body);
    assert_eq!(rows(&by_number)[0]["number"], "B-001");

    // Released: the spot stays, free, and its orders find nobody.
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
    assert_eq!(rows(&free).len(), 1, "{:?}", free.body);
    assert_eq!(rows(&free)[0]["number"], "A012");
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
    refused(&unknown, 404, "number");

    // A credential manages only its communities.
    refused(
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
        refused(&answer, 403, "您没有权限管理该小区");
    }
    let spots = app
        .post("/api/v1/weapp/parking", json!({}), Some(&fuyu))
        .await;
    assert_eq!(rows(&spots)[0]["number"], "B-001", "untouched");

    // Only registered residents of the community get a spot.
    refused(
        &assign(&app, &platform, "10002", "C001", "13800138000").await,
        400,
        "phone",
    );
    refused(
        &assign(&app, &platform, "10002", "C001", "13700000099").await,
        400,
        "phone",
    );
    refused(
        &assign(&app, &platform, "10002", "C001", "123").await,
        400,
        "phone",
    );
    refused(
        &assign(&app, &platform, "10002", "C 0%1", "15131512234").await,
        400,
        "number",
    );
    refused(
        &assign(&app, &platform, "", "C001", "15131512234").await,
        400,
        "xiaoqu",
    );
    let elsewhere = assign(&app, &jyl, "10003", "A012", "13800138000").await;
    assert_eq!(elsewhere.code(), 0, "{:?}", elsewhere.body);
    let his = app
        .post("/api/v1/weapp/parking", json!({}), Some(&zhaoqiang))
        .await;
    assert_eq!(rows(&his)[0]["xiaoqu"], "10003");

    // A resident's token does not reach the platform's routes.
    refused(
        &assign(&app, &fuyu, "10002", "C001", "15131512234").await,
        403,
        "权限",
    );
    app.stop().await;
}

#[tokio::test]
async fn the_edge_reads_each_field_once_and_names_the_bad_one() {
    let app = spawn_app().await;
    let platform = app.platform_token("123456", "123456").await;
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
        refused(&app.post(path, body, Some(&platform)).await, 400, field);
    }
    let decide = app
        .put_json(
            "/api/v1/wjdh/car/transfer",
            json!({"id": 1, "status": 2}),
            &platform,
        )
        .await;
    refused(&decide, 400, "status");
    let decide = app
        .put_json(
            "/api/v1/wjdh/car/transfer",
            json!({"id": "x", "status": 1}),
            &platform,
        )
        .await;
    refused(&decide, 400, "id");
    let claim = app
        .post(
            "/api/v1/weapp/car/transfer",
            json!({"number": "冀C12345", "reason": long}),
            Some(&driver),
        )
        .await;
    refused(&claim, 400, "reason");
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
