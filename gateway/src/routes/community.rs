//! 001 §3–§6 and the resident's side of them: module switches, repairs, announcements,
//! complaints, emergency numbers, visitor passes and the photos residents attach. The security
//! platform's paths are the seed's; the resident's follow their style under `/api/v1/weapp/`.
//!
//! Each route reads its fields into one input struct (its request schema). A handler takes it
//! as `Result<Input<_>, ApiError>` and opens it after the caller: actix runs a handler's
//! extractors side by side, and a bad field (judged at once) would otherwise answer 400 before
//! the token is checked (401/403).
use std::sync::LazyLock;

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, web};
use kit::error::ServiceError;
use proto::auth::caller;
use proto::community as pb;
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer};
use serde_json::{Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::auth::{self, Audience, PlatformCaller, ResidentCaller};
use crate::envelope::{self, ApiError, ApiResult, DataResponse, Failure, Head};
use crate::input::{
    Code, FilePart, Flag, Id, Input, Int, Page, PerPage, Phone, Text, WHITESPACE, Xiaoqu, invalid,
};
use crate::middleware::RequestId;
use crate::routes::pages;
use crate::state::AppState;

const TAG_PLATFORM: &str = "001 §3–§6 社区功能（安防平台）";
const TAG_RESIDENT: &str = "社区功能（小程序）";

fn ok(msg: &str, message: &str, data: Value) -> ApiResult {
    Ok(envelope::ok_with(msg, message, data))
}

fn ok_bare(msg: &str, message: &str) -> ApiResult {
    Ok(envelope::ok(&Head::ok(msg, message)))
}

fn time(unix: i64) -> Value {
    if unix == 0 {
        Value::Null
    } else {
        Value::from(kit::time::beijing_chinese(unix))
    }
}

fn text_or_null(present: bool, text: String) -> Value {
    if present {
        Value::from(text)
    } else {
        Value::Null
    }
}

fn module_json(module: pb::Module) -> Value {
    json!({
        "id": module.id,
        "community_identifier": module.community_identifier,
        "module_name": module.module_name,
        "module_status": i32::from(module.module_status),
    })
}

/// A repair as 001 §4.1/§4.2 render it, plus seed 003's workflow.
fn repair_json(repair: pb::Repair) -> Value {
    let steps: Vec<Value> = repair
        .steps
        .into_iter()
        .map(|s| json!({"action": s.action, "by": s.by, "at": time(s.at)}))
        .collect();
    json!({
        "id": repair.id,
        "possion": repair.possion,
        "description": repair.description,
        "status": repair.status,
        "reply": text_or_null(repair.has_reply, repair.reply),
        "name": repair.name,
        "phone": repair.phone,
        "date": time(repair.created_at),
        "stage": repair.stage,
        "community_identifier": repair.community_identifier,
        "house_id": repair.house_id,
        "house_introduction": repair.house_introduction,
        "images": repair.images,
        "category_id": if repair.category_id == 0 { Value::Null } else { Value::from(repair.category_id) },
        "category": repair.category,
        "steps": steps,
        "pay_part": if repair.pay_part.is_empty() { Value::Null } else { Value::from(repair.pay_part) },
    })
}

fn announcement_json(a: pb::Announcement) -> Value {
    json!({
        "id": a.id,
        "community_identifier": a.community_identifier,
        "title": a.title,
        "content": a.content,
        "order": a.order,
        "top": i32::from(a.top),
        "status": i32::from(a.status),
        "manager": a.manager,
        "logo": a.logo,
        "images": a.images,
        "created_at": time(a.created_at),
        "updated_at": time(a.updated_at),
    })
}

fn complaint_json(c: pb::Complaint) -> Value {
    json!({
        "id": c.id,
        "community_identifier": c.community_identifier,
        "type": c.r#type,
        "content": c.content,
        "images": c.images,
        "house_id": if c.house_id == 0 { Value::Null } else { Value::from(c.house_id) },
        "house_introduction": c.house_introduction,
        "status": c.status,
        "reply": text_or_null(c.has_reply, c.reply),
        "replied_at": time(c.replied_at),
        "phone": c.phone,
        "created_at": time(c.created_at),
    })
}

fn phone_json(p: pb::EmergencyPhone) -> Value {
    json!({"id": p.id, "community_identifier": p.community_identifier, "name": p.name, "phone": p.phone, "order": p.order})
}

fn pass_json(p: pb::VisitorPass) -> Value {
    json!({
        "id": p.id,
        "community_identifier": p.community_identifier,
        "house_id": p.house_id,
        "house_introduction": p.house_introduction,
        "visitor_name": p.visitor_name,
        "visitor_phone": p.visitor_phone,
        "code": if p.code.is_empty() { Value::Null } else { Value::from(p.code) },
        "valid_from": p.valid_from,
        "valid_until": p.valid_until,
        "used_at": if p.used_at == 0 { Value::Null } else { Value::from(p.used_at) },
    })
}

// ---- input types ----

/// Unix seconds (up to the year 9999).
pub type UnixTime = Int<0, 253_402_300_799>;
/// A list weight (`order`): larger first.
pub type Weight = Int<-999_999_999, 999_999_999>;

/// Most images a repair, complaint or announcement carries.
const MAX_IMAGES: usize = 9;

/// What one image URL of an image list may be: a regex without anchors that matches no comma
/// and no whitespace, and why a URL that does not match is refused (after the field's name).
pub struct ImageUrl {
    pattern: LazyLock<String>,
    whole: LazyLock<regex::Regex>,
    refusal: &'static str,
}

/// Any URL of at most 500 characters (an announcement's pictures may be anywhere).
static ANY_URL: ImageUrl = ImageUrl {
    pattern: LazyLock::new(|| format!("[^,{WHITESPACE}]{{1,500}}")),
    whole: LazyLock::new(|| whole(&ANY_URL.pattern)),
    refusal: "的图片地址太长",
};

/// A photo /api/v1/weapp/community/photo answered (its URL or its key): a resident's repair or
/// complaint shows only what they uploaded (the service checks whose it is).
static UPLOADED_PHOTO: ImageUrl = ImageUrl {
    pattern: LazyLock::new(|| format!("[^,{WHITESPACE}]{{0,300}}{COMMUNITY_PHOTO_LAYOUT}")),
    whole: LazyLock::new(|| whole(&UPLOADED_PHOTO.pattern)),
    refusal: "只能是/api/v1/weapp/community/photo上传的图片地址",
};

fn whole(pattern: &str) -> regex::Regex {
    regex::Regex::new(&format!("^(?:{pattern})$")).expect("an image URL pattern")
}

/// Image URLs joined by commas, as 001 §5.1 sends them (`http://x/a.jpg,http://x/b.png`): at
/// most 9, each as `rule` says; blanks between commas are skipped.
fn image_urls<'de, D: Deserializer<'de>>(
    deserializer: D,
    rule: &ImageUrl,
) -> Result<Vec<String>, D::Error> {
    let text = String::deserialize(deserializer)?;
    let urls: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|url| !url.is_empty())
        .map(str::to_owned)
        .collect();
    if urls.len() > MAX_IMAGES {
        return Err(invalid(&format!("最多{MAX_IMAGES}张图片")));
    }
    if !urls.iter().all(|url| rule.whole.is_match(url)) {
        return Err(invalid(rule.refusal));
    }
    Ok(urls)
}

