//! Users: one row per resident, identified by phone, bound to at most one WeChat openid.
use diesel::prelude::*;
use kit::db::{AnyConnection, DbError};

use super::schema::users;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub openid: Option<String>,
    pub phone: String,
    pub name: String,
    pub avatar: String,
    pub registration_state: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub openid: Option<&'a str>,
    pub phone: &'a str,
    pub name: &'a str,
    pub avatar: &'a str,
    pub registration_state: &'a str,
    pub created_at: i64,
    pub updated_at: i64,
}

pub fn find_by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<User>, DbError> {
    Ok(users::table
        .find(id)
        .select(users::all_columns)
        .first::<User>(conn)
        .optional()?)
}

/// The WeChat openid of each of users `ids` who has one.
pub fn openids_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, DbError> {
    let found: Vec<(i64, Option<String>)> = users::table
        .filter(kit::db::any_of(users::id, ids))
        .select((users::id, users::openid))
        .load(conn)?;
    Ok(found
        .into_iter()
        .filter_map(|(id, openid)| Some((id, openid?)))
        .collect())
}

pub fn find_by_openid(conn: &mut AnyConnection, openid: &str) -> Result<Option<User>, DbError> {
    Ok(users::table
        .filter(users::openid.eq(openid))
        .select(users::all_columns)
        .first::<User>(conn)
        .optional()?)
}

pub fn find_by_phone(conn: &mut AnyConnection, phone: &str) -> Result<Option<User>, DbError> {
    Ok(users::table
        .filter(users::phone.eq(phone))
        .select(users::all_columns)
        .first::<User>(conn)
        .optional()?)
}

pub fn insert(conn: &mut AnyConnection, user: &NewUser<'_>) -> Result<User, diesel::result::Error> {
    diesel::insert_into(users::table)
        .values(user)
        .returning(users::all_columns)
        .get_result::<User>(conn)
}

/// Binds `openid` to the user and refreshes their profile.
pub fn bind_openid(
    conn: &mut AnyConnection,
    id: i64,
    openid: &str,
    name: &str,
    avatar: &str,
    now: i64,
) -> Result<User, DbError> {
    Ok(diesel::update(users::table.find(id))
        .set((
            users::openid.eq(Some(openid)),
            users::name.eq(name),
            users::avatar.eq(avatar),
            users::updated_at.eq(now),
        ))
        .returning(users::all_columns)
        .get_result::<User>(conn)?)
}

/// Sets the user's registration state; `None` when there is no such user. A state the user is
/// in already is not written again: svc-yibiaosanshi tells the state after every registration,
/// and most leave it as it was (a second house filed while the first waits), so those cost a
/// read, not a write and its commit, and `updated_at` keeps the last real change.
pub fn set_registration_state(
    conn: &mut AnyConnection,
    id: i64,
    state: &str,
    now: i64,
) -> Result<Option<User>, DbError> {
    let Some(user) = find_by_id(conn, id)? else {
        return Ok(None);
    };
    if user.registration_state == state {
        return Ok(Some(user));
    }
    Ok(diesel::update(users::table.find(id))
        .set((
            users::registration_state.eq(state),
            users::updated_at.eq(now),
        ))
        .returning(users::all_columns)
        .get_result::<User>(conn)
        .optional()?)
}
