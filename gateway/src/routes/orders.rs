//! Orders: 001 §2.1.1–§2.1.2 (the security platform creates and lists them) and 000 §4.1.1 (the
//! resident's orders). The rules live in svc-orders.
use actix_web::{HttpRequest, web};
use proto::orders as pb;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::{PlatformCaller, ResidentCaller};
use crate::envelope::{self, ApiResult, Failure, Head};
use crate::middleware::RequestId;
use crate::params::Params;
use crate::routes::pages;
use crate::state::AppState;

/// A field that may come as a JSON object or as its text.
fn json_text(params: &Params, name: &str) -> Result<String, kit::error::ServiceError> {
    match params.value(name) {
        Some(value @ (Value::Object(_) | Value::Array(_))) => Ok(value.to_string()),
        _ => params.str_or_empty(name),
    }
}

/// `1` fen → `0.01元`.
fn yuan(fen: i64) -> String {
    format!("{}.{:02}元", fen / 100, fen % 100)
}

/// An order as 001 §2.1.2 and 000 §4.1.1 render it.
fn order_json(order: pb::Order) -> Value {
    let text_or_null = |text: String| {
        if text.is_empty() {
            Value::Null
        } else {
            Value::from(text)
        }
    };
    let mut row = json!({
        "id": order.id,
        "paied": if order.paied { "已付款" } else { "未付款" },
        "shop_number": text_or_null(order.shop_number),
        "number": order.number,
        "title": order.title,
        "amount": yuan(order.amount_fen),
        "status": if order.open { "进行中" } else { "已关闭" },
        "remark": text_or_null(order.remark),
        "extra": text_or_null(order.extra),
        "manager": order.manager,
    });
    if !order.house.is_empty() {
        row["house"] = Value::from(order.house);
        row["house_id"] = Value::from(order.house_id);
    }
    row
}

/// A list with the seed's one `pages` object (`null` when empty).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderPageResponse {
    #[serde(flatten)]
    pub head: Head,
    #[schema(value_type = Vec<Object>)]
    pub data: Vec<Value>,
    #[schema(value_type = Object)]
    pub pages: Value,
}

/// The created order's number.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderNumberResponse {
    #[serde(flatten)]
    pub head: Head,
    /// `20201211114931367693`
    pub data: String,
}

/// The seed's `pages` object, `null` for an empty page (001 §2.1.2's 未查到 example).
fn pages_or_null(
    request: &HttpRequest,
    page: i64,
    per_page: i64,
    count: usize,
    total: i64,
) -> Value {
    if count == 0 {
        Value::Null
    } else {
        pages::flat(request, page, per_page, count, total)
    }
}

fn order_page(request: &HttpRequest, reply: pb::OrderPage) -> ApiResult {
    let pages = pages_or_null(
        request,
        reply.page,
        reply.per_page,
        reply.orders.len(),
        reply.total,
    );
    Ok(envelope::ok(&OrderPageResponse {
        head: Head::ok("获取订单列表成功", "获取订单列表成功"),
        data: reply.orders.into_iter().map(order_json).collect(),
        pages,
    }))
}

/// `2` fen → `0.02` (000 §4.1.2 prints bill totals without 元).
fn plain_yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// A bill as 000 §4.1.2 renders it, with the orders it paid.
fn bill_json(bill: pb::Bill) -> Value {
    json!({
        "id": bill.id,
        "total_amount": plain_yuan(bill.total_amount_fen),
        "paid_at": kit::time::beijing_datetime(bill.paid_at),
        "payment_number": bill.payment_number,
        "payment_shop_number": bill.payment_shop_number,
        "orders": bill.orders.into_iter().map(order_json).collect::<Vec<_>>(),
    })
}

