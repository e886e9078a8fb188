//! Orders: 001 §2.1.1–§2.1.2 (the security platform creates and lists them) and 000 §4.1.1 (the
//! resident's orders). The rules live in svc-orders.
//!
//! Each handler takes its input as `Result<Input<_>, ApiError>` and opens it after the caller is
//! known: actix runs the extractors together, and a bad token (401) or the wrong kind of caller
//! (403) must answer before a bad field (400).
use actix_web::{HttpRequest, web};
use kit::error::ServiceError;
use kit::money::render_yuan;
use proto::orders as pb;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{PartialSchema, ToSchema};

use crate::auth::{PlatformCaller, ResidentCaller};
use crate::envelope::{self, ApiError, ApiResult, Failure, Head};
use crate::input::{
    Date, Flag, Id, IdCard, Input, JoinedIds, JsonObject, Level, Nested, Page, PerPage, Phone,
    Text, Xiaoqu, Yuan,
};
use crate::kept_pages::KeptPage;
use crate::middleware::RequestId;
use crate::routes::pages::{self, FlatPages};
use crate::state::AppState;

/// `page` / `per_page` (defaults 1 and 20).
fn paging(page: Option<Page>, per_page: Option<PerPage>) -> pb::PageRequest {
    let (page, per_page) = crate::input::paging(page, per_page);
    pb::PageRequest { page, per_page }
}

/// 已付款 / 未付款.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub enum Paied {
    #[serde(rename = "已付款")]
    Paid,
    #[serde(rename = "未付款")]
    Unpaid,
}

/// 进行中 / 已关闭.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub enum OrderStatus {
    #[serde(rename = "进行中")]
    Open,
    #[serde(rename = "已关闭")]
    Closed,
}

/// An order as 001 §2.1.2 and 000 §4.1.1 render it (the seed's field order).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderRow {
    pub id: i64,
    pub paied: Paied,
    /// The 商户单号 of the payment that paid it; `null` until paid.
    #[schema(required = true)]
    pub shop_number: Option<String>,
    /// `20201213104759976889`
    pub number: String,
    pub title: String,
    /// `0.01元`
    pub amount: String,
    /// 晨曦家园1栋1单元1楼101号; absent for a personal order.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub house: Option<String>,
    /// With `house`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub house_id: Option<i64>,
    pub status: OrderStatus,
    #[schema(required = true)]
    pub remark: Option<String>,
    /// The order's details (a JSON object's text).
    #[schema(required = true)]
    pub extra: Option<String>,
    /// 收费来源: 晨曦家园物业公司.
    pub manager: String,
}

impl From<pb::Order> for OrderRow {
    fn from(order: pb::Order) -> Self {
        let text_or_null = |text: String| (!text.is_empty()).then_some(text);
        let personal = order.house.is_empty();
        Self {
            id: order.id,
            paied: if order.paied {
                Paied::Paid
            } else {
                Paied::Unpaid
            },
            shop_number: text_or_null(order.shop_number),
            number: order.number,
            title: order.title,
            amount: render_yuan(order.amount_fen),
            house: (!personal).then_some(order.house),
            house_id: (!personal).then_some(order.house_id),
            status: if order.open {
                OrderStatus::Open
            } else {
                OrderStatus::Closed
            },
            remark: text_or_null(order.remark),
            extra: text_or_null(order.extra),
            manager: order.manager,
        }
    }
}

/// A page of orders with the seed's one `pages` object (`null` when empty).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderPageResponse {
    #[serde(flatten)]
    pub head: Head,
    pub data: Vec<OrderRow>,
    /// `null` for an empty page.
    #[schema(required = true)]
    pub pages: Option<FlatPages>,
}

/// A page of bills, paged as [`OrderPageResponse`].
#[derive(Debug, Serialize, ToSchema)]
pub struct BillPageResponse {
    #[serde(flatten)]
    pub head: Head,
    pub data: Vec<BillRow>,
    /// `null` for an empty page.
    #[schema(required = true)]
    pub pages: Option<FlatPages>,
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
) -> Option<FlatPages> {
    (count > 0).then(|| pages::flat(request, page, per_page, count, total))
}

