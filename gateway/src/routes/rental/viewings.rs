//! Seed 004's viewing requests (看房申请) and DESIGN's calls beside them: a seeker asks to view a
//! published listing (`/order/create_preorder`) and follows their requests
//! (`/order/my_preorders`); the landlord sees the requests for their listings
//! (`/order/owner_preorders`). svc-orders keeps them: the viewing fee is a payment.
use actix_web::web;
use proto::viewings as pb;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::fields::{Minutes, WebAddress};
use super::{TAG, ok};
use crate::auth::ResidentCaller;
use crate::envelope::{ApiError, ApiResult, DataResponse, Failure};
use crate::input::{Id, Input, Text};
use crate::middleware::RequestId;
use crate::state::AppState;

/// 创建看房申请: the listing (`house_id`) and its landlord (`owner_id`), as search rows name them.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreatePreorderInput {
    owner_id: Id,
    house_id: Id,
    /// 希望看房的时间 (北京时间), 最多3个, 用|隔开, 须在今后30天之内.
    wished_times: Option<Minutes<3>>,
}

/// svc-orders's message naming the signed-in resident.
pub(super) fn caller(resident: &ResidentCaller) -> pb::Caller {
    pb::Caller {
        resident: Some(resident.reference()),
    }
}

/// A request as its seeker and its landlord see it (DESIGN's row).
fn viewing_json(v: pb::Viewing) -> Value {
    let status = match pb::ViewingStatus::try_from(v.status) {
        Ok(pb::ViewingStatus::Unpaid) => "待支付",
        Ok(pb::ViewingStatus::Paid) => "已支付",
        Ok(pb::ViewingStatus::Confirmed) => "已确认",
        Ok(pb::ViewingStatus::Declined) => "已拒绝",
        Ok(pb::ViewingStatus::Refunded) => "已退款",
        _ => "",
    };
    json!({
        "pre_order_id": v.id,
        "house_id": v.house_id,
        "owner_id": v.owner_id,
        "seeker_id": v.seeker_id,
        "house_title": v.house_title,
        "status": status,
        "fee": kit::money::yuan_decimal(v.fee_fen),
        "wished_times": v.wished_times.iter().map(|t| kit::time::beijing_minute_text(*t)).collect::<Vec<_>>(),
        "viewing_time": (v.viewing_time > 0).then(|| kit::time::beijing_minute_text(v.viewing_time)),
        "reason": v.reason,
        "created_at": kit::time::beijing_datetime(v.created_at),
        "paid_at": (v.paid_at > 0).then(|| kit::time::beijing_datetime(v.paid_at)),
    })
}

/// 创建看房申请: `data` is the `pre_order_id` (seed 004's `ans`). A published listing that is not
/// the caller's own; asked again while the caller's request for it is open, that request's id.
#[utoipa::path(post, path = "/api/v1/rental/order/create_preorder", tag = TAG,
    request_body = CreatePreorderInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure, description = "不能预约查看自己发布的房源"), (status = 404, body = Failure)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<CreatePreorderInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let message = pb::CreateViewingRequest {
        resident: Some(resident.reference()),
        owner_id: i.owner_id.get(),
        house_id: i.house_id.get(),
        wished_times: i.wished_times.map(|m| m.0).unwrap_or_default(),
    };
    let viewing = state
        .call("orders", state.viewings().create(request_id.grpc(message)))
        .await?;
    ok("OK", json!(viewing.id))
}

fn list(rows: pb::ViewingList) -> ApiResult {
    let rows: Vec<Value> = rows.viewings.into_iter().map(viewing_json).collect();
    ok("成功获取看房申请", Value::Array(rows))
}

/// 我的看房申请: the caller's requests, the latest first (at most 200).
#[utoipa::path(post, path = "/api/v1/rental/order/my_preorders", tag = TAG,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn mine(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
) -> ApiResult {
    let message = caller(&resident);
    let rows = state
        .call("orders", state.viewings().mine(request_id.grpc(message)))
        .await?;
    list(rows)
}

/// 房东收到的看房申请: the requests for the caller's listings, the latest first (at most 200).
#[utoipa::path(post, path = "/api/v1/rental/order/owner_preorders", tag = TAG,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn of_owner(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
) -> ApiResult {
    let message = caller(&resident);
    let rows = state
        .call(
            "orders",
            state.viewings().of_owner(request_id.grpc(message)),
        )
        .await?;
    list(rows)
}

/// 获取看房申请支付url: the caller's unpaid request (`pre_order_id`) and where Alipay sends the
/// payer back (`return_url`, with Alipay's `alipay.trade.wap.pay.return` parameters).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PaymentUrlInput {
    pre_order_id: Id,
    return_url: WebAddress,
}

/// 获取看房申请支付url: seed 004's `{"result": "SUCCESS", "payment_url"}`, Alipay's mobile payment
/// page (`alipay.trade.wap.pay`, signed RSA2) for the viewing fee.
#[utoipa::path(post, path = "/api/v1/rental/order/get_preorder_paymenturl", tag = TAG,
    request_body = PaymentUrlInput,
    responses((status = 200, body = DataResponse), (status = 404, body = Failure), (status = 409, body = Failure, description = "该看房申请已支付")),
    security(("bearer" = [])))]
