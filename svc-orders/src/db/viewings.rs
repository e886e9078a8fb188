//! `viewing_requests`: seed 004's 看房申请.
use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::db::any_of;

use super::schema::viewing_requests;

/// A viewing request's row.
#[derive(Clone, Debug, Default, Queryable, Selectable, Insertable)]
#[diesel(table_name = viewing_requests)]
pub struct ViewingRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub seeker_id: i64,
    pub listing_id: i64,
    pub owner_id: i64,
    pub community_identifier: String,
    pub house_title: String,
    /// JSON array of unix seconds.
    pub wished_times: String,
    pub fee_fen: i64,
    /// `unpaid`, `paid`, `confirmed`, `declined` or `refunded`.
    pub status: String,
    pub viewing_time: Option<i64>,
    pub reason: String,
    /// `alipay` or `wxpay`, once paid.
    pub pay_channel: Option<String>,
    pub trade_no: Option<String>,
    pub paid_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// When a payment page or WeChat Pay order was last offered for it.
    pub offered_at: Option<i64>,
    /// When reconciliation next asks the providers whether it was paid (None: not to be asked).
    pub check_at: Option<i64>,
    /// Who invited the landlord when the request was made.
    pub inviter_id: Option<i64>,
}

/// The most requests one list answers, the latest first.
pub const LIST_LIMIT: i64 = 200;

pub fn insert(conn: &mut AnyConnection, row: &ViewingRow) -> QueryResult<ViewingRow> {
    diesel::insert_into(viewing_requests::table)
        .values(row)
        .returning(viewing_requests::all_columns)
        .get_result(conn)
}

/// The seeker's requests for the listing in one of `statuses`, the latest first.
pub fn of_seeker_for(
    conn: &mut AnyConnection,
    seeker: i64,
    listing: i64,
    statuses: &[&str],
) -> QueryResult<Vec<ViewingRow>> {
    use viewing_requests as v;
    v::table
        .filter(v::seeker_id.eq(seeker))
        .filter(v::listing_id.eq(listing))
        .filter(any_of(v::status, statuses))
        .order(v::id.desc())
        .select(ViewingRow::as_select())
        .load(conn)
}

/// The seeker's requests, the latest first (at most [`LIST_LIMIT`]).
pub fn of_seeker(conn: &mut AnyConnection, seeker: i64) -> QueryResult<Vec<ViewingRow>> {
    use viewing_requests as v;
    v::table
        .filter(v::seeker_id.eq(seeker))
        .order(v::id.desc())
        .limit(LIST_LIMIT)
        .select(ViewingRow::as_select())
        .load(conn)
}