/// The service's page, its rows rendered once ([`order_page`] renders the answer).
fn rendered(reply: pb::OrderPage) -> Result<KeptPage, ServiceError> {
    let rows: Vec<OrderRow> = reply.orders.into_iter().map(OrderRow::from).collect();
    KeptPage::render(
        reply.version,
        reply.page,
        reply.per_page,
        reply.total,
        &rows,
    )
}

/// [`OrderPageResponse`] with its rows already rendered.
#[derive(Serialize)]
struct RenderedOrderPage<'a> {
    #[serde(flatten)]
    head: Head,
    data: &'a RawValue,
    pages: Option<FlatPages>,
}

fn order_page(request: &HttpRequest, page: &KeptPage) -> ApiResult {
    Ok(envelope::ok(&RenderedOrderPage {
        head: Head::ok("获取订单列表成功", "获取订单列表成功"),
        data: &page.rows,
        pages: pages_or_null(request, page.page, page.per_page, page.count, page.total),
    }))
}

/// A bill as 000 §4.1.2 renders it, with the orders it paid.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillRow {
    pub id: i64,
    /// `0.02` (元, without the unit).
    pub total_amount: String,
    /// Beijing time, `2020-12-13 10:48:02`.
    pub paid_at: String,
    /// 微信支付流水号.
    pub payment_number: String,
    /// 商户单号.
    pub payment_shop_number: String,
    pub orders: Vec<OrderRow>,
}

impl From<pb::Bill> for BillRow {
    fn from(bill: pb::Bill) -> Self {
        Self {
            id: bill.id,
            total_amount: kit::money::yuan_decimal(bill.total_amount_fen),
            paid_at: kit::time::beijing_datetime(bill.paid_at),
            payment_number: bill.payment_number,
            payment_shop_number: bill.payment_shop_number,
            orders: bill.orders.into_iter().map(OrderRow::from).collect(),
        }
    }
}

fn bill_page(request: &HttpRequest, reply: pb::BillPage) -> ApiResult {
    let pages = pages_or_null(
        request,
        reply.page,
        reply.per_page,
        reply.bills.len(),
        reply.total,
    );
    Ok(envelope::ok(&BillPageResponse {
        head: Head::ok("成功获取账单列表", "成功获取账单列表Payments234"),
        data: reply.bills.into_iter().map(BillRow::from).collect(),
        pages,
    }))
}

/// Whom an order is for (001 §2.1.1 `type`).
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PayerKind {
    House,
    Phone,
    Idcard,
    CarNumber,
    ParkingNumber,
}

/// 001 §2.1.1 `identifier`: the fields its `type` needs — `louhao`, `danyuan`, `louceng`,
/// `fangjian` for a house; `phone` (and `name`) for a phone; `idcard`; `number` for a plate or a
/// parking spot.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Identifier {
    louhao: Option<Level>,
    danyuan: Option<Level>,
    louceng: Option<Level>,
    fangjian: Option<Level>,
    phone: Option<Phone>,
    name: Option<Text<50>>,
    idcard: Option<IdCard>,
    number: Option<Text<32>>,
}

/// 001 §2.1.1's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateOrderInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    r#type: PayerKind,
    #[schema(value_type = Identifier)]
    identifier: Nested<Identifier>,
    #[schema(example = "2020年12月物业费")]
    title: Text<50>,
    remark: Option<Text<200>>,
    extra: Option<JsonObject<4000>>,
    /// 元, at most 2 decimals.
    #[schema(example = "0.01")]
    amount: Yuan,
    /// The community's name when absent.
    manager: Option<Text<50>>,
}

impl CreateOrderInput {
    /// The payer its `type` names, from the `identifier` fields that type needs.
    fn payer(&self) -> Result<pb::create_order_request::Payer, kit::error::ServiceError> {
        use pb::create_order_request::Payer;
        let id = &self.identifier.0;
        let need = |name: &str| ServiceError::missing(&format!("identifier.{name}"));
        let level =
            |value: Option<Level>, name: &str| value.map(Level::get).ok_or_else(|| need(name));
        let phone = || id.phone.as_ref().map(|p| p.0.as_str().to_owned());
        let idcard = || id.idcard.as_ref().map(|i| i.0.as_str().to_owned());
        let number = || id.number.as_ref().map(|n| n.as_str().to_owned());
        Ok(match self.r#type {
            PayerKind::House => Payer::House(pb::HouseAddress {
                louhao: level(id.louhao, "louhao")?,
                danyuan: level(id.danyuan, "danyuan")?,
                louceng: level(id.louceng, "louceng")?,
                fangjian: level(id.fangjian, "fangjian")?,
            }),
            PayerKind::Phone => Payer::Phone(pb::PhonePayer {
                phone: phone().ok_or_else(|| need("phone"))?,
                name: id.name.as_ref().map(|name| name.as_str().to_owned()),
            }),
            PayerKind::Idcard => Payer::Idcard(idcard().ok_or_else(|| need("idcard"))?),
            PayerKind::CarNumber => Payer::CarNumber(number().ok_or_else(|| need("number"))?),
            PayerKind::ParkingNumber => {
                Payer::ParkingNumber(number().ok_or_else(|| need("number"))?)
            }
        })
    }
}

