//! The platform closes an order (001 §2.1): open and unpaid only. Its live WeChat Pay order is
//! closed first, so nobody can pay an order once it shows 已关闭; one paid meanwhile stays paid.
use kit::error::{ServiceError, ServiceResult};
use kit::time::now_unix;
use proto::orders as pb;

use super::payment::{Closed, check_payable, close_at_wechat};
use super::{State, managed, platform};
use crate::db::orders::{self, OrderRow};
use crate::db::payments::{self, PaymentRow};
use crate::error::Error;

fn paid_already() -> ServiceError {
    ServiceError::conflict(
        "该订单已支付，不能关闭",
        "the order was paid before it could be closed",
    )
}

pub async fn close_order(state: &State, r: pb::CloseOrderRequest) -> ServiceResult<OrderRow> {
    let caller = platform(r.platform.as_ref())?;
    let community = managed(caller, &r.xiaoqu)?;
    let (number, id) = match r.order {
        Some(pb::close_order_request::Order::Number(number)) => (Some(number), None),
        Some(pb::close_order_request::Order::Id(id)) => (None, Some(id)),
        None => return Err(ServiceError::missing("number")),
    };
    let found = state
        .db
        .run(move |conn| -> crate::error::Result<_> {
            let Some(row) = orders::find_in_community(conn, &community, number.as_deref(), id)?
            else {
                return Ok(None);
            };
            let live = payments::live_on(conn, &[row.id])?;
            Ok(Some((row, live)))
        })
        .await
        .map_err(ServiceError::from)?;
    let (row, live) = found
        .ok_or_else(|| ServiceError::not_found("订单不存在", "no such order in the community"))?;
    if row.paied {
        return Err(paid_already());
    }
    check_payable(&row)?;
    for payment in &live {
        if close_at_wechat(state, payment).await? == Closed::Paid {
            return Err(paid_already());
        }
    }
    let order_id = row.id;
    let (closed, overtaken) = state
        .db
        .write(move |conn| -> Result<(OrderRow, Vec<PaymentRow>), Error> {
            let now = now_unix();
            if orders::close(conn, order_id, now)? == 0 {
                return Err(paid_already().into());
            }
            // A payment started after the check above: taken off, closed below.
            let overtaken = payments::live_on(conn, &[order_id])?;
            let ids: Vec<i64> = overtaken.iter().map(|p| p.id).collect();
            payments::supersede(conn, &ids, now)?;
            Ok((orders::find(conn, order_id)?, overtaken))
        })
        .await
        .map_err(ServiceError::from)?;
    for payment in &overtaken {
        if let Err(error) = close_at_wechat(state, payment).await {
            tracing::warn!(msg = %error.msg, out_trade_no = %payment.out_trade_no, "closing left to reconciliation");
        }
    }
    tracing::info!(
        order = closed.id,
        credential = caller.credential_id,
        "order closed"
    );
    Ok(closed)
}
