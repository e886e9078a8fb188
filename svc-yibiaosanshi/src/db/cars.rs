//! Cars: the plates mini-program users bound, one user per plate.
use diesel::prelude::*;
use kit::db::AnyConnection;

use super::schema::cars;

#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = cars)]
pub struct Car {
    pub id: i64,
    pub user_id: i64,
    /// Normalised (upper case, no spaces).
    pub plate: String,
    pub created_at: i64,
}

/// The car with this (normalised) plate, whoever bound it.
pub fn find_by_plate(conn: &mut AnyConnection, plate: &str) -> QueryResult<Option<Car>> {
    cars::table
        .filter(cars::plate.eq(plate))
        .select(Car::as_select())
        .first(conn)
        .optional()
}

/// A user's cars, oldest first.
pub fn list_for_user(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Vec<Car>> {
    cars::table
        .filter(cars::user_id.eq(user_id))
        .order(cars::id.asc())
        .select(Car::as_select())
        .load(conn)
}

pub fn count_for_user(conn: &mut AnyConnection, user_id: i64) -> QueryResult<i64> {
    cars::table
        .filter(cars::user_id.eq(user_id))
        .count()
        .get_result(conn)
}

/// Makes concurrent binds of one user wait for each other until the transaction ends, so the
/// per-user limit holds. PostgreSQL needs an advisory lock (there is no user row here to lock);
/// SQLite's write transaction already runs one writer at a time.
pub fn lock_user(conn: &mut AnyConnection, user_id: i64) -> QueryResult<()> {
    if let AnyConnection::Postgresql(conn) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(user_id)
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert(conn: &mut AnyConnection, user_id: i64, plate: &str, now: i64) -> QueryResult<Car> {
    diesel::insert_into(cars::table)
        .values((
            cars::user_id.eq(user_id),
            cars::plate.eq(plate),
            cars::created_at.eq(now),
        ))
        .returning(cars::all_columns)
        .get_result(conn)
}

/// Removes the user's car with this plate; returns how many rows went (0 or 1).
pub fn delete_of_user(conn: &mut AnyConnection, user_id: i64, plate: &str) -> QueryResult<usize> {
    diesel::delete(
        cars::table
            .filter(cars::user_id.eq(user_id))
            .filter(cars::plate.eq(plate)),
    )
    .execute(conn)
}