/// [`CreateOrderInput`] with the rule its schema alone cannot say: which `identifier` fields each
/// `type` needs.
pub struct CreateOrderBody;

impl PartialSchema for CreateOrderBody {
    fn schema() -> RefOr<Schema> {
        use crate::input::{exactly_one_of, field_is, requires};
        let needs = |kind: &str, fields: &[&str]| {
            field_is("type", kind).property("identifier", requires(fields))
        };
        crate::input::schema_with_rule::<CreateOrderInput>(exactly_one_of([
            needs("house", &["louhao", "danyuan", "louceng", "fangjian"]),
            needs("phone", &["phone"]),
            needs("idcard", &["idcard"]),
            needs("car_number", &["number"]),
            needs("parking_number", &["number"]),
        ]))
    }
}

impl ToSchema for CreateOrderBody {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        crate::input::register_input::<CreateOrderInput>(schemas);
    }
}

/// 001 §2.1.1 生成订单: `type` house / phone / idcard with its `identifier`; code 2 查无此人,
/// code 3 用户未注册.
#[utoipa::path(post, path = "/api/v1/wjdh/order/new", tag = "001 §2.1 订单",
    request_body = CreateOrderBody,
    responses((status = 200, body = OrderNumberResponse, description = "code 0, or 2 查无此人 / 3 用户未注册"),
              (status = 400, body = Failure), (status = 403, body = Failure, description = "您没有权限管理该小区")),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<CreateOrderInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = pb::CreateOrderRequest {
        platform: Some(platform.reference()),
        payer: Some(input.payer()?),
        xiaoqu: input.xiaoqu.as_str().to_owned(),
        title: input.title.as_str().to_owned(),
        remark: input.remark.as_ref().map(|text| text.as_str().to_owned()),
        extra: input.extra.as_ref().map(|extra| extra.0.clone()),
        amount_fen: input.amount.fen(),
        manager: input.manager.as_ref().map(|text| text.as_str().to_owned()),
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

/// The address-tree filter of the platform's lists (each level needs the one above it: the
/// service's rule).
fn address_filter(levels: [Option<Level>; 4]) -> pb::AddressFilter {
    let [louhao, danyuan, louceng, fangjian] = levels.map(|level| level.map(Level::get));
    pb::AddressFilter {
        louhao,
        danyuan,
        louceng,
        fangjian,
    }
}

/// A person by ID number and/or phone; `name` goes with `phone`.
fn person_filter(
    idcard: Option<IdCard>,
    phone: Option<Phone>,
    name: Option<Text<50>>,
) -> pb::PersonFilter {
    pb::PersonFilter {
        idcard: idcard.map(|id| id.0.as_str().to_owned()),
        phone: phone.map(|phone| phone.0.as_str().to_owned()),
        name: name.map(Text::into_string),
    }
}

/// 001 §2.1.2's filters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ListOrdersInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    louhao: Option<Level>,
    danyuan: Option<Level>,
    louceng: Option<Level>,
    fangjian: Option<Level>,
    idcard: Option<IdCard>,
    phone: Option<Phone>,
    /// With `phone`.
    name: Option<Text<50>>,
    title: Option<Text<50>>,
    /// 0 已关闭, 1 进行中.
    status: Option<Flag>,
    /// 0 未付款, 1 已付款.
    paied: Option<Flag>,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

/// 001 §2.1.2 订单列表/查询订单.
#[utoipa::path(post, path = "/api/v1/wjdh/order/list", tag = "001 §2.1 订单",
    request_body = ListOrdersInput,
    responses((status = 200, body = OrderPageResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<ListOrdersInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let mut message = pb::ListOrdersRequest {
        platform: Some(platform.reference()),
        xiaoqu: input.xiaoqu.into_string(),
        house: Some(address_filter([
            input.louhao,
            input.danyuan,
            input.louceng,
            input.fangjian,
        ])),
        person: Some(person_filter(input.idcard, input.phone, input.name)),
        title: input.title.map(Text::into_string),
        open: input.status.map(Flag::get),
        paied: input.paied.map(Flag::get),
        paging: Some(paging(input.page, input.per_page)),
        known_version: None,
    };
    let asked = state.pages.ask(&message);
    message.known_version = asked.known_version();
    let reply = state
        .call(
            "orders",
            state.orders().list_orders(request_id.grpc(message)),
        )
        .await?;
    let unchanged = reply.unchanged;
    let page = state
        .pages
        .answer(asked, unchanged, reply.version, || rendered(reply))?;
    state
        .metrics
        .observe_page("/api/v1/wjdh/order/list", unchanged);
    order_page(&request, &page)
}

/// The resident's list filters, the same for orders (000 §4.1.1) and bills (000 §4.1.2, where
/// `paied` means the paid orders' status: 1 进行中, 0 已关闭, as the seed has it).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResidentListInput {
    paied: Option<Flag>,
    title: Option<Text<50>>,
    house_id: Option<Id>,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

impl ResidentListInput {
    fn message(self, resident: &ResidentCaller) -> pb::ResidentOrdersRequest {
        pb::ResidentOrdersRequest {
            user_id: resident.user_id,
            paied: self.paied.map(Flag::get),
            title: self.title.map(Text::into_string),
            house_id: self.house_id.map(Id::get),
            paging: Some(paging(self.page, self.per_page)),
        }
    }
}

/// 000 §4.1.1 订单列表: orders of the houses where the resident may pay, and their own.
#[utoipa::path(post, path = "/api/v1/orders/list", tag = "000 §4 订单支付",
    request_body = ResidentListInput,
    responses((status = 200, body = OrderPageResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn resident_list(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ResidentListInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = input.into_inner().message(&resident);
    let reply = state
        .call(
            "orders",
            state.orders().resident_orders(request_id.grpc(message)),
        )
        .await?;
    order_page(&request, &rendered(reply)?)
}

/// 000 §4.1.2 账单列表: the bills of the resident's payments, each with the orders it paid.
#[utoipa::path(post, path = "/api/v1/payments/list", tag = "000 §4 订单支付",
    request_body = ResidentListInput,
    responses((status = 200, body = BillPageResponse)), security(("bearer" = [])))]
pub async fn resident_bills(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ResidentListInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = input.into_inner().message(&resident);
    let reply = state
        .call(
            "orders",
            state.orders().resident_bills(request_id.grpc(message)),
        )
        .await?;
    bill_page(&request, reply)
}

/// 001 §2.1.3's filters: the order list's, the payment's dates (Beijing, inclusive) and numbers.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ListBillsInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    louhao: Option<Level>,
    danyuan: Option<Level>,
    louceng: Option<Level>,
    fangjian: Option<Level>,
    /// The payer's.
    idcard: Option<IdCard>,
    /// The payer's.
    phone: Option<Phone>,
    /// With `phone`.
    name: Option<Text<50>>,
    /// A paid order's title.
    title: Option<Text<50>>,
    #[schema(example = "2020-12-13")]
    paid_from: Option<Date>,
    #[schema(example = "2020-12-31")]
    paid_to: Option<Date>,
    /// 微信支付流水号.
    payment_number: Option<Text<64>>,
    /// 商户单号.
    payment_shop_number: Option<Text<32>>,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

/// 001 §2.1.3 账单列表/账单查询 (未开发 in the seed): the community's bills, filtered like the
/// order list, by payment date (Beijing, inclusive) and by the payment's numbers.
#[utoipa::path(post, path = "/api/v1/wjdh/bill/list", tag = "001 §2.1 订单",
    request_body = ListBillsInput,
    responses((status = 200, body = BillPageResponse), (status = 403, body = Failure)),
    security(("bearer" = [])))]
