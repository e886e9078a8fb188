//! The platform refunds property bills (the money goes back to the payer's WeChat Pay): in whole
//! or in part, never more than was paid, once per refund number; and it sees every refund of its
//! communities' bills and payments, including second payments and payments of another amount
//! refunded on their own, and refunds WeChat Pay refused, which wait for its decision.
use kit::error::{ServiceError, ServiceResult};
use kit::time::now_unix;
use proto::orders as pb;

use super::refunds::{self, Returned, WXPAY};
use super::{State, managed, platform, request_number};
use crate::db::bills;
use crate::db::refunds::{self as db, FAILED, FOR_BILL, RefundRow};
use crate::error::Error;

/// The most refunds one list answers.
const LIST_LIMIT: i64 = 200;
/// WeChat Pay's longest refund reason, characters.
const MAX_REASON_CHARS: usize = 80;
/// The reason WeChat Pay shows when the platform gives none.
const DEFAULT_REASON: &str = "物业费退款";

/// A refund of bill `bill_id` of the credential's community `xiaoqu`; the same refund again for
/// the same `refund_number`.
pub async fn refund_bill(state: &State, r: pb::RefundBillRequest) -> ServiceResult<RefundRow> {
    let caller = platform(r.platform.as_ref())?;
    let community = managed(caller, &r.xiaoqu)?;
    if r.amount_fen < 1 {
        return Err(ServiceError::invalid("amount", "amount至少0.01元"));
    }
    let number = request_number("refund_number", &r.refund_number)?;
    let reason = match r.reason.trim() {
        "" => DEFAULT_REASON.to_owned(),
        text if text.chars().count() > MAX_REASON_CHARS => {
            return Err(ServiceError::invalid("reason", "reason最多80个字"));
        }
        text => text.to_owned(),
    };
    let (bill_id, amount) = (r.bill_id, r.amount_fen);
    Ok(state
        .db
        .write(move |conn| {
            let bill = bills::find(conn, bill_id)?
                .filter(|bill| bill.community_identifier == community)
                .ok_or_else(|| ServiceError::not_found_in("bill_id", "没有找到该账单"))?;
            let earlier = db::of_bill(conn, bill_id)?;
            if let Some(same) = earlier
                .iter()
                .find(|refund| refund.request_no.as_deref() == Some(number.as_str()))
            {
                if same.amount_fen != amount {
                    return Err(ServiceError::conflict_in(
                        "refund_number",
                        "该退款单号已用于另一金额的退款",
                    )
                    .into());
                }
                return Ok::<_, Error>(same.clone());
            }
            let taken: i64 = earlier
                .iter()
                .filter(|refund| refund.state != FAILED)
                .map(|refund| refund.amount_fen)
                .sum();
            let left = bill.total_amount_fen - taken;
            if amount > left {
                return Err(ServiceError::invalid(
                    "amount",
                    format!(
                        "退款金额超过可退金额（剩余{}元）",
                        kit::money::yuan_decimal(left)
                    ),
                )
                .into());
            }
            refunds::request(
                conn,
                &Returned {
                    channel: WXPAY,
                    out_trade_no: &bill.payment_shop_number,
                    total_fen: bill.total_amount_fen,
                    amount_fen: amount,
                    reason: &reason,
                    purpose: FOR_BILL,
                    bill_id: Some(bill_id),
                    request_no: Some(&number),
                    community: &bill.community_identifier,
                    ..Returned::default()
                },
                now_unix(),
            )
        })
        .await?)
}

/// The refunds of the credential's community `xiaoqu`'s bills, the latest first.
pub async fn list(state: &State, r: pb::BillRefundsRequest) -> ServiceResult<Vec<RefundRow>> {
    let caller = platform(r.platform.as_ref())?;
    let community = managed(caller, &r.xiaoqu)?;
    Ok(state
        .db
        .run(move |conn| db::of_community(conn, &community, LIST_LIMIT).map_err(Error::from))
        .await?)
}
