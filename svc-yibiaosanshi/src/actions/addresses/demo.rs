//! DESIGN's demo dataset: 10002 晨曦家园 and 10003 交运里, loaded through the importer so that
//! seeding it again changes nothing.
use kit::db::Database;

use super::import::{ImportError, ImportSummary, import};
use crate::domain::address::HouseType;
use crate::domain::address_rows::HouseRow;

/// A demo community's shape: identifier, name, pinyin, buildings, units per building, floors per
/// unit (two houses a floor).
struct DemoCommunity {
    identifier: &'static str,
    name: &'static str,
    pinyin: &'static str,
    buildings: i64,
    units: i64,
    floors: i64,
}

const DEMO_COMMUNITIES: [DemoCommunity; 2] = [
    DemoCommunity {
        identifier: "10002",
        name: "晨曦家园",
        pinyin: "ChenXiJiaYuan",
        buildings: 3,
        units: 2,
        floors: 6,
    },
    DemoCommunity {
        identifier: "10003",
        name: "交运里",
        pinyin: "JiaoYunLi",
        buildings: 1,
        units: 1,
        floors: 3,
    },
];

/// The demo dataset as import rows: houses `floor*100+1` and `floor*100+2` on every floor.
pub fn demo_rows() -> Vec<HouseRow> {
    let mut rows = Vec::new();
    for community in &DEMO_COMMUNITIES {
        for building in 1..=community.buildings {
            for unit in 1..=community.units {
                for floor in 1..=community.floors {
                    for house in [floor * 100 + 1, floor * 100 + 2] {
                        rows.push(HouseRow {
                            community_identifier: community.identifier.to_owned(),
                            community_name: community.name.to_owned(),
                            community_pinyin: community.pinyin.to_owned(),
                            building_number: building,
                            building_name: format!("{building}栋"),
                            unit_number: unit,
                            unit_name: format!("{unit}单元"),
                            floor_number: floor,
                            floor_name: format!("{floor}楼"),
                            house_number: house,
                            house_name: format!("{house}号"),
                            house_type: HouseType::UnitBuilding.as_str().to_owned(),
                        });
                    }
                }
            }
        }
    }
    rows
}

/// Loads the demo dataset (idempotent); returns what was created.
pub async fn ensure_demo_dataset(db: &Database) -> Result<ImportSummary, ImportError> {
    import(db, demo_rows(), |_| {}).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_has_the_houses_design_lists() {
        let rows = demo_rows();
        assert_eq!(rows.len(), 3 * 2 * 6 * 2 + 3 * 2);
        let first = &rows[0];
        assert_eq!(
            (first.building_name.as_str(), first.unit_name.as_str()),
            ("1栋", "1单元")
        );
        assert_eq!(
            (first.floor_name.as_str(), first.house_name.as_str()),
            ("1楼", "101号")
        );
        assert!(
            rows.iter()
                .any(|row| row.community_identifier == "10003" && row.house_number == 302)
        );
    }
}