/// The schema of [`image_urls`]: items separated by commas, blanks (and empty items) around.
fn image_urls_schema(rule: &ImageUrl) -> RefOr<Schema> {
    let (item, more) = (rule.pattern.as_str(), MAX_IMAGES - 1);
    let gap = format!("[,{WHITESPACE}]");
    let space = format!("[{WHITESPACE}]");
    RefOr::T(Schema::Object(
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .description(Some(format!(
                "comma-separated image URLs, at most {MAX_IMAGES}"
            )))
            .pattern(Some(format!(
                "^{gap}*(({item})({space}*,{gap}*({item})){{0,{more}}})?{gap}*$"
            )))
            .build(),
    ))
}

/// An announcement's pictures: [`ANY_URL`]s joined by commas.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Images(pub Vec<String>);

impl<'de> Deserialize<'de> for Images {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        image_urls(deserializer, &ANY_URL).map(Self)
    }
}

impl PartialSchema for Images {
    fn schema() -> RefOr<Schema> {
        image_urls_schema(&ANY_URL)
    }
}

impl ToSchema for Images {}

/// A repair's or complaint's photos: [`UPLOADED_PHOTO`]s joined by commas.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UploadedPhotos(pub Vec<String>);

impl<'de> Deserialize<'de> for UploadedPhotos {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        image_urls(deserializer, &UPLOADED_PHOTO).map(Self)
    }
}

impl PartialSchema for UploadedPhotos {
    fn schema() -> RefOr<Schema> {
        image_urls_schema(&UPLOADED_PHOTO)
    }
}

impl ToSchema for UploadedPhotos {}

/// An emergency number: digits and `-` (`0335-1234567`, `110`), at most 20.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hotline(pub String);

impl<'de> Deserialize<'de> for Hotline {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Text::<20>::deserialize(deserializer)?.into_string();
        if !text.chars().all(|c| c.is_ascii_digit() || c == '-') {
            return Err(invalid("只能包含数字和-"));
        }
        Ok(Self(text))
    }
}

impl PartialSchema for Hotline {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::String))
                .pattern(Some(r"^[0-9-]{1,20}$"))
                .build(),
        ))
    }
}

impl ToSchema for Hotline {}

/// A seed 003 code in any letter case (`receive` is `RECEIVE`), read into the enum `E`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnyCase<E>(pub E);

impl<'de, E: DeserializeOwned> Deserialize<'de> for AnyCase<E> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?.to_ascii_uppercase();
        E::deserialize(de::value::StringDeserializer::<D::Error>::new(text)).map(Self)
    }
}

impl<E: ToSchema> ToSchema for AnyCase<E> {
    fn name() -> std::borrow::Cow<'static, str> {
        // utoipa appends the argument's name: `AnyCase_Stage`.
        "AnyCase".into()
    }
}

// What utoipa's derive asks of a generic field's type: the schema is `E`'s.
impl<E: ToSchema> utoipa::__dev::ComposeSchema for AnyCase<E> {
    fn compose(_: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        E::schema()
    }
}

/// Seed 003's stages.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Stage {
    New,
    Receive,
    Repair,
    Done,
}

impl Stage {
    fn proto(self) -> pb::RepairStage {
        match self {
            Self::New => pb::RepairStage::New,
            Self::Receive => pb::RepairStage::Receive,
            Self::Repair => pb::RepairStage::Repair,
            Self::Done => pb::RepairStage::Done,
        }
    }
}

fn stage_filter(stage: Option<AnyCase<Stage>>) -> i32 {
    stage.map_or(pb::RepairStage::Unspecified, |stage| stage.0.proto()) as i32
}

/// Seed 003 §5.4's actions: RECEIVE 接单, REPAIR 维修, DONE 确认完成.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum RepairAction {
    Receive,
    Repair,
    Done,
}

/// Seed 003 §5.5's settlement parties by code.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PayPartCode {
    OwnerSett,
    TenantSett,
    AllSettle,
    OtherSett,
}

/// The settlement parties' names (`pay_parts`); a name, or the name without 结算, stands for
/// its code.
const PAY_PARTS: [(&str, &str); 4] = [
    ("业主结算", "OWNER_SETT"),
    ("物业结算", "TENANT_SETT"),
    ("公共维修基金结算", "ALL_SETTLE"),
    ("其他", "OTHER_SETT"),
];

/// A settlement party by code (any case) or by name (业主结算, 业主).
#[derive(Clone, Copy, Debug)]
pub struct PayPart(pub PayPartCode);

impl<'de> Deserialize<'de> for PayPart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let code = PAY_PARTS
            .iter()
            .find(|(name, _)| *name == text || name.trim_end_matches("结算") == text)
            .map_or_else(|| text.to_ascii_uppercase(), |(_, code)| (*code).to_owned());
        PayPartCode::deserialize(de::value::StringDeserializer::<D::Error>::new(code)).map(Self)
    }
}

impl PartialSchema for PayPart {
    fn schema() -> RefOr<Schema> {
        PayPartCode::schema()
    }
}

impl ToSchema for PayPart {
    fn name() -> std::borrow::Cow<'static, str> {
        PayPartCode::name()
    }
}

/// 投诉 or 建议.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
pub enum ComplaintKind {
    #[serde(rename = "投诉")]
    Complaint,
    #[serde(rename = "建议")]
    Suggestion,
}

fn kind_filter(kind: Option<ComplaintKind>) -> i32 {
    (match kind {
        None => pb::ComplaintKind::Unspecified,
        Some(ComplaintKind::Complaint) => pb::ComplaintKind::Complaint,
        Some(ComplaintKind::Suggestion) => pb::ComplaintKind::Suggestion,
    }) as i32
}

/// 待处理, 已回复 or 已关闭.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
pub enum ComplaintStatus {
    #[serde(rename = "待处理")]
    Pending,
    #[serde(rename = "已回复")]
    Replied,
    #[serde(rename = "已关闭")]
    Closed,
}

fn complaint_status_filter(status: Option<ComplaintStatus>) -> i32 {
    (match status {
        None => pb::ComplaintStatus::Unspecified,
        Some(ComplaintStatus::Pending) => pb::ComplaintStatus::Pending,
        Some(ComplaintStatus::Replied) => pb::ComplaintStatus::Replied,
        Some(ComplaintStatus::Closed) => pb::ComplaintStatus::Closed,
    }) as i32
}

/// `page` / `per_page` (defaults 1 and 20).
fn paging(page: Option<Page>, per_page: Option<PerPage>) -> Option<pb::PageRequest> {
    let (page, per_page) = crate::input::paging(page, per_page);
    Some(pb::PageRequest { page, per_page })
}

/// One community (`xiaoqu`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommunityInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
}

/// One record (`id`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct IdInput {
    id: Id,
}

fn platform_community(
    platform: &PlatformCaller,
    input: Input<CommunityInput>,
) -> pb::PlatformCommunity {
    pb::PlatformCommunity {
        platform: Some(platform.reference()),
        xiaoqu: input.into_inner().xiaoqu.into_string(),
    }
}

fn resident_community(
    resident: &ResidentCaller,
    input: Input<CommunityInput>,
) -> pb::ResidentCommunity {
    pb::ResidentCommunity {
        resident: Some(resident.reference()),
        xiaoqu: input.into_inner().xiaoqu.into_string(),
    }
}

fn platform_record(platform: &PlatformCaller, input: &Input<IdInput>) -> pb::PlatformRecord {
    pb::PlatformRecord {
        platform: Some(platform.reference()),
        id: input.id.get(),
    }
}

