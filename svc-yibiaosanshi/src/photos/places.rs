//! The one read-only query photos need from the address tree.
use diesel::prelude::*;
use kit::db::{AnyConnection, DbError};

use super::key::PhotoAddress;
use crate::db::schema::{buildings, floors, houses, units};

/// True when the tree has a house at `address`.
pub fn house_exists(conn: &mut AnyConnection, address: &PhotoAddress) -> Result<bool, DbError> {
    let found = houses::table
        .inner_join(floors::table.inner_join(units::table.inner_join(buildings::table)))
        .filter(buildings::community_identifier.eq(&address.community_identifier))
        .filter(buildings::building_number.eq(address.building_number))
        .filter(units::unit_number.eq(address.unit_number))
        .filter(floors::floor_number.eq(address.floor_number))
        .filter(houses::house_number.eq(address.house_number))
        .select(houses::id)
        .first::<i64>(conn)
        .optional()?;
    Ok(found.is_some())
}
