//! 001 §3–§6 and the resident's side of them: module switches, repairs, announcements,
//! complaints, emergency numbers, visitor passes and the photos residents attach. The security
//! platform's paths are the seed's; the resident's follow their style under `/api/v1/weapp/`.
use std::collections::HashMap;

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{HttpRequest, HttpResponse, web};
use proto::auth::caller;
use proto::community as pb;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::{self, Audience, PlatformCaller, ResidentCaller};
use crate::envelope::{self, ApiResult, Failure, Head};
use crate::middleware::RequestId;
use crate::params::Params;
use crate::routes::pages;
use crate::state::AppState;

const TAG_PLATFORM: &str = "001 §3–§6 社区功能（安防平台）";
const TAG_RESIDENT: &str = "社区功能（小程序）";

/// A success with `data`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataResponse {
    #[serde(flatten)]
    pub head: Head,
    /// An object or a list, as the operation says (any JSON value).
    pub data: Value,
}

fn ok(msg: &str, message: &str, data: Value) -> ApiResult {
    Ok(envelope::ok(&DataResponse {
        head: Head::ok(msg, message),
        data,
    }))
}

fn ok_bare(msg: &str, message: &str) -> ApiResult {
    Ok(envelope::ok(&Head::ok(msg, message)))
}

/// The named fields the caller sent, as text.
fn fields(
    params: &Params,
    names: &[&str],
) -> Result<HashMap<String, String>, crate::envelope::ApiError> {
    let mut map = HashMap::new();
    for name in names {
        if let Some(value) = params.optional_str(name)? {
            map.insert((*name).to_owned(), value);
        }
    }
    Ok(map)
}

fn platform_fields(
    platform: &PlatformCaller,
    params: &Params,
    names: &[&str],
) -> Result<pb::PlatformFields, crate::envelope::ApiError> {
    Ok(pb::PlatformFields {
        platform: Some(platform.reference()),
        fields: fields(params, names)?,
    })
}

