//! `POST /alipay/pay`: the payer pays a trade the payment page opened, and Alipay posts its signed
//! asynchronous notification (a form, RSA2) to the trade's `notify_url`.
//!
//! Body: `{"out_trade_no": "…"}`; answers `{"delivered": bool, "status": http_status_or_0,
//! "statuses": [...], "trade_no"}`. `delivered` is true when the merchant answered every delivery
//! with HTTP 200 and the text `success`. Optional test fields: `"times": N` (1–100) delivers the
//! same notification N times at once; `"forge": true` signs it with a key Alipay never had;
//! `"deliver": false` pays without notifying (only `alipay.trade.query` finds it); `"hand_over":
//! true` pays and answers the signed notification instead of posting it, as `"notification":
//! {"url", "headers", "body"}` (see [`crate::notify::handed_over`]). Paying a paid
//! trade again re-sends its notification; an unknown one is 404, a closed (refunded) one 409.
//!
//! A refund's notification (see [`super::refund`]) is the same form with the trade's status
//! after the refund and `out_biz_no`, `refund_fee` (refunded so far) and `gmt_refund`.
//!
//! `GET /alipay/trades?out_trade_no=N`: `{"trade_status","total_amount","refund_amount"}`.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use alipay::sign::{self, RSA2};
use chrono::Utc;
use rand::Rng;
use serde::Deserialize;
use serde_json::json;

use super::{Alipay, Trade, TradeRefund, TradeStatus};
use crate::notify::{handed_over, helper_error};
use crate::params::parse_pairs;

/// Most deliveries one call makes.
const MAX_TIMES: u32 = 100;

#[derive(Deserialize)]
pub(super) struct PayRequest {
    out_trade_no: String,
    times: Option<u32>,
    #[serde(default)]
    forge: bool,
    deliver: Option<bool>,
    #[serde(default)]
    hand_over: bool,
}

pub(super) async fn pay(body: web::Bytes, ali: web::Data<Alipay>) -> HttpResponse {
    let Ok(request) = serde_json::from_slice::<PayRequest>(&body) else {
        return helper_error(400, "body must be {\"out_trade_no\": \"…\"}");
    };
    let times = request.times.unwrap_or(1);
    if !(1..=MAX_TIMES).contains(&times) {
        return helper_error(400, "times must be 1–100");
    }
    let trade = {
        let mut trades = ali.trades();
        let Some(trade) = trades.get_mut(&request.out_trade_no) else {
            return helper_error(404, "unknown out_trade_no (open the payment page first)");
        };
        if trade.status == TradeStatus::Closed {
            return helper_error(409, "the trade is closed (fully refunded)");
        }
        if trade.status == TradeStatus::WaitBuyerPay {
            ali.credit(trade.total_fen);
            trade.status = TradeStatus::Success;
            trade.paid_at = Some(Utc::now());
            trade.buyer_id = format!(
                "2088{:012}",
                rand::rng().random_range(0..1_000_000_000_000u64)
            );
        }
        trade.clone()
    };
    let answer = |delivered: bool, status: u16, statuses: &[u16]| {
        json!({
            "delivered": delivered,
            "status": status,
            "statuses": statuses,
            "trade_no": trade.trade_no,
        })
    };
    if request.deliver == Some(false) || trade.notify_url.is_empty() {
        return HttpResponse::Ok().json(answer(false, 0, &[]));
    }
    let form = notification(&ali, &trade, None, request.forge);
    if request.hand_over {
        let mut answer = answer(false, 0, &[]);
        answer["notification"] = handed_over(&trade.notify_url, FORM, &[], form.as_bytes());
        return HttpResponse::Ok().json(answer);
    }
    let answers = deliver(notification_request(&ali, &trade.notify_url, form), times).await;
    let delivered = answers.iter().all(|(_, taken)| *taken);
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    let status = statuses
        .iter()
        .copied()
        .find(|status| *status != 200)
        .or_else(|| statuses.first().copied())
        .unwrap_or(0);
    tracing::info!(out_trade_no = %trade.out_trade_no, times, delivered, status, forge = request.forge, "Alipay notification sent");
    HttpResponse::Ok().json(answer(delivered, status, &statuses))
}

