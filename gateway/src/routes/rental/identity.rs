//! Seed 004's 实名认证 and 房东身份认证, and the platform's decision on a claim to let a house.
use actix_web::{HttpRequest, web};
use kit::error::ServiceError;
use proto::rental as pb;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType};
use utoipa::{PartialSchema, ToSchema};

use super::{TAG, TAG_PLATFORM, media_url, ok};
use crate::auth::{PlatformCaller, ResidentCaller};
use crate::envelope::{ApiError, ApiResult, DataResponse, Failure};
use crate::input::{Code, FilePart, Id, IdCard, Input, Int, Page, PerPage, Text, Xiaoqu};
use crate::middleware::RequestId;
use crate::routes::pages;
use crate::state::AppState;

/// 实名认证: the name and number as printed on the card, and three photos.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IdentifyUserInput {
    #[schema(example = "李先生")]
    realname: Text<32>,
    idcardnumber: IdCard,
    /// 头像 (JPEG or PNG).
    #[schema(required = true)]
    #[serde(default)]
    pub portrait: FilePart,
    /// 身份证正面: read by OCR and compared with `realname` and `idcardnumber`.
    #[schema(required = true)]
    #[serde(default)]
    pub idcardfront: FilePart,
    /// 身份证反面.
    #[schema(required = true)]
    #[serde(default)]
    pub idcardback: FilePart,
}

fn file_bytes<T>(input: &Input<T>, name: &str) -> Vec<u8> {
    input
        .file(name)
        .map(|file| file.bytes.to_vec())
        .unwrap_or_default()
}

/// 实名认证: the name and number must be those OCR reads on the card's front; `data` is seed
/// 004's `[姓名, 身份证号]` (the caller's own, unmasked).
#[utoipa::path(post, path = "/api/v1/rental/user_identification", tag = TAG,
    request_body(content = IdentifyUserInput, content_type = "multipart/form-data"),
    responses((status = 200, body = DataResponse), (status = 409, body = Failure, description = "与身份证照片不符"), (status = 413, body = Failure)),
    security(("bearer" = [])))]
pub async fn identify_user(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<IdentifyUserInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let (portrait, front, back) = (
        file_bytes(&input, "portrait"),
        file_bytes(&input, "idcardfront"),
        file_bytes(&input, "idcardback"),
    );
    let i = input.into_inner();
    let message = pb::IdentifyUserRequest {
        resident: Some(resident.reference()),
        realname: i.realname.into_string(),
        idcardnumber: i.idcardnumber.0.as_str().to_owned(),
        portrait,
        idcardfront: front,
        idcardback: back,
    };
    let identity = state
        .call(
            "community",
            state.rental().identify_user(request_id.grpc(message)),
        )
        .await?;
    ok(
        "实名认证成功",
        json!([identity.realname, identity.idcardnumber]),
    )
}

/// 房东身份认证's `house_type`.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
pub enum LetHouseType {
    /// 自有房屋出租.
    #[serde(rename = "1")]
    Own,
    /// 租赁房屋出租 (二房东): the lease agreement is needed.
    #[serde(rename = "2")]
    Sublet,
}

/// 房东身份认证: the house (DESIGN: as a listing names it), the property certificate and, for a
/// house let by its tenant, the lease agreement.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IdentifyHouseInput {
    #[schema(example = "10002")]
    community_identifier: Xiaoqu,
    community_house_id: Id,
    /// 房产证姓名.
    #[schema(example = "房东姓名")]
    certname: Text<32>,
    idcardnumber: IdCard,
    /// 房产证号.
    #[schema(example = "123213jdsfjf")]
    property_cert_number: Text<64>,
    /// 房产证照片 (JPEG or PNG).
    #[schema(required = true)]
    #[serde(default)]
    pub property_cert_photo: FilePart,
    /// 1 自有房屋出租 (when absent), 2 租赁房屋出租.
    house_type: Option<Code<LetHouseType>>,
    /// 租赁合同照片: needed when `house_type` is 2.
    #[serde(default)]
    pub lease_agreement_photo_url: Option<FilePart>,
}

