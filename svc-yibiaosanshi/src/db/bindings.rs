//! Bindings (people_houses): a person's place in a house, with the rights the owner granted.
use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::db::any_of;

use super::addresses::{HousePlace, house_at, house_tree};
use super::people::Person;
use super::schema::{people, people_houses};
use crate::domain::house::HouseFields;
use crate::domain::registration::OWNER;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = people_houses)]
pub struct Binding {
    pub id: i64,
    pub people_id: i64,
    pub house_id: i64,
    pub community_identifier: String,
    pub role: String,
    pub house_status: String,
    pub house_use: String,
    pub xingzhi: String,
    pub household_type: String,
    /// The management right.
    pub shouquan: bool,
    /// The payment right.
    pub charge: bool,
    pub activated: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Binding {
    pub fn is_owner(&self) -> bool {
        self.role == OWNER
    }

    pub fn fields(&self) -> HouseFields {
        HouseFields {
            role: self.role.clone(),
            status: self.house_status.clone(),
            house_use: self.house_use.clone(),
            xingzhi: self.xingzhi.clone(),
            household_type: self.household_type.clone(),
        }
    }
}

/// A binding to insert.
#[derive(Clone, Debug)]
pub struct NewBinding<'a> {
    pub people_id: i64,
    pub house_id: i64,
    pub community_identifier: &'a str,
    pub fields: &'a HouseFields,
    pub shouquan: bool,
    pub charge: bool,
    pub activated: bool,
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Binding>> {
    people_houses::table
        .find(id)
        .select(Binding::as_select())
        .first(conn)
        .optional()
}

/// The binding of person `people_id` to house `house_id`.
pub fn find_for(
    conn: &mut AnyConnection,
    people_id: i64,
    house_id: i64,
) -> QueryResult<Option<Binding>> {
    people_houses::table
        .filter(people_houses::people_id.eq(people_id))
        .filter(people_houses::house_id.eq(house_id))
        .select(Binding::as_select())
        .first(conn)
        .optional()
}

/// A person's bindings, oldest first.
pub fn list_for_person(conn: &mut AnyConnection, people_id: i64) -> QueryResult<Vec<Binding>> {
    people_houses::table
        .filter(people_houses::people_id.eq(people_id))
        .order(people_houses::id.asc())
        .select(Binding::as_select())
        .load(conn)
}

/// Of `people_ids`, those bound (activated or not) to a house of `community`: the only people a
/// credential managing that community may reach.
pub fn bound_in(
    conn: &mut AnyConnection,
    community: &str,
    people_ids: &[i64],
) -> QueryResult<Vec<i64>> {
    if people_ids.is_empty() {
        return Ok(Vec::new());
    }
    people_houses::table
        .filter(people_houses::community_identifier.eq(community))
        .filter(any_of(people_houses::people_id, people_ids))
        .select(people_houses::people_id)
        .distinct()
        .load(conn)
}

/// The user ids of the signed-up people with an activated binding in `community`.
pub fn users_in(conn: &mut AnyConnection, community: &str) -> QueryResult<Vec<i64>> {
    let ids: Vec<Option<i64>> = people_houses::table
        .inner_join(people::table)
        .filter(people_houses::community_identifier.eq(community))
        .filter(people_houses::activated.eq(true))
        .filter(people::user_id.is_not_null())
        .select(people::user_id)
        .distinct()
        .load(conn)?;
    Ok(ids.into_iter().flatten().collect())
}

/// Everyone bound to a house, oldest binding first.
pub fn list_for_house(
    conn: &mut AnyConnection,
    house_id: i64,
) -> QueryResult<Vec<(Binding, Person)>> {
    people_houses::table
        .inner_join(people::table)
        .filter(people_houses::house_id.eq(house_id))
        .order(people_houses::id.asc())
        .select((Binding::as_select(), Person::as_select()))
        .load(conn)
}

/// The house at `address` and the users who pay for it (activated bindings of an owner or with
/// the payment right, of a registered person), oldest binding first: an order's payer
/// (001 §2.1.1) in one statement.
pub fn house_payers_at(
    conn: &mut AnyConnection,
    address: &secplat::HouseAddress,
) -> QueryResult<Option<(HousePlace, Vec<i64>)>> {
    use super::schema::houses;
    let rows: Vec<(HousePlace, Option<i64>)> = house_at(address)
        .left_join(
            people_houses::table.on(people_houses::house_id
                .eq(houses::id)
                .and(people_houses::activated.eq(true))
                .and(
                    people_houses::role
                        .eq(OWNER)
                        .or(people_houses::charge.eq(true)),
                )),
        )
        .left_join(people::table.on(people::id.eq(people_houses::people_id)))
        .order(people_houses::id.asc())
        .select((HousePlace::as_select(), people::user_id.nullable()))
        .load(conn)?;
    let mut rows = rows.into_iter();
    let Some((place, first)) = rows.next() else {
        return Ok(None);
    };
    let payers = std::iter::once(first)
        .chain(rows.map(|(_, user_id)| user_id))
        .flatten()
        .collect();
    Ok(Some((place, payers)))
}

/// The owners (业主 bindings) of a house with their people, oldest first.
pub fn owners_of(conn: &mut AnyConnection, house_id: i64) -> QueryResult<Vec<(Binding, Person)>> {
    people_houses::table
        .inner_join(people::table)
        .filter(people_houses::house_id.eq(house_id))
        .filter(people_houses::role.eq(OWNER))
        .order(people_houses::id.asc())
        .select((Binding::as_select(), Person::as_select()))
        .load(conn)
}

/// A user's bindings, each joined to its person and to its house's address tree (the person
/// by `user_id`, then the bindings): what [`placed_of_user`] and the house list read.
#[diesel::dsl::auto_type]
pub(crate) fn placed_bindings_of(user_id: i64) -> _ {
    people_houses::table
        .inner_join(people::table)
        .inner_join(house_tree())
        .filter(people::user_id.eq(user_id))
}

/// A user's bindings, oldest first, each with its house's place: one statement.
pub fn placed_of_user(
    conn: &mut AnyConnection,
    user_id: i64,
) -> QueryResult<Vec<(Binding, HousePlace)>> {
    placed_bindings_of(user_id)
        .order(people_houses::id.asc())
        .select((Binding::as_select(), HousePlace::as_select()))
        .load(conn)
}

/// The user's person and whether they hold an activated binding: one statement.
pub fn person_of_user(
    conn: &mut AnyConnection,
    user_id: i64,
) -> QueryResult<Option<(Person, bool)>> {
    let activated = people_houses::table
        .filter(people_houses::people_id.eq(people::id))
        .filter(people_houses::activated.eq(true));
    people::table
        .filter(people::user_id.eq(user_id))
        .select((Person::as_select(), diesel::dsl::exists(activated)))
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut AnyConnection, new: &NewBinding<'_>, now: i64) -> QueryResult<Binding> {
    diesel::insert_into(people_houses::table)
        .values((
            people_houses::people_id.eq(new.people_id),
            people_houses::house_id.eq(new.house_id),
            people_houses::community_identifier.eq(new.community_identifier),
            people_houses::role.eq(&new.fields.role),
            people_houses::house_status.eq(&new.fields.status),
            people_houses::house_use.eq(&new.fields.house_use),
            people_houses::xingzhi.eq(&new.fields.xingzhi),
            people_houses::household_type.eq(&new.fields.household_type),
            people_houses::shouquan.eq(new.shouquan),
            people_houses::charge.eq(new.charge),
            people_houses::activated.eq(new.activated),
            people_houses::created_at.eq(now),
            people_houses::updated_at.eq(now),
        ))
        .returning(people_houses::all_columns)
        .get_result::<Binding>(conn)
}

/// Replaces the role and house data, the rights and the activation of a binding.
pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    fields: &HouseFields,
    shouquan: bool,
    charge: bool,
    activated: bool,
    now: i64,
) -> QueryResult<Binding> {
    diesel::update(people_houses::table.find(id))
        .set((
            people_houses::role.eq(&fields.role),
            people_houses::house_status.eq(&fields.status),
            people_houses::house_use.eq(&fields.house_use),
            people_houses::xingzhi.eq(&fields.xingzhi),
            people_houses::household_type.eq(&fields.household_type),
            people_houses::shouquan.eq(shouquan),
            people_houses::charge.eq(charge),
            people_houses::activated.eq(activated),
            people_houses::updated_at.eq(now),
        ))
        .returning(people_houses::all_columns)
        .get_result::<Binding>(conn)
}

pub fn set_shouquan(
    conn: &mut AnyConnection,
    id: i64,
    granted: bool,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(people_houses::table.find(id))
        .set((
            people_houses::shouquan.eq(granted),
            people_houses::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_charge(
    conn: &mut AnyConnection,
    id: i64,
    granted: bool,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(people_houses::table.find(id))
        .set((
            people_houses::charge.eq(granted),
            people_houses::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Removes a binding; returns how many rows went (0 or 1).
pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(people_houses::table.find(id)).execute(conn)
}
