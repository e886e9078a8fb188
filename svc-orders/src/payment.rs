//! 000 §4.2.1 paying orders through WeChat Pay, and WeChat Pay's notification applied exactly
//! once: orders paid, a bill, and the security platform's payment results queued in the outbox.
use std::collections::{BTreeSet, HashMap};

use kit::error::{ServiceError, ServiceResult};
use kit::time::now_unix;
use kit::wxpay::PaymentNotice;
use proto::orders as pb;

use crate::actions::State;
use crate::db::orders::{self, OrderRow};
use crate::db::payments::{self, NewBill, PaymentRow};
use crate::domain::number::next_order_number;
use crate::error::Error;
use kit::db::write_transaction;

/// The module that switches payments on and off (001 §3.1.1).
pub const MODULE: &str = "生活缴费";
/// Most orders paid at once.
const MAX_ORDERS: usize = 50;

/// `21A22A23` → {21, 22, 23}.
pub fn parse_ids(ids: &str) -> ServiceResult<BTreeSet<i64>> {
    let ids = ids.trim();
    if ids.is_empty() {
        return Err(ServiceError::missing("ids"));
    }
    let mut set = BTreeSet::new();
    for part in ids.split(['A', 'a']) {
        let id = part
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| ServiceError::invalid("ids", "ids必须是用A隔开的订单id，如21A22A23"))?;
        set.insert(id);
    }
    if set.len() > MAX_ORDERS {
        return Err(ServiceError::invalid(
            "ids",
            format!("一次最多缴纳{MAX_ORDERS}个订单"),
        ));
    }
    Ok(set)
}

fn joined(ids: &BTreeSet<i64>) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join("A")
}

/// The WeChat Pay order's description: the titles, within WeChat's 127 bytes.
fn description(rows: &[OrderRow]) -> String {
    let mut text = String::from("万家灯火-");
    for (i, row) in rows.iter().enumerate() {
        let next = if i == 0 {
            row.title.clone()
        } else {
            format!("、{}", row.title)
        };
        if text.len() + next.len() > 100 {
            text.push('等');
            break;
        }
        text.push_str(&next);
    }
    text
}

/// Checks the orders, places (or reuses) one WeChat Pay order for their sum, and answers the
/// mini-program's `wx.requestPayment` parameters.
pub async fn pay(state: &State, r: pb::PayRequest) -> ServiceResult<pb::PayReply> {
    if r.user_id <= 0 {
        return Err(ServiceError::unauthenticated("no resident in the request"));
    }
    let ids = parse_ids(&r.ids)?;
    let wanted: Vec<i64> = ids.iter().copied().collect();
    let rows = state
        .db
        .run(move |conn| -> crate::error::Result<_> { Ok(orders::find_many(conn, &wanted)?) })
        .await
        .map_err(ServiceError::from)?;
    if rows.len() != ids.len() {
        return Err(ServiceError::not_found(
            "订单不存在",
            "some ids are not orders",
        ));
    }
    let houses: Vec<i64> = state
        .yibiaosanshi
        .paying_houses(r.user_id)
        .await?
        .into_iter()
        .map(|h| h.house_id)
        .collect();
    for row in &rows {
        let mine = row.user_id == Some(r.user_id)
            || row.house_id.is_some_and(|house| houses.contains(&house));
        if !mine {
            return Err(ServiceError::forbidden(
                "您没有该订单的缴费权限",
                format!("order {} is not payable by the caller", row.id),
            ));
        }
        if row.paied {
            return Err(ServiceError::conflict(
                "该订单已支付，请勿重复缴费",
                format!("order {} is paid", row.id),
            ));
        }
        if row.status != orders::OPEN {
            return Err(ServiceError::conflict(
                "该订单已关闭",
                format!("order {} is closed", row.id),
            ));
        }
    }
    let communities: BTreeSet<&str> = rows
        .iter()
        .map(|row| row.community_identifier.as_str())
        .collect();
    for community in communities {
        state.community.require_module(community, MODULE).await?;
    }
    let total: i64 = rows.iter().map(|row| row.amount_fen).sum();
    let set = joined(&ids);
    let user_id = r.user_id;
    let key = set.clone();
    let existing = state
        .db
        .run(move |conn| -> crate::error::Result<_> {
            Ok(payments::find_pending(conn, user_id, &key, total)?)
        })
        .await
        .map_err(ServiceError::from)?;
    let prepay_id = match existing {
        Some(payment) => payment.prepay_id,
        None => {
            let openid = state.auth.openid(user_id).await?.ok_or_else(|| {
                ServiceError::forbidden(
                    "请使用微信登录小程序后再缴费",
                    "the user has no WeChat openid",
                )
            })?;
            let out_trade_no = format!("WJDH{}", next_order_number());
            let prepay_id = state
                .wxpay
                .create_jsapi(
                    &out_trade_no,
                    &description(&rows),
                    total,
                    &openid,
                    &r.client_ip,
                )
                .await?;
            let now = now_unix();
            let row = PaymentRow {
                id: 0,
                out_trade_no: out_trade_no.clone(),
                prepay_id: prepay_id.clone(),
                user_id,
                order_ids: set,
                amount_fen: total,
                state: payments::PENDING.to_owned(),
                created_at: now,
                updated_at: now,
            };
            state
                .db
                .run(move |conn| -> crate::error::Result<_> { Ok(payments::insert(conn, &row)?) })
                .await
                .map_err(ServiceError::from)?;
            tracing::info!(%out_trade_no, total_fen = total, user_id, "payment placed");
            prepay_id
        }
    };
    let params = state.wxpay.mini_program_params(&prepay_id)?;
    Ok(pb::PayReply {
        app_id: params.app_id,
        time_stamp: params.time_stamp,
        nonce_str: params.nonce_str,
        package: params.package,
        sign_type: params.sign_type,
        pay_sign: params.pay_sign,
    })
}

