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

use super::orders::Api;
use super::{WxPay, pay, v2, v3};
use crate::notify::helper_error;

/// Settles the refund and posts its notification, APIv3 JSON or APIv2 XML as it was asked for;
/// the delivery is bounded by the notification client's timeout.
pub(super) fn notify_later(wx: web::Data<WxPay>, out_refund_no: String) {
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