fn resident_fields(
    resident: &ResidentCaller,
    params: &Params,
    names: &[&str],
) -> Result<pb::ResidentFields, crate::envelope::ApiError> {
    Ok(pb::ResidentFields {
        resident: Some(resident.reference()),
        fields: fields(params, names)?,
    })
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

// ---- 001 §3 modules ----

/// 001 §3.2.1 小区功能模块状态列表.
#[utoipa::path(post, path = "/api/v1/wjdh/modules", tag = TAG_PLATFORM,
    params(("xiaoqu" = String, Query, description = "community_identifier")),
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn modules(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(&platform, &params, &["xiaoqu"])?;
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

/// 001 §3.2.2 小区功能模块状态改变.
#[utoipa::path(put, path = "/api/v1/wjdh/module", tag = TAG_PLATFORM,
    params(("xiaoqu" = String, Query), ("module_name" = String, Query), ("module_status" = i32, Query, description = "0关闭1开启")),
    responses((status = 200, body = Head), (status = 400, body = Failure), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn change_module(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(
        &platform,
        &params,
        &["xiaoqu", "module_name", "module_status"],
    )?;
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

/// 001 §3.1.1 on demand: reads every community's switches from the security platform now.
#[utoipa::path(post, path = "/api/v1/wjdh/modules/sync", tag = TAG_PLATFORM,
    responses((status = 200, body = DataResponse), (status = 502, body = Failure)), security(("bearer" = [])))]
pub async fn sync_modules(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(&platform, &params, &[])?;
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
    params(("xiaoqu" = String, Query)),
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn resident_modules(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let message = resident_fields(&resident, &params, &["xiaoqu"])?;
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

/// Seed 003 §4.2: the 3-level repair categories of one community, with the shared defaults
/// (`xiaoqu` null, read-only). A resident names the house they file for (`house_id`) or a
/// community where they are bound (`xiaoqu`); the platform names one of its communities
/// (`xiaoqu`). Either may leave both out when only one community is theirs.
#[utoipa::path(post, path = "/api/v1/repair/categories", tag = TAG_RESIDENT,
    params(("house_id" = Option<i64>, Query, description = "resident: the house the repair is for"),
           ("xiaoqu" = Option<String>, Query, description = "community_identifier")),
    responses((status = 200, body = DataResponse), (status = 400, body = Failure),
              (status = 403, body = Failure, description = "未绑定该房屋 / 您没有权限管理该小区")),
    security(("bearer" = [])))]
pub async fn repair_categories(
    state: web::Data<AppState>,
    request_id: RequestId,
    req: HttpRequest,
    params: Params,
) -> ApiResult {
    let caller = auth::authenticate(
        &state,
        request_id.as_str(),
        auth::bearer_token(&req),
        Audience::Resident,
    )
    .await?;
    let mut message = pb::CategoriesRequest {
        xiaoqu: params.str_or_empty("xiaoqu")?,
        house_id: params.str_or_empty("house_id")?,
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

/// The platform adds a repair category to one of its communities (`xiaoqu`, `name`, optional
/// `parent_id`: the community's own or a shared default; three levels at most).
#[utoipa::path(post, path = "/api/v1/wjdh/repair/category", tag = TAG_PLATFORM,
    params(("xiaoqu" = String, Query, description = "community_identifier; may be left out by a credential managing one community"),
           ("name" = String, Query), ("parent_id" = Option<i64>, Query)),
    responses((status = 200, body = DataResponse), (status = 400, body = Failure),
              (status = 403, body = Failure, description = "您没有权限管理该小区")),
    security(("bearer" = [])))]
pub async fn add_category(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(&platform, &params, &["xiaoqu", "name", "parent_id"])?;
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

/// The platform removes a repair category of one of its communities that has no children
/// (`id`); another community's category or a shared default is refused (403).
#[utoipa::path(delete, path = "/api/v1/wjdh/repair/category", tag = TAG_PLATFORM,
    params(("id" = i64, Query), ("xiaoqu" = Option<String>, Query, description = "if sent, the category's community")),
    responses((status = 200, body = Head), (status = 403, body = Failure, description = "您没有权限查看该记录 / 默认报修类型不能删除"),
              (status = 404, body = Failure), (status = 409, body = Failure, description = "还有下级类型")),
    security(("bearer" = [])))]
pub async fn remove_category(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(&platform, &params, &["id", "xiaoqu"])?;
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
    ok(
        "成功获取结算方",
        "成功获取结算方",
        json!([
            {"name": "业主结算", "code": "OWNER_SETT"},
            {"name": "物业结算", "code": "TENANT_SETT"},
            {"name": "公共维修基金结算", "code": "ALL_SETTLE"},
            {"name": "其他", "code": "OTHER_SETT"},
        ]),
    )
}

/// A resident files a repair for a bound house.
#[utoipa::path(post, path = "/api/v1/weapp/repair", tag = TAG_RESIDENT,
    params(("house_id" = i64, Query), ("possion" = String, Query, description = "报修地点, ≤200字"), ("description" = String, Query, description = "≤1000字"),
           ("images" = Option<String>, Query, description = "comma-separated URLs from /api/v1/weapp/community/photo"),
           ("category_id" = Option<i64>, Query, description = "a third-level category"), ("name" = Option<String>, Query), ("phone" = Option<String>, Query)),
    responses((status = 200, body = DataResponse), (status = 400, body = Failure), (status = 403, body = Failure, description = "未绑定该房屋 / 物业报修功能已关闭")),
    security(("bearer" = [])))]
pub async fn file_repair(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let message = resident_fields(
        &resident,
        &params,
        &[
            "house_id",
            "possion",
            "description",
            "images",
            "category_id",
            "name",
            "phone",
        ],
    )?;
    let repair = state
        .call(
            "community",
            state.community().file_repair(request_id.grpc(message)),
        )
        .await?;
    ok("报修提交成功", "报修提交成功", repair_json(repair))
}

