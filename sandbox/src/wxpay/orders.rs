//! The merchant's orders as WeChat Pay keeps them: placed, paid, closed; in memory.

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
}

impl Order {
    /// `SUCCESS`, `NOTPAY` or `CLOSED`.
    pub(crate) fn trade_state(&self) -> &'static str {
        match self.state {
            State::NotPay => "NOTPAY",
            State::Paid { .. } => "SUCCESS",
            State::Closed => "CLOSED",
        }
    }
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
}
