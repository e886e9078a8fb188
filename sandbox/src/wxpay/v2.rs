//! APIv2: flat XML bodies signed with the merchant's API key, MD5 or HMAC-SHA256 as the request's
//! `sign_type` says; answers are signed the same way.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use wxpay::crypto::{v2_req_info_seal, v2_sign, v2_verify};
use wxpay::xml::{from_xml, to_xml, to_xml_root};
use wxpay::{WxPaySignType, is_valid_out_trade_no, mask_openid};

use super::orders::{Api, NewOrder, Order, Refund, RefundProblem, Refusal, State};
use super::pay::Notification;
use super::refunds::RefundAsk;
use super::{WxPay, beijing};

type Fields = BTreeMap<String, String>;

/// `ORDERNOTEXIST`: APIv2's unknown order.
const ORDER_NOT_EXIST: Refusal = ("ORDERNOTEXIST", "此交易订单号不存在");

pub(super) async fn unified_order(body: web::Bytes, wx: web::Data<WxPay>) -> HttpResponse {
    let (request, sign_type) = match read(&wx, &body) {
        Ok(read) => read,
        Err(message) => return fail(message),
    };
    let text = |name: &str| request.get(name).map(String::as_str).unwrap_or("");
    let total_fen = text("total_fee").parse::<i64>().ok().filter(|fee| *fee > 0);
    let problem = if !is_valid_out_trade_no(text("out_trade_no")) {
        Some("out_trade_no格式错误")
    } else if text("body").is_empty() {
        Some("缺少参数body")
    } else if total_fen.is_none() {
        Some("total_fee应为正整数")
    } else if !matches!(text("fee_type"), "" | "CNY") {
        Some("fee_type仅支持CNY")
    } else if text("trade_type") != "JSAPI" {
        Some("trade_type应为JSAPI")
    } else if text("openid").is_empty() {
        Some("JSAPI支付必须传openid")
    } else if !text("notify_url").starts_with("http") {
        Some("notify_url格式错误")
    } else if text("spbill_create_ip").is_empty() {
        Some("缺少参数spbill_create_ip")
    } else {
        None
    };
    if let Some(message) = problem {
        return fail(message);
    }
    let placed = wx.orders().place(NewOrder {
        api: Api::V2(sign_type),
        out_trade_no: text("out_trade_no").to_owned(),
        total_fen: total_fen.unwrap_or_default(),
        openid: text("openid").to_owned(),
        notify_url: text("notify_url").to_owned(),
    });
    if placed.is_ok() {
        tracing::info!(
            out_trade_no = text("out_trade_no"),
            payer = %mask_openid(text("openid")),
            "WeChat Pay v2 order placed"
        );
    }
    let result = placed
        .map(|prepay_id| fields(&[("trade_type", "JSAPI"), ("prepay_id", prepay_id.as_str())]));
    answer(&wx, sign_type, result)
}

pub(super) async fn order_query(body: web::Bytes, wx: web::Data<WxPay>) -> HttpResponse {
    let (request, sign_type) = match read(&wx, &body) {
        Ok(read) => read,
        Err(message) => return fail(message),
    };
    let out_trade_no = request.get("out_trade_no").cloned().unwrap_or_default();
    let order = wx.orders().get(&out_trade_no);
    let result = order
        .map(|order| query_fields(&order))
        .ok_or(ORDER_NOT_EXIST);
    answer(&wx, sign_type, result)
}

pub(super) async fn close_order(body: web::Bytes, wx: web::Data<WxPay>) -> HttpResponse {
    let (request, sign_type) = match read(&wx, &body) {
        Ok(read) => read,
        Err(message) => return fail(message),
    };
    let out_trade_no = request.get("out_trade_no").cloned().unwrap_or_default();
    let closed = wx.orders().close(&out_trade_no);
    let result = match closed {
        Ok(Some(())) => Ok(Fields::new()),
        Ok(None) => Err(ORDER_NOT_EXIST),
        Err(refusal) => Err(refusal),
    };
    answer(&wx, sign_type, result)
}

/// `POST /secapi/pay/refund`: refunds part or all of a paid order by out_trade_no. (WeChat Pay
/// serves it only over mutual TLS with the merchant certificate; the sandbox speaks plain HTTP.)
pub(super) async fn refund(body: web::Bytes, wx: web::Data<WxPay>) -> HttpResponse {
    let (request, sign_type) = match read(&wx, &body) {
        Ok(read) => read,
        Err(message) => return fail(message),
    };
    let text = |name: &str| request.get(name).map(String::as_str).unwrap_or("");
    let fen = |name: &str| text(name).parse::<i64>().ok().filter(|fen| *fen > 0);
    let ask = RefundAsk {
        out_trade_no: text("out_trade_no"),
        transaction_id: text("transaction_id"),
        out_refund_no: text("out_refund_no"),
        refund_fen: fen("refund_fee"),
        total_fen: fen("total_fee"),
        // APIv2 leaves the currency out when it is CNY.
        currency: match text("refund_fee_type") {
            "" => "CNY",
            other => other,
        },
        reason: text("refund_desc"),
        notify_url: text("notify_url"),
    };
    if let Some(message) = ask.problem() {
        return answer(&wx, sign_type, Err(("PARAM_ERROR", message)));
    }
    let result = ask
        .accept(&wx, Api::V2(sign_type))
        .map(|refund| refund_fields(&refund))
        .map_err(refund_refusal);
    answer(&wx, sign_type, result)
}