fn resident_record(resident: &ResidentCaller, input: &Input<IdInput>) -> pb::ResidentRecord {
    pb::ResidentRecord {
        resident: Some(resident.reference()),
        id: input.id.get(),
    }
}

// ---- 001 §3 modules ----

/// 001 §3.2.1 小区功能模块状态列表.
#[utoipa::path(post, path = "/api/v1/wjdh/modules", tag = TAG_PLATFORM,
    request_body = CommunityInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn modules(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<CommunityInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = platform_community(&platform, input);
    let reply = state
        .call(
            "community",
            state.community().list_modules(request_id.grpc(message)),
        )
        .await?;
    let rows: Vec<Value> = reply.modules.into_iter().map(module_json).collect();
    ok(
        "成功获取模块列表",
        "message编码SecurityPlatformController518",
        Value::from(rows),
    )
}

/// 001 §3's nine modules, by the names the seed gives them.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
pub enum ModuleName {
    #[serde(rename = "绑定房屋")]
    BindHouse,
    #[serde(rename = "绑定家属")]
    BindFamily,
    #[serde(rename = "生活缴费")]
    Payments,
    #[serde(rename = "物业报修")]
    Repairs,
    #[serde(rename = "云停车场")]
    Parking,
    #[serde(rename = "投诉建议")]
    Complaints,
    #[serde(rename = "公告通知")]
    Announcements,
    #[serde(rename = "应急电话")]
    Emergency,
    #[serde(rename = "访客通行")]
    Visitors,
}

impl ModuleName {
    fn name(self) -> &'static str {
        match self {
            Self::BindHouse => "绑定房屋",
            Self::BindFamily => "绑定家属",
            Self::Payments => "生活缴费",
            Self::Repairs => "物业报修",
            Self::Parking => "云停车场",
            Self::Complaints => "投诉建议",
            Self::Announcements => "公告通知",
            Self::Emergency => "应急电话",
            Self::Visitors => "访客通行",
        }
    }
}

/// 001 §3.2.2's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangeModuleInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    /// One of the nine, as 001 §3.2.1 lists them.
    module_name: ModuleName,
    /// 0 关闭, 1 开启.
    module_status: Flag,
}

/// 001 §3.2.2 小区功能模块状态改变.
#[utoipa::path(put, path = "/api/v1/wjdh/module", tag = TAG_PLATFORM,
    request_body = ChangeModuleInput,
    responses((status = 200, body = Head), (status = 400, body = Failure), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn change_module(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<ChangeModuleInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::ChangeModuleRequest {
        platform: Some(platform.reference()),
        xiaoqu: input.xiaoqu.into_string(),
        module_name: input.module_name.name().to_owned(),
        module_status: input.module_status.get(),
    };
    state
        .call(
            "community",
            state.community().change_module(request_id.grpc(message)),
        )
        .await?;
    ok_bare(
        "模块状态更新成功",
        "message编码SecurityPlatformController491",
    )
}

/// 001 §3.1.1 on demand: reads the switches of the credential's communities from the security
/// platform now.
#[utoipa::path(post, path = "/api/v1/wjdh/modules/sync", tag = TAG_PLATFORM,
    responses((status = 200, body = DataResponse), (status = 502, body = Failure)), security(("bearer" = [])))]
pub async fn sync_modules(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
) -> ApiResult {
    let message = pb::SyncModulesRequest {
        platform: Some(platform.reference()),
    };
    let reply = state
        .call(
            "community",
            state.community().sync_modules(request_id.grpc(message)),
        )
        .await?;
    ok(
        "模块状态同步成功",
        "模块状态同步成功",
        json!({"communities": reply.communities, "modules": reply.modules}),
    )
}

/// The resident reads the switches of a community they are bound to.
#[utoipa::path(post, path = "/api/v1/weapp/modules", tag = TAG_RESIDENT,
    request_body = CommunityInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn resident_modules(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<CommunityInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = resident_community(&resident, input);
    let reply = state
        .call(
            "community",
            state.community().resident_modules(request_id.grpc(message)),
        )
        .await?;
    let rows: Vec<Value> = reply.modules.into_iter().map(module_json).collect();
    ok("成功获取模块列表", "成功获取模块列表", Value::from(rows))
}

// ---- 001 §4 repairs ----

/// Whose repair categories: a resident's house or community, the platform's community.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CategoriesInput {
    /// A resident's house the repair is for.
    house_id: Option<Id>,
    #[schema(example = "10002")]
    xiaoqu: Option<Xiaoqu>,
}

/// Seed 003 §4.2: the 3-level repair categories of one community, with the shared defaults
/// (`xiaoqu` null, read-only). A resident names the house they file for (`house_id`) or a
/// community where they are bound (`xiaoqu`); the platform names one of its communities
/// (`xiaoqu`). Either may leave both out when only one community is theirs.
#[utoipa::path(post, path = "/api/v1/repair/categories", tag = TAG_RESIDENT,
    request_body = CategoriesInput,
    responses((status = 200, body = DataResponse), (status = 400, body = Failure),
              (status = 403, body = Failure, description = "未绑定该房屋 / 您没有权限管理该小区")),
    security(("bearer" = [])))]
pub async fn repair_categories(
    state: web::Data<AppState>,
    request_id: RequestId,
    req: HttpRequest,
    input: Result<Input<CategoriesInput>, ApiError>,
) -> ApiResult {
    // Either audience: the caller is known (401/403) before the fields are judged (400).
    let caller = auth::authenticate(
        &state,
        request_id.as_str(),
        auth::bearer_token(&req),
        Audience::Resident,
    )
    .await?;
    let input = input?.into_inner();
    let mut message = pb::CategoriesRequest {
        xiaoqu: input.xiaoqu.map(Xiaoqu::into_string),
        house_id: input.house_id.map(Id::get),
        ..Default::default()
    };
    match caller {
        caller::Kind::Resident(resident) => {
            message.resident = Some(proto::caller::ResidentRef {
                user_id: resident.user_id,
                phone: resident.phone,
            });
        }
        caller::Kind::Platform(platform) => {
            message.platform = Some(proto::caller::PlatformRef {
                credential_id: platform.credential_id,
                secret_id: platform.secret_id,
                communities: platform.communities,
            });
        }
    }
    let reply = state
        .call(
            "community",
            state
                .community()
                .repair_categories(request_id.grpc(message)),
        )
        .await?;
    fn node(c: pb::RepairCategory) -> Value {
        let children: Vec<Value> = c.children.into_iter().map(node).collect();
        let xiaoqu = text_or_null(!c.community_identifier.is_empty(), c.community_identifier);
        json!({"id": c.id, "name": c.name, "level": c.level, "xiaoqu": xiaoqu, "children": children})
    }
    let rows: Vec<Value> = reply.categories.into_iter().map(node).collect();
    ok("成功获取报修类型", "成功获取报修类型", Value::from(rows))
}

/// A new repair category.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AddCategoryInput {
    /// May be left out by a credential managing one community.
    #[schema(example = "10002")]
    xiaoqu: Option<Xiaoqu>,
    #[schema(example = "楼道")]
    name: Text<32>,
    /// The community's own category or a shared default; none for level 1.
    parent_id: Option<Id>,
}

/// The platform adds a repair category to one of its communities (`xiaoqu`, `name`, optional
/// `parent_id`: the community's own or a shared default; three levels at most).
#[utoipa::path(post, path = "/api/v1/wjdh/repair/category", tag = TAG_PLATFORM,
    request_body = AddCategoryInput,
    responses((status = 200, body = DataResponse), (status = 400, body = Failure),
              (status = 403, body = Failure, description = "您没有权限管理该小区")),
    security(("bearer" = [])))]
