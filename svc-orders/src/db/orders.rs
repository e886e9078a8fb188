//! Orders: insert, and the filtered pages of 001 §2.1.2 and 000 §4.1.1.
use diesel::dsl::IntoBoxed;
use diesel::prelude::*;
use kit::db::AnyConnection;
use kit::db::any_of;
use kit::paging::Paging;

use super::Backend;
use super::schema::{bills, orders};

/// `status` of an order still to be paid.
pub const OPEN: &str = "open";
/// `status` of an order closed by the platform.
pub const CLOSED: &str = "closed";

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = orders, treat_none_as_default_value = false)]
pub struct OrderRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub order_number: String,
    pub target_type: String,
    pub community_identifier: String,
    pub house_id: Option<i64>,
    pub user_id: Option<i64>,
    pub louhao: Option<i64>,
    pub danyuan: Option<i64>,
    pub louceng: Option<i64>,
    pub fangjian: Option<i64>,
    pub house_introduction: String,
    pub title: String,
    pub remark: String,
    pub extra: String,
    pub manager: String,
    pub amount_fen: i64,
    pub status: String,
    pub paied: bool,
    pub bill_id: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

pub fn insert(conn: &mut AnyConnection, row: &OrderRow) -> QueryResult<OrderRow> {
    diesel::insert_into(orders::table)
        .values(row)
        .returning(orders::all_columns)
        .get_result(conn)
}

