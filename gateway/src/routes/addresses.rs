//! 000 §2.1: the standard address tree, one level at a time (the parent is passed as `id`).
use actix_web::{HttpResponse, web};
use kit::error::ServiceError;
use proto::yibiaosanshi::{
    self as pb, ChildrenRequest, ListBuildingsRequest, ListCommunitiesRequest,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::ResidentCaller;
use crate::envelope::{self, ApiError, ApiResult, Failure, Head};
use crate::input::{Id, Input, Xiaoqu};
use crate::middleware::RequestId;
use crate::state::AppState;

/// 000 §2.1.2's field.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommunityIdInput {
    /// The community's `community_identifier`.
    #[schema(example = "10002")]
    id: Xiaoqu,
}

/// 000 §2.1.3–§2.1.5's field.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ParentInput {
    /// The parent row's id: the building's (units), the unit's (floors), the floor's (houses).
    #[schema(example = 1)]
    id: Id,
}

/// The seeds print `community_identifier` as a number below the community level.
fn identifier_number(identifier: &str) -> Value {
    identifier
        .parse::<i64>()
        .map_or_else(|_| Value::from(identifier), Value::from)
}

/// A list answer: the head and the rows in `data`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResponse<T: ToSchema> {
    #[serde(flatten)]
    pub head: Head,
    pub data: Vec<T>,
}

/// 2.1.1 data row.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunityRow {
    pub id: i64,
    pub city_id: Option<i64>,
    pub community_name: String,
    /// The id to pass to `/api/v1/buildings`.
    #[schema(example = "10002")]
    pub community_identifier: String,
    pub community_pinyin: String,
    pub community_type: i32,
    pub community_order: i32,
    pub community_value1: Option<String>,
    pub community_value2: Option<String>,
    pub community_value3: Option<String>,
    pub deleted_at: Option<String>,
}

/// 2.1.2 data row.
#[derive(Debug, Serialize, ToSchema)]
pub struct BuildingRow {
    /// The id to pass to `/api/v1/units`.
    pub id: i64,
    #[schema(value_type = i64)]
    pub community_identifier: Value,
    pub building_number: i64,
    pub building_name: String,
    pub deleted_at: Option<String>,
}

/// 2.1.3 data row.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitRow {
    /// The id to pass to `/api/v1/floors`.
    pub id: i64,
    pub building_id: i64,
    #[schema(value_type = i64)]
    pub community_identifier: Value,
    pub unit_number: i64,
    pub unit_name: String,
    pub deleted_at: Option<String>,
}

/// 2.1.4 data row.
#[derive(Debug, Serialize, ToSchema)]
pub struct FloorRow {
    /// The id to pass to `/api/v1/houses`.
    pub id: i64,
    pub unit_id: i64,
    #[schema(value_type = i64)]
    pub community_identifier: Value,
    pub floor_number: i64,
    pub floor_name: String,
    pub deleted_at: Option<String>,
}

/// 2.1.5 data row.
#[derive(Debug, Serialize, ToSchema)]
pub struct HouseRow {
    pub id: i64,
    pub floor_id: i64,
    #[schema(value_type = i64)]
    pub community_identifier: Value,
    pub house_number: i64,
    pub house_name: String,
    /// 房屋类型: 单元楼, 筒子楼, 四合院, 独立平房, 自建小楼, 别墅, 自建, 其他.
    pub house_type: String,
    pub house_value1: Option<String>,
    pub house_value2: Option<String>,
    pub house_value3: Option<String>,
    pub deleted_at: Option<String>,
}

impl From<pb::Community> for CommunityRow {
    fn from(c: pb::Community) -> Self {
        Self {
            id: c.id,
            city_id: None,
            community_name: c.community_name,
            community_identifier: c.community_identifier,
            community_pinyin: c.community_pinyin,
            community_type: c.community_type,
            community_order: c.community_order,
            community_value1: None,
            community_value2: None,
            community_value3: None,
            deleted_at: None,
        }
    }
}

impl From<pb::Building> for BuildingRow {
    fn from(b: pb::Building) -> Self {
        Self {
            id: b.id,
            community_identifier: identifier_number(&b.community_identifier),
            building_number: b.building_number,
            building_name: b.building_name,
            deleted_at: None,
        }
    }
}

impl From<pb::Unit> for UnitRow {
    fn from(u: pb::Unit) -> Self {
        Self {
            id: u.id,
            building_id: u.building_id,
            community_identifier: identifier_number(&u.community_identifier),
            unit_number: u.unit_number,
            unit_name: u.unit_name,
            deleted_at: None,
        }
    }
}

impl From<pb::Floor> for FloorRow {
    fn from(f: pb::Floor) -> Self {
        Self {
            id: f.id,
            unit_id: f.unit_id,
            community_identifier: identifier_number(&f.community_identifier),
            floor_number: f.floor_number,
            floor_name: f.floor_name,
            deleted_at: None,
        }
    }
}

impl From<pb::House> for HouseRow {
    fn from(h: pb::House) -> Self {
        Self {
            id: h.id,
            floor_id: h.floor_id,
            community_identifier: identifier_number(&h.community_identifier),
            house_number: h.house_number,
            house_name: h.house_name,
            house_type: h.house_type,
            house_value1: None,
            house_value2: None,
            house_value3: None,
            deleted_at: None,
        }
    }
}