pub async fn alipay_url(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<PaymentUrlInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let message = pb::PaymentUrlRequest {
        resident: Some(resident.reference()),
        id: i.pre_order_id.get(),
        return_url: i.return_url.0,
    };
    let url = state
        .call(
            "orders",
            state
                .viewings()
                .alipay_payment_url(request_id.grpc(message)),
        )
        .await?;
    ok(
        "",
        json!({"result": "SUCCESS", "payment_url": url.payment_url}),
    )
}

/// Alipay's asynchronous notification (a form, RSA2): svc-orders verifies it and applies it once;
/// the answer is Alipay's: the text `success` when taken, anything else and Alipay notifies again.
#[utoipa::path(post, path = "/api/v1/rental/payment/ali/notify", tag = TAG,
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "Alipay's signed notification"),
    responses((status = 200, description = "taken: `success` (Alipay's format)", content_type = "text/plain"), (status = 400, description = "not taken: `fail`; Alipay notifies again", content_type = "text/plain"), (status = 503, description = "svc-orders unreachable; Alipay notifies again", content_type = "text/plain")))]
pub async fn alipay_notify(
    state: web::Data<AppState>,
    request_id: RequestId,
    body: web::Bytes,
) -> actix_web::HttpResponse {
    let message = pb::AlipayNotice {
        form: body.to_vec(),
    };
    let text = |status: actix_web::http::StatusCode, body: &'static str| {
        actix_web::HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(body)
    };
    match state
        .call(
            "orders",
            state
                .viewings()
                .alipay_notification(request_id.grpc(message)),
        )
        .await
    {
        Ok(answer) if answer.taken => text(actix_web::http::StatusCode::OK, "success"),
        Ok(_) => text(actix_web::http::StatusCode::BAD_REQUEST, "fail"),
        Err(_) => text(actix_web::http::StatusCode::SERVICE_UNAVAILABLE, "fail"),
    }
}

/// A viewing request of the caller's (`pre_order_id`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PreorderIdInput {
    pre_order_id: Id,
}

/// 微信支付看房费: a WeChat Pay order for the caller's unpaid request; `data` holds the
/// mini-program's `wx.requestPayment` parameters, the same fields as 000 §4.2.1.
#[utoipa::path(post, path = "/api/v1/rental/order/pay_preorder", tag = TAG,
    request_body = PreorderIdInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure, description = "未使用微信登录"), (status = 404, body = Failure), (status = 409, body = Failure, description = "已支付，或房东已拒绝")),
    security(("bearer" = [])))]
pub async fn wechat_pay(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    client_ip: crate::middleware::ClientIp,
    input: Result<Input<PreorderIdInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let message = pb::WechatPayRequest {
        resident: Some(resident.reference()),
        id: i.pre_order_id.get(),
        client_ip: client_ip.0.to_string(),
    };
    let p = state
        .call(
            "orders",
            state.viewings().wechat_pay(request_id.grpc(message)),
        )
        .await?;
    ok(
        "成功获取支付信息",
        crate::routes::orders::request_payment(p.into()),
    )
}

/// 确认看房申请: the landlord's paid request (`pre_order_id`) and when the seeker may come
/// (`viewing_time`, Beijing time to the minute, within the next 30 days).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConfirmPreorderInput {
    pre_order_id: Id,
    viewing_time: Minutes<1>,
}

/// 确认看房申请: the landlord confirms a paid request with the viewing time; the fee is theirs
/// from then on. `data` is the request's row.
#[utoipa::path(post, path = "/api/v1/rental/order/confirm_preorder", tag = TAG,
    request_body = ConfirmPreorderInput,
    responses((status = 200, body = DataResponse), (status = 404, body = Failure), (status = 409, body = Failure, description = "尚未支付、已确认或已拒绝")),
    security(("bearer" = [])))]
pub async fn confirm(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ConfirmPreorderInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let message = pb::ConfirmViewingRequest {
        resident: Some(resident.reference()),
        id: i.pre_order_id.get(),
        viewing_time: i.viewing_time.0.first().copied().unwrap_or_default(),
    };
    let viewing = state
        .call("orders", state.viewings().confirm(request_id.grpc(message)))
        .await?;
    ok("已确认看房时间", viewing_json(viewing))
}

/// 拒绝看房申请: the landlord's unpaid or paid request (`pre_order_id`) and why (`reason`, the
/// seeker reads it).
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeclinePreorderInput {
    pre_order_id: Id,
    reason: Text<100>,
}

/// 拒绝看房申请: the landlord declines; a paid fee goes back the way it came (the request is
/// 已拒绝 until the refund is through, then 已退款). `data` is the request's row.
#[utoipa::path(post, path = "/api/v1/rental/order/decline_preorder", tag = TAG,
    request_body = DeclinePreorderInput,
    responses((status = 200, body = DataResponse), (status = 404, body = Failure), (status = 409, body = Failure, description = "已确认或已拒绝")),
    security(("bearer" = [])))]
pub async fn decline(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<DeclinePreorderInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let message = pb::DeclineViewingRequest {
        resident: Some(resident.reference()),
        id: i.pre_order_id.get(),
        reason: i.reason.into_string(),
    };
    let viewing = state
        .call("orders", state.viewings().decline(request_id.grpc(message)))
        .await?;
    ok("已拒绝看房申请", viewing_json(viewing))
}