/// Writes the order and the outbox messages about it, which name its id through `mark`: on
/// PostgreSQL in one statement ([`kit::outbox::WithMessages`]; run it with
/// `Database::write_statement`), on SQLite the insert then the messages, in the writer's
/// transaction.
pub fn insert_with_messages(
    conn: &mut AnyConnection,
    row: &OrderRow,
    messages: &[(&'static str, String)],
    mark: &kit::outbox::RowMark,
) -> QueryResult<OrderRow> {
    let insert = diesel::insert_into(orders::table)
        .values(row)
        .returning(orders::all_columns);
    match conn {
        AnyConnection::Postgresql(conn) => {
            kit::outbox::WithMessages::new(insert, mark.split(messages)?).get_result(conn)
        }
        AnyConnection::Sqlite(_) => {
            let stored: OrderRow = insert.get_result(conn)?;
            kit::outbox::enqueue_all(conn, &mark.fill(messages, stored.id))?;
            Ok(stored)
        }
    }
}

/// What a platform list is narrowed by (001 §2.1.2); `None` = not filtered.
#[derive(Clone, Debug, Default)]
pub struct PlatformFilter {
    pub community_identifier: String,
    pub louhao: Option<i64>,
    pub danyuan: Option<i64>,
    pub louceng: Option<i64>,
    pub fangjian: Option<i64>,
    /// The person's orders: their user ids (empty list = nobody matched).
    pub users: Option<Vec<i64>>,
    pub title: Option<String>,
    pub open: Option<bool>,
    pub paied: Option<bool>,
}

/// What a resident's list is made of and narrowed by (000 §4.1.1).
#[derive(Clone, Debug, Default)]
pub struct ResidentFilter {
    pub user_id: i64,
    /// The houses where the resident holds the payment right.
    pub houses: Vec<i64>,
    pub title: Option<String>,
    pub paied: Option<bool>,
    /// Only this house's orders.
    pub house_id: Option<i64>,
}

/// A list's orders with their bills (the bills' side is dropped by both planners where unused).
type Boxed<'a> = IntoBoxed<'a, with_bills, Backend>;

fn platform_query(filter: &PlatformFilter) -> Boxed<'_> {
    let mut query = with_bills()
        .filter(orders::community_identifier.eq(&filter.community_identifier))
        .into_boxed();
    if let Some(n) = filter.louhao {
        query = query.filter(orders::louhao.eq(n));
    }
    if let Some(n) = filter.danyuan {
        query = query.filter(orders::danyuan.eq(n));
    }
    if let Some(n) = filter.louceng {
        query = query.filter(orders::louceng.eq(n));
    }
    if let Some(n) = filter.fangjian {
        query = query.filter(orders::fangjian.eq(n));
    }
    if let Some(users) = &filter.users {
        query = query.filter(any_of(orders::user_id, users.clone()));
    }
    if let Some(title) = &filter.title {
        query = query.filter(orders::title.eq(title));
    }
    if let Some(open) = filter.open {
        query = query.filter(orders::status.eq(if open { OPEN } else { CLOSED }));
    }
    if let Some(paied) = filter.paied {
        query = query.filter(orders::paied.eq(paied));
    }
    query
}

/// An order as the lists show it: the columns 001 §2.1.2 and 000 §4.1.1 render, and no more
/// (a list decodes 20 rows a call, and the rest of the row was half of that work).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = orders)]
pub struct ShownOrder {
    pub id: i64,
    pub order_number: String,
    pub house_id: Option<i64>,
    pub house_introduction: String,
    pub title: String,
    pub remark: String,
    pub extra: String,
    pub manager: String,
    pub amount_fen: i64,
    pub status: String,
    pub paied: bool,
}

impl From<OrderRow> for ShownOrder {
    fn from(row: OrderRow) -> Self {
        Self {
            id: row.id,
            order_number: row.order_number,
            house_id: row.house_id,
            house_introduction: row.house_introduction,
            title: row.title,
            remark: row.remark,
            extra: row.extra,
            manager: row.manager,
            amount_fen: row.amount_fen,
            status: row.status,
            paied: row.paied,
        }
    }
}

/// An order of a list and the 商户单号 (out_trade_no) of the bill that paid it, if any.
pub type ListedOrder = (ShownOrder, Option<String>);

/// Pages that start this deep or less are read whole in one statement: the walk passes over
/// at most this many rows more than it returns.
const WHOLE_ROWS_UP_TO: i64 = 100;

/// The page of `query`'s orders, newest first ([`newest`]). The first pages in one statement; a
/// deeper one its ids first (an index-only walk, however deep the page), then those rows with
/// their bills' numbers. One query with OFFSET over whole rows made PostgreSQL walk the primary
/// key and filter, ~12 ms at offset 5,000 against ~1.5 ms this way; at the first page the second
/// statement was a round trip more for nothing.
fn page_of(
    conn: &mut AnyConnection,
    query: Boxed<'_>,
    paging: Paging,
) -> QueryResult<Vec<ListedOrder>> {
    let page = newest(query, paging);
    if paging.offset() <= WHOLE_ROWS_UP_TO {
        return page.select(listed()).load(conn);
    }
    let ids: Vec<i64> = page.select(orders::id).load(conn)?;
    with_bills()
        .filter(any_of(orders::id, ids))
        .order((orders::created_at.desc(), orders::id.desc()))
        .select(listed())
        .load(conn)
}

/// The page of `query`'s orders, newest first: by creation time, then id, as the index
/// `orders_community_newest` (community, created_at, id) holds a community's orders. Ordered by
/// id alone, the primary key offered PostgreSQL's one plan a walk through every community's
/// orders, which it took when it guessed the community large (see the migration). `query` is
/// boxed, for any backend: ordered, limited and offset, it stays its own type.
fn newest<Q>(query: Q, paging: Paging) -> Q
where
    Q: diesel::query_dsl::methods::OrderDsl<NewestFirst, Output = Q>
        + diesel::query_dsl::methods::LimitDsl<Output = Q>
        + diesel::query_dsl::methods::OffsetDsl<Output = Q>,
{
    query
        .order((orders::created_at.desc(), orders::id.desc()))
        .limit(paging.per_page)
        .offset(paging.offset())
}

/// Newest first: by creation time, then id.
type NewestFirst = (
    diesel::dsl::Desc<orders::created_at>,
    diesel::dsl::Desc<orders::id>,
);

/// What a list reads of each order and its bill, on backend `DB`.
fn listed<DB: diesel::backend::Backend>() -> (
    diesel::dsl::AsSelect<ShownOrder, DB>,
    diesel::dsl::Nullable<bills::payment_shop_number>,
) {
    (
        ShownOrder::as_select(),
        bills::payment_shop_number.nullable(),
    )
}

/// Orders with the bill that paid them, if any.
#[diesel::dsl::auto_type]
fn with_bills() -> _ {
    orders::table.left_join(bills::table.on(orders::bill_id.eq(bills::id.nullable())))
}

/// A page of the community's orders, newest first, and the total. A first page of a filter
/// that `order_counts` holds is one statement: the page's rows each carry the total, read from
/// those counts by a subquery the planner runs once.
pub fn list_for_platform(
    conn: &mut AnyConnection,
    filter: &PlatformFilter,
    paging: Paging,
) -> QueryResult<(Vec<ListedOrder>, i64)> {
    let counted = counted_total(filter);
    if let Some(total) = counted
        && paging.offset() <= WHOLE_ROWS_UP_TO
    {
        let rows: Vec<(ShownOrder, Option<String>, i64)> = newest(platform_query(filter), paging)
            .select((
                ShownOrder::as_select(),
                bills::payment_shop_number.nullable(),
                total,
            ))
            .load(conn)?;
        // Each row carries the total; an empty page asks for it alone, when it does not tell it.
        let total = match rows.first() {
            Some(&(_, _, total)) => total,
            None => paging.total(0, || diesel::select(total).get_result(conn))?,
        };
        let rows = rows
            .into_iter()
            .map(|(order, shop_number, _)| (order, shop_number))
            .collect();
        return Ok((rows, total));
    }
    let rows = page_of(conn, platform_query(filter), paging)?;
    let total = paging.total(rows.len(), || match counted {
        Some(total) => diesel::select(total).get_result(conn),
        // Narrowed to a building or a person: few enough orders to count.
        None => platform_query(filter).count().get_result(conn),
    })?;
    Ok((rows, total))
}

/// The version of the community's orders: one more than how many order rows statements have
/// written there, summed over `order_counts`' slots, whose `changes` the triggers add to with
/// every insert, update and delete (migration `2026-12-17-000001_order_versions`). A page read
/// after it shows this version or a later one; every change gives a greater one. Nothing
/// deletes a count row, so it never goes back.
pub fn version(conn: &mut AnyConnection, community: &str) -> QueryResult<i64> {
    use super::schema::order_counts;
    let changes: Vec<i64> = order_counts::table
        .filter(order_counts::community_identifier.eq(community))
        .select(order_counts::changes)
        .load(conn)?;
    Ok(1 + changes.iter().sum::<i64>())
}

/// The total of the filter's orders from `order_counts` (kept by triggers; on PostgreSQL a
/// transaction must change the orders of several communities in one statement, see the
/// migration), as an expression: the sum of the count columns of the states the filter wants
/// (open or closed, paid or not). `None` when the filter narrows further (a house, a person, a
/// title), which those counts do not hold.
fn counted_total(filter: &PlatformFilter) -> Option<CountedTotal<'_>> {
    if narrowed(filter) {
        return None;
    }
    let columns = match (filter.open, filter.paied) {
        (None, None) => "open_unpaid + open_paid + closed_unpaid + closed_paid",
        (None, Some(false)) => "open_unpaid + closed_unpaid",
        (None, Some(true)) => "open_paid + closed_paid",
        (Some(true), None) => "open_unpaid + open_paid",
        (Some(false), None) => "closed_unpaid + closed_paid",
        (Some(true), Some(false)) => "open_unpaid",
        (Some(true), Some(true)) => "open_paid",
        (Some(false), Some(false)) => "closed_unpaid",
        (Some(false), Some(true)) => "closed_paid",
    };
    Some(CountedTotal {
        columns,
        community: &filter.community_identifier,
    })
}

