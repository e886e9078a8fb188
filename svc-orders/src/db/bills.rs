//! Bills (账单): one per payment received, with the orders it paid. The resident's list
//! (000 §4.1.2) and the platform's (001 §2.1.3).
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use kit::db::AnyConnection;
use kit::db::any_of;
use kit::paging::Paging;

use super::Backend;
use super::orders::{CLOSED, OPEN, OrderRow};
use super::schema::{bills, orders};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = bills)]
pub struct BillRow {
    pub id: i64,
    pub user_id: i64,
    pub total_amount_fen: i64,
    pub payment_number: String,
    pub payment_shop_number: String,
    pub paid_at: i64,
    pub created_at: i64,
    pub community_identifier: String,
}

/// What the orders of a listed bill must match; `None` = not filtered.
#[derive(Clone, Debug, Default)]
pub struct OrderMatch {
    pub house_id: Option<i64>,
    pub louhao: Option<i64>,
    pub danyuan: Option<i64>,
    pub louceng: Option<i64>,
    pub fangjian: Option<i64>,
    pub title: Option<String>,
    /// 进行中 (true) or 已关闭 (false).
    pub open: Option<bool>,
}

impl OrderMatch {
    fn is_empty(&self) -> bool {
        self.house_id.is_none()
            && self.louhao.is_none()
            && self.danyuan.is_none()
            && self.louceng.is_none()
            && self.fangjian.is_none()
            && self.title.is_none()
            && self.open.is_none()
    }
}

/// Whose bills, and narrowed how.
#[derive(Clone, Debug, Default)]
pub struct BillFilter {
    /// The payer's bills (the resident's list), or the payers matched by a person filter.
    pub users: Option<Vec<i64>>,
    /// The community's bills (the platform's list).
    pub community_identifier: Option<String>,
    /// Paid at or after / before, unix seconds.
    pub paid_from: Option<i64>,
    pub paid_before: Option<i64>,
    /// 微信支付流水号 or 商户单号, exactly.
    pub payment_number: Option<String>,
    pub payment_shop_number: Option<String>,
    pub orders: OrderMatch,
}

type Boxed<'a> = bills::BoxedQuery<'a, Backend>;

fn query(filter: &BillFilter) -> Boxed<'_> {
    let mut query = bills::table.into_boxed();
    if let Some(users) = &filter.users {
        query = query.filter(any_of(bills::user_id, users.clone()));
    }
    if let Some(community) = &filter.community_identifier {
        query = query.filter(bills::community_identifier.eq(community));
    }
    if let Some(from) = filter.paid_from {
        query = query.filter(bills::paid_at.ge(from));
    }
    if let Some(before) = filter.paid_before {
        query = query.filter(bills::paid_at.lt(before));
    }
    if let Some(number) = &filter.payment_number {
        query = query.filter(bills::payment_number.eq(number));
    }
    if let Some(number) = &filter.payment_shop_number {
        query = query.filter(bills::payment_shop_number.eq(number));
    }
    let matching = &filter.orders;
    if !matching.is_empty() {
        // One fixed-shape subquery: an absent filter binds NULL and matches everything.
        let number = |value: Option<i64>| value.into_sql::<Nullable<BigInt>>();
        let title = matching.title.clone();
        let status = matching.open.map(|open| if open { OPEN } else { CLOSED });
        let paid = orders::table
            .filter(orders::bill_id.is_not_null())
            .filter(
                orders::house_id
                    .eq(matching.house_id)
                    .or(number(matching.house_id).is_null()),
            )
            .filter(
                orders::louhao
                    .eq(matching.louhao)
                    .or(number(matching.louhao).is_null()),
            )
            .filter(
                orders::danyuan
                    .eq(matching.danyuan)
                    .or(number(matching.danyuan).is_null()),
            )
            .filter(
                orders::louceng
                    .eq(matching.louceng)
                    .or(number(matching.louceng).is_null()),
            )
            .filter(
                orders::fangjian
                    .eq(matching.fangjian)
                    .or(number(matching.fangjian).is_null()),
            )
            .filter(
                orders::title
                    .nullable()
                    .eq(title.clone())
                    .or(title.into_sql::<Nullable<Text>>().is_null()),
            )
            .filter(
                orders::status
                    .nullable()
                    .eq(status)
                    .or(status.into_sql::<Nullable<Text>>().is_null()),
            )
            .select(orders::bill_id);
        query = query.filter(bills::id.nullable().eq_any(paid));
    }
    query
}

/// A page of bills, newest first (by creation time, then id: a community's as
/// `bills_community_newest` holds them, a payer's few sorted), and the total.
pub fn list(
    conn: &mut AnyConnection,
    filter: &BillFilter,
    paging: Paging,
) -> QueryResult<(Vec<BillRow>, i64)> {
    let rows = query(filter)
        .order((bills::created_at.desc(), bills::id.desc()))
        .limit(paging.per_page)
        .offset(paging.offset())
        .select(BillRow::as_select())
        .load(conn)?;
    let total = paging.total(rows.len(), || query(filter).count().get_result(conn))?;
    Ok((rows, total))
}

/// The orders the bills `ids` paid, by id.
pub fn orders_of(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<OrderRow>> {
    orders::table
        .filter(any_of(orders::bill_id, ids))
        .order(orders::id.asc())
        .select(OrderRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<BillRow>> {
    bills::table
        .find(id)
        .select(BillRow::as_select())
        .first(conn)
        .optional()
}
