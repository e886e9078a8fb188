//! The address tree: 小区 → 楼栋 → 单元 → 楼层 → 房屋, each unique by its parent and its number.
use diesel::QueryResult;
use diesel::prelude::*;
use kit::db::any_of;
use kit::db::{AnyConnection, DbError};

use super::schema::{buildings, communities, floors, houses, module_switches, units};
use crate::domain::registration::OWNER;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = communities)]
pub struct Community {
    pub id: i64,
    pub community_identifier: String,
    pub community_name: String,
    pub community_pinyin: String,
    pub community_type: i32,
    pub community_order: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = buildings)]
pub struct Building {
    pub id: i64,
    pub community_identifier: String,
    pub building_number: i64,
    pub building_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = units)]
pub struct Unit {
    pub id: i64,
    pub building_id: i64,
    pub community_identifier: String,
    pub unit_number: i64,
    pub unit_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = floors)]
pub struct Floor {
    pub id: i64,
    pub unit_id: i64,
    pub community_identifier: String,
    pub floor_number: i64,
    pub floor_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = houses)]
pub struct House {
    pub id: i64,
    pub floor_id: i64,
    pub community_identifier: String,
    pub house_number: i64,
    pub house_name: String,
    pub house_type: String,
}

/// What an upsert found or made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Upserted {
    pub id: i64,
    /// True when the row did not exist before.
    pub created: bool,
}

/// Every community, in display order.
pub fn list_communities(conn: &mut AnyConnection) -> Result<Vec<Community>, DbError> {
    Ok(communities::table
        .select(communities::all_columns)
        .order((communities::community_order.asc(), communities::id.asc()))
        .load::<Community>(conn)?)
}

pub fn find_community(
    conn: &mut AnyConnection,
    community_identifier: &str,
) -> QueryResult<Option<Community>> {
    communities::table
        .filter(communities::community_identifier.eq(community_identifier))
        .select(communities::all_columns)
        .first::<Community>(conn)
        .optional()
}

pub fn community_exists(
    conn: &mut AnyConnection,
    community_identifier: &str,
) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(
        communities::table.filter(communities::community_identifier.eq(community_identifier)),
    ))
    .get_result(conn)?)
}

pub fn list_buildings(
    conn: &mut AnyConnection,
    community_identifier: &str,
) -> Result<Vec<Building>, DbError> {
    Ok(buildings::table
        .filter(buildings::community_identifier.eq(community_identifier))
        .select(buildings::all_columns)
        .order(buildings::building_number.asc())
        .load::<Building>(conn)?)
}

pub fn building_exists(conn: &mut AnyConnection, id: i64) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(buildings::table.find(id))).get_result(conn)?)
}

pub fn list_units(conn: &mut AnyConnection, building_id: i64) -> Result<Vec<Unit>, DbError> {
    Ok(units::table
        .filter(units::building_id.eq(building_id))
        .select(units::all_columns)
        .order(units::unit_number.asc())
        .load::<Unit>(conn)?)
}

pub fn unit_exists(conn: &mut AnyConnection, id: i64) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(units::table.find(id))).get_result(conn)?)
}

pub fn list_floors(conn: &mut AnyConnection, unit_id: i64) -> Result<Vec<Floor>, DbError> {
    Ok(floors::table
        .filter(floors::unit_id.eq(unit_id))
        .select(floors::all_columns)
        .order(floors::floor_number.asc())
        .load::<Floor>(conn)?)
}

pub fn floor_exists(conn: &mut AnyConnection, id: i64) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(floors::table.find(id))).get_result(conn)?)
}

pub fn list_houses(conn: &mut AnyConnection, floor_id: i64) -> Result<Vec<House>, DbError> {
    Ok(houses::table
        .filter(houses::floor_id.eq(floor_id))
        .select(House::as_select())
        .order(houses::house_number.asc())
        .load::<House>(conn)?)
}