/// `(SELECT SUM(<columns>) FROM order_counts WHERE community_identifier = $1)`: the total as a
/// column of the page's statement, or selected alone. Its SQL depends on the columns only (nine
/// sums), so each is kept prepared; diesel's `sql` literals never are, and the page's statement
/// was then planned on every call.
#[derive(Debug, Clone, Copy)]
struct CountedTotal<'a> {
    columns: &'static str,
    community: &'a str,
}

impl diesel::expression::Expression for CountedTotal<'_> {
    type SqlType = diesel::sql_types::BigInt;
}

impl<QS> diesel::expression::AppearsOnTable<QS> for CountedTotal<'_> {}

impl<QS> diesel::expression::SelectableExpression<QS> for CountedTotal<'_> {}

impl<GB> diesel::expression::ValidGrouping<GB> for CountedTotal<'_> {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl diesel::query_builder::QueryId for CountedTotal<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::QueryFragment<Backend> for CountedTotal<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, Backend>,
    ) -> QueryResult<()> {
        out.push_sql("(SELECT CAST(COALESCE(SUM(");
        out.push_sql(self.columns);
        out.push_sql("), 0) AS BIGINT) FROM order_counts WHERE community_identifier = ");
        out.push_bind_param::<diesel::sql_types::Text, _>(&self.community)?;
        out.push_sql(")");
        Ok(())
    }
}

