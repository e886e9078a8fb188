//! `POST /wxpay/pay`: the payer pays a placed order and WeChat Pay notifies the merchant.
//!
//! Body: `{"prepay_id": "wx…"}` marks the order paid (a transaction_id is made up) and posts the
//! signed notification, APIv3 JSON or APIv2 XML as the order was placed, to the order's
//! notify_url; answers `{"delivered": bool, "status": http_status_or_0, "statuses": [...],
//! "out_trade_no", "transaction_id"}`. `delivered` is true when the merchant accepted every
//! delivery (a 2xx; for APIv2 also `return_code` SUCCESS in its XML answer).
//! Optional test fields:
//! - `"times": N` (1–100) delivers the same notification N times at once;
//! - `"amount_fen": F` makes WeChat report F fen paid (a short payment), in the notification
//!   and in order queries;
//! - `"forge": true` signs the notification with a key WeChat Pay never had;
//! - `"deliver": false` marks the order paid without notifying (only an order query finds it);
//! - `"hand_over": true` marks it paid and answers the signed notification instead of posting
//!   it, as `"notification": {"url", "headers": {name: value}, "body": text}` (see
//!   [`crate::notify::handed_over`]), for a load generator to post at its own pace.
//!
//! Paying a paid order again re-sends its notification; a closed or unknown one is a 4xx.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use wxpay::mask_openid;
use wxpay::xml::from_xml;

use super::orders::{Api, PayProblem, State};
use super::{WxPay, v2, v3};
use crate::notify::{handed_over, helper_error};

/// Most deliveries one call makes.
const MAX_TIMES: u32 = 100;

#[derive(Deserialize)]
pub(super) struct PayRequest {
    prepay_id: String,
    times: Option<u32>,
    amount_fen: Option<i64>,
    #[serde(default)]
    forge: bool,
    deliver: Option<bool>,
    #[serde(default)]
    hand_over: bool,
}

/// A notification ready to post.
pub(super) struct Notification {
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

pub(super) async fn pay(body: web::Bytes, wx: web::Data<WxPay>) -> HttpResponse {
    let Ok(request) = serde_json::from_slice::<PayRequest>(&body) else {
        return helper_error(
            400,
            "body must be {\"prepay_id\": \"wx…\"} (see /wxpay/pay docs)",
        );
    };
    let times = request.times.unwrap_or(1);
    if !(1..=MAX_TIMES).contains(&times) {
        return helper_error(400, "times must be 1–100");
    }
    let paid = wx
        .orders()
        .pay(&request.prepay_id, request.amount_fen, Utc::now());
    let order = match paid {
        Ok(order) => order,
        Err(PayProblem::UnknownPrepayId) => return helper_error(404, "unknown prepay_id"),
        Err(PayProblem::Closed) => return helper_error(409, "the order is closed"),
    };
    let transaction_id = match &order.state {
        State::Paid { transaction_id, .. } => transaction_id.clone(),
        _ => String::new(),
    };
    let answer = |delivered: bool, status: u16, statuses: &[u16]| {
        json!({
            "delivered": delivered,
            "status": status,
            "statuses": statuses,
            "out_trade_no": order.out_trade_no,
            "transaction_id": transaction_id,
        })
    };
    if request.deliver == Some(false) {
        return HttpResponse::Ok().json(answer(false, 0, &[]));
    }
    let notification = match order.api {
        Api::V3 => v3::notification(&wx, &order, request.forge),
        Api::V2(sign_type) => Some(v2::notification(&wx, &order, sign_type, request.forge)),
    };
    let Some(notification) = notification else {
        return helper_error(500, "the notification could not be sealed");
    };
    if request.hand_over {
        let mut answer = answer(false, 0, &[]);
        answer["notification"] = handed_over(
            &order.notify_url,
            notification.content_type,
            &notification.headers,
            &notification.body,
        );
        return HttpResponse::Ok().json(answer);
    }
    let v2 = matches!(order.api, Api::V2(_));
    let answers = deliver(&wx, &order.notify_url, notification, times, v2).await;
    let delivered = answers.iter().all(|(_, accepted)| *accepted);
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    let status = statuses
        .iter()
        .copied()
        .find(|status| !(200..300).contains(status))
        .or_else(|| statuses.first().copied())
        .unwrap_or(0);
    tracing::info!(
        out_trade_no = %order.out_trade_no,
        payer = %mask_openid(&order.openid),
        times,
        delivered,
        status,
        forge = request.forge,
        "WeChat Pay notification sent"
    );
    HttpResponse::Ok().json(answer(delivered, status, &statuses))
}

/// Posts `notification` to `url` `times` times at once; each delivery's HTTP status (0 when none
/// came: timeout, refused connection) and whether the merchant accepted it: a 2xx, and for APIv2
/// (always HTTP 200) `return_code` SUCCESS in the XML answer.
pub(super) async fn deliver(
    wx: &WxPay,
    url: &str,
    notification: Notification,
    times: u32,
    v2: bool,
) -> Vec<(u16, bool)> {
    let mut request = wx
        .http
        .post(url)
        .header("Content-Type", notification.content_type)
        .body(notification.body);
    for (name, value) in &notification.headers {
        request = request.header(*name, value.as_str());
    }
    crate::notify::deliver("WeChat Pay", request, times, move |status, body| {
        (200..300).contains(&status)
            && (!v2
                || from_xml(body).is_ok_and(|fields| {
                    fields.get("return_code").map(String::as_str) == Some("SUCCESS")
                }))
    })
    .await
}