pub async fn bills(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<ListBillsInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::ListBillsRequest {
        platform: Some(platform.reference()),
        xiaoqu: input.xiaoqu.into_string(),
        house: Some(address_filter([
            input.louhao,
            input.danyuan,
            input.louceng,
            input.fangjian,
        ])),
        person: Some(person_filter(input.idcard, input.phone, input.name)),
        title: input.title.map(Text::into_string),
        paid_from: input.paid_from.map(Date::day_start),
        paid_until: input.paid_to.map(Date::day_end),
        payment_number: input.payment_number.map(Text::into_string),
        payment_shop_number: input.payment_shop_number.map(Text::into_string),
        paging: Some(paging(input.page, input.per_page)),
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
    pub data: OrderRow,
}

/// The order to close: by `number`, or by `id`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseOrderInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    /// The order number.
    number: Option<Text<20>>,
    /// Or the order id.
    id: Option<Id>,
}

/// [`CloseOrderInput`] with its rule: `number` or `id`.
pub struct CloseOrderBody;

impl PartialSchema for CloseOrderBody {
    fn schema() -> RefOr<Schema> {
        use crate::input::{any_of, requires};
        crate::input::schema_with_rule::<CloseOrderInput>(any_of([
            requires(&["number"]),
            requires(&["id"]),
        ]))
    }
}

