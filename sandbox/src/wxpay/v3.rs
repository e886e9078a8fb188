//! APIv3: each request's `Authorization` is verified with the merchant's public key; each answer
//! and notification is signed with WeChat Pay's key.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde_json::{Value, json};
use wxpay::crypto::{self, V3Authorization};
use wxpay::{MAX_CLOCK_SKEW_SECS, is_valid_out_trade_no, mask_openid};

use super::orders::{Api, NewOrder, Order, Refund, RefundProblem, Refusal, State};
use super::pay::Notification;
use super::refunds::RefundAsk;
use super::{WxPay, beijing};

pub(super) async fn jsapi(
    req: HttpRequest,
    body: web::Bytes,
    wx: web::Data<WxPay>,
) -> HttpResponse {
    let request = match signed_json(&wx, &req, &body) {
        Ok(request) => request,
        Err(refusal) => return *refusal,
    };
    let text = |pointer: &str| text(&request, pointer);
    if text("/appid") != wx.appid || text("/mchid") != wx.mchid {
        return refuse(&wx, 400, ("APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配"));
    }
    let total_fen = request.pointer("/amount/total").and_then(Value::as_i64);
    let currency = request.pointer("/amount/currency").and_then(Value::as_str);
    let problem = if !is_valid_out_trade_no(text("/out_trade_no")) {
        Some("out_trade_no格式错误")
    } else if text("/description").is_empty() {
        Some("缺少参数description")
    } else if !text("/notify_url").starts_with("http") {
        Some("notify_url格式错误")
    } else if total_fen.is_none_or(|total| total <= 0) {
        Some("amount.total应为正整数")
    } else if currency.is_some_and(|currency| currency != "CNY") {
        Some("amount.currency仅支持CNY")
    } else if text("/payer/openid").is_empty() {
        Some("缺少参数payer.openid")
    } else {
        None
    };
    if let Some(message) = problem {
        return refuse(&wx, 400, ("PARAM_ERROR", message));
    }
    let placed = wx.orders().place(NewOrder {
        api: Api::V3,
        out_trade_no: text("/out_trade_no").to_owned(),
        total_fen: total_fen.unwrap_or_default(),
        openid: text("/payer/openid").to_owned(),
        notify_url: text("/notify_url").to_owned(),
    });
    match placed {
        Ok(prepay_id) => {
            tracing::info!(
                out_trade_no = text("/out_trade_no"),
                payer = %mask_openid(text("/payer/openid")),
                "WeChat Pay v3 order placed"
            );
            signed(
                &wx,
                StatusCode::OK,
                Some(&json!({ "prepay_id": prepay_id })),
            )
        }
        Err(refusal) => refuse(&wx, 400, v3_code(refusal)),
    }
}

pub(super) async fn query(
    req: HttpRequest,
    path: web::Path<String>,
    wx: web::Data<WxPay>,
) -> HttpResponse {
    if let Err(refusal) = verify(&wx, &req, &[]) {
        return *refusal;
    }
    let mchid = crate::params::parse_pairs(req.query_string())
        .remove("mchid")
        .unwrap_or_default();
    if mchid != wx.mchid {
        return refuse(&wx, 400, ("PARAM_ERROR", "mchid与请求方不一致"));
    }
    let order = wx.orders().get(&path);
    match order {
        Some(order) => signed(&wx, StatusCode::OK, Some(&transaction(&wx, &order))),
        None => refuse(&wx, 404, ("ORDER_NOT_EXIST", "订单不存在")),
    }
}

pub(super) async fn close(
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    wx: web::Data<WxPay>,
) -> HttpResponse {
    if let Err(refusal) = verify(&wx, &req, &body) {
        return *refusal;
    }
    let mchid = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|body| body.get("mchid").and_then(Value::as_str).map(str::to_owned));
    if mchid.as_deref() != Some(wx.mchid.as_str()) {
        return refuse(&wx, 400, ("PARAM_ERROR", "mchid与请求方不一致"));
    }
    let closed = wx.orders().close(&path);
    match closed {
        Ok(Some(())) => signed(&wx, StatusCode::NO_CONTENT, None),
        Ok(None) => refuse(&wx, 404, ("ORDER_NOT_EXIST", "订单不存在")),
        Err(refusal) => refuse(&wx, 400, v3_code(refusal)),
    }
}