pub async fn add_category(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<AddCategoryInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::AddCategoryRequest {
        platform: Some(platform.reference()),
        xiaoqu: input.xiaoqu.map(Xiaoqu::into_string),
        name: input.name.into_string(),
        parent_id: input.parent_id.map(Id::get),
    };
    let c = state
        .call(
            "community",
            state
                .community()
                .add_repair_category(request_id.grpc(message)),
        )
        .await?;
    ok(
        "报修类型添加成功",
        "报修类型添加成功",
        json!({"id": c.id, "name": c.name, "level": c.level, "xiaoqu": c.community_identifier,
               "parent_id": if c.parent_id == 0 { Value::Null } else { Value::from(c.parent_id) }}),
    )
}

/// A category to remove.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RemoveCategoryInput {
    id: Id,
    /// If sent, the category's community.
    xiaoqu: Option<Xiaoqu>,
}

/// The platform removes a repair category of one of its communities that has no children
/// (`id`); another community's category or a shared default is refused (403).
#[utoipa::path(delete, path = "/api/v1/wjdh/repair/category", tag = TAG_PLATFORM,
    request_body = RemoveCategoryInput,
    responses((status = 200, body = Head), (status = 403, body = Failure, description = "您没有权限查看该记录 / 默认报修类型不能删除"),
              (status = 404, body = Failure), (status = 409, body = Failure, description = "还有下级类型")),
    security(("bearer" = [])))]
pub async fn remove_category(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<RemoveCategoryInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::RemoveCategoryRequest {
        platform: Some(platform.reference()),
        id: input.id.get(),
        xiaoqu: input.xiaoqu.map(Xiaoqu::into_string),
    };
    state
        .call(
            "community",
            state
                .community()
                .remove_repair_category(request_id.grpc(message)),
        )
        .await?;
    ok_bare("报修类型删除成功", "报修类型删除成功")
}

/// Seed 003 §5.5: the settlement parties.
#[utoipa::path(post, path = "/api/v1/wjdh/repair/pay_parts", tag = TAG_PLATFORM,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn pay_parts(_platform: PlatformCaller) -> ApiResult {
    let rows: Vec<Value> = PAY_PARTS
        .iter()
        .map(|(name, code)| json!({"name": name, "code": code}))
        .collect();
    ok("成功获取结算方", "成功获取结算方", Value::from(rows))
}

/// A new repair.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FileRepairInput {
    /// One of the resident's bound houses.
    house_id: Id,
    /// 报修地点.
    #[schema(example = "厨房")]
    possion: Text<200>,
    #[schema(example = "水管漏水")]
    description: Text<1000>,
    /// URLs from /api/v1/weapp/community/photo.
    images: Option<UploadedPhotos>,
    /// A third-level category.
    category_id: Option<Id>,
    /// The house's role when absent.
    name: Option<Text<32>>,
    /// The resident's own when absent.
    phone: Option<Phone>,
}

/// A resident files a repair for a bound house.
#[utoipa::path(post, path = "/api/v1/weapp/repair", tag = TAG_RESIDENT,
    request_body = FileRepairInput,
    responses((status = 200, body = DataResponse), (status = 400, body = Failure), (status = 403, body = Failure, description = "未绑定该房屋 / 物业报修功能已关闭")),
    security(("bearer" = [])))]
pub async fn file_repair(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<FileRepairInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::FileRepairRequest {
        resident: Some(resident.reference()),
        house_id: input.house_id.get(),
        possion: input.possion.into_string(),
        description: input.description.into_string(),
        images: input.images.unwrap_or_default().0,
        category_id: input.category_id.map(Id::get),
        name: input.name.map(Text::into_string),
        phone: input.phone.map(|phone| phone.0.as_str().to_owned()),
    };
    let repair = state
        .call(
            "community",
            state.community().file_repair(request_id.grpc(message)),
        )
        .await?;
    ok("报修提交成功", "报修提交成功", repair_json(repair))
}

/// One page of a list: `{"<name>": rows, "pages": …}` under `sentence`.
fn list_page(
    request: &HttpRequest,
    sentence: &str,
    name: &str,
    rows: Vec<Value>,
    (page, per_page, total): (i64, i64, i64),
) -> ApiResult {
    let pages = pages::flat(request, page, per_page, rows.len(), total);
    ok(sentence, sentence, json!({name: rows, "pages": pages}))
}

fn repair_page(request: &HttpRequest, reply: pb::RepairPage) -> ApiResult {
    let rows = reply.repairs.into_iter().map(repair_json).collect();
    let page = (reply.page, reply.per_page, reply.total);
    list_page(request, "成功查询返回报修列表", "repairs", rows, page)
}

/// The resident's filters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MyRepairsInput {
    /// 0 未解决, 1 已解决; both when absent.
    status: Option<Flag>,
    stage: Option<AnyCase<Stage>>,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

/// The resident's own repairs (`status`, `stage`, `page`, `per_page`).
#[utoipa::path(post, path = "/api/v1/weapp/repairs", tag = TAG_RESIDENT,
    request_body = MyRepairsInput,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn my_repairs(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<MyRepairsInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::MyRepairsRequest {
        resident: Some(resident.reference()),
        solved: input.status.map(Flag::get),
        stage: stage_filter(input.stage),
        paging: paging(input.page, input.per_page),
    };
    let reply = state
        .call(
            "community",
            state.community().my_repairs(request_id.grpc(message)),
        )
        .await?;
    repair_page(&request, reply)
}

/// One of the resident's repairs with its progress and reply.
#[utoipa::path(post, path = "/api/v1/weapp/repair/detail", tag = TAG_RESIDENT,
    request_body = IdInput, responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn my_repair(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<IdInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = resident_record(&resident, &input);
    let repair = state
        .call(
            "community",
            state.community().my_repair(request_id.grpc(message)),
        )
        .await?;
    ok("成功获取报修记录", "成功获取报修记录", repair_json(repair))
}

/// 001 §4.1's `status`: 0 (the default) 未解决, 1 已解决, `all` both.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
pub enum RepairStatus {
    #[serde(rename = "0")]
    Unsolved,
    #[serde(rename = "1")]
    Solved,
    #[serde(rename = "all")]
    All,
}

/// 001 §4.1's filters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RepairListInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    status: Option<Code<RepairStatus>>,
    stage: Option<AnyCase<Stage>>,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

/// 001 §4.1 报修列表 (`status` 0 default, 1, or `all`; `stage` NEW/RECEIVE/REPAIR/DONE).
#[utoipa::path(post, path = "/api/v1/wjdh/repair/list", tag = TAG_PLATFORM,
    request_body = RepairListInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn repair_list(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<RepairListInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let solved = match input.status.map_or(RepairStatus::Unsolved, Code::get) {
        RepairStatus::Unsolved => Some(false),
        RepairStatus::Solved => Some(true),
        RepairStatus::All => None,
    };
    let message = pb::ListRepairsRequest {
        platform: Some(platform.reference()),
        xiaoqu: input.xiaoqu.into_string(),
        solved,
        stage: stage_filter(input.stage),
        paging: paging(input.page, input.per_page),
    };
    let reply = state
        .call(
            "community",
            state.community().list_repairs(request_id.grpc(message)),
        )
        .await?;
    repair_page(&request, reply)
}

