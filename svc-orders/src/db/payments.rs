//! WeChat Pay orders placed for sets of our orders, the bills of received payments, and the
//! payment results for the security platform (in kit's outbox).
use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::db::any_of;

use super::schema::{bills, live_payments, orders, payments};
use crate::domain::payment_state::{PaymentEvent, PaymentState};

/// The stored `state` texts (see [`PaymentState`] for what each means).
pub const PLACING: &str = PaymentState::Placing.as_str();
pub const PENDING: &str = PaymentState::Pending.as_str();
pub const PAID: &str = PaymentState::Paid.as_str();
pub const SUPERSEDED: &str = PaymentState::Superseded.as_str();
pub const CLOSED: &str = PaymentState::Closed.as_str();
pub const DISPUTED: &str = PaymentState::Disputed.as_str();
/// The outbox topic of 001 §2.2.1.
pub const PAYMENT_RESULT: &str = "payment_result";

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = payments)]
pub struct PaymentRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub out_trade_no: String,
    pub prepay_id: String,
    pub user_id: i64,
    pub order_ids: String,
    pub amount_fen: i64,
    pub state: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The payments currently live on any of `order_ids`.
pub fn live_on(conn: &mut AnyConnection, order_ids: &[i64]) -> QueryResult<Vec<PaymentRow>> {
    let holders = live_payments::table
        .filter(any_of(live_payments::order_id, order_ids))
        .select(live_payments::payment_id);
    payments::table
        .filter(payments::id.eq_any(holders))
        .order(payments::id.asc())
        .select(payments::all_columns)
        .load(conn)
}

/// Makes `payment_id` the live payment of `order_ids`; a unique violation when another payment
/// holds one of them (a concurrent claim won).
pub fn hold(conn: &mut AnyConnection, order_ids: &[i64], payment_id: i64) -> QueryResult<usize> {
    let mut held = 0;
    for order_id in order_ids {
        held += diesel::insert_into(live_payments::table)
            .values((
                live_payments::order_id.eq(*order_id),
                live_payments::payment_id.eq(payment_id),
            ))
            .execute(conn)?;
    }
    Ok(held)
}

/// Takes `ids` off their orders: placing/pending → superseded (to close at WeChat Pay).
pub fn supersede(conn: &mut AnyConnection, ids: &[i64], now: i64) -> QueryResult<usize> {
    release(conn, ids)?;
    diesel::update(
        payments::table
            .filter(any_of(payments::id, ids))
            .filter(any_of(
                payments::state,
                PaymentEvent::Replaced.source_texts(),
            )),
    )
    .set((payments::state.eq(SUPERSEDED), payments::updated_at.eq(now)))
    .execute(conn)
}

/// Frees the orders held by `ids`.
pub fn release(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(live_payments::table.filter(any_of(live_payments::payment_id, ids)))
        .execute(conn)
}

/// Placing → pending with WeChat's prepay_id; 0 when the payment was superseded meanwhile.
pub fn placed(conn: &mut AnyConnection, id: i64, prepay_id: &str, now: i64) -> QueryResult<usize> {
    diesel::update(
        payments::table
            .filter(payments::id.eq(id))
            .filter(any_of(payments::state, PaymentEvent::Placed.source_texts())),
    )
    .set((
        payments::prepay_id.eq(prepay_id),
        payments::state.eq(PENDING),
        payments::updated_at.eq(now),
    ))
    .execute(conn)
}

/// An unsettled payment ends: `ClosedAtWechat` (it cannot be paid) or `PaidOtherwise` (paid
/// with another amount, disputed); its orders freed.
pub fn end_unsettled(
    conn: &mut AnyConnection,
    id: i64,
    event: PaymentEvent,
    now: i64,
) -> QueryResult<usize> {
    end(conn, id, event, now)
}

/// Frees the payment's orders and moves it by `event`, if its state allows (0 rows otherwise).
fn end(conn: &mut AnyConnection, id: i64, event: PaymentEvent, now: i64) -> QueryResult<usize> {
    release(conn, &[id])?;
    diesel::update(
        payments::table
            .filter(payments::id.eq(id))
            .filter(any_of(payments::state, event.source_texts())),
    )
    .set((
        payments::state.eq(event.target().as_str()),
        payments::updated_at.eq(now),
    ))
    .execute(conn)
}

/// The texts of the states reconciliation watches.
fn unsettled_texts() -> Vec<&'static str> {
    PaymentState::ALL
        .into_iter()
        .filter(|state| state.unsettled())
        .map(PaymentState::as_str)
        .collect()
}

/// Records that an unsettled payment was looked at, so it is looked at again only later.
pub fn touch(conn: &mut AnyConnection, id: i64, now: i64) -> QueryResult<usize> {
    diesel::update(
        payments::table
            .filter(payments::id.eq(id))
            .filter(any_of(payments::state, unsettled_texts())),
    )
    .set(payments::updated_at.eq(now))
    .execute(conn)
}

/// Unsettled payments unchanged since `before`, the longest-waiting first.
pub fn unsettled(
    conn: &mut AnyConnection,
    before: i64,
    limit: i64,
) -> QueryResult<Vec<PaymentRow>> {
    payments::table
        .filter(any_of(payments::state, unsettled_texts()))
        .filter(payments::updated_at.le(before))
        .order(payments::updated_at.asc())
        .limit(limit)
        .select(payments::all_columns)
        .load(conn)
}

pub fn find_by_out_trade_no(
    conn: &mut AnyConnection,
    out_trade_no: &str,
) -> QueryResult<Option<PaymentRow>> {
    payments::table
        .filter(payments::out_trade_no.eq(out_trade_no))
        .select(payments::all_columns)
        .first::<PaymentRow>(conn)
        .optional()
}

/// The new payment's id.
pub fn insert(conn: &mut AnyConnection, row: &PaymentRow) -> QueryResult<i64> {
    diesel::insert_into(payments::table)
        .values(row)
        .returning(payments::id)
        .get_result(conn)
}

/// → paid, from whatever state WeChat Pay's word overrides; 0 when another delivery of the
/// notification got there first.
pub fn mark_paid(conn: &mut AnyConnection, id: i64, now: i64) -> QueryResult<usize> {
    end(conn, id, PaymentEvent::PaidInFull, now)
}

#[derive(Insertable)]
#[diesel(table_name = bills)]
pub struct NewBill<'a> {
    pub user_id: i64,
    pub total_amount_fen: i64,
    pub payment_number: &'a str,
    pub payment_shop_number: &'a str,
    pub paid_at: i64,
    pub created_at: i64,
    pub community_identifier: &'a str,
}

pub fn insert_bill(conn: &mut AnyConnection, bill: &NewBill<'_>) -> QueryResult<i64> {
    diesel::insert_into(bills::table)
        .values(bill)
        .returning(bills::id)
        .get_result(conn)
}

/// Marks the unpaid orders among `ids` paid by `bill_id`; how many changed.
pub fn pay_orders(
    conn: &mut AnyConnection,
    ids: &[i64],
    bill_id: i64,
    now: i64,
) -> QueryResult<usize> {
    diesel::update(
        orders::table
            .filter(any_of(orders::id, ids))
            .filter(orders::paied.eq(false)),
    )
    .set((
        orders::paied.eq(true),
        orders::bill_id.eq(bill_id),
        orders::updated_at.eq(now),
    ))
    .execute(conn)
}