fn bill_page(request: &HttpRequest, reply: pb::BillPage) -> ApiResult {
    let pages = pages_or_null(
        request,
        reply.page,
        reply.per_page,
        reply.bills.len(),
        reply.total,
    );
    Ok(envelope::ok(&OrderPageResponse {
        head: Head::ok("成功获取账单列表", "成功获取账单列表Payments234"),
        data: reply.bills.into_iter().map(bill_json).collect(),
        pages,
    }))
}

/// 001 §2.1.1 生成订单: `type` house / phone / idcard with its `identifier`; code 2 查无此人,
/// code 3 用户未注册.
#[utoipa::path(post, path = "/api/v1/wjdh/order/new", tag = "001 §2.1 订单",
    params(("xiaoqu" = String, Query), ("type" = String, Query, description = "house, phone or idcard"),
           ("identifier" = Object, Query, description = r#"{"louhao","danyuan","louceng","fangjian"}, {"phone"[,"name"]} or {"idcard"}"#),
           ("title" = String, Query), ("remark" = Option<String>, Query), ("extra" = Option<Object>, Query),
           ("amount" = String, Query, description = "元, at most 2 decimals"), ("manager" = Option<String>, Query)),
    responses((status = 200, body = OrderNumberResponse, description = "code 0, or 2 查无此人 / 3 用户未注册"),
              (status = 400, body = Failure), (status = 403, body = Failure, description = "您没有权限管理该小区")),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let field = |name: &str| params.str_or_empty(name);
    let message = pb::CreateOrderRequest {
        platform: Some(platform.reference()),
        xiaoqu: field("xiaoqu")?,
        r#type: field("type")?,
        identifier: json_text(&params, "identifier")?,
        title: field("title")?,
        remark: field("remark")?,
        extra: json_text(&params, "extra")?,
        amount: field("amount")?,
        manager: field("manager")?,
    };
    let reply = state
        .call(
            "orders",
            state.orders().create_order(request_id.grpc(message)),
        )
        .await?;
    Ok(envelope::ok(&OrderNumberResponse {
        head: Head::ok("订单创建成功", "返回订单号"),
        data: reply.order_number,
    }))
}

/// 001 §2.1.2 订单列表/查询订单.
#[utoipa::path(post, path = "/api/v1/wjdh/order/list", tag = "001 §2.1 订单",
    params(("xiaoqu" = String, Query), ("louhao" = Option<i64>, Query), ("danyuan" = Option<i64>, Query),
           ("louceng" = Option<i64>, Query), ("fangjian" = Option<i64>, Query), ("idcard" = Option<String>, Query),
           ("phone" = Option<String>, Query), ("name" = Option<String>, Query, description = "with phone"),
           ("title" = Option<String>, Query), ("status" = Option<i64>, Query, description = "0 已关闭, 1 进行中"),
           ("paied" = Option<i64>, Query, description = "0 未付款, 1 已付款"),
           ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = OrderPageResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let field = |name: &str| params.str_or_empty(name);
    let message = pb::ListOrdersRequest {
        platform: Some(platform.reference()),
        xiaoqu: field("xiaoqu")?,
        louhao: field("louhao")?,
        danyuan: field("danyuan")?,
        louceng: field("louceng")?,
        fangjian: field("fangjian")?,
        idcard: field("idcard")?,
        phone: field("phone")?,
        name: field("name")?,
        title: field("title")?,
        status: field("status")?,
        paied: field("paied")?,
        page: field("page")?,
        per_page: field("per_page")?,
    };
    let reply = state
        .call(
            "orders",
            state.orders().list_orders(request_id.grpc(message)),
        )
        .await?;
    order_page(&request, reply)
}

/// The resident's list filters, the same for orders (000 §4.1.1) and bills (000 §4.1.2).
fn resident_filter(
    resident: &ResidentCaller,
    params: &Params,
) -> Result<pb::ResidentOrdersRequest, kit::error::ServiceError> {
    let field = |name: &str| params.str_or_empty(name);
    Ok(pb::ResidentOrdersRequest {
        user_id: resident.user_id,
        paied: field("paied")?,
        title: field("title")?,
        house_id: field("house_id")?,
        page: field("page")?,
        per_page: field("per_page")?,
    })
}