/// 001 §4.2 查看单独某条报修记录.
#[utoipa::path(post, path = "/api/v1/repair", tag = TAG_PLATFORM,
    request_body = IdInput, responses((status = 200, body = DataResponse), (status = 403, body = Failure), (status = 404, body = Failure)), security(("bearer" = [])))]
pub async fn repair(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<IdInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = platform_record(&platform, &input);
    let repair = state
        .call(
            "community",
            state.community().get_repair(request_id.grpc(message)),
        )
        .await?;
    ok(
        "成功获取报修记录",
        "message编码Repairs121",
        repair_json(repair),
    )
}

/// 001 §4.3's fields with seed 003's.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateRepairInput {
    id: Id,
    /// 1 已处理 (finishes the repair).
    status: Option<Flag>,
    reply: Option<Text<1000>>,
    action: Option<AnyCase<RepairAction>>,
    /// Who acted; the credential's secret id when absent.
    staff: Option<Text<32>>,
    /// By code or name; needed with action=DONE.
    pay_part: Option<PayPart>,
}

/// 001 §4.3 更新报修状态, with seed 003's `action` (RECEIVE/REPAIR/DONE), `staff` and `pay_part`.
#[utoipa::path(put, path = "/api/v1/repair", tag = TAG_PLATFORM,
    request_body = UpdateRepairInput,
    responses((status = 200, body = Head), (status = 409, body = Failure, description = "illegal transition")), security(("bearer" = [])))]
pub async fn update_repair(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<UpdateRepairInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let action = match input.action.map(|action| action.0) {
        None => pb::RepairAction::Unspecified,
        Some(RepairAction::Receive) => pb::RepairAction::Receive,
        Some(RepairAction::Repair) => pb::RepairAction::Repair,
        Some(RepairAction::Done) => pb::RepairAction::Done,
    };
    let pay_part = match input.pay_part.map(|part| part.0) {
        None => pb::PayPart::Unspecified,
        Some(PayPartCode::OwnerSett) => pb::PayPart::OwnerSett,
        Some(PayPartCode::TenantSett) => pb::PayPart::TenantSett,
        Some(PayPartCode::AllSettle) => pb::PayPart::AllSettle,
        Some(PayPartCode::OtherSett) => pb::PayPart::OtherSett,
    };
    let message = pb::UpdateRepairRequest {
        platform: Some(platform.reference()),
        id: input.id.get(),
        solved: input.status.map(Flag::get),
        reply: input.reply.map(Text::into_string),
        action: action as i32,
        staff: input.staff.map(Text::into_string),
        pay_part: pay_part as i32,
    };
    let repair = state
        .call(
            "community",
            state.community().update_repair(request_id.grpc(message)),
        )
        .await?;
    ok("修改成功", "message编码Repairs123", repair_json(repair))
}

// ---- 001 §5 announcements ----

/// 001 §5.1's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateAnnouncementInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    #[schema(example = "停水通知")]
    title: Text<100>,
    content: Text<10000>,
    /// 权重, 0 when absent.
    order: Option<Weight>,
    /// 0 不置顶 (default), 1 置顶.
    top: Option<Flag>,
    /// 0 关闭, 1 开启 (default).
    status: Option<Flag>,
    /// The community's name + 物业 when absent (晨曦家园物业).
    manager: Option<Text<64>>,
    logo: Option<Text<500>>,
    images: Option<Images>,
}

/// 001 §5.1 创建公告.
#[utoipa::path(post, path = "/api/v1/announcement/new", tag = TAG_PLATFORM,
    request_body = CreateAnnouncementInput,
    responses((status = 200, body = DataResponse), (status = 400, body = Failure), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn create_announcement(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<CreateAnnouncementInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::CreateAnnouncementRequest {
        platform: Some(platform.reference()),
        xiaoqu: input.xiaoqu.into_string(),
        title: input.title.into_string(),
        content: input.content.into_string(),
        order: input.order.map_or(0, Int::get),
        top: input.top.is_some_and(Flag::get),
        status: input.status.map(Flag::get),
        manager: input.manager.map(Text::into_string),
        logo: input.logo.map(Text::into_string),
        images: input.images.unwrap_or_default().0,
    };
    let saved = state
        .call(
            "community",
            state
                .community()
                .create_announcement(request_id.grpc(message)),
        )
        .await?;
    ok(
        "公告发布成功",
        "message编码Announcements75",
        Value::from(saved.id),
    )
}

/// An announcement's edit: only the fields sent change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditAnnouncementInput {
    id: Id,
    title: Option<Text<100>>,
    content: Option<Text<10000>>,
    order: Option<Weight>,
    top: Option<Flag>,
    /// 0 closes it.
    status: Option<Flag>,
    manager: Option<Text<64>>,
    logo: Option<Text<500>>,
    /// Replace the images.
    images: Option<Images>,
}

/// Edits announcement `id` (only the fields sent change; `status=0` closes it).
#[utoipa::path(put, path = "/api/v1/announcement", tag = TAG_PLATFORM,
    request_body = EditAnnouncementInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure), (status = 404, body = Failure)), security(("bearer" = [])))]
pub async fn edit_announcement(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<EditAnnouncementInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::EditAnnouncementRequest {
        platform: Some(platform.reference()),
        id: input.id.get(),
        title: input.title.map(Text::into_string),
        content: input.content.map(Text::into_string),
        order: input.order.map(Int::get),
        top: input.top.map(Flag::get),
        status: input.status.map(Flag::get),
        manager: input.manager.map(Text::into_string),
        logo: input.logo.map(Text::into_string),
        images: input.images.map(|images| pb::Images { urls: images.0 }),
    };
    let saved = state
        .call(
            "community",
            state
                .community()
                .edit_announcement(request_id.grpc(message)),
        )
        .await?;
    ok("公告修改成功", "公告修改成功", announcement_json(saved))
}

/// Deletes announcement `id`.
#[utoipa::path(delete, path = "/api/v1/announcement", tag = TAG_PLATFORM,
    request_body = IdInput, responses((status = 200, body = Head), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn delete_announcement(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<IdInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = platform_record(&platform, &input);
    state
        .call(
            "community",
            state
                .community()
                .delete_announcement(request_id.grpc(message)),
        )
        .await?;
    ok_bare("公告删除成功", "公告删除成功")
}

fn announcement_page(request: &HttpRequest, reply: pb::AnnouncementPage) -> ApiResult {
    let count = reply.announcements.len();
    let rows: Vec<Value> = reply
        .announcements
        .into_iter()
        .map(announcement_json)
        .collect();
    ok(
        "成功获取公告列表",
        "成功获取公告列表",
        json!({"announcements": rows, "pages": pages::flat(request, reply.page, reply.per_page, count, reply.total)}),
    )
}

/// The platform's filters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlatformAnnouncementsInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    /// 0 closed ones, 1 open ones; both when absent.
    status: Option<Flag>,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

/// The platform's announcements of a community, closed ones included (`status` filters).
#[utoipa::path(post, path = "/api/v1/wjdh/announcements", tag = TAG_PLATFORM,
    request_body = PlatformAnnouncementsInput,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn platform_announcements(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<PlatformAnnouncementsInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::PlatformAnnouncementsRequest {
        platform: Some(platform.reference()),
        xiaoqu: input.xiaoqu.into_string(),
        status: input.status.map(Flag::get),
        paging: paging(input.page, input.per_page),
    };
    let reply = state
        .call(
            "community",
            state
                .community()
                .platform_announcements(request_id.grpc(message)),
        )
        .await?;
    announcement_page(&request, reply)
}

/// A community's page.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommunityPageInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

/// A resident's announcements of a community they are bound to: open ones, top first, then
/// weight, then newest.
#[utoipa::path(post, path = "/api/v1/weapp/announcements", tag = TAG_RESIDENT,
    request_body = CommunityPageInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn resident_announcements(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<CommunityPageInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::ResidentAnnouncementsRequest {
        resident: Some(resident.reference()),
        xiaoqu: input.xiaoqu.into_string(),
        paging: paging(input.page, input.per_page),
    };
    let reply = state
        .call(
            "community",
            state
                .community()
                .resident_announcements(request_id.grpc(message)),
        )
        .await?;
    announcement_page(&request, reply)
}

/// One open announcement.
#[utoipa::path(post, path = "/api/v1/weapp/announcement", tag = TAG_RESIDENT,
    request_body = IdInput, responses((status = 200, body = DataResponse), (status = 404, body = Failure)), security(("bearer" = [])))]
