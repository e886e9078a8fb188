//! WeChat Pay orders placed for sets of our orders, the bills of received payments, and the
//! payment results for the security platform (in kit's outbox).
use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::db::any_of;

use kit::outbox::RowMark;

use super::refunds::{self, RefundRow};
use super::schema::{bills, live_payments, orders, payments, unsettled_payments};
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

/// Takes `ids` off their orders: placing/pending → superseded (to close at WeChat Pay), and
/// reconciliation's wait for them starts again. No statement when there are none (most payments
/// take orders nobody was paying).
pub fn supersede(conn: &mut AnyConnection, ids: &[i64], now: i64) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    release(conn, ids)?;
    let superseded: Vec<i64> = diesel::update(
        payments::table
            .filter(any_of(payments::id, ids))
            .filter(any_of(
                payments::state,
                PaymentEvent::Replaced.source_texts(),
            )),
    )
    .set((payments::state.eq(SUPERSEDED), payments::updated_at.eq(now)))
    .returning(payments::id)
    .get_results(conn)?;
    touch(conn, &superseded, now)?;
    Ok(superseded.len())
}

/// Frees the orders held by `ids`.
pub fn release(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(live_payments::table.filter(any_of(live_payments::payment_id, ids)))
        .execute(conn)
}

/// Placing → pending with WeChat's prepay_id; 0 when the payment was superseded meanwhile.
/// Reconciliation's wait still counts from the payment's insert, a WeChat Pay call before.
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

/// Frees the payment's orders and moves it by `event`, if its state allows (0 rows otherwise);
/// reconciliation no longer watches it (every event that ends a payment settles it).
fn end(conn: &mut AnyConnection, id: i64, event: PaymentEvent, now: i64) -> QueryResult<usize> {
    release(conn, &[id])?;
    let moved = diesel::update(
        payments::table
            .filter(payments::id.eq(id))
            .filter(any_of(payments::state, event.source_texts())),
    )
    .set((
        payments::state.eq(event.target().as_str()),
        payments::updated_at.eq(now),
    ))
    .execute(conn)?;
    if moved > 0 {
        diesel::delete(unsettled_payments::table.filter(unsettled_payments::payment_id.eq(id)))
            .execute(conn)?;
    }
    Ok(moved)
}

/// Reconciliation looks at the unsettled payments among `ids` (looked at, or superseded, at
/// `now`) again only its wait after `now`.
pub fn touch(conn: &mut AnyConnection, ids: &[i64], now: i64) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::update(unsettled_payments::table.filter(any_of(unsettled_payments::payment_id, ids)))
        .set(unsettled_payments::since.eq(now))
        .execute(conn)
}

