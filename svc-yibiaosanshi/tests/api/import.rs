//! Importing and exporting the address tree against a real database.
use std::sync::{Arc, Mutex};

use diesel::RunQueryDsl;
use svc_yibiaosanshi::actions::addresses::demo::{demo_rows, ensure_demo_dataset};
use svc_yibiaosanshi::actions::addresses::import::{ImportError, ImportSummary, export, import};
use svc_yibiaosanshi::actions::addresses::{list_buildings, list_communities};
use svc_yibiaosanshi::domain::address_csv::parse_csv;
use svc_yibiaosanshi::domain::address_rows::HouseRow;

use crate::helpers::TestDatabase;

fn house(community: &str, floor: i64, number: i64) -> HouseRow {
    HouseRow {
        community_identifier: community.to_owned(),
        community_name: "新小区".to_owned(),
        community_pinyin: "XinXiaoQu".to_owned(),
        building_number: 1,
        building_name: "1栋".to_owned(),
        unit_number: 1,
        unit_name: "1单元".to_owned(),
        floor_number: floor,
        floor_name: format!("{floor}楼"),
        house_number: number,
        house_name: format!("{number}号"),
        house_type: "单元楼".to_owned(),
    }
}

#[tokio::test]
async fn the_demo_dataset_is_created_once() {
    let database = TestDatabase::new();
    let db = database.connect().await;
    let first = ensure_demo_dataset(&db).await.unwrap();
    assert_eq!(
        first,
        ImportSummary {
            communities: 2,
            buildings: 4,
            units: 7,
            floors: 39,
            houses: 78,
        }
    );
    let again = ensure_demo_dataset(&db).await.unwrap();
    assert_eq!(again, ImportSummary::default());
    assert_eq!(list_communities(&db, None).await.unwrap().len(), 2);
}

#[tokio::test]
async fn progress_hears_every_row() {
    let database = TestDatabase::new();
    let db = database.connect().await;
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&heard);
    let rows = vec![house("30001", 1, 101), house("30001", 1, 102)];
    import(&db, rows, move |done| sink.lock().unwrap().push(done))
        .await
        .unwrap();
    assert_eq!(*heard.lock().unwrap(), [1, 2]);
}

#[tokio::test]
async fn an_export_reads_back_as_the_rows_imported() {
    let database = TestDatabase::new();
    let db = database.connect().await;
    ensure_demo_dataset(&db).await.unwrap();
    let text = export(&db, "10003").await.unwrap();
    let expected: Vec<HouseRow> = demo_rows()
        .into_iter()
        .filter(|row| row.community_identifier == "10003")
        .collect();
    assert_eq!(parse_csv(text.as_bytes()).unwrap(), expected);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "community_identifier,community_name,community_pinyin,building_number,building_name,unit_number,unit_name,floor_number,floor_name,house_number,house_name,house_type"
        )
    );
    assert_eq!(
        lines.next(),
        Some("10003,交运里,JiaoYunLi,1,1栋,1,1单元,1,1楼,101,101号,单元楼")
    );

    // Re-importing an export changes nothing.
    let again = import(&db, parse_csv(text.as_bytes()).unwrap(), |_| {})
        .await
        .unwrap();
    assert_eq!(again, ImportSummary::default());
}

#[tokio::test]
async fn an_export_is_ordered_by_building_unit_floor_and_house() {
    let database = TestDatabase::new();
    let db = database.connect().await;
    let mut rows = vec![
        house("30001", 10, 1002),
        house("30001", 2, 202),
        house("30001", 2, 201),
    ];
    rows[0].building_number = 2;
    rows[0].building_name = "2栋".to_owned();
    import(&db, rows, |_| {}).await.unwrap();
    let text = export(&db, "30001").await.unwrap();
    let numbers: Vec<(i64, i64)> = parse_csv(text.as_bytes())
        .unwrap()
        .iter()
        .map(|row| (row.building_number, row.house_number))
        .collect();
    assert_eq!(numbers, [(1, 201), (1, 202), (2, 1002)]);
}

#[tokio::test]
async fn exporting_an_unknown_community_fails() {
    let database = TestDatabase::new();
    let db = database.connect().await;
    let error = export(&db, "404").await.unwrap_err();
    assert!(matches!(error, ImportError::UnknownCommunity(ref id) if id == "404"));
}

#[tokio::test]
async fn a_second_import_renames_and_adds_without_duplicating() {
    let database = TestDatabase::new();
    let db = database.connect().await;
    import(&db, vec![house("30001", 1, 101)], |_| {})
        .await
        .unwrap();
    let mut renamed = house("30001", 1, 101);
    renamed.community_name = "新新小区".to_owned();
    renamed.building_name = "一号楼".to_owned();
    renamed.house_name = "一零一".to_owned();
    renamed.house_type = "别墅".to_owned();
    let mut added = house("30001", 1, 102);
    added.community_name = renamed.community_name.clone();
    added.building_name = renamed.building_name.clone();
    let summary = import(&db, vec![renamed, added], |_| {}).await.unwrap();
    assert_eq!(
        summary,
        ImportSummary {
            houses: 1,
            ..ImportSummary::default()
        }
    );
    let communities = list_communities(&db, None).await.unwrap();
    assert_eq!(communities.len(), 1);
    assert_eq!(communities[0].community_name, "新新小区");
    let buildings = list_buildings(&db, "30001".to_owned()).await.unwrap();
    assert_eq!(buildings.len(), 1);
    assert_eq!(buildings[0].building_name, "一号楼");
    let exported = parse_csv(export(&db, "30001").await.unwrap().as_bytes()).unwrap();
    assert_eq!(exported.len(), 2);
    assert_eq!(
        (
            exported[0].house_name.as_str(),
            exported[0].house_type.as_str()
        ),
        ("一零一", "别墅")
    );
}

#[tokio::test]
async fn invalid_rows_load_nothing() {
    let database = TestDatabase::new();
    let db = database.connect().await;
    let mut bad = house("30001", 1, 102);
    bad.house_type = "公寓".to_owned();
    let error = import(&db, vec![house("30001", 1, 101), bad], |_| {})
        .await
        .unwrap_err();
    let ImportError::Invalid(errors) = error else {
        panic!("expected row errors, got {error}");
    };
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 3);
    assert!(list_communities(&db, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failure_halfway_rolls_the_whole_import_back() {
    let database = TestDatabase::new();
    let db = database.connect().await;
    // Houses cannot be written: the community, building, unit and floor of the first row are,
    // then the transaction must undo them.
    db.run(|conn| -> Result<_, kit::db::DbError> {
        Ok(diesel::sql_query("ALTER TABLE houses RENAME TO houses_away").execute(conn)?)
    })
    .await
    .unwrap();
    let error = import(&db, vec![house("30001", 1, 101)], |_| {})
        .await
        .unwrap_err();
    assert!(matches!(error, ImportError::Db(_)), "{error}");
    db.run(|conn| -> Result<_, kit::db::DbError> {
        Ok(diesel::sql_query("ALTER TABLE houses_away RENAME TO houses").execute(conn)?)
    })
    .await
    .unwrap();
    assert!(list_communities(&db, None).await.unwrap().is_empty());
    let summary = import(&db, vec![house("30001", 1, 101)], |_| {})
        .await
        .unwrap();
    assert_eq!(summary.communities, 1);
    assert_eq!(summary.houses, 1);
}