pub async fn resident_announcement(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<IdInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = resident_record(&resident, &input);
    let a = state
        .call(
            "community",
            state
                .community()
                .resident_announcement(request_id.grpc(message)),
        )
        .await?;
    ok("成功获取公告", "成功获取公告", announcement_json(a))
}

// ---- 001 §6 complaints ----

/// A complaint or suggestion.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SubmitComplaintInput {
    r#type: ComplaintKind,
    #[schema(example = "楼道太吵")]
    content: Text<1000>,
    /// URLs from /api/v1/weapp/community/photo.
    images: Option<UploadedPhotos>,
    /// One of the resident's houses; or
    house_id: Option<Id>,
    /// a community where they are bound (needed without `house_id`).
    #[schema(example = "10002")]
    xiaoqu: Option<Xiaoqu>,
}

/// [`SubmitComplaintInput`] with its rule: the house, or the community.
pub struct SubmitComplaintBody;

impl PartialSchema for SubmitComplaintBody {
    fn schema() -> RefOr<Schema> {
        use crate::input::{any_of, requires};
        crate::input::schema_with_rule::<SubmitComplaintInput>(any_of([
            requires(&["house_id"]),
            requires(&["xiaoqu"]),
        ]))
    }
}

impl ToSchema for SubmitComplaintBody {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        crate::input::register_input::<SubmitComplaintInput>(schemas);
    }
}

/// A resident submits a complaint or suggestion.
#[utoipa::path(post, path = "/api/v1/weapp/complaint", tag = TAG_RESIDENT,
    request_body = SubmitComplaintBody,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn submit_complaint(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<SubmitComplaintInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    use pb::submit_complaint_request::About;
    let input = input.into_inner();
    let about = match (input.house_id, input.xiaoqu) {
        (Some(house_id), _) => About::HouseId(house_id.get()),
        (None, Some(xiaoqu)) => About::Xiaoqu(xiaoqu.into_string()),
        (None, None) => return Err(ServiceError::missing("xiaoqu").into()),
    };
    let message = pb::SubmitComplaintRequest {
        resident: Some(resident.reference()),
        r#type: kind_filter(Some(input.r#type)),
        content: input.content.into_string(),
        images: input.images.unwrap_or_default().0,
        about: Some(about),
    };
    let c = state
        .call(
            "community",
            state.community().submit_complaint(request_id.grpc(message)),
        )
        .await?;
    ok("提交成功", "提交成功", complaint_json(c))
}

fn complaint_page(request: &HttpRequest, reply: pb::ComplaintPage) -> ApiResult {
    let rows = reply.complaints.into_iter().map(complaint_json).collect();
    let page = (reply.page, reply.per_page, reply.total);
    list_page(request, "成功获取投诉建议列表", "complaints", rows, page)
}

/// The resident's filters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MyComplaintsInput {
    r#type: Option<ComplaintKind>,
    status: Option<ComplaintStatus>,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

/// The resident's own complaints and suggestions with their replies.
#[utoipa::path(post, path = "/api/v1/weapp/complaints", tag = TAG_RESIDENT,
    request_body = MyComplaintsInput,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn my_complaints(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<MyComplaintsInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::MyComplaintsRequest {
        resident: Some(resident.reference()),
        r#type: kind_filter(input.r#type),
        status: complaint_status_filter(input.status),
        paging: paging(input.page, input.per_page),
    };
    let reply = state
        .call(
            "community",
            state.community().my_complaints(request_id.grpc(message)),
        )
        .await?;
    complaint_page(&request, reply)
}

/// One of the resident's complaints.
#[utoipa::path(post, path = "/api/v1/weapp/complaint/detail", tag = TAG_RESIDENT,
    request_body = IdInput, responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn my_complaint(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<IdInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = resident_record(&resident, &input);
    let c = state
        .call(
            "community",
            state.community().my_complaint(request_id.grpc(message)),
        )
        .await?;
    ok("成功获取投诉建议", "成功获取投诉建议", complaint_json(c))
}

/// The platform's filters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ComplaintsInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    r#type: Option<ComplaintKind>,
    status: Option<ComplaintStatus>,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

/// The platform's complaints of a community (`type`, `status` 待处理/已回复/已关闭, paging).
#[utoipa::path(post, path = "/api/v1/wjdh/complaints", tag = TAG_PLATFORM,
    request_body = ComplaintsInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn complaints(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<ComplaintsInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::ListComplaintsRequest {
        platform: Some(platform.reference()),
        xiaoqu: input.xiaoqu.into_string(),
        r#type: kind_filter(input.r#type),
        status: complaint_status_filter(input.status),
        paging: paging(input.page, input.per_page),
    };
    let reply = state
        .call(
            "community",
            state.community().list_complaints(request_id.grpc(message)),
        )
        .await?;
    complaint_page(&request, reply)
}

/// A reply, or closing.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerComplaintInput {
    id: Id,
    reply: Option<Text<1000>>,
    /// 1 closes it.
    close: Option<Flag>,
}

/// The platform replies (`reply`) to or closes (`close=1`) a complaint.
#[utoipa::path(put, path = "/api/v1/wjdh/complaint", tag = TAG_PLATFORM,
    request_body = AnswerComplaintInput,
    responses((status = 200, body = DataResponse), (status = 409, body = Failure, description = "已关闭")), security(("bearer" = [])))]
pub async fn answer_complaint(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<AnswerComplaintInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::AnswerComplaintRequest {
        platform: Some(platform.reference()),
        id: input.id.get(),
        reply: input.reply.map(Text::into_string),
        close: input.close.is_some_and(Flag::get),
    };
    let c = state
        .call(
            "community",
            state.community().answer_complaint(request_id.grpc(message)),
        )
        .await?;
    ok("修改成功", "修改成功", complaint_json(c))
}

// ---- 应急电话 ----

/// An emergency number.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmergencyInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    #[schema(example = "物业值班")]
    name: Text<32>,
    #[schema(example = "0335-1234567")]
    phone: Hotline,
    /// Weight: larger first; 0 when absent.
    order: Option<Weight>,
}

/// The platform adds an emergency number (`xiaoqu`, `name`, `phone`, `order`).
#[utoipa::path(post, path = "/api/v1/wjdh/emergency", tag = TAG_PLATFORM,
    request_body = EmergencyInput,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn add_emergency(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<EmergencyInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::SaveEmergencyPhoneRequest {
        platform: Some(platform.reference()),
        xiaoqu: input.xiaoqu.into_string(),
        name: input.name.into_string(),
        phone: input.phone.0,
        order: input.order.map_or(0, Int::get),
    };
    let p = state
        .call(
            "community",
            state
                .community()
                .save_emergency_phone(request_id.grpc(message)),
        )
        .await?;
    ok("应急电话添加成功", "应急电话添加成功", phone_json(p))
}

