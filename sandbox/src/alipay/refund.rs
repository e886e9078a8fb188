//! `alipay.trade.refund`: a refund of a paid trade, partial or whole, by `out_request_no`.
//!
//! As Alipay: the same `out_request_no` again answers the same refund with `fund_change` "N"
//! and refunds nothing more (another amount under it is refused); refunds add up to the total
//! at most, and the trade is `TRADE_CLOSED` once fully refunded; without `out_request_no` only
//! the whole amount may be refunded (the trade's `trade_no` then names the refund). Each refund
//! sends the trade's asynchronous notification to its `notify_url` in the background.
use chrono::Utc;
use serde_json::json;

use super::gateway::{Answer, Call, Refusal, success};
use super::pay::{deliver, notification, notification_request};
use super::{Alipay, Trade, TradeRefund, TradeStatus};

pub(super) fn refund(ali: &Alipay, call: &Call) -> Answer {
    let (out_trade_no, trade_no) = (call.text("out_trade_no"), call.text("trade_no"));
    if out_trade_no.is_empty() && trade_no.is_empty() {
        return Err(Refusal::missing("out_trade_no"));
    }
    let refund_fen = alipay::sign::fen_of(call.required("refund_amount")?)
        .filter(|fen| *fen > 0)
        .ok_or_else(|| Refusal::business("ACQ.REASON_TRADE_REFUND_FEE_ERR", "退款金额无效"))?;
    let mut trades = ali.trades();
    let trade = trades
        .values_mut()
        .find(|trade| {
            (trade_no.is_empty() || trade.trade_no == trade_no)
                && (out_trade_no.is_empty() || trade.out_trade_no == out_trade_no)
        })
        .ok_or_else(|| Refusal::business("ACQ.TRADE_NOT_EXIST", "交易不存在"))?;
    let whole_only = call.text("out_request_no").is_empty();
    let out_request_no = if whole_only {
        trade.trade_no.clone()
    } else {
        call.text("out_request_no").to_owned()
    };
    if let Some(done) = trade
        .refunds
        .iter()
        .find(|done| done.out_request_no == out_request_no)
    {
        if done.fen != refund_fen {
            return Err(Refusal::business(
                "ACQ.REASON_TRADE_REFUND_FEE_ERR",
                "退款金额与该退款请求号的原退款金额不一致",
            ));
        }
        return Ok(refund_node(trade, done, false));
    }
    if trade.status != TradeStatus::Success {
        return Err(Refusal::business(
            "ACQ.TRADE_STATUS_ERROR",
            "交易状态不合法",
        ));
    }
    if whole_only && refund_fen != trade.total_fen {
        return Err(Refusal::business(
            "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
            "撤销或退款金额与订单金额不一致",
        ));
    }
    if refund_fen > trade.total_fen - trade.refunded_fen() {
        return Err(Refusal::business(
            "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
            "退款金额超限",
        ));
    }
    if !ali.credit(-refund_fen) {
        return Err(Refusal::business(
            "ACQ.SELLER_BALANCE_NOT_ENOUGH",
            "卖家余额不足",
        ));
    }
    let done = TradeRefund {
        out_request_no,
        fen: refund_fen,
        at: Utc::now(),
    };
    trade.refunds.push(done.clone());
    if trade.refunded_fen() == trade.total_fen {
        trade.status = TradeStatus::Closed;
    }
    if !trade.notify_url.is_empty() {
        let form = notification(ali, trade, Some(&done), false);
        let request = notification_request(ali, &trade.notify_url, form);
        let out_trade_no = trade.out_trade_no.clone();
        tokio::spawn(async move {
            let answers = deliver(request, 1).await;
            tracing::info!(%out_trade_no, ?answers, "Alipay refund notification sent");
        });
    }
    Ok(refund_node(trade, &done, true))
}

/// What `alipay.trade.refund` answers of the refund `done` of `trade`.
fn refund_node(trade: &Trade, done: &TradeRefund, fund_change: bool) -> serde_json::Value {
    success(json!({
        "trade_no": trade.trade_no,
        "out_trade_no": trade.out_trade_no,
        "buyer_logon_id": "138****0000",
        "buyer_user_id": trade.buyer_id,
        "fund_change": if fund_change { "Y" } else { "N" },
        "refund_fee": kit::money::yuan_decimal(trade.refunded_fen()),
        "send_back_fee": kit::money::yuan_decimal(done.fen),
        "gmt_refund_pay": super::beijing(done.at),
    }))
}
