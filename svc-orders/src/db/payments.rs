//! WeChat Pay orders placed for sets of our orders, the bills of received payments, and the
//! payment results for the security platform (in kit's outbox).
use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::db::any_of;

use kit::outbox::{RowMark, SplitMessages};

use super::refunds::{self, RefundRow};
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

impl PaymentRow {
    /// The ids of the orders it pays (`order_ids` is them joined by `A`, as
    /// `actions::payment` writes them).
    pub fn order_ids(&self) -> Vec<i64> {
        self.order_ids
            .split('A')
            .filter_map(|id| id.parse().ok())
            .collect()
    }
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

/// Payment `out_trade_no` and the orders it pays, by id: what a notification of it is applied
/// against. One statement on PostgreSQL (the orders joined through `order_ids`), two on SQLite.
pub fn find_with_orders(
    conn: &mut AnyConnection,
    out_trade_no: &str,
) -> QueryResult<Option<(PaymentRow, Vec<super::orders::OrderRow>)>> {
    use super::orders::OrderRow;
    if matches!(conn, AnyConnection::Postgresql(_)) {
        // The order is one the payment pays (PostgreSQL).
        let pays: kit::db::Inline<diesel::sql_types::Bool> = kit::db::inline_sql(
            "\"orders\".\"id\" = ANY(CAST(string_to_array(\"payments\".\"order_ids\", 'A') AS BIGINT[]))",
        );
        let paid_orders = orders::table.on(pays);
        let rows: Vec<(PaymentRow, Option<OrderRow>)> = kit::db::load_direct(
            conn,
            payments::table
                .left_join(paid_orders)
                .filter(payments::out_trade_no.eq(out_trade_no))
                .order(orders::id.asc())
                .select((payments::all_columns, orders::all_columns.nullable())),
        )?;
        let mut rows = rows.into_iter();
        let Some((payment, first)) = rows.next() else {
            return Ok(None);
        };
        let orders = first.into_iter().chain(rows.filter_map(|(_, order)| order));
        return Ok(Some((payment, orders.collect())));
    }
    let Some(payment) = find_by_out_trade_no(conn, out_trade_no)? else {
        return Ok(None);
    };
    let orders = super::orders::find_many(conn, &payment.order_ids())?;
    Ok(Some((payment, orders)))
}

/// The new payment's id.
pub fn insert(conn: &mut AnyConnection, row: &PaymentRow) -> QueryResult<i64> {
    diesel::insert_into(payments::table)
        .values(row)
        .returning(payments::id)
        .get_result(conn)
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

/// A payment received in full, as it is settled by [`settle`].
pub struct Settlement<'a> {
    pub payment_id: i64,
    /// The bill it becomes.
    pub bill: NewBill<'a>,
    /// The orders it pays: id and amount (fen).
    pub orders: Vec<(i64, i64)>,
    /// What goes back if some of the orders were paid already: its amount and bill are filled
    /// in, and it is written only then.
    pub duplicate: RefundRow,
    pub now: i64,
}

/// What a settlement wrote.
#[derive(Debug, PartialEq, Eq)]
pub struct Settled {
    pub bill_id: i64,
    /// Of the orders, the amount another payment had paid: refunded ([`Settlement::duplicate`]).
    pub twice_fen: i64,
}

/// Settles a payment received in full, at once: → paid (from whatever state WeChat Pay's word
/// overrides) and its orders freed, the bill written, the unpaid orders marked paid by it, the
/// part paid twice refunded, the messages written. `None` when another delivery of the
/// notification got there first (nothing written). The outbox `messages` keyed by an order are
/// written only if this payment paid that order, the unkeyed always; `mark` stands for the
/// bill's id in them. On PostgreSQL one statement ([`Settle`]:
/// run it with `Database::write_statement`); on SQLite in the writer's transaction.
pub fn settle(
    conn: &mut AnyConnection,
    settlement: &Settlement<'_>,
    mark: &RowMark,
    messages: &[(Option<i64>, &'static str, String)],
) -> QueryResult<Option<Settled>> {
    let ids: Vec<i64> = settlement.orders.iter().map(|&(id, _)| id).collect();
    if let AnyConnection::Postgresql(conn) = conn {
        let settle = Settle {
            settlement,
            order_ids: ids,
            amounts_fen: settlement.orders.iter().map(|&(_, fen)| fen).collect(),
            paid: PaymentEvent::PaidInFull.target().as_str(),
            sources: PaymentEvent::PaidInFull.source_texts(),
            messages: mark.split_keyed(messages)?,
        };
        return settle
            .get_result::<(i64, i64)>(conn)
            .optional()
            .map(|row| row.map(|(bill_id, twice_fen)| Settled { bill_id, twice_fen }));
    }
    let now = settlement.now;
    if end(conn, settlement.payment_id, PaymentEvent::PaidInFull, now)? == 0 {
        return Ok(None);
    }
    let bill_id: i64 = diesel::insert_into(bills::table)
        .values(&settlement.bill)
        .returning(bills::id)
        .get_result(conn)?;
    let paid = pay_orders(conn, &ids, bill_id, now)?;
    let twice_fen = settlement
        .orders
        .iter()
        .filter(|(id, _)| !paid.contains(id))
        .map(|(_, fen)| fen)
        .sum();
    if twice_fen > 0 {
        refunds::insert(
            conn,
            &RefundRow {
                amount_fen: twice_fen,
                bill_id: Some(bill_id),
                ..settlement.duplicate.clone()
            },
        )?;
    }
    let written: Vec<(&str, String)> = messages
        .iter()
        .filter(|(key, _, _)| key.is_none_or(|order| paid.contains(&order)))
        .map(|(_, topic, payload)| (*topic, payload.clone()))
        .collect();
    kit::outbox::enqueue_all(conn, &mark.fill(&written, bill_id))?;
    Ok(Some(Settled { bill_id, twice_fen }))
}

/// Marks the unpaid orders among `ids` paid by `bill_id`; the ids of those it marked.
pub fn pay_orders(
    conn: &mut AnyConnection,
    ids: &[i64],
    bill_id: i64,
    now: i64,
) -> QueryResult<Vec<i64>> {
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
    .returning(orders::id)
    .get_results(conn)
}

/// Pushes binds separated by commas, each with its SQL type: `$1, $2, …`.
macro_rules! bound_values {
    ($out:ident; $ty:ty => $value:expr $(, $tys:ty => $values:expr)* $(,)?) => {
        $out.push_bind_param::<$ty, _>($value)?;
        $(
            $out.push_sql(", ");
            $out.push_bind_param::<$tys, _>($values)?;
        )*
    };
}

/// [`settle`] on PostgreSQL, one statement (the parts see one snapshot, so each part's
/// condition is the one before it):
/// `paid` moves the payment, only from a state it may leave; `freed` frees its orders;
/// `bill` is written if it moved; `settled` marks paid those orders no payment had paid (a
/// concurrent payment of one waits for its lock, then finds it paid); `twice` sums the rest,
/// which `refund` sends back; `messages` are those of the orders it paid and the unkeyed ones.
struct Settle<'s, 'a> {
    settlement: &'s Settlement<'a>,
    order_ids: Vec<i64>,
    amounts_fen: Vec<i64>,
    paid: &'static str,
    sources: Vec<&'static str>,
    messages: SplitMessages,
}

impl diesel::query_builder::QueryId for Settle<'_, '_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::Query for Settle<'_, '_> {
    type SqlType = (diesel::sql_types::BigInt, diesel::sql_types::BigInt);
}

impl<Conn> RunQueryDsl<Conn> for Settle<'_, '_> {}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for Settle<'_, '_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Array, BigInt, Integer, Nullable, Text};
        let s = self.settlement;
        let bill = &s.bill;
        let refund = &s.duplicate;
        out.push_sql("WITH paid AS (UPDATE payments SET state = ");
        out.push_bind_param::<Text, _>(self.paid)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<BigInt, _>(&s.now)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<BigInt, _>(&s.payment_id)?;
        out.push_sql(" AND state = ANY(");
        out.push_bind_param::<Array<Text>, _>(&self.sources)?;
        out.push_sql(
            ") RETURNING id), \
             freed AS (DELETE FROM live_payments WHERE payment_id IN (SELECT id FROM paid)), \
             bill AS (INSERT INTO bills (user_id, total_amount_fen, payment_number, \
             payment_shop_number, paid_at, created_at, community_identifier) SELECT ",
        );
        bound_values!(out;
            BigInt => &bill.user_id,
            BigInt => &bill.total_amount_fen,
            Text => bill.payment_number,
            Text => bill.payment_shop_number,
            BigInt => &bill.paid_at,
            BigInt => &bill.created_at,
            Text => bill.community_identifier,
        );
        out.push_sql(
            " FROM paid RETURNING id), \
             settled AS (UPDATE orders SET paied = TRUE, bill_id = bill.id, updated_at = ",
        );
        out.push_bind_param::<BigInt, _>(&s.now)?;
        out.push_sql(" FROM bill WHERE orders.id = ANY(");
        out.push_bind_param::<Array<BigInt>, _>(&self.order_ids)?;
        out.push_sql(
            ") AND NOT orders.paied RETURNING orders.id), \
             twice AS (SELECT CAST(COALESCE(SUM(o.fen), 0) AS BIGINT) AS fen FROM unnest(",
        );
        bound_values!(out;
            Array<BigInt> => &self.order_ids,
            Array<BigInt> => &self.amounts_fen,
        );
        out.push_sql(
            ") AS o (id, fen) WHERE o.id NOT IN (SELECT id FROM settled)), \
             refund AS (INSERT INTO refunds (amount_fen, bill_id, out_refund_no, channel, \
             out_trade_no, total_fen, reason, purpose, state, failure, attempts, next_at, \
             created_at, updated_at, community_identifier) SELECT twice.fen, bill.id, ",
        );
        bound_values!(out;
            Text => &refund.out_refund_no,
            Text => &refund.channel,
            Text => &refund.out_trade_no,
            BigInt => &refund.total_fen,
            Text => &refund.reason,
            Text => &refund.purpose,
            Text => &refund.state,
            Text => &refund.failure,
            Integer => &refund.attempts,
            Nullable<BigInt> => &refund.next_at,
            BigInt => &refund.created_at,
            BigInt => &refund.updated_at,
            Nullable<Text> => &refund.community_identifier,
        );
        out.push_sql(
            " FROM bill, twice WHERE twice.fen > 0), \
             messages AS (",
        );
        self.messages
            .walk_insert(&mut out, "bill.id", "bill", &s.now)?;
        out.push_sql(
            " WHERE m.key IS NULL OR m.key IN (SELECT id FROM settled)) \
             SELECT bill.id, twice.fen FROM bill, twice",
        );
        Ok(())
    }
}