/// The platform removes an emergency number (`id`).
#[utoipa::path(delete, path = "/api/v1/wjdh/emergency", tag = TAG_PLATFORM,
    request_body = IdInput, responses((status = 200, body = Head)), security(("bearer" = [])))]
pub async fn remove_emergency(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<IdInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = platform_record(&platform, &input);
    state
        .call(
            "community",
            state
                .community()
                .remove_emergency_phone(request_id.grpc(message)),
        )
        .await?;
    ok_bare("应急电话删除成功", "应急电话删除成功")
}

/// The platform's emergency numbers of a community.
#[utoipa::path(post, path = "/api/v1/wjdh/emergencies", tag = TAG_PLATFORM,
    request_body = CommunityInput, responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn platform_emergencies(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<CommunityInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = platform_community(&platform, input);
    let list = state
        .call(
            "community",
            state
                .community()
                .platform_emergency_phones(request_id.grpc(message)),
        )
        .await?;
    ok(
        "成功获取应急电话",
        "成功获取应急电话",
        Value::from(list.phones.into_iter().map(phone_json).collect::<Vec<_>>()),
    )
}

/// A resident's emergency numbers of a community they are bound to.
#[utoipa::path(post, path = "/api/v1/weapp/emergencies", tag = TAG_RESIDENT,
    request_body = CommunityInput, responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn resident_emergencies(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<CommunityInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = resident_community(&resident, input);
    let list = state
        .call(
            "community",
            state
                .community()
                .resident_emergency_phones(request_id.grpc(message)),
        )
        .await?;
    ok(
        "成功获取应急电话",
        "成功获取应急电话",
        Value::from(list.phones.into_iter().map(phone_json).collect::<Vec<_>>()),
    )
}

// ---- 访客通行 ----

/// A visitor pass.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VisitorPassInput {
    /// One of the resident's bound houses.
    house_id: Id,
    #[schema(example = "张三")]
    visitor_name: Text<32>,
    visitor_phone: Phone,
    /// Unix seconds; now when absent.
    valid_from: Option<UnixTime>,
    /// Unix seconds; a day after `valid_from` when absent; at most 7 days after it.
    valid_until: Option<UnixTime>,
}

/// A resident issues a visitor pass for a bound house; the answer carries the gate code.
#[utoipa::path(post, path = "/api/v1/weapp/visitor", tag = TAG_RESIDENT,
    request_body = VisitorPassInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure, description = "访客通行功能已关闭")), security(("bearer" = [])))]
pub async fn issue_pass(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<VisitorPassInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let message = pb::IssueVisitorPassRequest {
        resident: Some(resident.reference()),
        house_id: input.house_id.get(),
        visitor_name: input.visitor_name.into_string(),
        visitor_phone: input.visitor_phone.0.as_str().to_owned(),
        valid_from: input.valid_from.map(Int::get),
        valid_until: input.valid_until.map(Int::get),
    };
    let p = state
        .call(
            "community",
            state
                .community()
                .issue_visitor_pass(request_id.grpc(message)),
        )
        .await?;
    ok("通行证已生成", "通行证已生成", pass_json(p))
}

/// The resident's visitor passes, newest first.
#[utoipa::path(post, path = "/api/v1/weapp/visitors", tag = TAG_RESIDENT,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn my_passes(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
) -> ApiResult {
    let message = pb::MyVisitorPassesRequest {
        resident: Some(resident.reference()),
    };
    let list = state
        .call(
            "community",
            state
                .community()
                .my_visitor_passes(request_id.grpc(message)),
        )
        .await?;
    ok(
        "成功获取通行证",
        "成功获取通行证",
        Value::from(list.passes.into_iter().map(pass_json).collect::<Vec<_>>()),
    )
}

/// A visitor's gate code.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifyPassInput {
    #[schema(example = "12345678")]
    code: Text<16>,
}

/// The gate (platform) checks a visitor code: once, within its window.
#[utoipa::path(post, path = "/api/v1/wjdh/visitor/verify", tag = TAG_PLATFORM,
    request_body = VerifyPassInput,
    responses((status = 200, body = DataResponse), (status = 404, body = Failure, description = "通行码无效"), (status = 409, body = Failure, description = "已使用 / 已过期 / 未生效")),
    security(("bearer" = [])))]
pub async fn verify_pass(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<VerifyPassInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = pb::VerifyVisitorPassRequest {
        platform: Some(platform.reference()),
        code: input.into_inner().code.into_string(),
    };
    let p = state
        .call(
            "community",
            state
                .community()
                .verify_visitor_pass(request_id.grpc(message)),
        )
        .await?;
    ok("验证通过", "验证通过", pass_json(p))
}

// ---- photos ----

/// The end of a repair or complaint photo's key, as svc-community lays it out:
/// `…/community-photo/{community}/{uploader}/{yyyymmdd}/{name}.jpg` (or `.png`).
const COMMUNITY_PHOTO_LAYOUT: &str =
    r"/community-photo/[A-Za-z0-9]{1,20}/[0-9]{1,18}/[0-9]{8}/[A-Za-z0-9]{1,64}\.(jpg|png)";

/// A whole community photo key: an object-store prefix, then [`COMMUNITY_PHOTO_LAYOUT`]; any
/// other key names no file (404).
static COMMUNITY_PHOTO_KEY: LazyLock<regex::Regex> = LazyLock::new(|| {
    let pattern = format!("^{}{COMMUNITY_PHOTO_LAYOUT}$", super::photos::KEY_PREFIX);
    regex::Regex::new(&pattern).expect("COMMUNITY_PHOTO_KEY")
});

/// A photo's community; the multipart `file` is the photo.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PhotoInput {
    /// The photo: JPEG or PNG (a file part).
    #[schema(required = true)]
    #[serde(default)]
    pub file: FilePart,
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
}

/// A resident uploads a repair or complaint photo (multipart `file`, JPEG or PNG) for a
/// community they are bound to (`xiaoqu`); `data` is the URL to send in `images`.
#[utoipa::path(post, path = "/api/v1/weapp/community/photo", tag = TAG_RESIDENT,
    request_body(content = PhotoInput, content_type = "multipart/form-data"),
    responses((status = 200, body = DataResponse), (status = 400, body = Failure, description = "not JPEG/PNG or too large")), security(("bearer" = [])))]
pub async fn upload_photo(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<PhotoInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let content = input
        .file("file")
        .map(|file| file.bytes.to_vec())
        .unwrap_or_default();
    let request = pb::UploadPhotoRequest {
        resident: Some(resident.reference()),
        community_identifier: input.into_inner().xiaoqu.into_string(),
        content,
    };
    let reply = state
        .call(
            "community",
            state.community().upload_photo(request_id.grpc(request)),
        )
        .await?;
    ok(
        "图片上传成功",
        "图片上传成功",
        Value::from(state.file_url(&reply.url)),
    )
}