fn list<T: ToSchema + Serialize>(msg: &str, rows: Vec<T>) -> ApiResult {
    Ok(envelope::ok(&ListResponse {
        head: Head::ok(msg, msg),
        data: rows,
    }))
}

fn children(input: Input<ParentInput>, request_id: &RequestId) -> tonic::Request<ChildrenRequest> {
    let parent_id = input.into_inner().id.get();
    kit::grpc::request(ChildrenRequest { parent_id }, request_id.as_str())
}

/// 000 §2.1.1 获得小区 (no token).
#[utoipa::path(
    post,
    path = "/api/v1/communities",
    tag = "000 §2.1 基础数据",
    responses((status = 200, body = ListResponse<CommunityRow>))
)]
pub async fn communities(state: web::Data<AppState>, request_id: RequestId) -> ApiResult {
    // The answer is the same for everyone: it is made once per version of the list (issue 14:
    // at 1,000 communities, reading and writing the list was 97 % of the call).
    let body = state
        .communities
        .get_or_load(|| async {
            let request =
                kit::grpc::request(ListCommunitiesRequest::default(), request_id.as_str());
            let reply = state
                .call("yibiaosanshi", state.addresses().list_communities(request))
                .await?;
            let rows: Vec<CommunityRow> = reply
                .communities
                .into_iter()
                .map(CommunityRow::from)
                .collect();
            let msg = "获取到了小区";
            let body = serde_json::to_vec(&ListResponse {
                head: Head::ok(msg, msg),
                data: rows,
            })
            .map_err(ServiceError::internal)?;
            Ok::<_, ApiError>(web::Bytes::from(body))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(web::Bytes::clone(&body)))
}

/// 000 §2.1.2 获得楼栋: `id` is the community_identifier.
#[utoipa::path(
    post,
    path = "/api/v1/buildings",
    tag = "000 §2.1 基础数据",
    request_body = CommunityIdInput,
    responses(
        (status = 200, body = ListResponse<BuildingRow>),
        (status = 401, body = Failure, description = "token失效 (code 9)"),
        (status = 404, body = Failure, description = "没有找到该小区")
    ),
    security(("bearer" = []))
)]
pub async fn buildings(
    state: web::Data<AppState>,
    request_id: RequestId,
    _resident: ResidentCaller,
    input: Result<Input<CommunityIdInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = ListBuildingsRequest {
        community_identifier: input.into_inner().id.into_string(),
    };
    let request = kit::grpc::request(message, request_id.as_str());
    let reply = state
        .call("yibiaosanshi", state.addresses().list_buildings(request))
        .await?;
    list(
        "获取到了楼栋",
        reply.buildings.into_iter().map(BuildingRow::from).collect(),
    )
}

/// 000 §2.1.3 获得单元: `id` is the building id.
#[utoipa::path(
    post,
    path = "/api/v1/units",
    tag = "000 §2.1 基础数据",
    request_body = ParentInput,
    responses(
        (status = 200, body = ListResponse<UnitRow>),
        (status = 401, body = Failure, description = "token失效 (code 9)"),
        (status = 404, body = Failure, description = "没有找到该楼栋")
    ),
    security(("bearer" = []))
)]
pub async fn units(
    state: web::Data<AppState>,
    request_id: RequestId,
    _resident: ResidentCaller,
    input: Result<Input<ParentInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let reply = state
        .call(
            "yibiaosanshi",
            state.addresses().list_units(children(input, &request_id)),
        )
        .await?;
    list(
        "获取到了单元",
        reply.units.into_iter().map(UnitRow::from).collect(),
    )
}

/// 000 §2.1.4 获得楼层: `id` is the unit id.
#[utoipa::path(
    post,
    path = "/api/v1/floors",
    tag = "000 §2.1 基础数据",
    request_body = ParentInput,
    responses(
        (status = 200, body = ListResponse<FloorRow>),
        (status = 401, body = Failure, description = "token失效 (code 9)"),
        (status = 404, body = Failure, description = "没有找到该单元")
    ),
    security(("bearer" = []))
)]
pub async fn floors(
    state: web::Data<AppState>,
    request_id: RequestId,
    _resident: ResidentCaller,
    input: Result<Input<ParentInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let reply = state
        .call(
            "yibiaosanshi",
            state.addresses().list_floors(children(input, &request_id)),
        )
        .await?;
    list(
        "获取到了楼层",
        reply.floors.into_iter().map(FloorRow::from).collect(),
    )
}

/// 000 §2.1.5 获得房屋: `id` is the floor id.
#[utoipa::path(
    post,
    path = "/api/v1/houses",
    tag = "000 §2.1 基础数据",
    request_body = ParentInput,
    responses(
        (status = 200, body = ListResponse<HouseRow>),
        (status = 401, body = Failure, description = "token失效 (code 9)"),
        (status = 404, body = Failure, description = "没有找到该楼层")
    ),
    security(("bearer" = []))
)]
pub async fn houses(
    state: web::Data<AppState>,
    request_id: RequestId,
    _resident: ResidentCaller,
    input: Result<Input<ParentInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let reply = state
        .call(
            "yibiaosanshi",
            state.addresses().list_houses(children(input, &request_id)),
        )
        .await?;
    list(
        "获取到了房间和业主手机号",
        reply.houses.into_iter().map(HouseRow::from).collect(),
    )
}
