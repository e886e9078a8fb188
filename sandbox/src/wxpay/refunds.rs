//! What follows a refund WeChat Pay accepted: it succeeds and WeChat Pay notifies the refund's
//! notify_url in the background, as WeChat Pay does; and the helper `GET /wxpay/refunds`.
//!
//! `GET /wxpay/refunds?out_trade_no=N` answers the order's refunds, oldest first:
//! `[{"out_refund_no", "refund_id", "refund_fen", "status", "notified"}]`, `notified` true once
//! the merchant accepted the refund notification (a 2xx; for APIv2 also `return_code` SUCCESS).
//! An unknown order is a 404.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde_json::{Value, json};

use wxpay::{is_valid_out_refund_no, is_valid_out_trade_no};

use super::orders::{Api, NewRefund, Refund, RefundProblem};
use super::{WxPay, pay, v2, v3};
use crate::notify::helper_error;

/// A refund request's fields, however its API names them.
pub(super) struct RefundAsk<'a> {
    pub out_trade_no: &'a str,
    pub transaction_id: &'a str,
    pub out_refund_no: &'a str,
    /// `None` unless a positive whole number of fen.
    pub refund_fen: Option<i64>,
    pub total_fen: Option<i64>,
    pub currency: &'a str,
    pub reason: &'a str,
    pub notify_url: &'a str,
}

impl RefundAsk<'_> {
    /// The message of WeChat Pay's PARAM_ERROR for it, if it has one.
    pub(super) fn problem(&self) -> Option<&'static str> {
        if self.out_trade_no.is_empty() && !self.transaction_id.is_empty() {
            Some("沙箱仅支持以out_trade_no申请退款")
        } else if !is_valid_out_trade_no(self.out_trade_no) {
            Some("out_trade_no格式错误")
        } else if !is_valid_out_refund_no(self.out_refund_no) {
            Some("out_refund_no格式错误")
        } else if self.refund_fen.is_none() || self.total_fen.is_none() {
            Some("退款金额和订单金额应为正整数")
        } else if self.refund_fen > self.total_fen {
            Some("退款金额不能大于订单金额")
        } else if self.currency != "CNY" {
            Some("退款币种仅支持CNY")
        } else if self.reason.chars().count() > 80 {
            Some("退款原因不能超过80个字符")
        } else if !self.notify_url.is_empty() && !self.notify_url.starts_with("http") {
            Some("notify_url格式错误")
        } else {
            None
        }
    }

    /// Takes the refund (checked by [`Self::problem`]) as WeChat Pay does; a new one is notified
    /// in the background.
    pub(super) fn accept(&self, wx: &web::Data<WxPay>, api: Api) -> Result<Refund, RefundProblem> {
        let (refund, new) = wx.orders().refund(
            NewRefund {
                api,
                out_trade_no: self.out_trade_no.to_owned(),
                out_refund_no: self.out_refund_no.to_owned(),
                refund_fen: self.refund_fen.unwrap_or_default(),
                total_fen: self.total_fen.unwrap_or_default(),
                notify_url: self.notify_url.to_owned(),
            },
            Utc::now(),
        )?;
        if new {
            notify_later(wx.clone(), refund.out_refund_no.clone());
        }
        Ok(refund)
    }
}

/// Settles the refund and posts its notification, APIv3 JSON or APIv2 XML as it was asked for;
/// the delivery is bounded by the notification client's timeout.
fn notify_later(wx: web::Data<WxPay>, out_refund_no: String) {
    tokio::spawn(async move {
        let Some(refund) = wx.orders().succeed(&out_refund_no, Utc::now()) else {
            return;
        };
        if refund.notify_url.is_empty() {
            return;
        }
        let notification = match refund.api {
            Api::V3 => v3::refund_notification(&wx, &refund),
            Api::V2(_) => v2::refund_notification(&wx, &refund),
        };
        let Some(notification) = notification else {
            tracing::warn!(out_refund_no, "the refund notification could not be sealed");
            return;
        };
        let v2 = matches!(refund.api, Api::V2(_));
        let answers = pay::deliver(&wx, &refund.notify_url, notification, 1, v2).await;
        let notified = answers.iter().all(|(_, taken)| *taken);
        wx.orders().mark_notified(&out_refund_no, notified);
        tracing::info!(
            out_refund_no,
            out_trade_no = %refund.out_trade_no,
            refund_fen = refund.refund_fen,
            notified,
            "WeChat Pay refund notification sent"
        );
    });
}

pub(super) async fn list(req: HttpRequest, wx: web::Data<WxPay>) -> HttpResponse {
    let query = crate::params::parse_pairs(req.query_string());
    let out_trade_no = query.get("out_trade_no").map(String::as_str).unwrap_or("");
    if out_trade_no.is_empty() {
        return helper_error(400, "out_trade_no is required");
    }
    let orders = wx.orders();
    if orders.get(out_trade_no).is_none() {
        return helper_error(404, "unknown out_trade_no");
    }
    let refunds: Vec<Value> = orders
        .refunds_of(out_trade_no)
        .iter()
        .map(|refund| {
            json!({
                "out_refund_no": refund.out_refund_no,
                "refund_id": refund.refund_id,
                "refund_fen": refund.refund_fen,
                "status": refund.state.as_str(),
                "notified": refund.notified,
            })
        })
        .collect();
    HttpResponse::Ok().json(refunds)
}
