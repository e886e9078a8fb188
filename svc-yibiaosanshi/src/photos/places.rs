//! The one read-only query photos need from the address tree.
use kit::db::{AnyConnection, DbError};

use super::key::PhotoAddress;

/// True when the tree has a house at `address`.
pub fn house_exists(conn: &mut AnyConnection, address: &PhotoAddress) -> Result<bool, DbError> {
    let address = secplat::HouseAddress {
        community_identifier: address.community_identifier.clone(),
        building_number: address.building_number,
        unit_number: address.unit_number,
        floor_number: address.floor_number,
        house_number: address.house_number,
    };
    Ok(crate::db::addresses::find_house_at(conn, &address)?.is_some())
}