/// `POST /v3/refund/domestic/refunds`: refunds part or all of a paid order by out_trade_no.
pub(super) async fn refund(
    req: HttpRequest,
    body: web::Bytes,
    wx: web::Data<WxPay>,
) -> HttpResponse {
    let request = match signed_json(&wx, &req, &body) {
        Ok(request) => request,
        Err(refusal) => return *refusal,
    };
    let fen = |pointer: &str| {
        request
            .pointer(pointer)
            .and_then(Value::as_i64)
            .filter(|fen| *fen > 0)
    };
    let ask = RefundAsk {
        out_trade_no: text(&request, "/out_trade_no"),
        transaction_id: text(&request, "/transaction_id"),
        out_refund_no: text(&request, "/out_refund_no"),
        refund_fen: fen("/amount/refund"),
        total_fen: fen("/amount/total"),
        currency: text(&request, "/amount/currency"),
        reason: text(&request, "/reason"),
        notify_url: text(&request, "/notify_url"),
    };
    if let Some(message) = ask.problem() {
        return refuse(&wx, 400, ("PARAM_ERROR", message));
    }
    match ask.accept(&wx, Api::V3) {
        Ok(refund) => signed(&wx, StatusCode::OK, Some(&refund_answer(&refund))),
        Err(problem) => {
            let (status, refusal) = refund_refusal(problem);
            refuse(&wx, status, refusal)
        }
    }
}

/// `GET /v3/refund/domestic/refunds/{out_refund_no}`.
pub(super) async fn query_refund(
    req: HttpRequest,
    path: web::Path<String>,
    wx: web::Data<WxPay>,
) -> HttpResponse {
    if let Err(refusal) = verify(&wx, &req, &[]) {
        return *refusal;
    }
    let refund = wx.orders().get_refund(&path);
    match refund {
        Some(refund) => signed(&wx, StatusCode::OK, Some(&refund_answer(&refund))),
        None => refuse(&wx, 404, ("RESOURCE_NOT_EXISTS", "退款单不存在")),
    }
}

/// APIv3's status and refusal of a refund. A refund above what is left is a business rule
/// broken (400 INVALID_REQUEST); APIv3's 403 NOT_ENOUGH is the merchant's balance running short,
/// which the sandbox never does.
fn refund_refusal(problem: RefundProblem) -> (u16, Refusal) {
    match problem {
        RefundProblem::UnknownOrder => (404, ("RESOURCE_NOT_EXISTS", "订单不存在")),
        RefundProblem::NotPaid => (400, ("INVALID_REQUEST", "订单未支付或已关闭，不能退款")),
        RefundProblem::TotalMismatch => (400, ("INVALID_REQUEST", "订单金额与原订单金额不一致")),
        RefundProblem::Exceeds => (400, ("INVALID_REQUEST", "申请退款金额超过订单可退金额")),
        RefundProblem::NumberReused => (
            400,
            (
                "INVALID_REQUEST",
                "该退款单号已用于其他订单或金额，请核实后再试",
            ),
        ),
    }
}

/// A refund as the refund request and the refund query answer it.
fn refund_answer(refund: &Refund) -> Value {
    let mut answer = json!({
        "refund_id": refund.refund_id,
        "out_refund_no": refund.out_refund_no,
        "transaction_id": refund.transaction_id,
        "out_trade_no": refund.out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": super::RECEIVED_ACCOUNT,
        "create_time": beijing(refund.created).to_rfc3339(),
        "status": refund.state.as_str(),
        "funds_account": "AVAILABLE",
        "amount": {
            "total": refund.total_fen,
            "refund": refund.refund_fen,
            "payer_total": refund.total_fen,
            "payer_refund": refund.refund_fen,
            "settlement_refund": refund.refund_fen,
            "settlement_total": refund.total_fen,
            "discount_refund": 0,
            "currency": "CNY",
        },
    });
    if let Some(time) = refund.success_time {
        answer["success_time"] = json!(beijing(time).to_rfc3339());
    }
    answer
}