/// [`IdentifyHouseInput`] with its rule: a sublet needs the lease agreement.
pub struct IdentifyHouseBody;

impl PartialSchema for IdentifyHouseBody {
    fn schema() -> RefOr<Schema> {
        use crate::input::any_of;
        // `properties` constrains only a field that is there: without `house_type`, this holds.
        let own = ObjectBuilder::new().property(
            "house_type",
            ObjectBuilder::new()
                .schema_type(SchemaType::AnyValue)
                .enum_values(Some([json!(1), json!("1")])),
        );
        // The file part is only required here, its schema (a binary string) stays the
        // property's own: a rule that restated it would be a second file schema to satisfy.
        let sublet = ObjectBuilder::new().required("lease_agreement_photo_url");
        crate::input::schema_with_rule::<IdentifyHouseInput>(any_of([own, sublet]))
    }
}

impl ToSchema for IdentifyHouseBody {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        crate::input::register_input::<IdentifyHouseInput>(schemas);
    }
}

/// 房东身份认证: approved at once when the caller is the house's bound 业主 in the 一标三实
/// registry, else waiting for the platform managing the community; `data` is seed 004's
/// `[房产证姓名, 身份证号, 房产证号, 房产证照片, 租赁合同照片]`.
#[utoipa::path(post, path = "/api/v1/rental/house_identification", tag = TAG,
    request_body(content = IdentifyHouseBody, content_type = "multipart/form-data"),
    responses((status = 200, body = DataResponse), (status = 404, body = Failure), (status = 413, body = Failure)),
    security(("bearer" = [])))]
pub async fn identify_house(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<IdentifyHouseInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let cert = file_bytes(&input, "property_cert_photo");
    let lease = input
        .file("lease_agreement_photo_url")
        .map(|file| file.bytes.to_vec());
    let i = input.into_inner();
    let house_type = match i.house_type.map(Code::get) {
        Some(LetHouseType::Sublet) => 2,
        _ => 1,
    };
    let message = pb::IdentifyHouseRequest {
        resident: Some(resident.reference()),
        community_identifier: i.community_identifier.into_string(),
        community_house_id: i.community_house_id.get(),
        certname: i.certname.into_string(),
        idcardnumber: i.idcardnumber.0.as_str().to_owned(),
        property_cert_number: i.property_cert_number.into_string(),
        property_cert_photo: cert,
        house_type,
        lease_agreement_photo: lease,
    };
    let claim = state
        .call(
            "community",
            state.rental().identify_house(request_id.grpc(message)),
        )
        .await?;
    let lease = (!claim.lease_key.is_empty()).then(|| media_url(&state, &claim.lease_key));
    ok(
        "提交成功",
        json!([
            claim.certname,
            claim.idcardnumber,
            claim.property_cert_number,
            media_url(&state, &claim.property_cert_key),
            lease,
        ]),
    )
}

/// A claim as the platform managing its community sees it.
fn claim_json(state: &AppState, c: pb::HouseIdentification) -> Value {
    json!({
        "id": c.id,
        "user_id": c.user_id,
        "community_identifier": c.community_identifier,
        "community_house_id": c.community_house_id,
        "house_introduction": c.house_introduction,
        "certname": c.certname,
        "idcardnumber": c.idcardnumber,
        "property_cert_number": c.property_cert_number,
        "property_cert_photo": media_url(state, &c.property_cert_key),
        "house_type": c.house_type,
        "lease_agreement_photo_url": (!c.lease_key.is_empty()).then(|| media_url(state, &c.lease_key)),
        "status": c.status,
        "reason": c.reason,
        "created_at": kit::time::beijing_datetime(c.created_at),
        "decided_at": (c.decided_at > 0).then(|| kit::time::beijing_datetime(c.decided_at)),
    })
}

