//! 000 §3.1.1 绑定房屋列表: a resident's bindings and their pending and refused reviews, read in
//! one statement (`UNION ALL`) rather than one each: the list is among a resident's commonest
//! reads, and on PostgreSQL every statement is a round trip (issue 14).
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text};
use kit::db::{AnyConnection, found_by_type, load_direct, one_of, union_all};

use super::bindings::placed_bindings_of;
use super::reviews::OPEN;
use super::schema::{communities, houses, people_houses, reviews};
use crate::domain::registration::{ReviewStatus, house_introduction};

/// A row of the list as read: a binding, or one of the user's open reviews. No `Debug`: a
/// review's content holds personal data.
#[derive(Queryable)]
pub struct ListedRow {
    pub is_review: bool,
    /// The binding's id, or the review's.
    pub id: i64,
    pub house_id: Option<i64>,
    /// A review's status; a binding is approved.
    pub status: i32,
    /// A binding's role; empty for a review, whose role is in its content.
    pub role: String,
    /// A review's content (JSON); empty for a binding.
    pub content: String,
    /// A binding's community name; a review's house introduction.
    pub place: String,
    /// A review's action introduction; empty for a binding.
    pub action: String,
    building_number: i64,
    unit_number: i64,
    floor_number: i64,
    house_number: i64,
    /// A binding's housemates who have not activated.
    pub not_activated: Option<i64>,
}

impl ListedRow {
    /// A binding's house as `晨曦家园1栋1单元1楼101号`; a review's as it was filed.
    pub fn introduction(&self) -> String {
        if self.is_review {
            return self.place.clone();
        }
        house_introduction(
            &self.place,
            self.building_number,
            self.unit_number,
            self.floor_number,
            self.house_number,
        )
    }
}

/// The user's bindings, in the order they were made, each with how many of its house's bindings
/// are not activated (a count on `people_houses_house_id`), then their open reviews, newest first.
pub fn of_user(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Vec<ListedRow>> {
    diesel::alias!(people_houses as housemates: Housemates);
    let not_activated = housemates
        .filter(
            housemates
                .field(people_houses::house_id)
                .eq(people_houses::house_id),
        )
        .filter(housemates.field(people_houses::activated).eq(false))
        .select(diesel::dsl::count_star())
        .single_value();
    let approved = ReviewStatus::Approved.code();
    let bound = placed_bindings_of(user_id).select((
        false.into_sql::<Bool>(),
        people_houses::id,
        people_houses::house_id.nullable(),
        approved.into_sql::<Integer>(),
        people_houses::role,
        "".into_sql::<Text>(),
        communities::community_name,
        "".into_sql::<Text>(),
        houses::building_number,
        houses::unit_number,
        houses::floor_number,
        houses::house_number,
        not_activated,
    ));
    let open = reviews::table
        .filter(reviews::user_id.eq(user_id))
        .filter(one_of(reviews::status, OPEN))
        .select((
            true.into_sql::<Bool>(),
            reviews::id,
            reviews::house_id,
            reviews::status,
            "".into_sql::<Text>(),
            reviews::content,
            reviews::house_introduction,
            reviews::action_introduction,
            0_i64.into_sql::<BigInt>(),
            0_i64.into_sql::<BigInt>(),
            0_i64.into_sql::<BigInt>(),
            0_i64.into_sql::<BigInt>(),
            None::<i64>.into_sql::<Nullable<BigInt>>(),
        ));
    let mut rows: Vec<ListedRow> = load_direct(conn, found_by_type(union_all(bound, open)))?;
    rows.sort_by_key(|row| (row.is_review, if row.is_review { -row.id } else { row.id }));
    Ok(rows)
}
