//! Bills (账单): the resident's (000 §4.1.2) and the platform's (001 §2.1.3, 未开发 in the seed:
//! built here with the order list's filters plus the payment's dates and numbers).
use std::collections::HashMap;

use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;
use proto::orders as pb;

use super::{State, house_levels, managed, paging, person_filter, platform};
use crate::db::bills::{self, BillFilter, BillRow, OrderMatch};
use crate::db::orders::OrderRow;

/// 000 §4.1.2: the bills of the resident's own payments. `paied` filters by the status of the
/// bill's orders, as the seed defines it (1 进行中, 0 已关闭).
pub async fn for_resident(state: &State, r: pb::ResidentOrdersRequest) -> ServiceResult<BillPage> {
    if r.user_id <= 0 {
        return Err(ServiceError::unauthenticated("no resident in the request"));
    }
    let paging = paging(r.paging)?;
    let filter = BillFilter {
        users: Some(vec![r.user_id]),
        orders: OrderMatch {
            house_id: r.house_id,
            title: r.title,
            open: r.paied,
            ..Default::default()
        },
        ..Default::default()
    };
    load(state, filter, paging).await
}

/// 001 §2.1.3: the bills of one of the platform's communities.
pub async fn for_platform(state: &State, r: pb::ListBillsRequest) -> ServiceResult<BillPage> {
    let caller = platform(r.platform.as_ref())?;
    let community = managed(caller, &r.xiaoqu)?;
    let paging = paging(r.paging)?;
    let [louhao, danyuan, louceng, fangjian] = house_levels(r.house.unwrap_or_default())?;
    let filter = BillFilter {
        users: person_filter(state, &community, r.person.unwrap_or_default()).await?,
        community_identifier: Some(community),
        paid_from: r.paid_from,
        paid_before: r.paid_until,
        payment_number: r.payment_number,
        payment_shop_number: r.payment_shop_number,
        orders: OrderMatch {
            louhao,
            danyuan,
            louceng,
            fangjian,
            title: r.title,
            ..Default::default()
        },
    };
    load(state, filter, paging).await
}

/// A page of bills, each with the orders it paid.
pub struct BillPage {
    pub bills: Vec<(BillRow, Vec<OrderRow>)>,
    pub paging: Paging,
    pub total: i64,
}

async fn load(state: &State, filter: BillFilter, paging: Paging) -> ServiceResult<BillPage> {
    let (rows, paid, total) = state
        .db
        .run(move |conn| -> crate::error::Result<_> {
            let (rows, total) = bills::list(conn, &filter, paging)?;
            let ids: Vec<i64> = rows.iter().map(|bill| bill.id).collect();
            Ok((rows, bills::orders_of(conn, &ids)?, total))
        })
        .await
        .map_err(ServiceError::from)?;
    let mut by_bill: HashMap<i64, Vec<OrderRow>> = HashMap::new();
    for row in paid {
        let Some(bill) = row.bill_id else { continue };
        by_bill.entry(bill).or_default().push(row);
    }
    Ok(BillPage {
        bills: rows
            .into_iter()
            .map(|bill| {
                let orders = by_bill.remove(&bill.id).unwrap_or_default();
                (bill, orders)
            })
            .collect(),
        paging,
        total,
    })
}
