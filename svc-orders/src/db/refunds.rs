//! `refunds`: money going back the way it came, written in the transaction that decided it and
//! sent to the provider by the refund worker (`actions::refunds`) until the provider has it.
use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::db::any_of;

use super::schema::refunds;

/// Sent to the provider next (or again: the provider is idempotent by `out_refund_no`).
pub const PENDING: &str = "pending";
/// The provider took it and is paying it back.
pub const PROCESSING: &str = "processing";
pub const SUCCEEDED: &str = "succeeded";
/// The provider refused it for good: staff decide.
pub const FAILED: &str = "failed";

/// A viewing fee returned: its request becomes refunded.
pub const FOR_VIEWING: &str = "viewing";
/// A second payment of something already paid.
pub const FOR_DUPLICATE: &str = "duplicate";
/// The platform refunds (part of) a property bill.
pub const FOR_BILL: &str = "bill";
/// A payment of another amount than was asked: it paid nothing, all of it goes back.
pub const FOR_MISMATCH: &str = "mismatch";

/// A refund's row.
#[derive(Clone, Debug, Default, Queryable, Selectable, Insertable)]
#[diesel(table_name = refunds)]
pub struct RefundRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub out_refund_no: String,
    /// `alipay` or `wxpay`.
    pub channel: String,
    pub out_trade_no: String,
    /// The trade's total, fen (WeChat Pay asks for it).
    pub total_fen: i64,
    pub amount_fen: i64,
    pub reason: String,
    /// [`FOR_VIEWING`], [`FOR_DUPLICATE`] or `bill`.
    pub purpose: String,
    pub viewing_id: Option<i64>,
    pub bill_id: Option<i64>,
    pub state: String,
    pub refund_id: Option<String>,
    pub failure: String,
    pub attempts: i32,
    pub next_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub refunded_at: Option<i64>,
    /// The platform's own number of a bill refund it asked for.
    pub request_no: Option<String>,
    /// The community whose bill or listing the money was paid for.
    pub community_identifier: Option<String>,
}

pub fn insert(conn: &mut AnyConnection, row: &RefundRow) -> QueryResult<RefundRow> {
    diesel::insert_into(refunds::table)
        .values(row)
        .returning(refunds::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<RefundRow>> {
    refunds::table
        .find(id)
        .select(RefundRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_out_refund_no(
    conn: &mut AnyConnection,
    out_refund_no: &str,
) -> QueryResult<Option<RefundRow>> {
    refunds::table
        .filter(refunds::out_refund_no.eq(out_refund_no))
        .select(RefundRow::as_select())
        .first(conn)
        .optional()
}

/// The refunds of one trade, oldest first.
pub fn of_trade(conn: &mut AnyConnection, out_trade_no: &str) -> QueryResult<Vec<RefundRow>> {
    refunds::table
        .filter(refunds::out_trade_no.eq(out_trade_no))
        .order(refunds::id.asc())
        .select(RefundRow::as_select())
        .load(conn)
}

/// The refunds of bill `id`, oldest first.
pub fn of_bill(conn: &mut AnyConnection, id: i64) -> QueryResult<Vec<RefundRow>> {
    refunds::table
        .filter(refunds::bill_id.eq(id))
        .order(refunds::id.asc())
        .select(RefundRow::as_select())
        .load(conn)
}

/// The refunds of `community`'s bills and payments, latest first (by creation time, then id, as
/// `refunds_of_community_newest` holds them).
pub fn of_community(
    conn: &mut AnyConnection,
    community: &str,
    limit: i64,
) -> QueryResult<Vec<RefundRow>> {
    refunds::table
        .filter(refunds::community_identifier.eq(community))
        .filter(refunds::purpose.ne(FOR_VIEWING))
        .order((refunds::created_at.desc(), refunds::id.desc()))
        .limit(limit)
        .select(RefundRow::as_select())
        .load(conn)
}

/// The refunds of viewing request `id`, oldest first.
pub fn of_viewing(conn: &mut AnyConnection, id: i64) -> QueryResult<Vec<RefundRow>> {
    refunds::table
        .filter(refunds::viewing_id.eq(id))
        .order(refunds::id.asc())
        .select(RefundRow::as_select())
        .load(conn)
}

/// Refunds the worker should send or ask about now, the most overdue first.
pub fn due(conn: &mut AnyConnection, now: i64, limit: i64) -> QueryResult<Vec<RefundRow>> {
    refunds::table
        .filter(refunds::next_at.le(now))
        .order(refunds::next_at.asc())
        .limit(limit)
        .select(RefundRow::as_select())
        .load(conn)
}

/// Marks refund `id` succeeded unless it already is; whether this call did.
pub fn succeed(conn: &mut AnyConnection, id: i64, refund_id: &str, now: i64) -> QueryResult<bool> {
    use refunds as r;
    let changed = diesel::update(r::table.find(id).filter(r::state.ne(SUCCEEDED)))
        .set((
            r::state.eq(SUCCEEDED),
            r::refund_id.eq(refund_id),
            r::next_at.eq(None::<i64>),
            r::refunded_at.eq(now),
            r::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Refund `id` is still under way: `state` (pending or processing), asked about again at `next_at`.
pub fn later(
    conn: &mut AnyConnection,
    id: i64,
    state: &str,
    refund_id: Option<&str>,
    failure: &str,
    next_at: i64,
    now: i64,
) -> QueryResult<usize> {
    use refunds as r;
    diesel::update(
        r::table
            .find(id)
            .filter(any_of(r::state, vec![PENDING, PROCESSING])),
    )
    .set((
        r::state.eq(state),
        r::refund_id.eq(refund_id),
        r::failure.eq(failure),
        r::attempts.eq(r::attempts + 1),
        r::next_at.eq(next_at),
        r::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Refund `id` was refused for good: nothing more is sent.
pub fn fail(conn: &mut AnyConnection, id: i64, failure: &str, now: i64) -> QueryResult<usize> {
    use refunds as r;
    diesel::update(
        r::table
            .find(id)
            .filter(any_of(r::state, vec![PENDING, PROCESSING])),
    )
    .set((
        r::state.eq(FAILED),
        r::failure.eq(failure),
        r::attempts.eq(r::attempts + 1),
        r::next_at.eq(None::<i64>),
        r::updated_at.eq(now),
    ))
    .execute(conn)
}