/// The resident's own repairs (`status`, `stage`, `page`, `per_page`).
#[utoipa::path(post, path = "/api/v1/weapp/repairs", tag = TAG_RESIDENT,
    params(("status" = Option<i32>, Query), ("stage" = Option<String>, Query), ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn my_repairs(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let message = resident_fields(&resident, &params, &["status", "stage", "page", "per_page"])?;
    let reply = state
        .call(
            "community",
            state.community().my_repairs(request_id.grpc(message)),
        )
        .await?;
    let count = reply.repairs.len();
    let rows: Vec<Value> = reply.repairs.into_iter().map(repair_json).collect();
    ok(
        "成功查询返回报修列表",
        "成功查询返回报修列表",
        json!({"repairs": rows, "pages": pages::flat(&request, reply.page, reply.per_page, count, reply.total)}),
    )
}

/// One of the resident's repairs with its progress and reply.
#[utoipa::path(post, path = "/api/v1/weapp/repair/detail", tag = TAG_RESIDENT,
    params(("id" = i64, Query)), responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn my_repair(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let message = resident_fields(&resident, &params, &["id"])?;
    let repair = state
        .call(
            "community",
            state.community().my_repair(request_id.grpc(message)),
        )
        .await?;
    ok("成功获取报修记录", "成功获取报修记录", repair_json(repair))
}

/// 001 §4.1 报修列表 (`status` 0 default, 1, or `all`; `stage` NEW/RECEIVE/REPAIR/DONE).
#[utoipa::path(post, path = "/api/v1/wjdh/repair/list", tag = TAG_PLATFORM,
    params(("xiaoqu" = String, Query), ("status" = Option<i32>, Query), ("stage" = Option<String>, Query), ("per_page" = Option<i64>, Query), ("page" = Option<i64>, Query)),
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn repair_list(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(
        &platform,
        &params,
        &["xiaoqu", "status", "stage", "page", "per_page"],
    )?;
    let reply = state
        .call(
            "community",
            state.community().list_repairs(request_id.grpc(message)),
        )
        .await?;
    let count = reply.repairs.len();
    let rows: Vec<Value> = reply.repairs.into_iter().map(repair_json).collect();
    ok(
        "成功查询返回报修列表",
        "成功查询返回报修列表",
        json!({"repairs": rows, "pages": pages::flat(&request, reply.page, reply.per_page, count, reply.total)}),
    )
}

/// 001 §4.2 查看单独某条报修记录.
#[utoipa::path(post, path = "/api/v1/repair", tag = TAG_PLATFORM,
    params(("id" = i64, Query)), responses((status = 200, body = DataResponse), (status = 403, body = Failure), (status = 404, body = Failure)), security(("bearer" = [])))]
pub async fn repair(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(&platform, &params, &["id"])?;
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

/// 001 §4.3 更新报修状态, with seed 003's `action` (RECEIVE/REPAIR/DONE), `staff` and `pay_part`.
#[utoipa::path(put, path = "/api/v1/repair", tag = TAG_PLATFORM,
    params(("id" = i64, Query), ("status" = Option<i32>, Query, description = "1 已处理"), ("reply" = Option<String>, Query),
           ("action" = Option<String>, Query, description = "RECEIVE 接单, REPAIR 维修, DONE 完成"), ("staff" = Option<String>, Query),
           ("pay_part" = Option<String>, Query, description = "OWNER_SETT/TENANT_SETT/ALL_SETTLE/OTHER_SETT; required with action=DONE")),
    responses((status = 200, body = Head), (status = 409, body = Failure, description = "illegal transition")), security(("bearer" = [])))]
