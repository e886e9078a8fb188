//! Parking spots: a community's numbered spots and the resident each is assigned to.
use std::fmt;

use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::paging::Paging;
use kit::types::mask_phone;

use super::schema::{communities, parking_spots, people};

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = parking_spots)]
pub struct Spot {
    pub id: i64,
    pub community_identifier: String,
    /// Normalised (upper case).
    pub number: String,
    /// The resident it is assigned to; `None` when free.
    pub user_id: Option<i64>,
    pub assigned_at: Option<i64>,
    /// The platform credential that assigned it.
    pub assigned_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A spot with its community's name and, when assigned, the resident's name and phone.
#[derive(Clone, PartialEq, Eq)]
pub struct SpotView {
    pub spot: Spot,
    pub community_name: String,
    /// `(name, phone)` of the assignee's person record.
    pub assignee: Option<(String, String)>,
}

impl fmt::Debug for SpotView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpotView")
            .field("spot", &self.spot)
            .field("community_name", &self.community_name)
            .field(
                "assignee_phone",
                &self.assignee.as_ref().map(|(_, phone)| mask_phone(phone)),
            )
            .finish_non_exhaustive()
    }
}

/// What the platform's list filters on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpotFilter {
    pub community_identifier: String,
    /// Numbers starting with this (letters, digits and `-` only: no LIKE wildcards).
    pub number_prefix: Option<String>,
    pub assigned: Option<bool>,
}

type Viewed = (Spot, Option<String>, Option<(String, String)>);

fn view((spot, community_name, assignee): Viewed) -> SpotView {
    SpotView {
        spot,
        community_name: community_name.unwrap_or_default(),
        assignee,
    }
}

/// The spot `number` of a community.
pub fn find(
    conn: &mut AnyConnection,
    community_identifier: &str,
    number: &str,
) -> QueryResult<Option<Spot>> {
    parking_spots::table
        .filter(parking_spots::community_identifier.eq(community_identifier))
        .filter(parking_spots::number.eq(number))
        .select(Spot::as_select())
        .first(conn)
        .optional()
}

/// Spot `id` with its community and assignee.
pub fn find_view(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<SpotView>> {
    parking_spots::table
        .left_join(
            communities::table
                .on(communities::community_identifier.eq(parking_spots::community_identifier)),
        )
        .left_join(people::table.on(people::user_id.eq(parking_spots::user_id)))
        .filter(parking_spots::id.eq(id))
        .select((
            Spot::as_select(),
            communities::community_name.nullable(),
            (people::name, people::phone).nullable(),
        ))
        .first::<Viewed>(conn)
        .optional()
        .map(|found| found.map(view))
}

/// The spots assigned to a user, by community and number.
pub fn list_for_user(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Vec<SpotView>> {
    let rows = parking_spots::table
        .left_join(
            communities::table
                .on(communities::community_identifier.eq(parking_spots::community_identifier)),
        )
        .left_join(people::table.on(people::user_id.eq(parking_spots::user_id)))
        .filter(parking_spots::user_id.eq(user_id))
        .order((
            parking_spots::community_identifier.asc(),
            parking_spots::number.asc(),
        ))
        .select((
            Spot::as_select(),
            communities::community_name.nullable(),
            (people::name, people::phone).nullable(),
        ))
        .load::<Viewed>(conn)?;
    Ok(rows.into_iter().map(view).collect())
}

/// One page of a community's spots by number, and how many match.
pub fn page(
    conn: &mut AnyConnection,
    filter: &SpotFilter,
    paging: Paging,
) -> QueryResult<(Vec<SpotView>, i64)> {
    let mut count = parking_spots::table
        .filter(parking_spots::community_identifier.eq(&filter.community_identifier))
        .into_boxed();
    let mut rows = parking_spots::table
        .left_join(
            communities::table
                .on(communities::community_identifier.eq(parking_spots::community_identifier)),
        )
        .left_join(people::table.on(people::user_id.eq(parking_spots::user_id)))
        .filter(parking_spots::community_identifier.eq(&filter.community_identifier))
        .into_boxed();
    if let Some(prefix) = &filter.number_prefix {
        let pattern = format!("{prefix}%");
        count = count.filter(parking_spots::number.like(pattern.clone()));
        rows = rows.filter(parking_spots::number.like(pattern));
    }
    match filter.assigned {
        Some(true) => {
            count = count.filter(parking_spots::user_id.is_not_null());
            rows = rows.filter(parking_spots::user_id.is_not_null());
        }
        Some(false) => {
            count = count.filter(parking_spots::user_id.is_null());
            rows = rows.filter(parking_spots::user_id.is_null());
        }
        None => {}
    }
    let rows = rows
        .order((parking_spots::number.asc(), parking_spots::id.asc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select((
            Spot::as_select(),
            communities::community_name.nullable(),
            (people::name, people::phone).nullable(),
        ))
        .load::<Viewed>(conn)?;
    let total = paging.total(rows.len(), || count.count().get_result(conn))?;
    Ok((rows.into_iter().map(view).collect(), total))
}

/// Creates the spot assigned to `user_id`, or reassigns the existing one; its id.
pub fn assign(
    conn: &mut AnyConnection,
    community_identifier: &str,
    number: &str,
    user_id: i64,
    credential_id: i64,
    now: i64,
) -> QueryResult<i64> {
    match find(conn, community_identifier, number)? {
        Some(spot) => diesel::update(parking_spots::table.find(spot.id))
            .set((
                parking_spots::user_id.eq(Some(user_id)),
                parking_spots::assigned_at.eq(Some(now)),
                parking_spots::assigned_by.eq(Some(credential_id)),
                parking_spots::updated_at.eq(now),
            ))
            .returning(parking_spots::id)
            .get_result(conn),
        None => diesel::insert_into(parking_spots::table)
            .values((
                parking_spots::community_identifier.eq(community_identifier),
                parking_spots::number.eq(number),
                parking_spots::user_id.eq(Some(user_id)),
                parking_spots::assigned_at.eq(Some(now)),
                parking_spots::assigned_by.eq(Some(credential_id)),
                parking_spots::created_at.eq(now),
                parking_spots::updated_at.eq(now),
            ))
            .returning(parking_spots::id)
            .get_result(conn),
    }
}

/// Frees spot `id`; returns how many rows changed (0 or 1).
pub fn release(conn: &mut AnyConnection, id: i64, now: i64) -> QueryResult<usize> {
    diesel::update(parking_spots::table.find(id))
        .set((
            parking_spots::user_id.eq(None::<i64>),
            parking_spots::assigned_at.eq(None::<i64>),
            parking_spots::assigned_by.eq(None::<i64>),
            parking_spots::updated_at.eq(now),
        ))
        .execute(conn)
}