/// What applying a notification found.
#[derive(Debug, PartialEq, Eq)]
enum Applied {
    /// Orders paid, bill written, results queued.
    Now,
    /// An earlier delivery did it.
    Already,
}

/// WeChat Pay's notification: verified, checked against our payment, applied once. The answer
/// tells WeChat Pay whether to stop notifying.
pub async fn notification(state: &State, r: pb::NotificationRequest) -> pb::NotificationReply {
    let accepted = match accept(state, &r.headers, &r.body).await {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(msg = %error.msg, message = %error.message, "payment notification refused");
            false
        }
    };
    let answer = state.wxpay.notification_answer(accepted);
    pb::NotificationReply {
        status: u32::from(answer.status),
        content_type: answer.content_type.to_owned(),
        body: answer.body,
    }
}

async fn accept(
    state: &State,
    headers: &HashMap<String, String>,
    body: &[u8],
) -> ServiceResult<()> {
    let notice = state.wxpay.parse_notification(headers, body)?;
    if !notice.is_paid() {
        // Nothing was paid: nothing to apply, and nothing to hear again.
        tracing::info!(out_trade_no = %notice.out_trade_no, state = %notice.trade_state, "unpaid notification");
        return Ok(());
    }
    let applied = state
        .db
        .run(move |conn| write_transaction(conn, |conn| apply(conn, &notice)))
        .await
        .map_err(ServiceError::from)?;
    if applied == Applied::Already {
        tracing::info!("payment notification repeated: already applied");
    }
    Ok(())
}

fn apply(conn: &mut kit::db::AnyConnection, notice: &PaymentNotice) -> Result<Applied, Error> {
    let payment = payments::find_by_out_trade_no(conn, &notice.out_trade_no)?.ok_or_else(|| {
        ServiceError::not_found("支付记录不存在", "notification for an unknown out_trade_no")
    })?;
    if payment.state == payments::PAID {
        return Ok(Applied::Already);
    }
    if notice.total_fen != payment.amount_fen || notice.currency != "CNY" {
        tracing::error!(
            out_trade_no = %notice.out_trade_no,
            reported_fen = notice.total_fen,
            expected_fen = payment.amount_fen,
            currency = %notice.currency,
            "payment notification does not match the payment: not applied"
        );
        return Err(ServiceError::invalid("amount", "支付金额与订单不符").into());
    }
    let now = now_unix();
    if payments::mark_paid(conn, payment.id, now)? == 0 {
        return Ok(Applied::Already);
    }
    let paid_at = notice.success_time.map_or(now, |t| t.timestamp());
    let bill_id = payments::insert_bill(
        conn,
        &NewBill {
            user_id: payment.user_id,
            total_amount_fen: payment.amount_fen,
            payment_number: &notice.transaction_id,
            payment_shop_number: &notice.out_trade_no,
            paid_at,
            created_at: now,
        },
    )?;
    let ids: Vec<i64> = payment
        .order_ids
        .split('A')
        .filter_map(|id| id.parse().ok())
        .collect();
    let changed = payments::pay_orders(conn, &ids, bill_id, now)?;
    if changed != ids.len() {
        // Paid twice through two WeChat orders: the money is kept on the bill; a refund is manual.
        tracing::error!(
            bill_id,
            expected = ids.len(),
            changed,
            "some orders were already paid"
        );
    }
    for order_number in payments::order_numbers(conn, &ids)? {
        let payload = serde_json::json!({
            "order_number": order_number,
            "shop_number": notice.out_trade_no,
            "weixin_number": notice.transaction_id,
        })
        .to_string();
        payments::enqueue(conn, payments::PAYMENT_RESULT, &payload, now)?;
    }
    tracing::info!(bill_id, out_trade_no = %notice.out_trade_no, total_fen = payment.amount_fen, "payment applied");
    Ok(Applied::Now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_as_the_seed_writes_them() {
        let ids = parse_ids("23A21A22A21").expect("ids");
        assert_eq!(joined(&ids), "21A22A23");
        for bad in ["", "A", "21AA22", "x", "-1", "0"] {
            assert!(parse_ids(bad).is_err(), "{bad}");
        }
    }
}