/// Unsettled payments made, superseded or looked at no later than `before`, the longest-waiting
/// first.
pub fn unsettled(
    conn: &mut AnyConnection,
    before: i64,
    limit: i64,
) -> QueryResult<Vec<PaymentRow>> {
    unsettled_payments::table
        .inner_join(payments::table.on(payments::id.eq(unsettled_payments::payment_id)))
        .filter(unsettled_payments::since.le(before))
        .order((
            unsettled_payments::since.asc(),
            unsettled_payments::payment_id.asc(),
        ))
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

/// The new payment's id; reconciliation watches it from its `updated_at` while it is unsettled.
pub fn insert(conn: &mut AnyConnection, row: &PaymentRow) -> QueryResult<i64> {
    let id = diesel::insert_into(payments::table)
        .values(row)
        .returning(payments::id)
        .get_result(conn)?;
    if PaymentState::parse(&row.state).is_some_and(PaymentState::unsettled) {
        diesel::insert_into(unsettled_payments::table)
            .values((
                unsettled_payments::payment_id.eq(id),
                unsettled_payments::since.eq(row.updated_at),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

#[derive(Insertable)]
#[diesel(table_name = bills)]
struct NewBill<'a> {
    user_id: i64,
    total_amount_fen: i64,
    payment_number: &'a str,
    payment_shop_number: &'a str,
    paid_at: i64,
    created_at: i64,
    community_identifier: &'a str,
}

/// Stand, in the messages a settlement writes, for what it reads of the payment: made before
/// the payment is read, they are filled as it is settled. Each but the bill's is a JSON string
/// of its own (`"<mark>"`) that becomes the value's JSON; the bill's stands inside a string and
/// becomes its id's digits. Random per settlement, so nothing written into an order can hold one.
/// Kept as they stand in a message: the JSON ones with their quotes.
#[derive(Debug)]
pub struct PaidMarks {
    order_number: String,
    titles: String,
    payer: String,
    bill: String,
}

impl Default for PaidMarks {
    fn default() -> Self {
        let mark = RowMark::default();
        let base = mark.text();
        Self {
            order_number: format!("\"{base}-order\""),
            titles: format!("\"{base}-titles\""),
            payer: format!("\"{base}-payer\""),
            bill: format!("{base}-bill"),
        }
    }
}

/// A JSON mark's text, which a message's JSON string holds.
fn unquoted(mark: &str) -> &str {
    mark.trim_matches('"')
}

impl PaidMarks {
    /// The order's number (a JSON string), in a message written for each order paid.
    pub fn order_number(&self) -> &str {
        unquoted(&self.order_number)
    }

    /// The titles of the payment's orders, by id, joined by `、` (a JSON string).
    pub fn titles(&self) -> &str {
        unquoted(&self.titles)
    }

    /// The payer's user id (a JSON number).
    pub fn payer(&self) -> &str {
        unquoted(&self.payer)
    }

    /// The bill's id, inside a string.
    pub fn bill(&self) -> &str {
        &self.bill
    }
}

/// The outbox messages a settlement writes, with [`PaidMarks`] where the payment's facts go.
#[derive(Debug, Default)]
pub struct PaidMessages {
    pub marks: PaidMarks,
    /// Written once for each order the payment pays (not for one another payment paid first).
    pub each_order: Vec<(&'static str, String)>,
    /// Written once.
    pub once: Vec<(&'static str, String)>,
}

impl PaidMessages {
    /// The messages with the facts in place of the marks: the paid orders' numbers (by id),
    /// the titles, the payer and the bill.
    fn fill(
        &self,
        paid_numbers: &[&str],
        titles: &str,
        payer: i64,
        bill: i64,
    ) -> QueryResult<Vec<(&'static str, String)>> {
        let json = |value: &str| {
            serde_json::to_string(value)
                .map_err(|error| diesel::result::Error::SerializationError(Box::new(error)))
        };
        let marks = &self.marks;
        let mut filled = Vec::new();
        for (topic, payload) in &self.each_order {
            for number in paid_numbers {
                filled.push((*topic, payload.replace(&marks.order_number, &json(number)?)));
            }
        }
        filled.extend(
            self.once
                .iter()
                .map(|(topic, payload)| (*topic, payload.clone())),
        );
        let titles = json(titles)?;
        let (payer, bill) = (payer.to_string(), bill.to_string());
        Ok(filled
            .into_iter()
            .map(|(topic, payload)| {
                let payload = payload
                    .replace(&marks.titles, &titles)
                    .replace(&marks.payer, &payer)
                    .replace(&marks.bill, &bill);
                (topic, payload)
            })
            .collect())
    }
}

/// A notification that payment `out_trade_no` was paid in full, as [`settle`] applies it.
pub struct Settlement<'a> {
    pub out_trade_no: &'a str,
    /// What was paid: the payment must be of this amount.
    pub amount_fen: i64,
    /// WeChat Pay's number of the trade.
    pub transaction_id: &'a str,
    pub paid_at: i64,
    /// What goes back if some of the orders were paid already: its amount, bill and community
    /// are filled in, and it is written only then.
    pub duplicate: RefundRow,
    pub messages: PaidMessages,
    pub now: i64,
}

/// What a settlement wrote.
#[derive(Debug, PartialEq, Eq)]
pub struct Settled {
    pub bill_id: i64,
    /// Of the orders, the amount another payment had paid: refunded ([`Settlement::duplicate`]).
    pub twice_fen: i64,
}

/// The states a notification of payment in full settles: the event's sources but a disputed
/// payment (paid with another amount, its money on the way back).
fn settled_from() -> Vec<&'static str> {
    PaymentEvent::PaidInFull
        .source_texts()
        .into_iter()
        .filter(|state| *state != DISPUTED)
        .collect()
}

/// Settles a payment received in full, at once, reading it as it goes: → paid (from whatever
/// state WeChat Pay's word overrides) and its orders freed, the bill written (the payer's, of
/// the community of its first order), the unpaid orders marked paid by it, the part paid twice
/// refunded, the messages written (those for each order, for each order it paid). `None`, with
/// nothing written, when no payment `out_trade_no` of that amount is there to settle: unknown,
/// of another amount, or settled already (another delivery of the notification got there
/// first). On PostgreSQL one statement ([`Settle`]: run it with `Database::write_statement`); on
/// SQLite in the writer's transaction.
pub fn settle(
    conn: &mut AnyConnection,
    settlement: &Settlement<'_>,
) -> QueryResult<Option<Settled>> {
    let sources = settled_from();
    if let AnyConnection::Postgresql(conn) = conn {
        return kit::db::found_by_type(Settle::new(settlement, sources))
            .get_result::<(i64, i64)>(conn)
            .optional()
            .map(|row| row.map(|(bill_id, twice_fen)| Settled { bill_id, twice_fen }));
    }
    let now = settlement.now;
    let Some((payment, orders)) = find_with_orders(conn, settlement.out_trade_no)? else {
        return Ok(None);
    };
    if payment.amount_fen != settlement.amount_fen
        || !sources.contains(&payment.state.as_str())
        || end(conn, payment.id, PaymentEvent::PaidInFull, now)? == 0
    {
        return Ok(None);
    }
    let community = orders
        .first()
        .map(|order| order.community_identifier.as_str())
        .unwrap_or_default();
    let bill_id: i64 = diesel::insert_into(bills::table)
        .values(&NewBill {
            user_id: payment.user_id,
            total_amount_fen: payment.amount_fen,
            payment_number: settlement.transaction_id,
            payment_shop_number: settlement.out_trade_no,
            paid_at: settlement.paid_at,
            created_at: now,
            community_identifier: community,
        })
        .returning(bills::id)
        .get_result(conn)?;
    let ids: Vec<i64> = orders.iter().map(|order| order.id).collect();
    let paid = pay_orders(conn, &ids, bill_id, now)?;
    let twice_fen = orders
        .iter()
        .filter(|order| !paid.contains(&order.id))
        .map(|order| order.amount_fen)
        .sum();
    if twice_fen > 0 {
        refunds::insert(
            conn,
            &RefundRow {
                amount_fen: twice_fen,
                bill_id: Some(bill_id),
                community_identifier: Some(community.to_owned()),
                ..settlement.duplicate.clone()
            },
        )?;
    }
    let numbers: Vec<&str> = orders
        .iter()
        .filter(|order| paid.contains(&order.id))
        .map(|order| order.order_number.as_str())
        .collect();
    let titles: Vec<&str> = orders.iter().map(|order| order.title.as_str()).collect();
    let messages = settlement.messages.fill(
        &numbers,
        &titles.join(TITLES_JOINED_BY),
        payment.user_id,
        bill_id,
    )?;
    kit::outbox::enqueue_all(conn, &messages)?;
    Ok(Some(Settled { bill_id, twice_fen }))
}

/// Between two titles of a payment's orders.
const TITLES_JOINED_BY: &str = "、";

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
/// `paid` moves the payment, only from a state it may leave and if it is of the amount paid;
/// `freed` frees its orders; `paying` reads them, and `facts` their community and titles;
/// `bill` is written if it moved; `settled` marks paid those orders no payment had paid (a
/// concurrent payment of one waits for its lock, then finds it paid); `twice` sums the rest,
/// which `refund` sends back; `messages` are written with the facts in place of the marks, those
/// for each order once for each order settled.
struct Settle<'s, 'a> {
    settlement: &'s Settlement<'a>,
    paid: &'static str,
    sources: Vec<&'static str>,
    /// Whether each message is written for each order, its topic and its text.
    each_order: Vec<bool>,
    topics: Vec<&'static str>,
    payloads: Vec<&'s str>,
}

impl<'s, 'a> Settle<'s, 'a> {
    fn new(settlement: &'s Settlement<'a>, sources: Vec<&'static str>) -> Self {
        let messages = &settlement.messages;
        let all = messages
            .each_order
            .iter()
            .map(|message| (true, message))
            .chain(messages.once.iter().map(|message| (false, message)));
        let (mut each_order, mut topics, mut payloads) = (Vec::new(), Vec::new(), Vec::new());
        for (each, (topic, payload)) in all {
            each_order.push(each);
            topics.push(*topic);
            payloads.push(payload.as_str());
        }
        Self {
            settlement,
            paid: PaymentEvent::PaidInFull.target().as_str(),
            sources,
            each_order,
            topics,
            payloads,
        }
    }
}

/// Its text never varies (the messages and ids are bound as arrays), so diesel finds its
/// prepared statement by type, without rendering the text at every call to look it up.
impl diesel::query_builder::QueryId for Settle<'_, '_> {
    type QueryId = Settle<'static, 'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
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
        use diesel::sql_types::{Array, BigInt, Bool, Integer, Nullable, Text};
        let s = self.settlement;
        let refund = &s.duplicate;
        let marks = &s.messages.marks;
        out.push_sql("WITH paid AS (UPDATE payments SET state = ");
        out.push_bind_param::<Text, _>(self.paid)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<BigInt, _>(&s.now)?;
        out.push_sql(" WHERE out_trade_no = ");
        out.push_bind_param::<Text, _>(s.out_trade_no)?;
        out.push_sql(" AND amount_fen = ");
        out.push_bind_param::<BigInt, _>(&s.amount_fen)?;
        out.push_sql(" AND state = ANY(");
        out.push_bind_param::<Array<Text>, _>(&self.sources)?;
        out.push_sql(
            ") RETURNING id, user_id, amount_fen, \
             CAST(string_to_array(order_ids, 'A') AS BIGINT[]) AS ids), \
             freed AS (DELETE FROM live_payments WHERE payment_id IN (SELECT id FROM paid)), \
             unwatched AS (DELETE FROM unsettled_payments \
             WHERE payment_id IN (SELECT id FROM paid)), \
             paying AS (SELECT orders.id, orders.title, orders.amount_fen, \
             orders.community_identifier FROM orders \
             WHERE orders.id = ANY(CAST((SELECT ids FROM paid) AS BIGINT[]))), \
             facts AS (SELECT (SELECT community_identifier FROM paying ORDER BY id LIMIT 1) \
             AS community, (SELECT string_agg(title, ",
        );
        out.push_bind_param::<Text, _>(TITLES_JOINED_BY)?;
        out.push_sql(
            " ORDER BY id) FROM paying) AS titles), \
             bill AS (INSERT INTO bills (user_id, total_amount_fen, payment_number, \
             payment_shop_number, paid_at, created_at, community_identifier) \
             SELECT paid.user_id, paid.amount_fen, ",
        );
        bound_values!(out;
            Text => s.transaction_id,
            Text => s.out_trade_no,
            BigInt => &s.paid_at,
            BigInt => &s.now,
        );
        out.push_sql(
            ", COALESCE(facts.community, '') FROM paid, facts RETURNING id), \
             settled AS (UPDATE orders SET paied = TRUE, bill_id = bill.id, updated_at = ",
        );
        out.push_bind_param::<BigInt, _>(&s.now)?;
        out.push_sql(
            " FROM bill WHERE orders.id = ANY(CAST((SELECT ids FROM paid) AS BIGINT[])) AND NOT orders.paied \
             RETURNING orders.id, orders.order_number), \
             twice AS (SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) AS fen FROM paying \
             WHERE id NOT IN (SELECT id FROM settled)), \
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
        );
        out.push_sql(
            ", COALESCE(facts.community, '') FROM bill, twice, facts WHERE twice.fen > 0), \
             messages AS (INSERT INTO outbox (topic, payload, attempts, next_attempt_at, \
             created_at) SELECT m.topic, \
             replace(replace(replace(replace(m.payload, ",
        );
        out.push_bind_param::<Text, _>(&marks.order_number)?;
        out.push_sql(", COALESCE(to_json(settled.order_number)::text, '')), ");
        out.push_bind_param::<Text, _>(&marks.titles)?;
        out.push_sql(", COALESCE(to_json(facts.titles)::text, '\"\"')), ");
        out.push_bind_param::<Text, _>(&marks.payer)?;
        out.push_sql(", paid.user_id::text), ");
        out.push_bind_param::<Text, _>(&marks.bill)?;
        out.push_sql(", bill.id::text), 0, ");
        bound_values!(out;
            BigInt => &s.now,
            BigInt => &s.now,
        );
        out.push_sql(" FROM bill, paid, facts, unnest(");
        bound_values!(out;
            Array<Bool> => &self.each_order,
            Array<Text> => &self.topics,
            Array<Text> => &self.payloads,
        );
        out.push_sql(
            ") WITH ORDINALITY AS m (each_order, topic, payload, n) \
             LEFT JOIN settled ON m.each_order \
             WHERE NOT m.each_order OR settled.id IS NOT NULL \
             ORDER BY m.n, settled.id) \
             SELECT bill.id, twice.fen FROM bill, twice",
        );
        Ok(())
    }
}