/// WeChat Pay's `REFUND.SUCCESS` notification of a refund: its resource sealed with the APIv3
/// key, the body signed with WeChat Pay's key.
pub(super) fn refund_notification(wx: &WxPay, refund: &Refund) -> Option<Notification> {
    let resource = json!({
        "mchid": wx.mchid,
        "out_trade_no": refund.out_trade_no,
        "transaction_id": refund.transaction_id,
        "out_refund_no": refund.out_refund_no,
        "refund_id": refund.refund_id,
        "refund_status": refund.state.as_str(),
        "success_time": refund.success_time.map(|time| beijing(time).to_rfc3339()),
        "user_received_account": super::RECEIVED_ACCOUNT,
        "amount": {
            "total": refund.total_fen,
            "refund": refund.refund_fen,
            "payer_total": refund.total_fen,
            "payer_refund": refund.refund_fen,
        },
    });
    sealed_notification(wx, "REFUND.SUCCESS", "退款成功", "refund", &resource, false)
}

/// APIv3 spells a closed order `ORDER_CLOSED`; APIv2 `ORDERCLOSED`.
fn v3_code(refusal: Refusal) -> Refusal {
    match refusal {
        ("ORDERCLOSED", message) => ("ORDER_CLOSED", message),
        other => other,
    }
}

/// The JSON body of a request whose `Authorization` checks out; otherwise WeChat Pay's refusal.
fn signed_json(wx: &WxPay, req: &HttpRequest, body: &[u8]) -> Result<Value, Box<HttpResponse>> {
    verify(wx, req, body)?;
    serde_json::from_slice(body)
        .map_err(|_| Box::new(refuse(wx, 400, ("PARAM_ERROR", "请求体不是合法的JSON"))))
}

/// The text at `pointer` of a JSON request; empty when absent or not text.
fn text<'a>(request: &'a Value, pointer: &str) -> &'a str {
    request
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// Checks the `Authorization` of our request: our merchant, its certificate, fresh, and signed
/// over `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n` with its key. WeChat Pay refuses with
/// an unsigned 401 `SIGN_ERROR`.
fn verify(wx: &WxPay, req: &HttpRequest, body: &[u8]) -> Result<(), Box<HttpResponse>> {
    check_signature(wx, req, body).map_err(|message| {
        tracing::info!(
            path = req.path(),
            message,
            "WeChat Pay v3 request signature refused"
        );
        Box::new(
            HttpResponse::Unauthorized().json(json!({"code": "SIGN_ERROR", "message": message})),
        )
    })
}

fn check_signature(wx: &WxPay, req: &HttpRequest, body: &[u8]) -> Result<(), &'static str> {
    let authorization = req
        .headers()
        .get("Authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(V3Authorization::parse)
        .ok_or("Authorization不合法")?;
    if authorization.mchid != wx.mchid {
        return Err("商户号不存在");
    }
    if authorization.serial_no != wx.merchant_serial {
        return Err("商户证书序列号有误");
    }
    let timestamp: i64 = authorization
        .timestamp
        .parse()
        .map_err(|_| "timestamp不合法")?;
    if (Utc::now().timestamp() - timestamp).abs() > MAX_CLOCK_SKEW_SECS {
        return Err("timestamp已过期");
    }
    let body = std::str::from_utf8(body).map_err(|_| "请求体不是UTF-8")?;
    let path_and_query = req
        .uri()
        .path_and_query()
        .map_or(req.path(), |path| path.as_str());
    let message = crypto::v3_request_message(
        req.method().as_str(),
        path_and_query,
        &authorization.timestamp,
        &authorization.nonce_str,
        body,
    );
    if wx
        .merchant
        .verify(message.as_bytes(), &authorization.signature)
    {
        Ok(())
    } else {
        Err("签名错误")
    }
}

/// A refusal, signed like every APIv3 answer.
fn refuse(wx: &WxPay, status: u16, (code, message): Refusal) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    signed(wx, status, Some(&json!({"code": code, "message": message})))
}

