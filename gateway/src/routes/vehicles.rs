//! Cars and parking spots, the payers of 001 §2.1.1's `car_number` and `parking_number` orders:
//! residents bind their plates and see their spots under `/api/v1/weapp/`; the security platform
//! assigns, releases and lists its communities' spots under `/api/v1/wjdh/parking/`. A plate
//! another user holds moves only through a transfer claim the platform of the claimant's
//! community confirms (`/api/v1/weapp/car/transfer`, `/api/v1/wjdh/car/transfers`,
//! `/api/v1/wjdh/car/transfer`). The rules live in svc-yibiaosanshi.
use actix_web::{HttpRequest, web};
use proto::yibiaosanshi as pb;
use proto::yibiaosanshi::vehicles_client::VehiclesClient;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::{PlatformCaller, ResidentCaller};
use crate::envelope::{self, ApiError, ApiResult, Failure, Head};
use crate::input::{
    Digits, Flag, Id, Input, Int, Page, PerPage, Phone, PlateNumber, SpotNo, Text, Xiaoqu,
};
use crate::middleware::RequestId;
use crate::routes::reviews::PageResponse;
use crate::state::AppState;

/// Why a plate is the claimant's, or why the platform decided as it did.
pub type Reason = Text<200>;

/// `page` / `per_page` (defaults 1 and 20).
fn paging(page: Option<Page>, per_page: Option<PerPage>) -> (i64, i64) {
    crate::input::paging(page, per_page)
}

const TAG_RESIDENT: &str = "车辆与车位（小程序）";
const TAG_PLATFORM: &str = "001 §2.1 车辆与车位（安防平台）";

fn vehicles(state: &AppState) -> VehiclesClient<kit::caller::CallerChannel> {
    VehiclesClient::new(state.through_layer(&state.channels.yibiaosanshi))
}

/// A success with `data`.
#[derive(Debug, Serialize, ToSchema)]
pub struct VehicleResponse {
    #[serde(flatten)]
    pub head: Head,
    /// An object or a list, as the operation says (any JSON value).
    pub data: Value,
}

fn ok(msg: &str, data: Value) -> ApiResult {
    Ok(envelope::ok(&VehicleResponse {
        head: Head::ok(msg, msg),
        data,
    }))
}

fn time(unix: i64) -> Value {
    if unix == 0 {
        Value::Null
    } else {
        Value::from(kit::time::beijing_chinese(unix))
    }
}

fn car_json(car: pb::Car) -> Value {
    json!({"id": car.id, "number": car.number, "created_at": time(car.created_at)})
}

/// A spot; `name` and `phone` (whole: only the resident and the managing platform see spots)
/// are null while it is free.
fn spot_json(spot: pb::Spot) -> Value {
    let text_or_null = |text: String| {
        if spot.assigned {
            Value::from(text)
        } else {
            Value::Null
        }
    };
    json!({
        "id": spot.id,
        "xiaoqu": spot.community_identifier,
        "community_name": spot.community_name,
        "number": spot.number,
        "assigned": i32::from(spot.assigned),
        "name": text_or_null(spot.name),
        "phone": text_or_null(spot.phone),
        "assigned_at": time(spot.assigned_at),
        "created_at": time(spot.created_at),
        "updated_at": time(spot.updated_at),
    })
}

/// 车辆列表: the resident's bound plates, oldest first.
#[utoipa::path(post, path = "/api/v1/weapp/cars", tag = TAG_RESIDENT,
    responses((status = 200, body = VehicleResponse)), security(("bearer" = [])))]
pub async fn my_cars(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
) -> ApiResult {
    let message = pb::MyCarsRequest {
        resident: Some(resident.reference()),
    };
    let reply = state
        .call(
            "yibiaosanshi",
            vehicles(&state).list_my_cars(request_id.grpc(message)),
        )
        .await?;
    let rows: Vec<Value> = reply.cars.into_iter().map(car_json).collect();
    ok("获取车辆列表成功", Value::from(rows))
}