impl ToSchema for CloseOrderBody {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        crate::input::register_input::<CloseOrderInput>(schemas);
    }
}

/// Closes an open, unpaid order (`number` or `id`); its WeChat Pay order is closed first.
#[utoipa::path(post, path = "/api/v1/wjdh/order/close", tag = "001 §2.1 订单",
    request_body = CloseOrderBody,
    responses((status = 200, body = OrderResponse), (status = 404, body = Failure),
              (status = 409, body = Failure, description = "paid or already closed")),
    security(("bearer" = [])))]
pub async fn close(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<CloseOrderInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    use pb::close_order_request::Order;
    let order = match (input.number, input.id) {
        (Some(number), _) => Order::Number(number.into_string()),
        (None, Some(id)) => Order::Id(id.get()),
        (None, None) => return Err(ServiceError::missing("number").into()),
    };
    let message = pb::CloseOrderRequest {
        platform: Some(platform.reference()),
        xiaoqu: input.xiaoqu.into_string(),
        order: Some(order),
    };
    let reply = state
        .call(
            "orders",
            state.orders().close_order(request_id.grpc(message)),
        )
        .await?;
    Ok(envelope::ok(&OrderResponse {
        head: Head::ok("订单已关闭", "订单已关闭"),
        data: OrderRow::from(reply),
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

/// 000 §4.2.1's field.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PayInput {
    /// Order ids joined by A.
    #[schema(example = "21A22A23")]
    /// At most 50 orders at once.
    ids: JoinedIds<50>,
}

/// 000 §4.2.1 支付接口: `ids` = `21A22A23`; one WeChat Pay order for their sum.
#[utoipa::path(post, path = "/api/v1/weapp/payment", tag = "000 §4 订单支付",
    request_body = PayInput,
    responses((status = 200, body = PayResponse), (status = 403, body = Failure, description = "no right to pay, or 生活缴费 off"),
              (status = 409, body = Failure, description = "paid or closed")),
    security(("bearer" = [])))]
pub async fn pay(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    client_ip: crate::middleware::ClientIp,
    input: Result<Input<PayInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = pb::PayRequest {
        user_id: resident.user_id,
        ids: input.ids.0.iter().copied().collect(),
        client_ip: client_ip.0.to_string(),
    };
    let reply = state
        .call("orders", state.orders().pay(request_id.grpc(message)))
        .await?;
    Ok(envelope::ok(&PayResponse {
        head: Head::ok("成功获取缴费信息", "成功获取缴费信息"),
        data: request_payment(reply),
    }))
}

/// 000 §4.2.1's `data`: what the mini-program passes to `wx.requestPayment`.
pub(crate) fn request_payment(reply: pb::PayReply) -> Value {
    json!({
        "appId": reply.app_id,
        "timeStamp": reply.time_stamp,
        "nonceStr": reply.nonce_str,
        "package": reply.package,
        "signType": reply.sign_type,
        "paySign": reply.pay_sign,
    })
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
    let message = notification(&request, body);
    let answer = state
        .call(
            "orders",
            state
                .orders()
                .payment_notification(request_id.grpc(message)),
        )
        .await;
    wechat_pay_answer(answer)
}

/// WeChat Pay's refund notification (退款结果通知): svc-orders verifies it (v3: signature and
/// AES-256-GCM; v2: `req_info`, AES-256-ECB) and records the refund once; WeChat Pay's own
/// answer format comes back.
#[utoipa::path(post, path = "/api/v1/weapp/payment/refund_notify", tag = "000 §4 订单支付",
    request_body(content = String, description = "WeChat Pay's refund notification (v3 JSON or v2 XML)"),
    responses((status = 200, description = "accepted (WeChat Pay's format)"), (status = 500, description = "not accepted: WeChat Pay retries")))]