/// 我的房东身份认证: the caller's claims to let a house, the latest first (at most 100), each
/// waiting (2), approved (1) or refused (0) with the platform's `reason`.
#[utoipa::path(post, path = "/api/v1/rental/my_identifications", tag = TAG,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn my_identifications(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
) -> ApiResult {
    let message = pb::Caller {
        resident: Some(resident.reference()),
    };
    let reply = state
        .call(
            "community",
            state.rental().my_identifications(request_id.grpc(message)),
        )
        .await?;
    let rows = reply
        .identifications
        .into_iter()
        .map(|c| claim_json(&state, c))
        .collect();
    ok("成功获取房东身份认证记录", Value::Array(rows))
}

/// The platform's filters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IdentificationsInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    /// 2 待审核, 1 已通过, 0 已拒绝; all when absent.
    status: Option<Int<0, 2>>,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

/// House identifications of one of the platform's communities, newest first.
#[utoipa::path(post, path = "/api/v1/wjdh/rental/identifications", tag = TAG_PLATFORM,
    request_body = IdentificationsInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn identifications(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<IdentificationsInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let (page, per_page) = crate::input::paging(i.page, i.per_page);
    let message = pb::PlatformListingsRequest {
        platform: Some(platform.reference()),
        xiaoqu: i.xiaoqu.into_string(),
        status: i.status.map(|s| s.get() as i32),
        page,
        per_page,
    };
    let reply = state
        .call(
            "community",
            state
                .rental()
                .platform_identifications(request_id.grpc(message)),
        )
        .await?;
    let count = reply.identifications.len();
    let rows: Vec<Value> = reply
        .identifications
        .into_iter()
        .map(|c| claim_json(&state, c))
        .collect();
    let pages = pages::flat(&request, reply.page, reply.per_page, count, reply.total);
    ok(
        "成功获取认证申请列表",
        json!({"identifications": rows, "pages": pages}),
    )
}

/// The platform's decision on a claim.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
pub enum ClaimDecision {
    /// 通过.
    #[serde(rename = "1")]
    Approve,
    /// 拒绝.
    #[serde(rename = "0")]
    Refuse,
}

/// 1 approve, 0 refuse (with `reason`, which the claimant sees).
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecideClaimInput {
    id: Id,
    status: Code<ClaimDecision>,
    reason: Option<Text<200>>,
}

/// [`DecideClaimInput`] with its rule: refusing needs a reason.
pub struct DecideClaimBody;

impl PartialSchema for DecideClaimBody {
    fn schema() -> RefOr<Schema> {
        use crate::input::{any_of, requires};
        let approving = ObjectBuilder::new()
            .property(
                "status",
                ObjectBuilder::new()
                    .schema_type(SchemaType::AnyValue)
                    .enum_values(Some([json!(1), json!("1")])),
            )
            .required("status");
        crate::input::schema_with_rule::<DecideClaimInput>(any_of([
            approving,
            requires(&["reason"]),
        ]))
    }
}

impl ToSchema for DecideClaimBody {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        crate::input::register_input::<DecideClaimInput>(schemas);
    }
}

/// The platform approves (1) or refuses (0, with a reason) a waiting claim of its community;
/// an approved landlord's listings of that house then wait for the platform when released.
#[utoipa::path(put, path = "/api/v1/wjdh/rental/identification", tag = TAG_PLATFORM,
    request_body = DecideClaimBody,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure), (status = 409, body = Failure, description = "已处理")),
    security(("bearer" = [])))]
pub async fn decide_identification(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<DecideClaimInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let status = match i.status.get() {
        ClaimDecision::Approve => 1,
        ClaimDecision::Refuse => 0,
    };
    let reason = i.reason.map(Text::into_string).unwrap_or_default();
    if status == 0 && reason.is_empty() {
        return Err(ServiceError::missing("reason").into());
    }
    let message = pb::ReviewListingRequest {
        platform: Some(platform.reference()),
        id: i.id.get(),
        status,
        reason,
    };
    let claim = state
        .call(
            "community",
            state
                .rental()
                .review_identification(request_id.grpc(message)),
        )
        .await?;
    ok("处理成功", claim_json(&state, claim))
}
