//! `alipay.trade.refund`: a refund, partial or whole, of a paid trade; idempotent by
//! `out_request_no` as Alipay is.
use serde_json::json;

use crate::{Alipay, AlipayError, fen_in, text_of};

/// What `alipay.trade.refund` answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    pub trade_no: String,
    pub out_trade_no: String,
    /// This request's amount, fen.
    pub refund_fen: i64,
    /// `refund_fee`: refunded so far on the trade, this refund included, fen.
    pub total_refunded_fen: i64,
    /// `fund_change` "Y": money moved now. "N" when this `out_request_no` was refunded before
    /// (Alipay answers the same refund again and refunds nothing more).
    pub fund_change: bool,
}

impl Alipay {
    /// Refunds `refund_fen` of the paid trade `out_trade_no` as the refund `out_request_no`.
    /// Asking again with the same `out_request_no` and amount is safe: the same refund is
    /// answered, `fund_change` false. Refusals: `ACQ.TRADE_NOT_EXIST`, `ACQ.TRADE_STATUS_ERROR`
    /// (not paid, or closed), `ACQ.REFUND_AMT_NOT_EQUAL_TOTAL` (more than is left),
    /// `ACQ.SELLER_BALANCE_NOT_ENOUGH`, …
    pub async fn refund(
        &self,
        out_trade_no: &str,
        out_request_no: &str,
        refund_fen: i64,
        reason: &str,
    ) -> Result<Refund, AlipayError> {
        let mut biz = json!({
            "out_trade_no": out_trade_no,
            "out_request_no": out_request_no,
            "refund_amount": kit::money::yuan_decimal(refund_fen),
        });
        if !reason.is_empty() {
            biz["refund_reason"] = json!(reason);
        }
        let node = self.call("alipay.trade.refund", Some(&biz), &[]).await?;
        Ok(Refund {
            trade_no: text_of(&node, "trade_no"),
            out_trade_no: text_of(&node, "out_trade_no"),
            refund_fen,
            total_refunded_fen: fen_in(&node, "refund_fee")?,
            fund_change: text_of(&node, "fund_change") == "Y",
        })
    }
}