pub async fn refund_notify(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    body: web::Bytes,
) -> actix_web::HttpResponse {
    let message = notification(&request, body);
    let answer = state
        .call(
            "orders",
            state.orders().refund_notification(request_id.grpc(message)),
        )
        .await;
    wechat_pay_answer(answer)
}

/// A WeChat Pay notification as received: headers (lower-case names) and the raw body.
fn notification(request: &HttpRequest, body: web::Bytes) -> pb::NotificationRequest {
    let headers = request
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            value.to_str().ok().map(|value| pb::Header {
                name: name.as_str().to_ascii_lowercase(),
                value: value.to_owned(),
            })
        })
        .collect();
    pb::NotificationRequest {
        headers,
        body: body.to_vec(),
    }
}

/// svc-orders's answer for WeChat Pay, in WeChat Pay's format.
fn wechat_pay_answer(answer: Result<pb::NotificationReply, ApiError>) -> actix_web::HttpResponse {
    match answer {
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

/// 账单退款: a bill of the credential's community (`bill_id`, as the bill list gives it), how much
/// of it goes back (`amount`, 元, at most what is left of the bill), the platform's own number for
/// this refund (`refund_number`: 1–64 letters, digits, `_` or `-`; the same number again is the
/// same refund) and the reason WeChat Pay shows the payer (`reason`, at most 80 characters).
#[derive(Debug, Deserialize, ToSchema)]
pub struct RefundBillInput {
    xiaoqu: Xiaoqu,
    bill_id: Id,
    #[schema(example = "30.00")]
    amount: Yuan,
    #[schema(example = "TK20261203001")]
    refund_number: Text<64>,
    reason: Option<Text<80>>,
}

/// 退款中 / 已退款 / 退款失败.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub enum RefundStatus {
    #[serde(rename = "退款中")]
    Pending,
    #[serde(rename = "已退款")]
    Refunded,
    #[serde(rename = "退款失败")]
    Failed,
}

/// A refund as the platform sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillRefundRow {
    pub bill_id: i64,
    /// The platform's own number for the refund.
    pub refund_number: String,
    /// WeChat Pay's 商户退款单号.
    pub out_refund_no: String,
    /// 元, `30.00`.
    pub amount: String,
    pub reason: String,
    pub status: RefundStatus,
    /// WeChat Pay's reason, for 退款失败.
    pub failure: String,
    /// Beijing time.
    pub created_at: String,
    /// Beijing time; `null` until refunded.
    #[schema(required = true)]
    pub refunded_at: Option<String>,
}

impl From<pb::BillRefund> for BillRefundRow {
    fn from(r: pb::BillRefund) -> Self {
        let status = match r.state.as_str() {
            "succeeded" => RefundStatus::Refunded,
            "failed" => RefundStatus::Failed,
            _ => RefundStatus::Pending,
        };
        Self {
            bill_id: r.bill_id,
            refund_number: r.refund_number,
            out_refund_no: r.out_refund_no,
            amount: kit::money::yuan_decimal(r.amount_fen),
            reason: r.reason,
            status,
            failure: r.failure,
            created_at: kit::time::beijing_datetime(r.created_at),
            refunded_at: (r.refunded_at > 0).then(|| kit::time::beijing_datetime(r.refunded_at)),
        }
    }
}

/// One refund.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillRefundResponse {
    #[serde(flatten)]
    pub head: Head,
    pub data: BillRefundRow,
}

/// The refunds, the latest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct BillRefundsResponse {
    #[serde(flatten)]
    pub head: Head,
    pub data: Vec<BillRefundRow>,
}