/// Every house of a community with its ancestors, ordered by building, unit, floor and house.
pub fn list_community_tree(
    conn: &mut AnyConnection,
    community_identifier: &str,
) -> QueryResult<Vec<(Building, Unit, Floor, House)>> {
    houses::table
        .inner_join(floors::table.inner_join(units::table.inner_join(buildings::table)))
        .filter(buildings::community_identifier.eq(community_identifier))
        .order((
            buildings::building_number.asc(),
            units::unit_number.asc(),
            floors::floor_number.asc(),
            houses::house_number.asc(),
        ))
        .select((
            buildings::all_columns,
            units::all_columns,
            floors::all_columns,
            House::as_select(),
        ))
        .load::<(Building, Unit, Floor, House)>(conn)
}

/// Inserts the community, or renames it when its name or pinyin changed; true when inserted.
pub fn upsert_community(
    conn: &mut AnyConnection,
    community_identifier: &str,
    name: &str,
    pinyin: &str,
    now: i64,
) -> QueryResult<bool> {
    match find_community(conn, community_identifier)? {
        Some(found) => {
            if found.community_name != name || found.community_pinyin != pinyin {
                diesel::update(communities::table.find(found.id))
                    .set((
                        communities::community_name.eq(name),
                        communities::community_pinyin.eq(pinyin),
                        communities::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            Ok(false)
        }
        None => {
            diesel::insert_into(communities::table)
                .values((
                    communities::community_identifier.eq(community_identifier),
                    communities::community_name.eq(name),
                    communities::community_pinyin.eq(pinyin),
                    communities::created_at.eq(now),
                    communities::updated_at.eq(now),
                ))
                .execute(conn)?;
            Ok(true)
        }
    }
}

/// Finds the building by its number in the community (renaming it if needed) or inserts it.
pub fn upsert_building(
    conn: &mut AnyConnection,
    community_identifier: &str,
    number: i64,
    name: &str,
) -> QueryResult<Upserted> {
    let found = buildings::table
        .filter(buildings::community_identifier.eq(community_identifier))
        .filter(buildings::building_number.eq(number))
        .select(buildings::all_columns)
        .first::<Building>(conn)
        .optional()?;
    if let Some(found) = found {
        if found.building_name != name {
            diesel::update(buildings::table.find(found.id))
                .set(buildings::building_name.eq(name))
                .execute(conn)?;
        }
        return Ok(Upserted {
            id: found.id,
            created: false,
        });
    }
    let created = diesel::insert_into(buildings::table)
        .values((
            buildings::community_identifier.eq(community_identifier),
            buildings::building_number.eq(number),
            buildings::building_name.eq(name),
        ))
        .returning(buildings::all_columns)
        .get_result::<Building>(conn)?;
    Ok(Upserted {
        id: created.id,
        created: true,
    })
}

/// Finds the unit by its number in the building (renaming it if needed) or inserts it.
pub fn upsert_unit(
    conn: &mut AnyConnection,
    building_id: i64,
    community_identifier: &str,
    number: i64,
    name: &str,
) -> QueryResult<Upserted> {
    let found = units::table
        .filter(units::building_id.eq(building_id))
        .filter(units::unit_number.eq(number))
        .select(units::all_columns)
        .first::<Unit>(conn)
        .optional()?;
    if let Some(found) = found {
        if found.unit_name != name {
            diesel::update(units::table.find(found.id))
                .set(units::unit_name.eq(name))
                .execute(conn)?;
        }
        return Ok(Upserted {
            id: found.id,
            created: false,
        });
    }
    let created = diesel::insert_into(units::table)
        .values((
            units::building_id.eq(building_id),
            units::community_identifier.eq(community_identifier),
            units::unit_number.eq(number),
            units::unit_name.eq(name),
        ))
        .returning(units::all_columns)
        .get_result::<Unit>(conn)?;
    Ok(Upserted {
        id: created.id,
        created: true,
    })
}

/// Finds the floor by its number in the unit (renaming it if needed) or inserts it.
pub fn upsert_floor(
    conn: &mut AnyConnection,
    unit_id: i64,
    community_identifier: &str,
    number: i64,
    name: &str,
) -> QueryResult<Upserted> {
    let found = floors::table
        .filter(floors::unit_id.eq(unit_id))
        .filter(floors::floor_number.eq(number))
        .select(floors::all_columns)
        .first::<Floor>(conn)
        .optional()?;
    if let Some(found) = found {
        if found.floor_name != name {
            diesel::update(floors::table.find(found.id))
                .set(floors::floor_name.eq(name))
                .execute(conn)?;
        }
        return Ok(Upserted {
            id: found.id,
            created: false,
        });
    }
    let created = diesel::insert_into(floors::table)
        .values((
            floors::unit_id.eq(unit_id),
            floors::community_identifier.eq(community_identifier),
            floors::floor_number.eq(number),
            floors::floor_name.eq(name),
        ))
        .returning(floors::all_columns)
        .get_result::<Floor>(conn)?;
    Ok(Upserted {
        id: created.id,
        created: true,
    })
}

/// Finds the house at `address` (on floor `floor_id`, the floor of that address), updating
/// name and type if needed, or inserts it.
pub fn upsert_house(
    conn: &mut AnyConnection,
    floor_id: i64,
    address: &secplat::HouseAddress,
    name: &str,
    house_type: &str,
) -> QueryResult<Upserted> {
    let found = houses::table
        .filter(houses::floor_id.eq(floor_id))
        .filter(houses::house_number.eq(address.house_number))
        .select(House::as_select())
        .first::<House>(conn)
        .optional()?;
    if let Some(found) = found {
        if found.house_name != name || found.house_type != house_type {
            diesel::update(houses::table.find(found.id))
                .set((
                    houses::house_name.eq(name),
                    houses::house_type.eq(house_type),
                ))
                .execute(conn)?;
        }
        return Ok(Upserted {
            id: found.id,
            created: false,
        });
    }
    let created = diesel::insert_into(houses::table)
        .values((
            houses::floor_id.eq(floor_id),
            houses::community_identifier.eq(&address.community_identifier),
            houses::house_number.eq(address.house_number),
            houses::house_name.eq(name),
            houses::house_type.eq(house_type),
            houses::building_number.eq(address.building_number),
            houses::unit_number.eq(address.unit_number),
            houses::floor_number.eq(address.floor_number),
        ))
        .returning(houses::id)
        .get_result::<i64>(conn)?;
    Ok(Upserted {
        id: created,
        created: true,
    })
}

/// A house with the numbers of its ancestors and its community's name: what introductions,
/// review contents and the security platform's owner look-up need. Read from a house joined to
/// its community ([`house_tree`]): the house carries its ancestors' numbers.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = houses)]
pub struct HousePlace {
    #[diesel(column_name = id)]
    pub house_id: i64,
    pub community_identifier: String,
    #[diesel(select_expression = communities::community_name)]
    pub community_name: String,
    pub building_number: i64,
    pub unit_number: i64,
    pub floor_number: i64,
    pub house_number: i64,
    pub house_type: String,
}

/// Houses joined to their community: what a [`HousePlace`] is read from.
#[diesel::dsl::auto_type]
pub(crate) fn house_tree() -> _ {
    houses::table.inner_join(
        communities::table.on(communities::community_identifier.eq(houses::community_identifier)),
    )
}

impl HousePlace {
    /// `晨曦家园1栋1单元1楼101号`.
    pub fn introduction(&self) -> String {
        crate::domain::registration::house_introduction(
            &self.community_name,
            self.building_number,
            self.unit_number,
            self.floor_number,
            self.house_number,
        )
    }

    /// The address the security platform knows the house by.
    pub fn address(&self) -> secplat::HouseAddress {
        secplat::HouseAddress {
            community_identifier: self.community_identifier.clone(),
            building_number: self.building_number,
            unit_number: self.unit_number,
            floor_number: self.floor_number,
            house_number: self.house_number,
        }
    }
}

/// The places of the houses `ids` (unknown ids are left out), in no particular order.
pub fn find_house_places(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<HousePlace>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    house_tree()
        .filter(any_of(houses::id, ids))
        .select(HousePlace::as_select())
        .load(conn)
}

/// The place of house `id`, if it exists.
pub fn find_house_place(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<HousePlace>> {
    Ok(find_house_places(conn, &[id])?.into_iter().next())
}

/// What a binding request for a house is checked against, read in one statement
/// ([`place_for_request`]).
#[derive(Clone, Debug, Queryable)]
pub struct RequestedPlace {
    pub place: HousePlace,
    /// Whether the role's module is on in the house's community (`None`: svc-community never
    /// told).
    pub enabled: Option<bool>,
    /// The user already waits for a review of this house.
    pub pending: bool,
    /// The applicant's person holds an activated binding of this house.
    pub applicant_bound: bool,
    /// Someone other than the applicant's person is bound here as 业主.
    pub owned_by_another: bool,
}

/// What a request about house `id` is checked against, in one statement: its place, whether
/// `module` is on in its community, whether `user_id` already waits for a review of it, and
/// who is bound there (the applicant's person `applicant`, if they have one, and the owners).
pub fn place_for_request(
    conn: &mut AnyConnection,
    id: i64,
    user_id: i64,
    module: &str,
    applicant: Option<i64>,
) -> QueryResult<Option<RequestedPlace>> {
    use super::schema::people_houses;
    let switch = module_switches::table
        .filter(module_switches::community_identifier.eq(houses::community_identifier))
        .filter(module_switches::module_name.eq(module))
        .select(module_switches::enabled)
        .single_value();
    let pending = diesel::dsl::exists(super::reviews::pending_for_house(user_id, id));
    let bound_here = people_houses::table.filter(people_houses::house_id.eq(id));
    let applicant_bound = diesel::dsl::exists(
        bound_here
            .filter(people_houses::people_id.nullable().eq(applicant))
            .filter(people_houses::activated.eq(true)),
    );
    let applicant_unknown = applicant
        .into_sql::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>>()
        .is_null();
    let owned_by_another = diesel::dsl::exists(
        bound_here
            .filter(people_houses::role.eq(OWNER))
            .filter(applicant_unknown.or(people_houses::people_id.nullable().ne(applicant))),
    );
    house_tree()
        .filter(houses::id.eq(id))
        .select((
            HousePlace::as_select(),
            switch,
            pending,
            applicant_bound,
            owned_by_another,
        ))
        .first(conn)
        .optional()
}

/// The id of the house at `address`, if the tree has it.
pub fn find_house_at(
    conn: &mut AnyConnection,
    address: &secplat::HouseAddress,
) -> QueryResult<Option<i64>> {
    Ok(find_house_place_at(conn, address)?.map(|place| place.house_id))
}

/// The place of the house at `address` (with its community's name), if the tree has it: one
/// statement where the id and then the place would be two.
pub fn find_house_place_at(
    conn: &mut AnyConnection,
    address: &secplat::HouseAddress,
) -> QueryResult<Option<HousePlace>> {
    house_at(address)
        .select(HousePlace::as_select())
        .first(conn)
        .optional()
}

/// [`house_tree`] narrowed to the house at `address`.
pub(crate) fn house_at(address: &secplat::HouseAddress) -> house_tree_at<'_> {
    house_tree_at(
        &address.community_identifier,
        address.building_number,
        address.unit_number,
        address.floor_number,
        address.house_number,
    )
}

#[diesel::dsl::auto_type]
fn house_tree_at<'a>(community: &'a str, building: i64, unit: i64, floor: i64, house: i64) -> _ {
    house_tree()
        .filter(houses::community_identifier.eq(community))
        .filter(houses::building_number.eq(building))
        .filter(houses::unit_number.eq(unit))
        .filter(houses::floor_number.eq(floor))
        .filter(houses::house_number.eq(house))
}
