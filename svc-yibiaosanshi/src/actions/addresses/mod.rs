//! The standard address tree (000 §2.1): look-ups level by level, CSV import and export, and the
//! demo dataset.
pub mod demo;
pub mod import;

use kit::db::Database;
use kit::error::{ServiceError, ServiceResult};

use crate::db::addresses::{self, Building, Community, Floor, House, Unit};

/// House `id` with its community and the names of its ancestors, if the tree has it.
pub async fn find_house(db: &Database, id: i64) -> ServiceResult<Option<addresses::HousePlace>> {
    Ok(db
        .run(move |conn| -> Result<_, kit::db::DbError> {
            Ok(addresses::find_house_place(conn, id)?)
        })
        .await?)
}

/// 000 §2.1.1: every community, in display order.
pub async fn list_communities(
    db: &Database,
    only: Option<String>,
) -> ServiceResult<Vec<Community>> {
    Ok(db
        .run(move |conn| match only {
            Some(identifier) => Ok(addresses::find_community(conn, &identifier)?
                .into_iter()
                .collect()),
            None => addresses::list_communities(conn),
        })
        .await?)
}

/// 000 §2.1.2: the buildings of the community whose `community_identifier` is `identifier`.
pub async fn list_buildings(db: &Database, identifier: String) -> ServiceResult<Vec<Building>> {
    db.run(move |conn| {
        let found = addresses::list_buildings(conn, &identifier)?;
        if found.is_empty() && !addresses::community_exists(conn, &identifier)? {
            return Err(ServiceError::not_found(
                "没有找到该小区",
                "没有根据id查找到小区，请核实社区的唯一标识是否有误",
            ));
        }
        Ok(found)
    })
    .await
}

/// 000 §2.1.3: the units of building `building_id`.
pub async fn list_units(db: &Database, building_id: i64) -> ServiceResult<Vec<Unit>> {
    db.run(move |conn| {
        let found = addresses::list_units(conn, building_id)?;
        if found.is_empty() && !addresses::building_exists(conn, building_id)? {
            return Err(ServiceError::not_found(
                "没有找到该楼栋",
                "没有根据id查找到楼栋，请核实楼栋的id是否有误",
            ));
        }
        Ok(found)
    })
    .await
}

/// 000 §2.1.4: the floors of unit `unit_id`.
pub async fn list_floors(db: &Database, unit_id: i64) -> ServiceResult<Vec<Floor>> {
    db.run(move |conn| {
        let found = addresses::list_floors(conn, unit_id)?;
        if found.is_empty() && !addresses::unit_exists(conn, unit_id)? {
            return Err(ServiceError::not_found(
                "没有找到该单元",
                "没有根据id查找到单元，请核实单元的id是否有误",
            ));
        }
        Ok(found)
    })
    .await
}

/// 000 §2.1.5: the houses of floor `floor_id`.
pub async fn list_houses(db: &Database, floor_id: i64) -> ServiceResult<Vec<House>> {
    db.run(move |conn| {
        let found = addresses::list_houses(conn, floor_id)?;
        if found.is_empty() && !addresses::floor_exists(conn, floor_id)? {
            return Err(ServiceError::not_found(
                "没有找到该楼层",
                "没有根据id查找到楼层，请核实楼层的id是否有误",
            ));
        }
        Ok(found)
    })
    .await
}
