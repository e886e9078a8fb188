//! 000 §2.1: the address tree, walked from community to house as the mini-program does.
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_failure, spawn_app};

async fn level(app: &TestApp, path: &str, id: Value, token: &str) -> crate::helpers::Answer {
    app.post(path, json!({ "id": id }), Some(token)).await
}

fn ids(answer: &crate::helpers::Answer) -> Vec<i64> {
    answer.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn communities_are_listed_without_a_token_in_the_seeds_shape() {
    let app = spawn_app().await;
    let answer = app.post("/api/v1/communities", json!({}), None).await;
    assert_eq!(answer.code(), 0, "{:?}", answer.body);
    assert_eq!(
        (answer.str("msg"), answer.str("message")),
        ("获取到了小区", "获取到了小区")
    );
    let data = answer.body["data"].as_array().unwrap();
    let chenxi = data
        .iter()
        .find(|c| c["community_identifier"] == "10002")
        .unwrap();
    assert_eq!(chenxi["community_name"], "晨曦家园");
    assert_eq!(chenxi["community_pinyin"], "ChenXiJiaYuan");
    for field in [
        "city_id",
        "community_value1",
        "community_value2",
        "community_value3",
        "deleted_at",
    ] {
        assert_eq!(chenxi[field], Value::Null, "{field}");
    }
    assert_eq!(
        (
            chenxi["community_type"].clone(),
            chenxi["community_order"].clone()
        ),
        (json!(0), json!(0))
    );
    let jiaoyun = data
        .iter()
        .find(|c| c["community_identifier"] == "10003")
        .unwrap();
    assert_eq!(
        (
            jiaoyun["community_name"].as_str(),
            jiaoyun["community_pinyin"].as_str()
        ),
        (Some("交运里"), Some("JiaoYunLi"))
    );
    app.stop().await;
}

fn identifiers(answer: &crate::helpers::Answer) -> Vec<String> {
    answer
        .rows()
        .iter()
        .map(|c| c["community_identifier"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_imported_community_is_listed_once_its_import_is_announced() {
    use svc_yibiaosanshi::actions::addresses::import::import;
    use svc_yibiaosanshi::domain::address_rows::HouseRow;
    let app = spawn_app().await;
    let before = app.post("/api/v1/communities", json!({}), None).await;
    assert_eq!(identifiers(&before), ["10002", "10003"]);

    let row = HouseRow {
        community_identifier: "10009".to_owned(),
        community_name: "新建小区".to_owned(),
        community_pinyin: "XinJianXiaoQu".to_owned(),
        building_number: 1,
        building_name: "1栋".to_owned(),
        unit_number: 1,
        unit_name: "1单元".to_owned(),
        floor_number: 1,
        floor_name: "1楼".to_owned(),
        house_number: 101,
        house_name: "101号".to_owned(),
        house_type: "单元楼".to_owned(),
    };
    import(&app.stack.yibiaosanshi_db, vec![row], |_| {})
        .await
        .unwrap();
    // The gateway answers from the list it made until the change is announced…
    let unannounced = app.post("/api/v1/communities", json!({}), None).await;
    assert_eq!(identifiers(&unannounced), ["10002", "10003"]);
    // …as the importer does once its transaction committed.
    kit::cache::announce(app.stack.cache.as_ref(), kit::cache::keys::COMMUNITIES).await;
    let after = app.post("/api/v1/communities", json!({}), None).await;
    assert_eq!(after.code(), 0, "{:?}", after.body);
    assert_eq!(identifiers(&after), ["10002", "10003", "10009"]);
    assert_eq!(after.rows()[2]["community_name"], "新建小区");
    // The cache losing the version (a restart of Redis) makes the gateway ask again, too.
    app.stack
        .cache
        .del(kit::cache::keys::COMMUNITIES)
        .await
        .unwrap();
    let again = app.post("/api/v1/communities", json!({}), None).await;
    assert_eq!(identifiers(&again), ["10002", "10003", "10009"]);
    app.stop().await;
}

#[tokio::test]
async fn the_demo_tree_walks_from_community_to_house() {
    let app = spawn_app().await;
    let token = app.resident_token("o-walker", "17600381130").await;

    let buildings = level(&app, "/api/v1/buildings", json!("10002"), &token).await;
    assert_eq!(buildings.code(), 0, "{:?}", buildings.body);
    assert_eq!(buildings.str("msg"), "获取到了楼栋");
    let rows = buildings.body["data"].as_array().unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|b| b["building_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["1栋", "2栋", "3栋"]);
    assert_eq!(rows[0]["community_identifier"], json!(10002));
    assert_eq!(rows[0]["building_number"], json!(1));
    assert_eq!(rows[0]["deleted_at"], Value::Null);

    let units = level(&app, "/api/v1/units", json!(ids(&buildings)[0]), &token).await;
    assert_eq!(units.code(), 0, "{:?}", units.body);
    let rows = units.body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (
            rows[0]["unit_name"].as_str(),
            rows[0]["building_id"].as_i64()
        ),
        (Some("1单元"), Some(ids(&buildings)[0]))
    );

    // Ids may arrive as strings too.
    let floors = level(
        &app,
        "/api/v1/floors",
        json!(ids(&units)[0].to_string()),
        &token,
    )
    .await;
    assert_eq!(floors.str("msg"), "获取到了楼层");
    let rows = floors.body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(
        (
            rows[5]["floor_name"].as_str(),
            rows[5]["floor_number"].as_i64()
        ),
        (Some("6楼"), Some(6))
    );

    let houses = app
        .client
        .post(format!("{}/api/v1/houses", app.base))
        .bearer_auth(&token)
        .form(&[("id", ids(&floors)[0].to_string())])
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(houses["code"], json!(0), "{houses:?}");
    assert_eq!(houses["msg"], "获取到了房间和业主手机号");
    let rows = houses["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["house_number"], json!(101));
    assert_eq!(rows[0]["house_name"], "101号");
    assert_eq!(rows[1]["house_name"], "102号");
    assert_eq!(rows[0]["house_type"], "单元楼");
    assert_eq!(rows[0]["floor_id"], json!(ids(&floors)[0]));
    for field in ["house_value1", "house_value2", "house_value3", "deleted_at"] {
        assert_eq!(rows[0][field], Value::Null, "{field}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_tree_below_the_communities_needs_a_token() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/buildings",
        "/api/v1/units",
        "/api/v1/floors",
        "/api/v1/houses",
    ] {
        let answer = app.post(path, json!({"id": 1}), None).await;
        assert_failure(
            &answer,
            9,
            401,
            "token值因各种原因而失效，请重新调用接口获取token",
        );
        assert_eq!(answer.str("msg"), "请重新建立智慧平台鉴权连接");
    }
    app.stop().await;
}

#[tokio::test]
async fn bad_and_unknown_parents_are_refused_naming_the_id() {
    let app = spawn_app().await;
    let token = app.resident_token("o-lost", "17600381131").await;
    let unknown = level(&app, "/api/v1/buildings", json!("99999"), &token).await;
    assert_failure(
        &unknown,
        1,
        404,
        "没有根据id查找到小区，请核实社区的唯一标识是否有误",
    );
    for (path, id) in [
        ("/api/v1/buildings", json!("abc")),
        ("/api/v1/units", json!("x")),
        ("/api/v1/floors", json!(-3)),
        ("/api/v1/houses", json!("1.5")),
    ] {
        let answer = level(&app, path, id, &token).await;
        assert_eq!(
            (answer.code(), answer.status.as_u16()),
            (1, 400),
            "{path}: {:?}",
            answer.body
        );
        assert!(
            answer.str("msg").contains("id"),
            "{path}: {:?}",
            answer.body
        );
    }
    let missing = app.post("/api/v1/units", json!({}), Some(&token)).await;
    assert_eq!((missing.code(), missing.status.as_u16()), (1, 400));
    assert!(missing.str("msg").contains("id"));
    for path in ["/api/v1/units", "/api/v1/floors", "/api/v1/houses"] {
        let answer = level(&app, path, json!(987_654), &token).await;
        assert_eq!(
            (answer.code(), answer.status.as_u16()),
            (1, 404),
            "{path}: {:?}",
            answer.body
        );
    }
    app.stop().await;
}