/// `POST /pay/refundquery` by out_refund_no (that refund) or out_trade_no (the order's).
pub(super) async fn refund_query(body: web::Bytes, wx: web::Data<WxPay>) -> HttpResponse {
    let (request, sign_type) = match read(&wx, &body) {
        Ok(read) => read,
        Err(message) => return fail(message),
    };
    let text = |name: &str| request.get(name).map(String::as_str).unwrap_or("");
    let refunds = {
        let orders = wx.orders();
        if !text("out_refund_no").is_empty() {
            orders
                .get_refund(text("out_refund_no"))
                .into_iter()
                .collect()
        } else {
            orders.refunds_of(text("out_trade_no"))
        }
    };
    let result = match refunds.first() {
        None => Err(("REFUNDNOTEXIST", "退款订单查询失败")),
        Some(first) => {
            let mut listed = refund_fields(first);
            listed.retain(|name, _| {
                matches!(
                    name.as_str(),
                    "transaction_id" | "out_trade_no" | "total_fee" | "cash_fee" | "fee_type"
                )
            });
            listed.insert("refund_count".to_owned(), refunds.len().to_string());
            for (n, refund) in refunds.iter().enumerate() {
                let success_time = refund
                    .success_time
                    .map(|time| beijing(time).format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default();
                for (name, value) in [
                    ("out_refund_no", refund.out_refund_no.as_str()),
                    ("refund_id", &refund.refund_id),
                    ("refund_channel", "ORIGINAL"),
                    ("refund_fee", &refund.refund_fen.to_string()),
                    ("settlement_refund_fee", &refund.refund_fen.to_string()),
                    ("refund_status", refund.state.as_str()),
                    ("refund_account", "REFUND_SOURCE_UNSETTLED_FUNDS"),
                    ("refund_recv_accout", super::RECEIVED_ACCOUNT),
                    ("refund_success_time", &success_time),
                ] {
                    listed.insert(format!("{name}_{n}"), value.to_owned());
                }
            }
            Ok(listed)
        }
    };
    answer(&wx, sign_type, result)
}

/// APIv2's refusal of a refund.
fn refund_refusal(problem: RefundProblem) -> Refusal {
    match problem {
        RefundProblem::UnknownOrder => ORDER_NOT_EXIST,
        RefundProblem::NotPaid => ("TRADE_STATE_ERROR", "订单状态错误"),
        RefundProblem::TotalMismatch => ("PARAM_ERROR", "total_fee与订单金额不一致"),
        RefundProblem::Exceeds => ("REFUND_FEE_INVALID", "累计退款金额大于支付金额"),
        RefundProblem::NumberReused => (
            "REFUND_FEE_MISMATCH",
            "订单金额或退款金额与之前请求不一致，请核实后再试",
        ),
    }
}

/// A refund as `/secapi/pay/refund` answers it.
fn refund_fields(refund: &Refund) -> Fields {
    let refund_fee = refund.refund_fen.to_string();
    let total_fee = refund.total_fen.to_string();
    fields(&[
        ("transaction_id", &refund.transaction_id),
        ("out_trade_no", &refund.out_trade_no),
        ("out_refund_no", &refund.out_refund_no),
        ("refund_id", &refund.refund_id),
        ("refund_fee", &refund_fee),
        ("settlement_refund_fee", &refund_fee),
        ("total_fee", &total_fee),
        ("settlement_total_fee", &total_fee),
        ("fee_type", "CNY"),
        ("cash_fee", &total_fee),
        ("cash_refund_fee", &refund_fee),
    ])
}

/// WeChat Pay's refund notification: unsigned, its content the `<root>` XML in `req_info`,
/// sealed with AES-256-ECB under the MD5 of the API key.
pub(super) fn refund_notification(wx: &WxPay, refund: &Refund) -> Option<Notification> {
    let success_time = refund
        .success_time
        .map(|time| beijing(time).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default();
    let mut content = refund_fields(refund);
    content.retain(|name, _| !matches!(name.as_str(), "fee_type" | "cash_fee"));
    content.extend(fields(&[
        ("refund_status", refund.state.as_str()),
        ("success_time", &success_time),
        ("refund_recv_accout", super::RECEIVED_ACCOUNT),
        ("refund_account", "REFUND_SOURCE_UNSETTLED_FUNDS"),
        ("refund_request_source", "API"),
    ]));
    let req_info = v2_req_info_seal(&wx.v2_key, to_xml_root(&content, "root").as_bytes()).ok()?;
    let nonce = kit::secret::random_alnum(32);
    let notice = fields(&[
        ("return_code", "SUCCESS"),
        ("return_msg", "OK"),
        ("appid", &wx.appid),
        ("mch_id", &wx.mchid),
        ("nonce_str", &nonce),
        ("req_info", &req_info),
    ]);
    Some(Notification {
        content_type: "text/xml",
        headers: Vec::new(),
        body: to_xml(&notice).into_bytes(),
    })
}

/// The request's fields and sign type, once its XML, sign, appid and mch_id check out; otherwise
/// the `return_msg` of the `return_code` FAIL answer.
fn read(wx: &WxPay, body: &[u8]) -> Result<(Fields, WxPaySignType), &'static str> {
    let text = std::str::from_utf8(body).map_err(|_| "XML格式错误")?;
    let request = from_xml(text).map_err(|_| "XML格式错误")?;
    let sign_type = match request.get("sign_type").map(String::as_str) {
        None | Some("" | "MD5") => WxPaySignType::Md5,
        Some("HMAC-SHA256") => WxPaySignType::HmacSha256,
        Some(_) => return Err("sign_type参数错误"),
    };
    if request.get("appid") != Some(&wx.appid) || request.get("mch_id") != Some(&wx.mchid) {
        return Err("appid和mch_id不匹配");
    }
    if !v2_verify(&request, &wx.v2_key, sign_type) {
        tracing::info!("WeChat Pay v2 request signature refused");
        return Err("签名错误");
    }
    Ok((request, sign_type))
}

fn fields(pairs: &[(&str, &str)]) -> Fields {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

fn xml(fields: &Fields) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/xml; charset=utf-8")
        .body(to_xml(fields))
}

/// `return_code` FAIL: the request was not understood; unsigned, as WeChat Pay sends it.
fn fail(message: &str) -> HttpResponse {
    xml(&fields(&[("return_code", "FAIL"), ("return_msg", message)]))
}

/// A signed `return_code` SUCCESS answer with `result_code` SUCCESS and `result`'s fields, or
/// `result_code` FAIL with its err_code.
fn answer(wx: &WxPay, sign_type: WxPaySignType, result: Result<Fields, Refusal>) -> HttpResponse {
    let nonce = kit::secret::random_alnum(32);
    let mut answer = fields(&[
        ("return_code", "SUCCESS"),
        ("return_msg", "OK"),
        ("appid", &wx.appid),
        ("mch_id", &wx.mchid),
        ("nonce_str", &nonce),
    ]);
    match result {
        Ok(extra) => {
            answer.insert("result_code".to_owned(), "SUCCESS".to_owned());
            answer.extend(extra);
        }
        Err((code, message)) => {
            answer.extend(fields(&[
                ("result_code", "FAIL"),
                ("err_code", code),
                ("err_code_des", message),
            ]));
        }
    }
    let sign = v2_sign(&answer, &wx.v2_key, sign_type);
    answer.insert("sign".to_owned(), sign);
    xml(&answer)
}

/// An order as `orderquery` reports it.
fn query_fields(order: &Order) -> Fields {
    let mut fields = fields(&[
        ("out_trade_no", &order.out_trade_no),
        ("trade_state", order.trade_state()),
        ("openid", &order.openid),
        ("trade_type", "JSAPI"),
        ("total_fee", &order.total_fen.to_string()),
        ("fee_type", "CNY"),
    ]);
    if let State::Paid {
        transaction_id,
        success_time,
    } = &order.state
    {
        let reported = order.reported_fen.to_string();
        fields.extend(self::fields(&[
            ("total_fee", &reported),
            ("cash_fee", &reported),
            ("transaction_id", transaction_id),
            (
                "time_end",
                &beijing(*success_time).format("%Y%m%d%H%M%S").to_string(),
            ),
            ("bank_type", "OTHERS"),
            ("trade_state_desc", order.trade_state_desc()),
        ]));
    }
    fields
}

/// WeChat Pay's payment notification of a paid order, signed with the order's sign type and the
/// API key (or, to forge it, another key).
pub(super) fn notification(
    wx: &WxPay,
    order: &Order,
    sign_type: WxPaySignType,
    forge: bool,
) -> Notification {
    let nonce = kit::secret::random_alnum(32);
    let mut notice = query_fields(order);
    notice.remove("trade_state");
    notice.remove("trade_state_desc");
    notice.extend(fields(&[
        ("return_code", "SUCCESS"),
        ("return_msg", "OK"),
        ("result_code", "SUCCESS"),
        ("appid", &wx.appid),
        ("mch_id", &wx.mchid),
        ("nonce_str", &nonce),
        ("is_subscribe", "N"),
    ]));
    // WeChat Pay names a sign other than the default MD5, and signs the name with the rest:
    // merchants' SDKs (wechatpy, WxJava) choose how to verify from it.
    if sign_type != WxPaySignType::Md5 {
        notice.insert("sign_type".to_owned(), sign_type.as_str().to_owned());
    }
    let key = if forge {
        "forged-key-wechat-pay-never-had!"
    } else {
        wx.v2_key.as_str()
    };
    let sign = v2_sign(&notice, key, sign_type);
    notice.insert("sign".to_owned(), sign);
    Notification {
        content_type: "text/xml",
        headers: Vec::new(),
        body: to_xml(&notice).into_bytes(),
    }
}