/// 账单退款: the platform refunds a bill of its community in whole or in part, the way it was paid
/// (WeChat Pay); the refund is 退款中 until WeChat Pay has paid it back (已退款) or refused it
/// (退款失败, with WeChat Pay's reason). Asked again with the same `refund_number`, the same refund.
#[utoipa::path(post, path = "/api/v1/wjdh/bill/refund", tag = "001 §2.1 订单",
    request_body = RefundBillInput,
    responses((status = 200, body = BillRefundResponse), (status = 403, body = Failure), (status = 404, body = Failure, description = "没有找到该账单"), (status = 409, body = Failure, description = "该退款单号已用于另一金额的退款")),
    security(("bearer" = [])))]
pub async fn refund_bill(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<RefundBillInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let message = pb::RefundBillRequest {
        platform: Some(platform.reference()),
        xiaoqu: i.xiaoqu.into_string(),
        bill_id: i.bill_id.get(),
        amount_fen: i.amount.fen(),
        refund_number: i.refund_number.into_string(),
        reason: i.reason.map(Text::into_string).unwrap_or_default(),
    };
    let refund = state
        .call(
            "orders",
            state.orders().refund_bill(request_id.grpc(message)),
        )
        .await?;
    Ok(envelope::ok(&BillRefundResponse {
        head: Head::ok("退款已受理", "退款已受理"),
        data: BillRefundRow::from(refund),
    }))
}

/// 账单退款列表: the community (`xiaoqu`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct BillRefundsInput {
    xiaoqu: Xiaoqu,
}

/// 账单退款列表: the refunds of the credential's community's bills, the latest first (at most
/// 200): those it asked for, and second payments refunded on their own; a 退款失败 one waits for
/// the platform's decision.
#[utoipa::path(post, path = "/api/v1/wjdh/bill/refunds", tag = "001 §2.1 订单",
    request_body = BillRefundsInput,
    responses((status = 200, body = BillRefundsResponse), (status = 403, body = Failure)),
    security(("bearer" = [])))]
pub async fn bill_refunds(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<BillRefundsInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let message = pb::BillRefundsRequest {
        platform: Some(platform.reference()),
        xiaoqu: i.xiaoqu.into_string(),
    };
    let list = state
        .call(
            "orders",
            state.orders().bill_refunds(request_id.grpc(message)),
        )
        .await?;
    Ok(envelope::ok(&BillRefundsResponse {
        head: Head::ok("成功获取退款列表", "成功获取退款列表"),
        data: list.refunds.into_iter().map(BillRefundRow::from).collect(),
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The answer rendered from kept rows is the one the document's `OrderPageResponse` gives.
    #[test]
    fn a_page_rendered_from_its_kept_rows_is_the_documented_answer_byte_for_byte() {
        let order = |id: i64, house: &str| pb::Order {
            id,
            number: format!("2020121311493136769{id}"),
            title: "物业费".to_owned(),
            amount_fen: 1250,
            open: id % 2 == 0,
            paied: id % 2 == 1,
            remark: "2020年物业费征收".to_owned(),
            extra: r#"{"单价":"100元/平方"}"#.to_owned(),
            house: house.to_owned(),
            manager: "晨曦家园".to_owned(),
            shop_number: if id % 2 == 1 {
                "wx1".to_owned()
            } else {
                String::new()
            },
            house_id: 11,
        };
        let reply = pb::OrderPage {
            orders: vec![order(1, "晨曦家园1栋1单元1楼101号"), order(2, "")],
            page: 1,
            per_page: 20,
            total: 2,
            version: 3,
            unchanged: false,
        };
        let request = actix_web::test::TestRequest::post()
            .uri("http://127.0.0.1/api/v1/wjdh/order/list")
            .to_http_request();
        let documented = OrderPageResponse {
            head: Head::ok("获取订单列表成功", "获取订单列表成功"),
            data: reply.orders.iter().cloned().map(OrderRow::from).collect(),
            pages: pages_or_null(&request, 1, 20, 2, 2),
        };
        let answer = order_page(&request, &rendered(reply).unwrap()).unwrap();
        let body = actix_web::body::to_bytes(answer.into_body());
        let body = futures::executor::block_on(body).unwrap();
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            serde_json::to_string(&documented).unwrap()
        );
    }
}
