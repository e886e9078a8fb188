//! Car transfers: a resident's claim on a plate another user holds, waiting for the platform
//! managing the claimant's community.
use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::paging::Paging;

use super::schema::car_transfers;

/// `status` of a claim nobody has decided yet.
pub const WAITING: i32 = 2;
/// `status` of a confirmed claim: the plate moved to the claimant.
pub const CONFIRMED: i32 = 1;
/// `status` of a refused claim: the plate stayed.
pub const REFUSED: i32 = 0;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = car_transfers)]
pub struct Transfer {
    pub id: i64,
    /// Normalised (upper case, no spaces).
    pub plate: String,
    pub claimant_user_id: i64,
    /// Who held the plate when the claim was made.
    pub holder_user_id: i64,
    /// The claimant's community: its platform decides.
    pub community_identifier: String,
    pub reason: String,
    pub status: i32,
    /// The platform credential that decided.
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
    pub decision_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A claim to insert.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = car_transfers)]
pub struct NewTransfer<'a> {
    pub plate: &'a str,
    pub claimant_user_id: i64,
    pub holder_user_id: i64,
    pub community_identifier: &'a str,
    pub reason: &'a str,
    pub status: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<Transfer>> {
    car_transfers::table
        .find(id)
        .select(Transfer::as_select())
        .first(conn)
        .optional()
}

/// The claimant's waiting claim on `plate`, if any.
pub fn find_waiting(
    conn: &mut AnyConnection,
    claimant_user_id: i64,
    plate: &str,
) -> QueryResult<Option<Transfer>> {
    car_transfers::table
        .filter(car_transfers::claimant_user_id.eq(claimant_user_id))
        .filter(car_transfers::plate.eq(plate))
        .filter(car_transfers::status.eq(WAITING))
        .select(Transfer::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut AnyConnection, new: &NewTransfer<'_>) -> QueryResult<Transfer> {
    diesel::insert_into(car_transfers::table)
        .values(new)
        .returning(car_transfers::all_columns)
        .get_result(conn)
}

/// Records the decision on a waiting claim; returns how many rows changed (0 when it was no
/// longer waiting).
pub fn decide(
    conn: &mut AnyConnection,
    id: i64,
    status: i32,
    credential_id: i64,
    reason: Option<&str>,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(
        car_transfers::table
            .filter(car_transfers::id.eq(id))
            .filter(car_transfers::status.eq(WAITING)),
    )
    .set((
        car_transfers::status.eq(status),
        car_transfers::decided_by.eq(Some(credential_id)),
        car_transfers::decided_at.eq(Some(now)),
        car_transfers::decision_reason.eq(reason),
        car_transfers::updated_at.eq(now),
    ))
    .execute(conn)
}

/// One page of a community's claims, newest first, and how many match.
pub fn page(
    conn: &mut AnyConnection,
    community: &str,
    status: Option<i32>,
    paging: Paging,
) -> QueryResult<(Vec<Transfer>, i64)> {
    let filtered = || {
        let mut query = car_transfers::table
            .filter(car_transfers::community_identifier.eq(community))
            .into_boxed();
        if let Some(status) = status {
            query = query.filter(car_transfers::status.eq(status));
        }
        query
    };
    // By creation time, then id, as the `car_transfers_of_community…_newest` indexes hold them.
    let rows = filtered()
        .order((car_transfers::created_at.desc(), car_transfers::id.desc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(Transfer::as_select())
        .load(conn)?;
    let total = paging.total(rows.len(), || filtered().count().get_result(conn))?;
    Ok((rows, total))
}