/// 绑定车辆's field.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BindCarInput {
    /// 车牌号; spaces, case and the printed `·` do not matter.
    #[schema(example = "冀C12345")]
    number: PlateNumber,
}

/// 解绑车辆's field.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UnbindCarInput {
    /// 车牌号 as bound; spaces and case do not matter.
    #[schema(example = "冀C12345")]
    number: Text<32>,
}

/// 绑定车辆: a mainland plate (冀C12345, new-energy 冀CD12345); at most 5, and a plate belongs
/// to one user at a time. Needed before 001 §2.1.1 `car_number` orders reach the resident. A
/// plate another user holds is refused: claim it with `/api/v1/weapp/car/transfer`.
#[utoipa::path(post, path = "/api/v1/weapp/car/bind", tag = TAG_RESIDENT,
    request_body = BindCarInput,
    responses((status = 200, body = VehicleResponse), (status = 400, body = Failure, description = "车牌号格式不正确"),
              (status = 409, body = Failure, description = "bound by another user (claim it with /api/v1/weapp/car/transfer), or 5 cars already")),
    security(("bearer" = [])))]
pub async fn bind_car(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<BindCarInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = pb::CarRequest {
        resident: Some(resident.reference()),
        number: input.into_inner().number.into_inner().as_str().to_owned(),
    };
    let car = state
        .call(
            "yibiaosanshi",
            vehicles(&state).bind_car(request_id.grpc(message)),
        )
        .await?;
    ok("车辆绑定成功", car_json(car))
}

/// 解绑车辆: one of the resident's plates.
#[utoipa::path(post, path = "/api/v1/weapp/car/unbind", tag = TAG_RESIDENT,
    request_body = UnbindCarInput,
    responses((status = 200, body = Head), (status = 404, body = Failure, description = "您没有绑定该车牌")),
    security(("bearer" = [])))]
pub async fn unbind_car(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<UnbindCarInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = pb::CarRequest {
        resident: Some(resident.reference()),
        number: input.into_inner().number.into_string(),
    };
    state
        .call(
            "yibiaosanshi",
            vehicles(&state).unbind_car(request_id.grpc(message)),
        )
        .await?;
    Ok(envelope::ok(&Head::ok("车辆解绑成功", "车辆解绑成功")))
}

/// 我的车位: the spots assigned to the resident, in every community.
#[utoipa::path(post, path = "/api/v1/weapp/parking", tag = TAG_RESIDENT,
    responses((status = 200, body = VehicleResponse)), security(("bearer" = [])))]
pub async fn my_spots(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
) -> ApiResult {
    let message = pb::MySpotsRequest {
        resident: Some(resident.reference()),
    };
    let reply = state
        .call(
            "yibiaosanshi",
            vehicles(&state).list_my_spots(request_id.grpc(message)),
        )
        .await?;
    let rows: Vec<Value> = reply.spots.into_iter().map(spot_json).collect();
    ok("获取车位列表成功", Value::from(rows))
}

/// 车位列表's filters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ListSpotsInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    /// Numbers starting with this (A0 finds A012).
    number: Option<SpotNo>,
    /// 1 assigned, 0 free.
    assigned: Option<Flag>,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

/// 车位列表: a managed community's spots by number, with the documented `links` and `meta`.
#[utoipa::path(post, path = "/api/v1/wjdh/parking/list", tag = TAG_PLATFORM,
    request_body = ListSpotsInput,
    responses((status = 200, body = PageResponse), (status = 403, body = Failure, description = "您没有权限管理该小区")),
    security(("bearer" = [])))]
pub async fn list_spots(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<ListSpotsInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let input = input.into_inner();
    let (page, per_page) = paging(input.page, input.per_page);
    let message = pb::ListSpotsRequest {
        platform: Some(platform.reference()),
        xiaoqu: input.xiaoqu.into_string(),
        number_prefix: input.number.map(|n| n.into_inner().as_str().to_owned()),
        assigned: input.assigned.map(Flag::get),
        page,
        per_page,
    };
    let reply = state
        .call(
            "yibiaosanshi",
            vehicles(&state).list_spots(request_id.grpc(message)),
        )
        .await?;
    crate::routes::reviews::page(
        &request,
        "获取车位列表成功",
        reply.spots.into_iter().map(spot_json).collect(),
        reply.page,
        reply.per_page,
        reply.total,
    )
}