/// A community photo, for its uploader or the platform managing the community.
#[utoipa::path(get, path = "/api/v1/community/files/{key}", tag = TAG_RESIDENT,
    params(("key" = String, Path, description = "the object key, slashes included: `{prefix}/community-photo/{community}/{uploader}/{yyyymmdd}/{name}.jpg` (or .png); any other key is 404")),
    responses((status = 200, description = "the image"), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn read_photo(
    state: web::Data<AppState>,
    request_id: RequestId,
    req: HttpRequest,
    key: web::Path<String>,
) -> Result<HttpResponse, crate::envelope::ApiError> {
    let caller = auth::authenticate(
        &state,
        request_id.as_str(),
        auth::bearer_token(&req),
        Audience::Resident,
    )
    .await?;
    let (resident, platform) = match caller {
        caller::Kind::Resident(r) => (
            Some(pb::ResidentRef {
                user_id: r.user_id,
                phone: String::new(),
            }),
            None,
        ),
        caller::Kind::Platform(p) => (
            None,
            Some(pb::PlatformRef {
                credential_id: p.credential_id,
                secret_id: p.secret_id,
                communities: p.communities,
            }),
        ),
    };
    let key = key.into_inner();
    if !COMMUNITY_PHOTO_KEY.is_match(&key) {
        return Err(ServiceError::not_found("文件不存在", "not a community photo key").into());
    }
    let request = pb::ReadPhotoRequest {
        resident,
        platform,
        key,
    };
    let file = state
        .call(
            "community",
            state.community().read_photo(request_id.grpc(request)),
        )
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header(CacheControl(vec![CacheDirective::Private]))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(file.content))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T: DeserializeOwned>(value: Value) -> Result<T, String> {
        crate::input::parse(value.as_object().cloned().unwrap_or_default())
            .map_err(|error| error.message)
    }

    #[test]
    fn images_are_split_at_commas_and_capped() {
        let photo = |n: u8| {
            format!(
                "http://x/api/v1/community/files/wjdh-platform/community-photo/10002/7/20261202/a{n}.jpg"
            )
        };
        let input: FileRepairInput = read(json!({
            "house_id": 7, "possion": "p", "description": "d",
            "images": format!(" {}, {} ,", photo(1), photo(2)),
        }))
        .expect("read");
        assert_eq!(
            input.images.map(|images| images.0),
            Some(vec![photo(1), photo(2)])
        );
        let refused = |images: Value| {
            read::<FileRepairInput>(
                json!({"house_id": 7, "possion": "p", "description": "d", "images": images}),
            )
            .expect_err("refused")
        };
        let many: Vec<String> = (0..10).map(photo).collect();
        assert_eq!(refused(json!(many.join(","))), "images最多9张图片");
        assert_eq!(
            refused(json!("http://evil/x.jpg")),
            "images只能是/api/v1/weapp/community/photo上传的图片地址"
        );
        assert_eq!(refused(json!(["u"])), "images格式不正确");
        let announcement = |images: &str| {
            read::<CreateAnnouncementInput>(
                json!({"xiaoqu": "10002", "title": "t", "content": "c", "images": images}),
            )
            .map(|input| input.images.map(|images| images.0))
        };
        assert_eq!(
            announcement("http://x/a.jpg,,http://x/b.png").expect("read"),
            Some(vec![
                "http://x/a.jpg".to_owned(),
                "http://x/b.png".to_owned()
            ])
        );
        assert_eq!(
            announcement(&"u".repeat(501)).expect_err("long"),
            "images的图片地址太长"
        );
    }

    #[test]
    fn the_images_pattern_says_what_the_parser_takes() {
        let pattern = |schema: RefOr<Schema>| match schema {
            RefOr::T(Schema::Object(object)) => {
                regex::Regex::new(&object.pattern.expect("pattern")).expect("regex")
            }
            _ => panic!("an object schema"),
        };
        let any = pattern(Images::schema());
        let uploaded = pattern(UploadedPhotos::schema());
        let photo = "wjdh-platform/community-photo/10002/7/20261202/abc.png";
        let cases = [
            "http://x/a.jpg".to_owned(),
            " , a , ,b,".to_owned(),
            "a b".to_owned(),
            "u".repeat(501),
            ["u"; 9].join(","),
            ["u"; 10].join(","),
            photo.to_owned(),
            format!("https://h/api/v1/community/files/{photo}, {photo}"),
            format!("{photo} x"),
            "\u{3000}a\u{0085}".to_owned(),
            "\u{001c}".to_owned(),
        ];
        for case in cases {
            // The parser sees the text trimmed and takes a blank one as no field at all.
            let parsed = |text: &str| {
                let text = text.trim();
                text.is_empty() || {
                    let field =
                        json!({"xiaoqu": "10002", "title": "t", "content": "c", "images": text});
                    read::<CreateAnnouncementInput>(field).is_ok()
                }
            };
            assert_eq!(any.is_match(&case), parsed(&case), "{case:?}");
            let parsed = |text: &str| {
                let text = text.trim();
                text.is_empty() || {
                    let field =
                        json!({"house_id": 7, "possion": "p", "description": "d", "images": text});
                    read::<FileRepairInput>(field).is_ok()
                }
            };
            assert_eq!(uploaded.is_match(&case), parsed(&case), "uploaded {case:?}");
        }
    }

    #[test]
    fn an_emergency_number_is_digits_and_dashes() {
        let read_phone = |phone: Value| {
            read::<EmergencyInput>(json!({"xiaoqu": "10002", "name": "n", "phone": phone}))
                .map(|input| input.phone.0)
        };
        assert_eq!(read_phone(json!(110)).expect("number"), "110");
        assert_eq!(
            read_phone(json!("0335-1234567")).expect("text"),
            "0335-1234567"
        );
        assert_eq!(
            read_phone(json!("call me")).expect_err("refused"),
            "phone只能包含数字和-"
        );
    }

    #[test]
    fn seed_003_codes_are_read_in_any_case_and_parties_by_name() {
        let update = |fields: Value| read::<UpdateRepairInput>(fields);
        let input =
            update(json!({"id": 1, "action": "receive", "pay_part": "物业"})).expect("read");
        assert!(matches!(
            input.action.map(|action| action.0),
            Some(RepairAction::Receive)
        ));
        assert!(matches!(
            input.pay_part.map(|part| part.0),
            Some(PayPartCode::TenantSett)
        ));
        for (name, code) in [
            ("owner_sett", PayPartCode::OwnerSett),
            ("公共维修基金结算", PayPartCode::AllSettle),
            ("其他", PayPartCode::OtherSett),
        ] {
            let part = update(json!({"id": 1, "pay_part": name}))
                .expect("party")
                .pay_part
                .map(|part| part.0);
            assert_eq!(format!("{part:?}"), format!("{:?}", Some(code)));
        }
        assert_eq!(
            update(json!({"id": 1, "action": "NEW"})).expect_err("refused"),
            "action必须是RECEIVE、REPAIR或DONE"
        );
        assert_eq!(
            update(json!({"id": 1, "pay_part": "路人"})).expect_err("refused"),
            "pay_part必须是OWNER_SETT、TENANT_SETT、ALL_SETTLE或OTHER_SETT"
        );
    }

    #[test]
    fn complaint_kinds_and_statuses_are_the_seeds_words() {
        let refused = read::<ComplaintsInput>(json!({"xiaoqu": "10002", "type": "表扬"}))
            .expect_err("refused");
        assert_eq!(refused, "type必须是投诉或建议");
        let refused = read::<ComplaintsInput>(json!({"xiaoqu": "10002", "status": "x"}))
            .expect_err("refused");
        assert_eq!(refused, "status必须是待处理、已回复或已关闭");
    }
}