/// 000 §4.1.1 订单列表: orders of the houses where the resident may pay, and their own.
#[utoipa::path(post, path = "/api/v1/orders/list", tag = "000 §4 订单支付",
    params(("paied" = Option<i64>, Query), ("title" = Option<String>, Query), ("house_id" = Option<i64>, Query),
           ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = OrderPageResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn resident_list(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let message = resident_filter(&resident, &params)?;
    let reply = state
        .call(
            "orders",
            state.orders().resident_orders(request_id.grpc(message)),
        )
        .await?;
    order_page(&request, reply)
}

/// 000 §4.1.2 账单列表: the bills of the resident's payments, each with the orders it paid.
#[utoipa::path(post, path = "/api/v1/payments/list", tag = "000 §4 订单支付",
    params(("paied" = Option<i64>, Query, description = "the orders' status: 0 已关闭, 1 进行中 (the seed's meaning)"),
           ("title" = Option<String>, Query), ("house_id" = Option<i64>, Query),
           ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = OrderPageResponse, description = "data: bills")), security(("bearer" = [])))]
pub async fn resident_bills(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let message = resident_filter(&resident, &params)?;
    let reply = state
        .call(
            "orders",
            state.orders().resident_bills(request_id.grpc(message)),
        )
        .await?;
    bill_page(&request, reply)
}

/// 001 §2.1.3 账单列表/账单查询 (未开发 in the seed): the community's bills, filtered like the
/// order list, by payment date (Beijing, inclusive) and by the payment's numbers.
#[utoipa::path(post, path = "/api/v1/wjdh/bill/list", tag = "001 §2.1 订单",
    params(("xiaoqu" = String, Query), ("louhao" = Option<i64>, Query), ("danyuan" = Option<i64>, Query),
           ("louceng" = Option<i64>, Query), ("fangjian" = Option<i64>, Query), ("idcard" = Option<String>, Query),
           ("phone" = Option<String>, Query, description = "the payer"), ("name" = Option<String>, Query, description = "with phone"),
           ("title" = Option<String>, Query, description = "a paid order's title"),
           ("paid_from" = Option<String>, Query, description = "2020-12-13"), ("paid_to" = Option<String>, Query, description = "2020-12-31"),
           ("payment_number" = Option<String>, Query, description = "微信支付流水号"),
           ("payment_shop_number" = Option<String>, Query, description = "商户单号"),
           ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = OrderPageResponse, description = "data: bills"), (status = 403, body = Failure)),
    security(("bearer" = [])))]
pub async fn bills(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let field = |name: &str| params.str_or_empty(name);
    let message = pb::ListBillsRequest {
        platform: Some(platform.reference()),
        xiaoqu: field("xiaoqu")?,
        louhao: field("louhao")?,
        danyuan: field("danyuan")?,
        louceng: field("louceng")?,
        fangjian: field("fangjian")?,
        idcard: field("idcard")?,
        phone: field("phone")?,
        name: field("name")?,
        title: field("title")?,
        paid_from: field("paid_from")?,
        paid_to: field("paid_to")?,
        payment_number: field("payment_number")?,
        payment_shop_number: field("payment_shop_number")?,
        page: field("page")?,
        per_page: field("per_page")?,
    };
    let reply = state
        .call(
            "orders",
            state.orders().list_bills(request_id.grpc(message)),
        )
        .await?;
    bill_page(&request, reply)
}

/// One order.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderResponse {
    #[serde(flatten)]
    pub head: Head,
    #[schema(value_type = Object)]
    pub data: Value,
}