pub async fn update_repair(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(
        &platform,
        &params,
        &["id", "status", "reply", "action", "staff", "pay_part"],
    )?;
    let repair = state
        .call(
            "community",
            state.community().update_repair(request_id.grpc(message)),
        )
        .await?;
    ok("修改成功", "message编码Repairs123", repair_json(repair))
}

// ---- 001 §5 announcements ----

const ANNOUNCEMENT_FIELDS: [&str; 10] = [
    "id", "xiaoqu", "title", "content", "order", "top", "status", "manager", "logo", "images",
];

/// 001 §5.1 创建公告.
#[utoipa::path(post, path = "/api/v1/announcement/new", tag = TAG_PLATFORM,
    params(("xiaoqu" = String, Query), ("title" = String, Query), ("content" = String, Query), ("order" = Option<i64>, Query), ("top" = Option<i32>, Query),
           ("status" = Option<i32>, Query), ("manager" = Option<String>, Query), ("logo" = Option<String>, Query), ("images" = Option<String>, Query)),
    responses((status = 200, body = DataResponse), (status = 400, body = Failure), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn create_announcement(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let mut message = platform_fields(&platform, &params, &ANNOUNCEMENT_FIELDS)?;
    message.fields.remove("id");
    let saved = state
        .call(
            "community",
            state
                .community()
                .save_announcement(request_id.grpc(message)),
        )
        .await?;
    ok(
        "公告发布成功",
        "message编码Announcements75",
        Value::from(saved.id),
    )
}

/// Edits announcement `id` (only the fields sent change; `status=0` closes it).
#[utoipa::path(put, path = "/api/v1/announcement", tag = TAG_PLATFORM,
    params(("id" = i64, Query)), responses((status = 200, body = DataResponse), (status = 403, body = Failure), (status = 404, body = Failure)), security(("bearer" = [])))]
pub async fn edit_announcement(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(&platform, &params, &ANNOUNCEMENT_FIELDS)?;
    if !message.fields.contains_key("id") {
        return Err(kit::error::ServiceError::missing("id").into());
    }
    let saved = state
        .call(
            "community",
            state
                .community()
                .save_announcement(request_id.grpc(message)),
        )
        .await?;
    ok("公告修改成功", "公告修改成功", announcement_json(saved))
}