/// 分配车位's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignSpotInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    /// 1–16 letters, digits or -.
    #[schema(example = "A012")]
    number: SpotNo,
    /// The resident's registered phone.
    #[schema(example = "17600381130")]
    phone: Phone,
}

/// 释放车位's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReleaseSpotInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    #[schema(example = "A012")]
    number: SpotNo,
}

/// 分配车位: assigns spot `number` (created when new; reassigned when taken) to the registered
/// resident with `phone`, who must be bound to a house of the community. 001 §2.1.1
/// `parking_number` orders then reach them.
#[utoipa::path(post, path = "/api/v1/wjdh/parking/assign", tag = TAG_PLATFORM,
    request_body = AssignSpotInput,
    responses((status = 200, body = VehicleResponse),
              (status = 400, body = Failure, description = "bad number, or the phone is not a registered resident of the community"),
              (status = 403, body = Failure, description = "您没有权限管理该小区")),
    security(("bearer" = [])))]
pub async fn assign_spot(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<AssignSpotInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let input = input.into_inner();
    let message = pb::AssignSpotRequest {
        platform: Some(platform.reference()),
        xiaoqu: input.xiaoqu.into_string(),
        number: input.number.into_inner().as_str().to_owned(),
        phone: input.phone.into_inner().as_str().to_owned(),
    };
    let spot = state
        .call(
            "yibiaosanshi",
            vehicles(&state).assign_spot(request_id.grpc(message)),
        )
        .await?;
    ok("车位分配成功", spot_json(spot))
}

/// 释放车位: the spot stays listed, free; `parking_number` orders for it find nobody.
#[utoipa::path(post, path = "/api/v1/wjdh/parking/release", tag = TAG_PLATFORM,
    request_body = ReleaseSpotInput,
    responses((status = 200, body = VehicleResponse), (status = 403, body = Failure),
              (status = 404, body = Failure, description = "没有找到该车位")),
    security(("bearer" = [])))]
pub async fn release_spot(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<ReleaseSpotInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let input = input.into_inner();
    let message = pb::ReleaseSpotRequest {
        platform: Some(platform.reference()),
        xiaoqu: input.xiaoqu.into_string(),
        number: input.number.into_inner().as_str().to_owned(),
    };
    let spot = state
        .call(
            "yibiaosanshi",
            vehicles(&state).release_spot(request_id.grpc(message)),
        )
        .await?;
    ok("车位已释放", spot_json(spot))
}

/// A plate transfer claim: the claimant (a resident of the community) whole, the holder masked.
fn transfer_json(transfer: pb::CarTransfer) -> Value {
    let text_or_null = |text: String| {
        if text.is_empty() {
            Value::Null
        } else {
            Value::from(text)
        }
    };
    json!({
        "id": transfer.id,
        "xiaoqu": transfer.community_identifier,
        "number": transfer.number,
        "status": transfer.status,
        "name": transfer.claimant_name,
        "phone": transfer.claimant_phone,
        "holder_phone": text_or_null(transfer.holder_phone),
        "reason": transfer.reason,
        "decision_reason": text_or_null(transfer.decision_reason),
        "created_at": time(transfer.created_at),
        "decided_at": time(transfer.decided_at),
    })
}

/// 申请转绑车牌's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TransferInput {
    /// 车牌号.
    #[schema(example = "冀C12345")]
    number: PlateNumber,
    /// The community whose platform decides.
    #[schema(example = "10002")]
    xiaoqu: Option<Xiaoqu>,
    /// e.g. 行驶证在物业核验.
    reason: Option<Reason>,
}