/// The `Wechatpay-*` headers over `body`, signed with `signer`.
fn signature_headers(
    wx: &WxPay,
    signer: &crypto::RsaSigner,
    body: &[u8],
) -> Option<Vec<(&'static str, String)>> {
    let timestamp = Utc::now().timestamp().to_string();
    let nonce = kit::secret::random_alnum(32);
    let message = crypto::v3_answer_message(&timestamp, &nonce, body);
    let signature = signer.sign(&message).ok()?;
    Some(vec![
        ("Wechatpay-Serial", wx.platform_key_id.clone()),
        ("Wechatpay-Timestamp", timestamp),
        ("Wechatpay-Nonce", nonce),
        ("Wechatpay-Signature", signature),
        (
            "Wechatpay-Signature-Type",
            crypto::V3_AUTH_SCHEME.to_owned(),
        ),
    ])
}

/// An answer signed with WeChat Pay's key; `None` is an empty body (204).
fn signed(wx: &WxPay, status: StatusCode, body: Option<&Value>) -> HttpResponse {
    let body = body.map(Value::to_string).unwrap_or_default();
    let Some(headers) = signature_headers(wx, &wx.platform, body.as_bytes()) else {
        return HttpResponse::InternalServerError().finish();
    };
    let mut answer = HttpResponse::build(status);
    for header in headers {
        answer.insert_header(header);
    }
    answer.insert_header(("Request-ID", uuid::Uuid::new_v4().to_string()));
    if body.is_empty() {
        answer.finish()
    } else {
        answer.content_type("application/json").body(body)
    }
}

/// The order as APIv3 describes a transaction (order query, notification resource).
fn transaction(wx: &WxPay, order: &Order) -> Value {
    let mut transaction = json!({
        "appid": wx.appid,
        "mchid": wx.mchid,
        "out_trade_no": order.out_trade_no,
        "trade_type": "JSAPI",
        "trade_state": order.trade_state(),
        "trade_state_desc": order.trade_state_desc(),
        "payer": {"openid": order.openid},
        "amount": {"total": order.total_fen, "currency": "CNY"},
    });
    if let State::Paid {
        transaction_id,
        success_time,
    } = &order.state
    {
        transaction["transaction_id"] = json!(transaction_id);
        transaction["bank_type"] = json!("OTHERS");
        transaction["success_time"] = json!(beijing(*success_time).to_rfc3339());
        transaction["amount"] = json!({
            "total": order.reported_fen,
            "payer_total": order.reported_fen,
            "currency": "CNY",
            "payer_currency": "CNY",
        });
    }
    transaction
}

/// WeChat Pay's `TRANSACTION.SUCCESS` notification of a paid order: the transaction sealed with
/// the APIv3 key, the body signed with WeChat Pay's key (or the forger's).
pub(super) fn notification(wx: &WxPay, order: &Order, forge: bool) -> Option<Notification> {
    let transaction = transaction(wx, order);
    sealed_notification(
        wx,
        "TRANSACTION.SUCCESS",
        "支付成功",
        "transaction",
        &transaction,
        forge,
    )
}

/// A notification of `event_type` whose `original_type` resource is sealed with the APIv3 key
/// (that name its associated data), the body signed with WeChat Pay's key or the forger's.
fn sealed_notification(
    wx: &WxPay,
    event_type: &str,
    summary: &str,
    original_type: &str,
    resource: &Value,
    forge: bool,
) -> Option<Notification> {
    let nonce = kit::secret::random_alnum(12);
    let ciphertext = crypto::aes_gcm_seal(
        wx.v3_api_key.as_bytes(),
        nonce.as_bytes(),
        original_type.as_bytes(),
        resource.to_string().as_bytes(),
    )
    .ok()?;
    let body = json!({
        "id": format!("EV-{}", uuid::Uuid::new_v4().simple()),
        "create_time": beijing(Utc::now()).to_rfc3339(),
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": summary,
        "resource": {
            "original_type": original_type,
            "algorithm": crypto::V3_RESOURCE_ALGORITHM,
            "ciphertext": ciphertext,
            "associated_data": original_type,
            "nonce": nonce,
        },
    })
    .to_string()
    .into_bytes();
    let signer = if forge { &wx.forger } else { &wx.platform };
    let headers = signature_headers(wx, signer, &body)?;
    Some(Notification {
        content_type: "application/json",
        headers,
        body,
    })
}