/// Alipay's `trade_status_sync` notification of a paid trade, or of its `refund`, as a form body.
pub(super) fn notification(
    ali: &Alipay,
    trade: &Trade,
    refund: Option<&TradeRefund>,
    forge: bool,
) -> String {
    let now = Utc::now();
    let paid_at = trade.paid_at.unwrap_or(now);
    let amount = kit::money::yuan_decimal(trade.total_fen);
    let mut fields: BTreeMap<String, String> = [
        ("notify_time", super::beijing(now)),
        ("notify_type", "trade_status_sync".to_owned()),
        ("notify_id", uuid::Uuid::new_v4().simple().to_string()),
        ("app_id", ali.app_id.clone()),
        ("charset", "utf-8".to_owned()),
        ("version", "1.0".to_owned()),
        ("sign_type", RSA2.to_owned()),
        ("trade_no", trade.trade_no.clone()),
        ("out_trade_no", trade.out_trade_no.clone()),
        ("buyer_id", trade.buyer_id.clone()),
        ("buyer_logon_id", "138****0000".to_owned()),
        ("seller_id", ali.seller_id.clone()),
        ("trade_status", trade.status.as_str().to_owned()),
        ("total_amount", amount.clone()),
        ("receipt_amount", amount.clone()),
        ("invoice_amount", amount.clone()),
        ("buyer_pay_amount", amount.clone()),
        ("subject", trade.subject.clone()),
        ("gmt_create", super::beijing(trade.created_at)),
        ("gmt_payment", super::beijing(paid_at)),
        (
            "fund_bill_list",
            json!([{"amount": amount, "fundChannel": "ALIPAYACCOUNT"}]).to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if let Some(refund) = refund {
        fields.extend([
            ("out_biz_no".to_owned(), refund.out_request_no.clone()),
            (
                "refund_fee".to_owned(),
                kit::money::yuan_decimal(trade.refunded_fen()),
            ),
            ("gmt_refund".to_owned(), super::beijing_millis(refund.at)),
        ]);
    }
    let signer = if forge { &ali.forger } else { &ali.alipay };
    let signature = signer
        .sign(sign::notification_content(&fields).as_bytes())
        .unwrap_or_default();
    fields.insert("sign".to_owned(), signature);
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields.iter())
        .finish()
}

/// A notification's content type.
const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// The POST of a notification's `form` to `url`.
pub(super) fn notification_request(
    ali: &Alipay,
    url: &str,
    form: String,
) -> reqwest::RequestBuilder {
    ali.http.post(url).header("Content-Type", FORM).body(form)
}

/// Sends a notification `times` times at once; each delivery's HTTP status (0 when none came)
/// and whether the merchant took it: HTTP 200 and the text `success`.
pub(super) async fn deliver(request: reqwest::RequestBuilder, times: u32) -> Vec<(u16, bool)> {
    crate::notify::deliver("Alipay", request, times, |status, body| {
        status == 200 && body.trim() == alipay::NOTIFICATION_TAKEN
    })
    .await
}

/// `GET /alipay/trades?out_trade_no=N`: the trade as Alipay holds it.
pub(super) async fn trade(req: HttpRequest, ali: web::Data<Alipay>) -> HttpResponse {
    let query = parse_pairs(req.query_string());
    let out_trade_no = query.get("out_trade_no").cloned().unwrap_or_default();
    match ali.trades().get(&out_trade_no) {
        Some(trade) => HttpResponse::Ok().json(json!({
            "trade_status": trade.status.as_str(),
            "total_amount": kit::money::yuan_decimal(trade.total_fen),
            "refund_amount": kit::money::yuan_decimal(trade.refunded_fen()),
        })),
        None => helper_error(404, "unknown out_trade_no"),
    }
}
