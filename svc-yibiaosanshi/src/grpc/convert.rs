//! Rows of the address tree as their protobuf messages.
use proto::yibiaosanshi as pb;

use crate::db::addresses::{Building, Community, Floor, House, Unit};

impl From<Community> for pb::Community {
    fn from(row: Community) -> Self {
        Self {
            id: row.id,
            community_name: row.community_name,
            community_identifier: row.community_identifier,
            community_pinyin: row.community_pinyin,
            community_type: row.community_type,
            community_order: row.community_order,
        }
    }
}

impl From<Building> for pb::Building {
    fn from(row: Building) -> Self {
        Self {
            id: row.id,
            community_identifier: row.community_identifier,
            building_number: row.building_number,
            building_name: row.building_name,
        }
    }
}

impl From<Unit> for pb::Unit {
    fn from(row: Unit) -> Self {
        Self {
            id: row.id,
            building_id: row.building_id,
            community_identifier: row.community_identifier,
            unit_number: row.unit_number,
            unit_name: row.unit_name,
        }
    }
}

impl From<Floor> for pb::Floor {
    fn from(row: Floor) -> Self {
        Self {
            id: row.id,
            unit_id: row.unit_id,
            community_identifier: row.community_identifier,
            floor_number: row.floor_number,
            floor_name: row.floor_name,
        }
    }
}

impl From<House> for pb::House {
    fn from(row: House) -> Self {
        Self {
            id: row.id,
            floor_id: row.floor_id,
            community_identifier: row.community_identifier,
            house_number: row.house_number,
            house_name: row.house_name,
            house_type: row.house_type,
        }
    }
}
