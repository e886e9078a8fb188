//! The merchant's orders as WeChat Pay keeps them: placed, paid, closed, refunded; in memory.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use wxpay::WxPaySignType;

/// The API an order was placed through; its notification speaks the same one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    V2(WxPaySignType),
    V3,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum State {
    NotPay,
    Paid {
        transaction_id: String,
        success_time: DateTime<Utc>,
    },
    Closed,
}

#[derive(Clone, Debug)]
pub(crate) struct Order {
    pub api: Api,
    pub out_trade_no: String,
    pub total_fen: i64,
    /// What WeChat reports as paid: the total unless `/wxpay/pay` asked for a short payment.
    pub reported_fen: i64,
    pub openid: String,
    pub notify_url: String,
    pub prepay_id: String,
    pub state: State,
    /// What has been refunded of it, fen.
    pub refunded_fen: i64,
}

impl Order {
    /// `SUCCESS`, `REFUND` (paid, then refunded in part or whole), `NOTPAY` or `CLOSED`.
    pub(crate) fn trade_state(&self) -> &'static str {
        match self.state {
            State::NotPay => "NOTPAY",
            State::Paid { .. } if self.refunded_fen > 0 => "REFUND",
            State::Paid { .. } => "SUCCESS",
            State::Closed => "CLOSED",
        }
    }

    /// `trade_state_desc` of its `trade_state`.
    pub(crate) fn trade_state_desc(&self) -> &'static str {
        match self.trade_state() {
            "NOTPAY" => "未支付",
            "REFUND" => "转入退款",
            "CLOSED" => "已关闭",
            _ => "支付成功",
        }
    }
}

/// A refund at WeChat Pay: accepted, then refunded as its notification goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefundState {
    Processing,
    Success,
}

impl RefundState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Processing => "PROCESSING",
            Self::Success => "SUCCESS",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Refund {
    /// The API it was asked through; its notification speaks the same one.
    pub api: Api,
    pub out_refund_no: String,
    pub out_trade_no: String,
    pub transaction_id: String,
    pub refund_id: String,
    pub refund_fen: i64,
    /// The order's total as paid.
    pub total_fen: i64,
    /// Empty: WeChat notifies nobody.
    pub notify_url: String,
    pub state: RefundState,
    pub created: DateTime<Utc>,
    pub success_time: Option<DateTime<Utc>>,
    /// Whether the merchant accepted its notification.
    pub notified: bool,
}

/// What a refund request asks for.
pub(crate) struct NewRefund {
    pub api: Api,
    pub out_trade_no: String,
    pub out_refund_no: String,
    pub refund_fen: i64,
    pub total_fen: i64,
    pub notify_url: String,
}

/// Why WeChat Pay refuses a refund; each API names it its own way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefundProblem {
    UnknownOrder,
    /// Not paid (yet), or closed.
    NotPaid,
    /// The total is not what was paid.
    TotalMismatch,
    /// More than is left to refund.
    Exceeds,
    /// The out_refund_no is another refund's (another order or amount).
    NumberReused,
}

/// What placing an order asks for.
pub(crate) struct NewOrder {
    pub api: Api,
    pub out_trade_no: String,
    pub total_fen: i64,
    pub openid: String,
    pub notify_url: String,
}

/// WeChat Pay's refusal: its code and message.
pub(crate) type Refusal = (&'static str, &'static str);

pub(crate) const ORDER_PAID: Refusal = ("ORDERPAID", "该订单已支付");
pub(crate) const ORDER_CLOSED: Refusal = ("ORDERCLOSED", "该订单已关闭");
pub(crate) const OUT_TRADE_NO_USED: Refusal = ("OUT_TRADE_NO_USED", "商户订单号重复");

/// Why `/wxpay/pay` cannot pay.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PayProblem {
    UnknownPrepayId,
    Closed,
}

#[derive(Default)]
pub(crate) struct Orders {
    by_out_trade_no: HashMap<String, Order>,
    /// prepay_id → out_trade_no
    by_prepay_id: HashMap<String, String>,
    /// out_refund_no → refund: refund numbers are the merchant's, across its orders.
    refunds: HashMap<String, Refund>,
}

impl Orders {
    /// The prepay_id of the order: the same one again when the same order comes again.
    pub(crate) fn place(&mut self, new: NewOrder) -> Result<String, Refusal> {
        if let Some(order) = self.by_out_trade_no.get(&new.out_trade_no) {
            return match order.state {
                State::Paid { .. } => Err(ORDER_PAID),
                State::Closed => Err(ORDER_CLOSED),
                State::NotPay if order.total_fen != new.total_fen => Err(OUT_TRADE_NO_USED),
                State::NotPay => Ok(order.prepay_id.clone()),
            };
        }
        let prepay_id = format!(
            "wx{}{}",
            Utc::now().format("%d%H%M%S"),
            uuid::Uuid::new_v4().simple()
        );
        self.by_prepay_id
            .insert(prepay_id.clone(), new.out_trade_no.clone());
        self.by_out_trade_no.insert(
            new.out_trade_no.clone(),
            Order {
                api: new.api,
                out_trade_no: new.out_trade_no,
                total_fen: new.total_fen,
                reported_fen: new.total_fen,
                openid: new.openid,
                notify_url: new.notify_url,
                prepay_id: prepay_id.clone(),
                state: State::NotPay,
                refunded_fen: 0,
            },
        );
        Ok(prepay_id)
    }