/// Deletes announcement `id`.
#[utoipa::path(delete, path = "/api/v1/announcement", tag = TAG_PLATFORM,
    params(("id" = i64, Query)), responses((status = 200, body = Head), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn delete_announcement(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(&platform, &params, &["id"])?;
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

/// The platform's announcements of a community, closed ones included (`status` filters).
#[utoipa::path(post, path = "/api/v1/wjdh/announcements", tag = TAG_PLATFORM,
    params(("xiaoqu" = String, Query), ("status" = Option<i32>, Query), ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn platform_announcements(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(
        &platform,
        &params,
        &["xiaoqu", "status", "page", "per_page"],
    )?;
    let reply = state
        .call(
            "community",
            state
                .community()
                .platform_announcements(request_id.grpc(message)),
        )
        .await?;
    let count = reply.announcements.len();
    let rows: Vec<Value> = reply
        .announcements
        .into_iter()
        .map(announcement_json)
        .collect();
    ok(
        "成功获取公告列表",
        "成功获取公告列表",
        json!({"announcements": rows, "pages": pages::flat(&request, reply.page, reply.per_page, count, reply.total)}),
    )
}

/// A resident's announcements of a community they are bound to: open ones, top first, then
/// weight, then newest.
#[utoipa::path(post, path = "/api/v1/weapp/announcements", tag = TAG_RESIDENT,
    params(("xiaoqu" = String, Query), ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn resident_announcements(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let message = resident_fields(&resident, &params, &["xiaoqu", "page", "per_page"])?;
    let reply = state
        .call(
            "community",
            state
                .community()
                .resident_announcements(request_id.grpc(message)),
        )
        .await?;
    let count = reply.announcements.len();
    let rows: Vec<Value> = reply
        .announcements
        .into_iter()
        .map(announcement_json)
        .collect();
    ok(
        "成功获取公告列表",
        "成功获取公告列表",
        json!({"announcements": rows, "pages": pages::flat(&request, reply.page, reply.per_page, count, reply.total)}),
    )
}

/// One open announcement.
#[utoipa::path(post, path = "/api/v1/weapp/announcement", tag = TAG_RESIDENT,
    params(("id" = i64, Query)), responses((status = 200, body = DataResponse), (status = 404, body = Failure)), security(("bearer" = [])))]
pub async fn resident_announcement(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let message = resident_fields(&resident, &params, &["id"])?;
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

/// A resident submits a complaint or suggestion.
#[utoipa::path(post, path = "/api/v1/weapp/complaint", tag = TAG_RESIDENT,
    params(("type" = String, Query, description = "投诉 or 建议"), ("content" = String, Query, description = "≤1000字"), ("images" = Option<String>, Query),
           ("house_id" = Option<i64>, Query), ("xiaoqu" = Option<String>, Query, description = "required without house_id")),
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn submit_complaint(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let message = resident_fields(
        &resident,
        &params,
        &["type", "content", "images", "house_id", "xiaoqu"],
    )?;
    let c = state
        .call(
            "community",
            state.community().submit_complaint(request_id.grpc(message)),
        )
        .await?;
    ok("提交成功", "提交成功", complaint_json(c))
}

/// The resident's own complaints and suggestions with their replies.
#[utoipa::path(post, path = "/api/v1/weapp/complaints", tag = TAG_RESIDENT,
    params(("type" = Option<String>, Query), ("status" = Option<String>, Query), ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn my_complaints(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let message = resident_fields(&resident, &params, &["type", "status", "page", "per_page"])?;
    let reply = state
        .call(
            "community",
            state.community().my_complaints(request_id.grpc(message)),
        )
        .await?;
    let count = reply.complaints.len();
    let rows: Vec<Value> = reply.complaints.into_iter().map(complaint_json).collect();
    ok(
        "成功获取投诉建议列表",
        "成功获取投诉建议列表",
        json!({"complaints": rows, "pages": pages::flat(&request, reply.page, reply.per_page, count, reply.total)}),
    )
}

/// One of the resident's complaints.
#[utoipa::path(post, path = "/api/v1/weapp/complaint/detail", tag = TAG_RESIDENT,
    params(("id" = i64, Query)), responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn my_complaint(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let message = resident_fields(&resident, &params, &["id"])?;
    let c = state
        .call(
            "community",
            state.community().my_complaint(request_id.grpc(message)),
        )
        .await?;
    ok("成功获取投诉建议", "成功获取投诉建议", complaint_json(c))
}

/// The platform's complaints of a community (`type`, `status` 待处理/已回复/已关闭, paging).
#[utoipa::path(post, path = "/api/v1/wjdh/complaints", tag = TAG_PLATFORM,
    params(("xiaoqu" = String, Query), ("type" = Option<String>, Query), ("status" = Option<String>, Query), ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn complaints(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(
        &platform,
        &params,
        &["xiaoqu", "type", "status", "page", "per_page"],
    )?;
    let reply = state
        .call(
            "community",
            state.community().list_complaints(request_id.grpc(message)),
        )
        .await?;
    let count = reply.complaints.len();
    let rows: Vec<Value> = reply.complaints.into_iter().map(complaint_json).collect();
    ok(
        "成功获取投诉建议列表",
        "成功获取投诉建议列表",
        json!({"complaints": rows, "pages": pages::flat(&request, reply.page, reply.per_page, count, reply.total)}),
    )
}

/// The platform replies (`reply`) to or closes (`close=1`) a complaint.
#[utoipa::path(put, path = "/api/v1/wjdh/complaint", tag = TAG_PLATFORM,
    params(("id" = i64, Query), ("reply" = Option<String>, Query), ("close" = Option<i32>, Query)),
    responses((status = 200, body = DataResponse), (status = 409, body = Failure, description = "已关闭")), security(("bearer" = [])))]
pub async fn answer_complaint(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(&platform, &params, &["id", "reply", "close"])?;
    let c = state
        .call(
            "community",
            state.community().answer_complaint(request_id.grpc(message)),
        )
        .await?;
    ok("修改成功", "修改成功", complaint_json(c))
}

// ---- 应急电话 ----

/// The platform adds an emergency number (`xiaoqu`, `name`, `phone`, `order`).
#[utoipa::path(post, path = "/api/v1/wjdh/emergency", tag = TAG_PLATFORM,
    params(("xiaoqu" = String, Query), ("name" = String, Query), ("phone" = String, Query), ("order" = Option<i64>, Query)),
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn add_emergency(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(&platform, &params, &["xiaoqu", "name", "phone", "order"])?;
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
    params(("id" = i64, Query)), responses((status = 200, body = Head)), security(("bearer" = [])))]
pub async fn remove_emergency(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(&platform, &params, &["id"])?;
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
    params(("xiaoqu" = String, Query)), responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn platform_emergencies(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(&platform, &params, &["xiaoqu"])?;
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
    params(("xiaoqu" = String, Query)), responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn resident_emergencies(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let message = resident_fields(&resident, &params, &["xiaoqu"])?;
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

/// A resident issues a visitor pass for a bound house; the answer carries the gate code.
#[utoipa::path(post, path = "/api/v1/weapp/visitor", tag = TAG_RESIDENT,
    params(("house_id" = i64, Query), ("visitor_name" = String, Query), ("visitor_phone" = String, Query),
           ("valid_from" = Option<i64>, Query, description = "unix seconds, default now"), ("valid_until" = Option<i64>, Query, description = "unix seconds, default +24h, ≤7 days")),
    responses((status = 200, body = DataResponse), (status = 403, body = Failure, description = "访客通行功能已关闭")), security(("bearer" = [])))]
pub async fn issue_pass(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let message = resident_fields(
        &resident,
        &params,
        &[
            "house_id",
            "visitor_name",
            "visitor_phone",
            "valid_from",
            "valid_until",
        ],
    )?;
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
    params: Params,
) -> ApiResult {
    let message = resident_fields(&resident, &params, &[])?;
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

/// The gate (platform) checks a visitor code: once, within its window.
#[utoipa::path(post, path = "/api/v1/wjdh/visitor/verify", tag = TAG_PLATFORM,
    params(("code" = String, Query)),
    responses((status = 200, body = DataResponse), (status = 404, body = Failure, description = "通行码无效"), (status = 409, body = Failure, description = "已使用 / 已过期 / 未生效")),
    security(("bearer" = [])))]
pub async fn verify_pass(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = platform_fields(&platform, &params, &["code"])?;
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

/// A resident uploads a repair or complaint photo (multipart `file`, JPEG or PNG) for a
/// community they are bound to (`xiaoqu`); `data` is the URL to send in `images`.
#[utoipa::path(post, path = "/api/v1/weapp/community/photo", tag = TAG_RESIDENT,
    params(("xiaoqu" = String, Query)),
    responses((status = 200, body = DataResponse), (status = 400, body = Failure, description = "not JPEG/PNG or too large")), security(("bearer" = [])))]
pub async fn upload_photo(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let request = pb::UploadPhotoRequest {
        resident: Some(resident.reference()),
        community_identifier: params.str_or_empty("xiaoqu")?,
        content: params
            .file("file")
            .map(|f| f.bytes.to_vec())
            .unwrap_or_default(),
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
    params(("key" = String, Path)), responses((status = 200, description = "the image"), (status = 403, body = Failure)), security(("bearer" = [])))]
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
    let request = pb::ReadPhotoRequest {
        resident,
        platform,
        key: key.into_inner(),
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