/// Closes an open, unpaid order (`number` or `id`); its WeChat Pay order is closed first.
#[utoipa::path(post, path = "/api/v1/wjdh/order/close", tag = "001 §2.1 订单",
    params(("xiaoqu" = String, Query), ("number" = Option<String>, Query, description = "order number"),
           ("id" = Option<i64>, Query, description = "or the order id")),
    responses((status = 200, body = OrderResponse), (status = 404, body = Failure),
              (status = 409, body = Failure, description = "paid or already closed")),
    security(("bearer" = [])))]
pub async fn close(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let field = |name: &str| params.str_or_empty(name);
    let message = pb::CloseOrderRequest {
        platform: Some(platform.reference()),
        xiaoqu: field("xiaoqu")?,
        number: field("number")?,
        id: field("id")?,
    };
    let reply = state
        .call(
            "orders",
            state.orders().close_order(request_id.grpc(message)),
        )
        .await?;
    Ok(envelope::ok(&OrderResponse {
        head: Head::ok("订单已关闭", "订单已关闭"),
        data: order_json(reply),
    }))
}

/// The mini-program's `wx.requestPayment` parameters.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayResponse {
    #[serde(flatten)]
    pub head: Head,
    #[schema(value_type = Object)]
    pub data: Value,
}

/// 000 §4.2.1 支付接口: `ids` = `21A22A23`; one WeChat Pay order for their sum.
#[utoipa::path(post, path = "/api/v1/weapp/payment", tag = "000 §4 订单支付",
    params(("ids" = String, Query, description = "order ids joined by A: 21A22A23")),
    responses((status = 200, body = PayResponse), (status = 403, body = Failure, description = "no right to pay, or 生活缴费 off"),
              (status = 409, body = Failure, description = "paid or closed")),
    security(("bearer" = [])))]
pub async fn pay(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    client_ip: crate::middleware::ClientIp,
    params: Params,
) -> ApiResult {
    let message = pb::PayRequest {
        user_id: resident.user_id,
        ids: params.str_or_empty("ids")?,
        client_ip: client_ip.0.to_string(),
    };
    let reply = state
        .call("orders", state.orders().pay(request_id.grpc(message)))
        .await?;
    Ok(envelope::ok(&PayResponse {
        head: Head::ok("成功获取缴费信息", "成功获取缴费信息"),
        data: json!({
            "appId": reply.app_id,
            "timeStamp": reply.time_stamp,
            "nonceStr": reply.nonce_str,
            "package": reply.package,
            "signType": reply.sign_type,
            "paySign": reply.pay_sign,
        }),
    }))
}

/// WeChat Pay's payment notification: headers and raw body go to svc-orders, which verifies
/// and applies it once; WeChat Pay's own answer format comes back.
#[utoipa::path(post, path = "/api/v1/weapp/payment/notify", tag = "000 §4 订单支付",
    request_body(content = String, description = "WeChat Pay's signed notification (v3 JSON or v2 XML)"),
    responses((status = 200, description = "accepted (WeChat Pay's format)"), (status = 500, description = "not accepted: WeChat Pay retries")))]
pub async fn notify(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    body: web::Bytes,
) -> actix_web::HttpResponse {
    let headers = request
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            value
                .to_str()
                .ok()
                .map(|value| (name.as_str().to_ascii_lowercase(), value.to_owned()))
        })
        .collect();
    let message = pb::NotificationRequest {
        headers,
        body: body.to_vec(),
    };
    match state
        .call(
            "orders",
            state
                .orders()
                .payment_notification(request_id.grpc(message)),
        )
        .await
    {
        Ok(answer) => {
            let status =
                actix_web::http::StatusCode::from_u16(u16::try_from(answer.status).unwrap_or(500))
                    .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
            actix_web::HttpResponse::build(status)
                .content_type(answer.content_type)
                .body(answer.body)
        }
        // svc-orders unreachable: WeChat Pay will notify again.
        Err(_) => actix_web::HttpResponse::ServiceUnavailable().finish(),
    }
}
