//! The `Addresses` RPCs over the demo dataset.
use kit::error::{ErrorKind, ServiceError};
use proto::yibiaosanshi::{ChildrenRequest, ListBuildingsRequest, ListCommunitiesRequest};
use svc_yibiaosanshi::actions::addresses::demo::ensure_demo_dataset;
use svc_yibiaosanshi::db::addresses::{upsert_building, upsert_community};
use tonic::Code;

use crate::helpers::spawn_service;

fn parent(id: i64) -> ChildrenRequest {
    ChildrenRequest { parent_id: id }
}

fn community(identifier: &str) -> ListBuildingsRequest {
    ListBuildingsRequest {
        community_identifier: identifier.to_owned(),
    }
}

#[tokio::test]
async fn the_demo_tree_is_listed_level_by_level() {
    let mut app = spawn_service().await;
    ensure_demo_dataset(&app.db).await.unwrap();

    let communities = app
        .client
        .list_communities(ListCommunitiesRequest::default())
        .await
        .unwrap()
        .into_inner()
        .communities;
    let names: Vec<(&str, &str, &str)> = communities
        .iter()
        .map(|c| {
            (
                c.community_identifier.as_str(),
                c.community_name.as_str(),
                c.community_pinyin.as_str(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("10002", "晨曦家园", "ChenXiJiaYuan"),
            ("10003", "交运里", "JiaoYunLi")
        ]
    );
    assert_eq!(
        (
            communities[0].community_type,
            communities[0].community_order
        ),
        (0, 0)
    );
    // One community by its identifier, as svc-orders and svc-community read a name.
    for (only, expected) in [("10003", vec!["交运里"]), ("99999", vec![])] {
        let one = app
            .client
            .list_communities(ListCommunitiesRequest {
                community_identifier: Some(only.to_owned()),
            })
            .await
            .unwrap()
            .into_inner()
            .communities;
        let names: Vec<&str> = one.iter().map(|c| c.community_name.as_str()).collect();
        assert_eq!(names, expected, "only {only}");
    }

    let buildings = app
        .client
        .list_buildings(community("10002"))
        .await
        .unwrap()
        .into_inner()
        .buildings;
    let names: Vec<&str> = buildings.iter().map(|b| b.building_name.as_str()).collect();
    assert_eq!(names, ["1栋", "2栋", "3栋"]);
    assert!(buildings.iter().all(|b| b.community_identifier == "10002"));

    let units = app
        .client
        .list_units(parent(buildings[1].id))
        .await
        .unwrap()
        .into_inner()
        .units;
    let names: Vec<&str> = units.iter().map(|u| u.unit_name.as_str()).collect();
    assert_eq!(names, ["1单元", "2单元"]);
    assert!(units.iter().all(|u| u.building_id == buildings[1].id));

    let floors = app
        .client
        .list_floors(parent(units[0].id))
        .await
        .unwrap()
        .into_inner()
        .floors;
    let numbers: Vec<i64> = floors.iter().map(|f| f.floor_number).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
    assert_eq!(floors[2].floor_name, "3楼");

    let houses = app
        .client
        .list_houses(parent(floors[2].id))
        .await
        .unwrap()
        .into_inner()
        .houses;
    let seen: Vec<(i64, &str, &str)> = houses
        .iter()
        .map(|h| (h.house_number, h.house_name.as_str(), h.house_type.as_str()))
        .collect();
    assert_eq!(seen, [(301, "301号", "单元楼"), (302, "302号", "单元楼")]);
    assert!(
        houses
            .iter()
            .all(|h| h.floor_id == floors[2].id && h.community_identifier == "10002")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_parent_is_not_found() {
    let mut app = spawn_service().await;
    ensure_demo_dataset(&app.db).await.unwrap();
    let status = app
        .client
        .list_buildings(community("99999"))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let error = ServiceError::from_status(&status);
    assert_eq!(error.msg, "没有找到该小区");
    assert_eq!(
        error.message,
        "没有根据id查找到小区，请核实社区的唯一标识是否有误"
    );
    let missing = 987_654_321;
    let answers = [
        (
            app.client.list_units(parent(missing)).await.unwrap_err(),
            "没有找到该楼栋",
        ),
        (
            app.client.list_floors(parent(missing)).await.unwrap_err(),
            "没有找到该单元",
        ),
        (
            app.client.list_houses(parent(missing)).await.unwrap_err(),
            "没有找到该楼层",
        ),
    ];
    for (status, msg) in answers {
        assert_eq!(status.code(), Code::NotFound);
        let error = ServiceError::from_status(&status);
        assert_eq!(error.kind, ErrorKind::NotFound);
        assert_eq!(error.msg, msg);
    }
    app.stop().await;
}

#[tokio::test]
async fn a_parent_without_children_lists_nothing() {
    let mut app = spawn_service().await;
    let building = app
        .db
        .run(|conn| -> Result<_, kit::db::DbError> {
            upsert_community(conn, "20001", "空小区", "KongXiaoQu", 0)?;
            Ok(upsert_building(conn, "20001", 1, "1栋")?)
        })
        .await
        .unwrap();
    let buildings = app
        .client
        .list_buildings(community("20001"))
        .await
        .unwrap()
        .into_inner()
        .buildings;
    assert_eq!(buildings.len(), 1);
    let units = app
        .client
        .list_units(parent(building.id))
        .await
        .unwrap()
        .into_inner()
        .units;
    assert!(units.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn an_empty_platform_lists_no_communities() {
    let mut app = spawn_service().await;
    let communities = app
        .client
        .list_communities(ListCommunitiesRequest::default())
        .await
        .unwrap()
        .into_inner()
        .communities;
    assert!(communities.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn the_service_reports_serving_over_grpc_health() {
    let app = spawn_service().await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", app.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    let answer = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "wjdh.yibiaosanshi.v1.Addresses".to_owned(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        answer.status(),
        tonic_health::pb::health_check_response::ServingStatus::Serving
    );
    app.stop().await;
}