/// True when the filter narrows the orders further than their state: their total is counted.
fn narrowed(filter: &PlatformFilter) -> bool {
    filter.louhao.is_some()
        || filter.danyuan.is_some()
        || filter.louceng.is_some()
        || filter.fangjian.is_some()
        || filter.users.is_some()
        || filter.title.is_some()
}

/// The resident's orders with their bills: one query reads a page. Their few orders are
/// gathered through `orders_house` and `orders_user` and sorted, whole rows and all (the
/// bitmap reads each row anyway); the platform's ids-first walk ([`page_of`]) would only add a
/// statement. Newest first by creation time, then id: no index holds them in that order, so no
/// plan walks the primary key testing every order, as PostgreSQL's generic plan did when they
/// were ordered by id (~1,000 rows a call at 1,000 orders).
///
/// Boxed for [`AnyConnection`]'s backend (`resident_query`), and for each backend's own
/// connection (`resident_query_pg`, `resident_query_sqlite`), on which the page is read: diesel
/// then walks the query without rendering its text at each pass (see `kit::db::load_direct`).
macro_rules! resident_query_for {
    ($($name:ident: $backend:ty),+) => {$(
        fn $name(filter: &ResidentFilter) -> IntoBoxed<'_, with_bills, $backend> {
            let mut query = with_bills()
                .filter(
                    any_of(orders::house_id, filter.houses.clone())
                        .or(orders::user_id.eq(filter.user_id)),
                )
                .into_boxed();
            if let Some(house_id) = filter.house_id {
                query = query.filter(orders::house_id.eq(house_id));
            }
            if let Some(title) = &filter.title {
                query = query.filter(orders::title.eq(title));
            }
            if let Some(paied) = filter.paied {
                query = query.filter(orders::paied.eq(paied));
            }
            query
        }
    )+};
}

resident_query_for!(
    resident_query: Backend,
    resident_query_pg: diesel::pg::Pg,
    resident_query_sqlite: diesel::sqlite::Sqlite
);

/// A page of the resident's orders, newest first (by creation time, then id), and the total.
pub fn list_for_resident(
    conn: &mut AnyConnection,
    filter: &ResidentFilter,
    paging: Paging,
) -> QueryResult<(Vec<ListedOrder>, i64)> {
    let rows = match conn {
        AnyConnection::Postgresql(conn) => newest(resident_query_pg(filter), paging)
            .select(listed())
            .load(conn),
        AnyConnection::Sqlite(conn) => newest(resident_query_sqlite(filter), paging)
            .select(listed())
            .load(conn),
    }?;
    let total = paging.total(rows.len(), || {
        resident_query(filter).count().get_result(conn)
    })?;
    Ok((rows, total))
}

/// The orders `ids` (unknown ids left out).
pub fn find_many(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<OrderRow>> {
    orders::table
        .filter(any_of(orders::id, ids))
        .order(orders::id.asc())
        .select(OrderRow::as_select())
        .load(conn)
}

/// The community's order with this number or id.
pub fn find_in_community(
    conn: &mut AnyConnection,
    community: &str,
    number: Option<&str>,
    id: Option<i64>,
) -> QueryResult<Option<OrderRow>> {
    let mut query = orders::table
        .filter(orders::community_identifier.eq(community))
        .into_boxed::<Backend>();
    if let Some(number) = number {
        query = query.filter(orders::order_number.eq(number.to_owned()));
    }
    if let Some(id) = id {
        query = query.filter(orders::id.eq(id));
    }
    query.select(OrderRow::as_select()).first(conn).optional()
}

/// Open and unpaid → closed; 0 when it was paid or closed meanwhile.
pub fn close(conn: &mut AnyConnection, id: i64, now: i64) -> QueryResult<usize> {
    diesel::update(
        orders::table
            .filter(orders::id.eq(id))
            .filter(orders::status.eq(OPEN))
            .filter(orders::paied.eq(false)),
    )
    .set((orders::status.eq(CLOSED), orders::updated_at.eq(now)))
    .execute(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<OrderRow> {
    orders::table
        .find(id)
        .select(OrderRow::as_select())
        .first(conn)
}