    pub(crate) fn get(&self, out_trade_no: &str) -> Option<Order> {
        self.by_out_trade_no.get(out_trade_no).cloned()
    }

    /// Marks the order of `prepay_id` paid (once: paying again keeps the first payment) and
    /// returns it. `reported_fen` makes WeChat report another amount.
    pub(crate) fn pay(
        &mut self,
        prepay_id: &str,
        reported_fen: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Order, PayProblem> {
        let order = self
            .by_prepay_id
            .get(prepay_id)
            .and_then(|no| self.by_out_trade_no.get_mut(no))
            .ok_or(PayProblem::UnknownPrepayId)?;
        match order.state {
            State::Closed => return Err(PayProblem::Closed),
            State::NotPay => {
                order.state = State::Paid {
                    transaction_id: format!(
                        "4200{}{:010}",
                        now.format("%Y%m%d%H%M%S"),
                        rand::random_range(0..10_000_000_000u64)
                    ),
                    success_time: now,
                };
                if let Some(fen) = reported_fen {
                    order.reported_fen = fen;
                }
            }
            State::Paid { .. } => {}
        }
        Ok(order.clone())
    }

    /// Accepts a refund of a paid order, `Processing`, and whether it is new: the same
    /// out_refund_no with the same order and amounts is the same refund again.
    pub(crate) fn refund(
        &mut self,
        new: NewRefund,
        now: DateTime<Utc>,
    ) -> Result<(Refund, bool), RefundProblem> {
        if let Some(refund) = self.refunds.get(&new.out_refund_no) {
            let same = refund.out_trade_no == new.out_trade_no
                && refund.refund_fen == new.refund_fen
                && refund.total_fen == new.total_fen;
            return if same {
                Ok((refund.clone(), false))
            } else {
                Err(RefundProblem::NumberReused)
            };
        }
        let order = self
            .by_out_trade_no
            .get_mut(&new.out_trade_no)
            .ok_or(RefundProblem::UnknownOrder)?;
        let State::Paid { transaction_id, .. } = &order.state else {
            return Err(RefundProblem::NotPaid);
        };
        if new.total_fen != order.reported_fen {
            return Err(RefundProblem::TotalMismatch);
        }
        if new.refund_fen > order.reported_fen - order.refunded_fen {
            return Err(RefundProblem::Exceeds);
        }
        order.refunded_fen += new.refund_fen;
        let refund = Refund {
            api: new.api,
            out_refund_no: new.out_refund_no.clone(),
            out_trade_no: new.out_trade_no,
            transaction_id: transaction_id.clone(),
            refund_id: format!(
                "5030{}{:011}",
                now.format("%Y%m%d%H%M%S"),
                rand::random_range(0..100_000_000_000u64)
            ),
            refund_fen: new.refund_fen,
            total_fen: new.total_fen,
            notify_url: new.notify_url,
            state: RefundState::Processing,
            created: now,
            success_time: None,
            notified: false,
        };
        self.refunds.insert(new.out_refund_no, refund.clone());
        Ok((refund, true))
    }

    pub(crate) fn get_refund(&self, out_refund_no: &str) -> Option<Refund> {
        self.refunds.get(out_refund_no).cloned()
    }

    /// The order's refunds, oldest first.
    pub(crate) fn refunds_of(&self, out_trade_no: &str) -> Vec<Refund> {
        let mut refunds: Vec<Refund> = self
            .refunds
            .values()
            .filter(|refund| refund.out_trade_no == out_trade_no)
            .cloned()
            .collect();
        refunds.sort_by(|a, b| (a.created, &a.refund_id).cmp(&(b.created, &b.refund_id)));
        refunds
    }

    /// The money is back with the payer: the refund becomes `Success`.
    pub(crate) fn succeed(&mut self, out_refund_no: &str, now: DateTime<Utc>) -> Option<Refund> {
        let refund = self.refunds.get_mut(out_refund_no)?;
        if refund.state == RefundState::Processing {
            refund.state = RefundState::Success;
            refund.success_time = Some(now);
        }
        Some(refund.clone())
    }

    pub(crate) fn mark_notified(&mut self, out_refund_no: &str, notified: bool) {
        if let Some(refund) = self.refunds.get_mut(out_refund_no) {
            refund.notified = notified;
        }
    }

    /// Closes an unpaid order; `Ok(None)` when there is no such order.
    pub(crate) fn close(&mut self, out_trade_no: &str) -> Result<Option<()>, Refusal> {
        let Some(order) = self.by_out_trade_no.get_mut(out_trade_no) else {
            return Ok(None);
        };
        match order.state {
            State::Paid { .. } => Err(ORDER_PAID),
            State::NotPay | State::Closed => {
                order.state = State::Closed;
                Ok(Some(()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_order(total_fen: i64) -> NewOrder {
        NewOrder {
            api: Api::V3,
            out_trade_no: "WJDH000001".to_owned(),
            total_fen,
            openid: "o-payer".to_owned(),
            notify_url: "http://127.0.0.1:1/notify".to_owned(),
        }
    }

    #[test]
    fn the_same_order_gets_the_same_prepay_id_and_another_amount_is_refused() {
        let mut orders = Orders::default();
        let prepay_id = orders.place(new_order(100)).expect("placed");
        assert_eq!(orders.place(new_order(100)), Ok(prepay_id.clone()));
        assert_eq!(orders.place(new_order(99)), Err(OUT_TRADE_NO_USED));
        let paid = orders.pay(&prepay_id, None, Utc::now()).expect("paid");
        let again = orders.pay(&prepay_id, Some(1), Utc::now()).expect("paid");
        assert_eq!(paid.state, again.state);
        assert_eq!(again.reported_fen, 100);
        assert_eq!(orders.place(new_order(100)), Err(ORDER_PAID));
        assert_eq!(orders.close("WJDH000001"), Err(ORDER_PAID));
    }

    #[test]
    fn a_closed_order_cannot_be_paid_or_placed_again() {
        let mut orders = Orders::default();
        let prepay_id = orders.place(new_order(100)).expect("placed");
        assert_eq!(orders.close("WJDH000001"), Ok(Some(())));
        assert_eq!(orders.close("WJDH000002"), Ok(None));
        assert_eq!(
            orders.pay(&prepay_id, None, Utc::now()).map(|o| o.state),
            Err(PayProblem::Closed)
        );
        assert_eq!(orders.place(new_order(100)), Err(ORDER_CLOSED));
        assert_eq!(
            orders.pay("wx-unknown", None, Utc::now()).map(|o| o.state),
            Err(PayProblem::UnknownPrepayId)
        );
    }

    fn new_refund(out_refund_no: &str, refund_fen: i64, total_fen: i64) -> NewRefund {
        NewRefund {
            api: Api::V3,
            out_trade_no: "WJDH000001".to_owned(),
            out_refund_no: out_refund_no.to_owned(),
            refund_fen,
            total_fen,
            notify_url: String::new(),
        }
    }

    #[test]
    fn refunds_go_up_to_the_paid_total_once_per_number() {
        let mut orders = Orders::default();
        let prepay_id = orders.place(new_order(100)).expect("placed");
        let now = Utc::now();
        assert_eq!(
            orders
                .refund(new_refund("R1", 30, 100), now)
                .map(|(_, new)| new),
            Err(RefundProblem::NotPaid)
        );
        orders.pay(&prepay_id, None, now).expect("paid");
        let (first, new) = orders
            .refund(new_refund("R1", 30, 100), now)
            .expect("refunded");
        assert!(new);
        assert_eq!(
            orders.get("WJDH000001").map(|o| o.trade_state()),
            Some("REFUND")
        );
        let (again, new) = orders
            .refund(new_refund("R1", 30, 100), now)
            .expect("the same");
        assert!(!new);
        assert_eq!(again.refund_id, first.refund_id);
        assert_eq!(
            orders
                .refund(new_refund("R1", 31, 100), now)
                .map(|(_, new)| new),
            Err(RefundProblem::NumberReused)
        );
        assert_eq!(
            orders
                .refund(new_refund("R2", 71, 100), now)
                .map(|(_, new)| new),
            Err(RefundProblem::Exceeds)
        );
        assert_eq!(
            orders
                .refund(new_refund("R2", 70, 99), now)
                .map(|(_, new)| new),
            Err(RefundProblem::TotalMismatch)
        );
        orders
            .refund(new_refund("R2", 70, 100), now)
            .expect("the rest");
        assert_eq!(
            orders
                .refund(new_refund("R3", 1, 100), now)
                .map(|(_, new)| new),
            Err(RefundProblem::Exceeds)
        );
        let mut unknown = new_refund("R4", 1, 100);
        unknown.out_trade_no = "WJDH000002".to_owned();
        assert_eq!(
            orders.refund(unknown, now).map(|(_, new)| new),
            Err(RefundProblem::UnknownOrder)
        );
        let listed: Vec<(String, i64)> = orders
            .refunds_of("WJDH000001")
            .into_iter()
            .map(|r| (r.out_refund_no, r.refund_fen))
            .collect();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed.iter().map(|(_, fen)| fen).sum::<i64>(), 100);
        let done = orders.succeed("R1", now).expect("known");
        assert_eq!(done.state, RefundState::Success);
        assert!(orders.succeed("R9", now).is_none());
    }
}