/// 申请转绑车牌: the plate is bound by another user and the caller says it is theirs. The claim
/// waits for the platform of the caller's community (`xiaoqu`, where they are bound; may be left
/// out when they are bound in one community); until it confirms, the plate and its
/// `car_number` orders stay with the holder.
#[utoipa::path(post, path = "/api/v1/weapp/car/transfer", tag = TAG_RESIDENT,
    request_body = TransferInput,
    responses((status = 200, body = VehicleResponse, description = "status 2: waiting for the platform"),
              (status = 400, body = Failure), (status = 403, body = Failure, description = "not bound to a house of the community"),
              (status = 409, body = Failure, description = "nobody else holds the plate, or the caller does")),
    security(("bearer" = [])))]
pub async fn request_transfer(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<TransferInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let input = input.into_inner();
    let message = pb::CarTransferRequest {
        resident: Some(resident.reference()),
        number: input.number.into_inner().as_str().to_owned(),
        xiaoqu: input.xiaoqu.map(Digits::into_string),
        reason: input.reason.map(Text::into_string),
    };
    let claim = state
        .call(
            "yibiaosanshi",
            vehicles(&state).request_car_transfer(request_id.grpc(message)),
        )
        .await?;
    ok("转绑申请已提交，等待物业确认", transfer_json(claim))
}

/// 车牌转绑申请列表's filters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ListTransfersInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    /// 2 waiting, 1 confirmed, 0 refused.
    status: Option<Int<0, 2>>,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

/// 车牌转绑申请列表: the claims of a managed community, newest first (`status` 2 waiting / 1
/// confirmed / 0 refused), with the documented `links` and `meta`.
#[utoipa::path(post, path = "/api/v1/wjdh/car/transfers", tag = TAG_PLATFORM,
    request_body = ListTransfersInput,
    responses((status = 200, body = PageResponse), (status = 403, body = Failure, description = "您没有权限管理该小区")),
    security(("bearer" = [])))]
pub async fn list_transfers(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<ListTransfersInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let input = input.into_inner();
    let (page, per_page) = paging(input.page, input.per_page);
    let message = pb::ListCarTransfersRequest {
        platform: Some(platform.reference()),
        xiaoqu: input.xiaoqu.into_string(),
        // 0..=2 by the type: fits.
        status: input.status.map(|status| status.get() as i32),
        page,
        per_page,
    };
    let reply = state
        .call(
            "yibiaosanshi",
            vehicles(&state).list_car_transfers(request_id.grpc(message)),
        )
        .await?;
    crate::routes::reviews::page(
        &request,
        "获取车牌转绑申请成功",
        reply.transfers.into_iter().map(transfer_json).collect(),
        reply.page,
        reply.per_page,
        reply.total,
    )
}

/// 处理车牌转绑申请's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecideTransferInput {
    /// The claim's id.
    id: Id,
    /// 1 confirm, 0 refuse.
    status: Flag,
    reason: Option<Reason>,
}

/// 处理车牌转绑申请: `status` 1 confirms (the plate moves to the claimant, and `car_number`
/// orders with it), 0 refuses (the plate stays); `reason` optional.
#[utoipa::path(put, path = "/api/v1/wjdh/car/transfer", tag = TAG_PLATFORM,
    request_body = DecideTransferInput,
    responses((status = 200, body = VehicleResponse), (status = 400, body = Failure),
              (status = 403, body = Failure, description = "您没有权限管理该小区"), (status = 404, body = Failure),
              (status = 409, body = Failure, description = "already decided, or the plate changed hands")),
    security(("bearer" = [])))]
pub async fn decide_transfer(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<DecideTransferInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let input = input.into_inner();
    let message = pb::DecideCarTransferRequest {
        platform: Some(platform.reference()),
        id: input.id.get(),
        confirm: input.status.get(),
        reason: input.reason.map(Text::into_string),
    };
    let decided = state
        .call(
            "yibiaosanshi",
            vehicles(&state).decide_car_transfer(request_id.grpc(message)),
        )
        .await?;
    let msg = if decided.status == 1 {
        "车牌已转绑"
    } else {
        "已拒绝车牌转绑"
    };
    ok(msg, transfer_json(decided))
}