/// The requests for the landlord's listings, the latest first (at most [`LIST_LIMIT`]).
pub fn of_owner(conn: &mut AnyConnection, owner: i64) -> QueryResult<Vec<ViewingRow>> {
    use viewing_requests as v;
    v::table
        .filter(v::owner_id.eq(owner))
        .order(v::id.desc())
        .limit(LIST_LIMIT)
        .select(ViewingRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<ViewingRow>> {
    viewing_requests::table
        .find(id)
        .select(ViewingRow::as_select())
        .first(conn)
        .optional()
}

/// Request `id` with its row lock (PostgreSQL; SQLite's write transaction holds the database),
/// taken by a no-op update: every change of a request's status starts here, so two never
/// interleave.
pub fn lock(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<ViewingRow>> {
    use viewing_requests as v;
    diesel::update(v::table.find(id))
        .set(v::updated_at.eq(v::updated_at))
        .returning(viewing_requests::all_columns)
        .get_result(conn)
        .optional()
}

/// Marks request `id` paid through `channel` when it is still unpaid; answers whether it did
/// (false: paid already, by this notification's earlier delivery or another).
pub fn mark_paid(
    conn: &mut AnyConnection,
    id: i64,
    channel: &str,
    trade_no: &str,
    paid_at: i64,
    now: i64,
) -> QueryResult<bool> {
    use viewing_requests as v;
    let changed = diesel::update(v::table.find(id).filter(v::status.eq("unpaid")))
        .set((
            v::status.eq("paid"),
            v::pay_channel.eq(channel),
            v::trade_no.eq(trade_no),
            v::paid_at.eq(paid_at),
            v::check_at.eq(None::<i64>),
            v::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// A viewing fee reported paid, as [`pay_and_post`] applies it.
#[derive(Clone, Copy, Debug)]
pub struct FeePaid<'a> {
    pub id: i64,
    /// The amount paid: only a request of this fee is paid by it.
    pub fee_fen: i64,
    pub channel: &'a str,
    pub trade_no: &'a str,
    pub paid_at: i64,
    pub now: i64,
}

/// On PostgreSQL, one statement and atomic by itself: marks request `paid.id` paid, as
/// [`mark_paid`] does, when it is unpaid and its fee is the amount paid, and then (only then)
/// writes the movement `entries`. True when it paid the request; false leaves everything as it
/// was, for the caller to decide in a transaction (paid before, another amount, no such request).
pub fn pay_and_post(
    conn: &mut diesel::PgConnection,
    paid: &FeePaid<'_>,
    entries: &[super::ledger::EntryRow],
) -> QueryResult<bool> {
    let statement = PayAndPost {
        paid,
        movement: entries.first().map_or("", |e| e.movement.as_str()),
        accounts: entries.iter().map(|e| e.account.as_str()).collect(),
        amounts_fen: entries.iter().map(|e| e.amount_fen).collect(),
    };
    Ok(statement.get_result::<i64>(conn)? == 1)
}

/// [`pay_and_post`]'s statement: `paid` moves the request (one row or none), `posted` writes the
/// movement's rows for each row `paid` returned.
struct PayAndPost<'p, 'a> {
    paid: &'p FeePaid<'a>,
    movement: &'p str,
    accounts: Vec<&'p str>,
    amounts_fen: Vec<i64>,
}

impl diesel::query_builder::QueryId for PayAndPost<'_, '_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::Query for PayAndPost<'_, '_> {
    type SqlType = diesel::sql_types::BigInt;
}

impl<Conn> RunQueryDsl<Conn> for PayAndPost<'_, '_> {}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for PayAndPost<'_, '_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Array, BigInt, Text};
        let paid = self.paid;
        out.push_sql(
            "WITH paid AS (UPDATE viewing_requests SET status = 'paid', check_at = NULL, \
             pay_channel = ",
        );
        out.push_bind_param::<Text, _>(&paid.channel)?;
        out.push_sql(", trade_no = ");
        out.push_bind_param::<Text, _>(&paid.trade_no)?;
        out.push_sql(", paid_at = ");
        out.push_bind_param::<BigInt, _>(&paid.paid_at)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<BigInt, _>(&paid.now)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<BigInt, _>(&paid.id)?;
        out.push_sql(" AND status = 'unpaid' AND fee_fen = ");
        out.push_bind_param::<BigInt, _>(&paid.fee_fen)?;
        out.push_sql(
            " RETURNING id), \
             posted AS (INSERT INTO ledger_entries (movement, account, amount_fen, viewing_id, \
             created_at) SELECT ",
        );
        out.push_bind_param::<Text, _>(&self.movement)?;
        out.push_sql(", e.account, e.amount_fen, paid.id, ");
        out.push_bind_param::<BigInt, _>(&paid.now)?;
        out.push_sql(" FROM paid, unnest(");
        out.push_bind_param::<Array<Text>, _>(&self.accounts)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.amounts_fen)?;
        out.push_sql(") AS e (account, amount_fen)) SELECT COUNT(*) FROM paid");
        Ok(())
    }
}

/// Moves request `id` from `from` to `to`, with the viewing time or the reason; the request as
/// it then stands (`None`: it was not in `from`).
pub fn change_status(
    conn: &mut AnyConnection,
    id: i64,
    from: &[&str],
    to: &str,
    viewing_time: Option<i64>,
    reason: &str,
    now: i64,
) -> QueryResult<Option<ViewingRow>> {
    use viewing_requests as v;
    diesel::update(v::table.find(id).filter(any_of(v::status, from)))
        .set((
            v::status.eq(to),
            v::viewing_time.eq(viewing_time),
            v::reason.eq(reason),
            v::check_at.eq(None::<i64>),
            v::updated_at.eq(now),
        ))
        .returning(viewing_requests::all_columns)
        .get_result(conn)
        .optional()
}

/// Request `id`'s fee is back with its payer: `declined` becomes `refunded`.
pub fn mark_refunded(conn: &mut AnyConnection, id: i64, now: i64) -> QueryResult<bool> {
    use viewing_requests as v;
    let changed = diesel::update(v::table.find(id).filter(v::status.eq("declined")))
        .set((v::status.eq("refunded"), v::updated_at.eq(now)))
        .execute(conn)?;
    Ok(changed == 1)
}

/// A payment was offered for request `id` (a page or a WeChat Pay order): reconciliation asks
/// the providers about it from `check_at` on, unless it is paid by then.
pub fn offered(conn: &mut AnyConnection, id: i64, now: i64, check_at: i64) -> QueryResult<usize> {
    use viewing_requests as v;
    diesel::update(v::table.find(id).filter(v::status.eq("unpaid")))
        .set((v::offered_at.eq(now), v::check_at.eq(check_at)))
        .execute(conn)
}

/// When reconciliation next asks about request `id` (None: no more).
pub fn check_again(conn: &mut AnyConnection, id: i64, at: Option<i64>) -> QueryResult<usize> {
    use viewing_requests as v;
    diesel::update(v::table.find(id))
        .set(v::check_at.eq(at))
        .execute(conn)
}

/// Unpaid requests whose payment reconciliation should look for now, the most overdue first.
pub fn to_check(conn: &mut AnyConnection, now: i64, limit: i64) -> QueryResult<Vec<ViewingRow>> {
    use viewing_requests as v;
    v::table
        .filter(v::check_at.le(now))
        .order(v::check_at.asc())
        .limit(limit)
        .select(ViewingRow::as_select())
        .load(conn)
}

/// Paid requests the landlord has not confirmed since `paid_before`, the oldest first.
pub fn unconfirmed(
    conn: &mut AnyConnection,
    paid_before: i64,
    limit: i64,
) -> QueryResult<Vec<ViewingRow>> {
    use viewing_requests as v;
    v::table
        .filter(v::status.eq("paid"))
        .filter(v::paid_at.lt(paid_before))
        .order(v::paid_at.asc())
        .limit(limit)
        .select(ViewingRow::as_select())
        .load(conn)
}
