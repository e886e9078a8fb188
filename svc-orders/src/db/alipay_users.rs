//! `alipay_users`: a resident's Alipay authorisation (user id, access token) and the 芝麻分 last
//! fetched with it.
use diesel::prelude::*;
use kit::db::AnyConnection;

use super::schema::alipay_users;

/// A resident bound to an Alipay user.
#[derive(Clone, Default, Queryable, Selectable, Insertable)]
#[diesel(table_name = alipay_users)]
pub struct AlipayUserRow {
    pub user_id: i64,
    pub alipay_user_id: String,
    /// Acts for the user at Alipay: never logged.
    pub access_token: String,
    pub token_expires_at: i64,
    pub refresh_token: String,
    pub zhima_score: Option<i64>,
    pub zhima_fetched_at: Option<i64>,
    pub bound_at: i64,
    pub updated_at: i64,
}

impl std::fmt::Debug for AlipayUserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlipayUserRow")
            .field("user_id", &self.user_id)
            .field("token_expires_at", &self.token_expires_at)
            .field("zhima_fetched_at", &self.zhima_fetched_at)
            .finish_non_exhaustive()
    }
}

pub fn find(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Option<AlipayUserRow>> {
    alipay_users::table
        .find(user_id)
        .select(AlipayUserRow::as_select())
        .first(conn)
        .optional()
}

/// Binds `row.user_id` to the Alipay user and token of `row`: a new authorisation replaces the
/// old one; the score fetched with an earlier token stays until it is fetched again.
pub fn bind(conn: &mut AnyConnection, row: &AlipayUserRow) -> QueryResult<()> {
    use alipay_users as a;
    let changed = diesel::update(a::table.find(row.user_id))
        .set((
            a::alipay_user_id.eq(&row.alipay_user_id),
            a::access_token.eq(&row.access_token),
            a::token_expires_at.eq(row.token_expires_at),
            a::refresh_token.eq(&row.refresh_token),
            a::bound_at.eq(row.bound_at),
            a::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(a::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// Keeps the 芝麻分 fetched at `at`.
pub fn keep_score(conn: &mut AnyConnection, user_id: i64, score: i64, at: i64) -> QueryResult<()> {
    use alipay_users as a;
    diesel::update(a::table.find(user_id))
        .set((
            a::zhima_score.eq(score),
            a::zhima_fetched_at.eq(at),
            a::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}
