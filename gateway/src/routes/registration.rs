//! 000 §2.2–§3.2: the resident's 一标三实 — security-platform import, owner verification,
//! registration forms (every change is a review), houses, reviews and family rights.
use actix_web::web;
use kit::error::ServiceError;
use proto::yibiaosanshi as pb;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::ResidentCaller;
use crate::envelope::{self, ApiResult, Failure, Head};
use crate::middleware::RequestId;
use crate::params::Params;
use crate::state::AppState;

/// A success with a `data` object or list.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataResponse {
    #[serde(flatten)]
    pub head: Head,
    /// An object or a list, as the operation says (any JSON value).
    pub data: Value,
}

/// A success without data.
#[derive(Debug, Serialize, ToSchema)]
pub struct DoneResponse {
    #[serde(flatten)]
    pub head: Head,
}

fn done(msg: &str, message: &str) -> ApiResult {
    Ok(envelope::ok(&DoneResponse {
        head: Head::ok(msg, message),
    }))
}

fn with_data(msg: &str, message: &str, data: Value) -> ApiResult {
    Ok(envelope::ok(&DataResponse {
        head: Head::ok(msg, message),
        data,
    }))
}

fn person_form(params: &Params) -> Result<pb::PersonForm, ServiceError> {
    let field = |name: &str| params.str_or_empty(name);
    Ok(pb::PersonForm {
        phone: field("phone")?,
        idcard: field("idcard")?,
        name: field("name")?,
        photo: field("photo")?,
        sex: field("sex")?,
        birth: field("birth")?,
        nation: field("nation")?,
        address: field("address")?,
        zzmm: field("zzmm")?,
        tyjr: field("tyjr")?,
        dibao: field("dibao")?,
        shangfang: field("shangfang")?,
        job: field("job")?,
        company: field("company")?,
    })
}

fn house_choice(params: &Params) -> Result<pb::HouseChoice, ServiceError> {
    let field = |name: &str| params.str_or_empty(name);
    Ok(pb::HouseChoice {
        house_id: params.required_str("house_id")?,
        role: field("role")?,
        status: field("status")?,
        r#use: field("use")?,
        xingzhi: field("xingzhi")?,
        choice: field("choice")?,
        r#type: field("type")?,
    })
}

/// 000 §2.2.1 验证手机号是否已经绑定一标三实: imports the caller's record from the security platform.
#[utoipa::path(post, path = "/api/v1/security/phone", tag = "000 §2.2 安防数据",
    params(("verification_key" = String, Query), ("verification_code" = String, Query), ("id" = String, Query, description = "community_identifier")),
    responses((status = 200, body = DoneResponse, description = "code 0 imported; code 2 unknown to the security platform"),
        (status = 400, body = Failure), (status = 502, body = Failure, description = "安防平台接口出现故障")),
    security(("bearer" = [])))]
pub async fn security_phone(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let request = pb::ImportRequest {
        resident: Some(resident.reference()),
        verification_key: params.required_str("verification_key")?,
        verification_code: params.required_str("verification_code")?,
        community_identifier: params.required_str("id")?,
    };
    let reply = state
        .call(
            "yibiaosanshi",
            state
                .registration()
                .import_from_security_platform(request_id.grpc(request)),
        )
        .await?;
    if reply.already_registered {
        return done(
            "已绑定个人信息，无需二次录入",
            "该用户的个人信息已经保存过，无需再次录入",
        );
    }
    done("已自动绑定您的一标三实信息", "在安防平台查找到了数据")
}

/// 000 §2.2.2 查询某房间是否绑定业主: the owner's phone, masked (DESIGN).
#[utoipa::path(post, path = "/api/v1/security/yezhu", tag = "000 §2.2 安防数据",
    params(("id" = i64, Query, description = "house id")),
    responses((status = 200, body = DataResponse, description = "code 0 found (the house's people_house_* are null until the owner's code was verified through 2.2.3); code 2 no owner"), (status = 404, body = Failure), (status = 429, body = Failure, description = "每人每天最多查询20次")),
    security(("bearer" = [])))]
pub async fn security_yezhu(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let request = pb::LookUpOwnerRequest {
        resident: Some(resident.reference()),
        house_id: params.required_str("id")?,
    };
    let owner = state
        .call(
            "yibiaosanshi",
            state.registration().look_up_owner(request_id.grpc(request)),
        )
        .await?;
    with_data(
        "已获取房屋业主手机号码",
        "获得了手机号码，还获得了该房屋的基本信息值，一旦业主提供的验证码核实通过，就展现给用户查看",
        json!({
            "people_phone": owner.masked_phone,
            "people_house_use": owner.people_house_use,
            "people_house_xingzhi": owner.people_house_xingzhi,
            "people_house_status": owner.people_house_status,
            "people_house_role": owner.people_house_role,
            "phone": owner.masked_phone,
            "community_house_name": owner.community_house_name,
        }),
    )
}

/// 000 §2.2.3 校验业主手机号是否正确: the owner's `yezhu` code.
#[utoipa::path(post, path = "/api/v1/security/yezhu-code", tag = "000 §2.2 安防数据",
    params(("verification_key" = String, Query), ("verification_code" = String, Query)),
    responses((status = 200, body = DataResponse), (status = 400, body = Failure, description = "验证码错误")),
    security(("bearer" = [])))]
pub async fn security_yezhu_code(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let request = pb::VerifyOwnerRequest {
        resident: Some(resident.reference()),
        verification_key: params.required_str("verification_key")?,
        verification_code: params.required_str("verification_code")?,
    };
    let house = state
        .call(
            "yibiaosanshi",
            state.registration().verify_owner(request_id.grpc(request)),
        )
        .await?;
    with_data(
        "验证成功",
        "验证成功",
        json!({
            "house_id": house.house_id,
            "people_house_use": house.people_house_use,
            "people_house_xingzhi": house.people_house_xingzhi,
            "people_house_status": house.people_house_status,
            "people_house_type": house.people_house_type,
        }),
    )
}

async fn submit(state: &AppState, request_id: &RequestId, request: pb::SubmitRequest) -> ApiResult {
    let reply = state
        .call(
            "yibiaosanshi",
            state.registration().submit(request_id.grpc(request)),
        )
        .await?;
    with_data(
        "已提交审核",
        "已提交审核",
        json!({"shenhe_id": reply.review_id, "shenhe_type": reply.shenhe_type}),
    )
}

/// 000 §2.4.1 第一次录入一标三实表单: person and house, submitted for review.
#[utoipa::path(post, path = "/api/v1/weapp/yibiaosanshi", tag = "000 §2.4 表单提交",
    responses((status = 200, body = DataResponse, description = "已提交审核"), (status = 400, body = Failure), (status = 403, body = Failure, description = "请先验证业主手机号"), (status = 409, body = Failure)),
    security(("bearer" = [])))]
pub async fn first_registration(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let request = pb::SubmitRequest {
        resident: Some(resident.reference()),
        kind: "first".to_owned(),
        person: Some(person_form(&params)?),
        house: Some(house_choice(&params)?),
        binding_id: String::new(),
    };
    submit(&state, &request_id, request).await
}

/// 000 §2.4.2 绑定更多房屋 (DESIGN: this path): a further house for a registered person.
#[utoipa::path(post, path = "/api/v1/weapp/bindHouse", tag = "000 §2.4 表单提交",
    responses((status = 200, body = DataResponse, description = "已提交审核"), (status = 400, body = Failure), (status = 409, body = Failure)),
    security(("bearer" = [])))]
pub async fn bind_house(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let request = pb::SubmitRequest {
        resident: Some(resident.reference()),
        kind: "bind".to_owned(),
        person: None,
        house: Some(house_choice(&params)?),
        binding_id: String::new(),
    };
    submit(&state, &request_id, request).await
}

/// 业主/租客/家属解绑 (seed: 未开发): the resident asks to leave a house; reviewed like the others.
#[utoipa::path(post, path = "/api/v1/weapp/unbindHouse", tag = "000 §2.4 表单提交",
    params(("id" = i64, Query, description = "the caller's binding id")),
    responses((status = 200, body = DataResponse, description = "已提交审核"), (status = 404, body = Failure)),
    security(("bearer" = [])))]
pub async fn unbind_house(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let request = pb::SubmitRequest {
        resident: Some(resident.reference()),
        kind: "unbind".to_owned(),
        person: None,
        house: None,
        binding_id: params.required_str("id")?,
    };
    submit(&state, &request_id, request).await
}

/// 修改房屋数据 (seed: 未开发): new role/status/use/xingzhi/type for one of the caller's bindings.
#[utoipa::path(post, path = "/api/v1/weapp/modifyHouse", tag = "000 §2.4 表单提交",
    params(("id" = i64, Query, description = "the caller's binding id")),
    responses((status = 200, body = DataResponse, description = "已提交审核"), (status = 400, body = Failure)),
    security(("bearer" = [])))]
pub async fn modify_house(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let field = |name: &str| params.str_or_empty(name);
    let request = pb::SubmitRequest {
        resident: Some(resident.reference()),
        kind: "modify_house".to_owned(),
        person: None,
        house: Some(pb::HouseChoice {
            house_id: field("house_id")?,
            role: field("role")?,
            status: field("status")?,
            r#use: field("use")?,
            xingzhi: field("xingzhi")?,
            choice: field("choice")?,
            r#type: field("type")?,
        }),
        binding_id: params.required_str("id")?,
    };
    submit(&state, &request_id, request).await
}

/// 修改个人信息 (seed: 未开发): corrected personal data, reviewed.
#[utoipa::path(post, path = "/api/v1/weapp/modifyPerson", tag = "000 §2.4 表单提交",
    responses((status = 200, body = DataResponse, description = "已提交审核"), (status = 400, body = Failure)),
    security(("bearer" = [])))]
pub async fn modify_person(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let request = pb::SubmitRequest {
        resident: Some(resident.reference()),
        kind: "modify_person".to_owned(),
        person: Some(person_form(&params)?),
        house: None,
        binding_id: String::new(),
    };
    submit(&state, &request_id, request).await
}

/// 000 §3.1.1 绑定房屋列表: bindings, then pending and refused reviews.
#[utoipa::path(post, path = "/api/v1/user/housesList", tag = "000 §3 列表",
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn houses_list(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
) -> ApiResult {
    let request = pb::MyHousesRequest {
        resident: Some(resident.reference()),
    };
    let reply = state
        .call(
            "yibiaosanshi",
            state
                .registration()
                .list_my_houses(request_id.grpc(request)),
        )
        .await?;
    let rows: Vec<Value> = reply
        .items
        .into_iter()
        .map(|item| {
            if item.shenhe_id > 0 {
                json!({"shenhe_id": item.shenhe_id, "status": item.status, "introduction": item.introduction, "action": item.action})
            } else {
                json!({"id": item.id, "house_id": item.house_id, "status": item.status, "role": item.role,
                       "role_name": item.role, "introduction": item.introduction, "not_register": item.not_register})
            }
        })
        .collect();
    with_data(
        "成功获取用户一标三实列表",
        "成功获取用户一标三实列表",
        Value::Array(rows),
    )
}

fn member(member: pb::HouseMember) -> Value {
    json!({"shouquan": member.shouquan, "charge": member.charge, "id": member.id, "name": member.name,
           "role": member.role, "phone": member.phone})
}

/// 000 §3.1.2 房屋详情页.
#[utoipa::path(post, path = "/api/v1/house/detail", tag = "000 §3 列表",
    params(("id" = i64, Query, description = "house id")),
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn house_detail(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let request = pb::HouseDetailRequest {
        resident: Some(resident.reference()),
        house_id: params.required_str("id")?,
    };
    let house = state
        .call(
            "yibiaosanshi",
            state.registration().house_detail(request_id.grpc(request)),
        )
        .await?;
    let reviews: Vec<Value> = house
        .weibangding
        .into_iter()
        .map(|r| json!({"id": r.id, "introduction": r.introduction, "action": r.action, "status": r.status, "type": r.r#type}))
        .collect();
    with_data(
        "成功获取房屋信息",
        "成功获取房屋信息",
        json!({
            "introduction": house.introduction,
            "house_type": house.house_type,
            "use": house.r#use,
            "xingzhi": house.xingzhi,
            "status": house.status,
            "zhuhuleixing": house.zhuhuleixing,
            "yibangding": house.yibangding.into_iter().map(member).collect::<Vec<_>>(),
            "weibangding": reviews,
            "yijihuo": house.yijihuo.into_iter().map(member).collect::<Vec<_>>(),
            "weijihuo": house.weijihuo.into_iter().map(member).collect::<Vec<_>>(),
        }),
    )
}

/// 000 §3.1.3 审核详情页: the applicant's own review.
#[utoipa::path(post, path = "/api/v1/shenhe/detail", tag = "000 §3 列表",
    params(("id" = i64, Query, description = "review id")),
    responses((status = 200, body = DataResponse), (status = 404, body = Failure, description = "未查找到审核信息")), security(("bearer" = [])))]
pub async fn review_detail(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let request = pb::ReviewDetailRequest {
        resident: Some(resident.reference()),
        review_id: params.required_str("id")?,
    };
    let r = state
        .call(
            "yibiaosanshi",
            state.registration().review_detail(request_id.grpc(request)),
        )
        .await?;
    with_data(
        "成功获取用户审核信息",
        "成功获取审核信息",
        json!({
            "shenhe_type": r.shenhe_type, "shenhe_status": r.shenhe_status,
            "shenhe_action_introduction": r.shenhe_action_introduction,
            "shenhe_house_introduction": r.shenhe_house_introduction,
            "shenhe_refuse_reason": r.shenhe_refuse_reason,
            "name": r.name, "sex": r.sex, "birth": r.birth, "nation": r.nation, "address": r.address,
            "idcard": r.idcard, "photo": r.photo, "zhengzhimianmao": r.zhengzhimianmao,
            "tuiyijunren": r.tuiyijunren, "shangfang": r.shangfang, "dibao": r.dibao,
            "job": r.job, "company": r.company, "house_role": r.house_role, "house_status": r.house_status,
            "use": r.r#use, "xingzhi": r.xingzhi, "zhuhuleixing": r.zhuhuleixing,
        }),
    )
}

/// 000 §3.1.4 删除审核: the applicant withdraws a pending review.
#[utoipa::path(delete, path = "/api/v1/shenhe/detail", tag = "000 §3 列表",
    params(("id" = i64, Query, description = "review id")),
    responses((status = 200, body = DoneResponse), (status = 409, body = Failure, description = "删除失败")), security(("bearer" = [])))]
pub async fn delete_review(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let request = pb::ReviewDetailRequest {
        resident: Some(resident.reference()),
        review_id: params.required_str("id")?,
    };
    state
        .call(
            "yibiaosanshi",
            state.registration().delete_review(request_id.grpc(request)),
        )
        .await?;
    done("删除成功", "删除成功")
}

/// The two rights of 3.2.1 and 3.2.3.
#[derive(Clone, Copy)]
enum Grant {
    Manage,
    Pay,
}

impl Grant {
    /// The RPC's name for it, the seed's column and the seed's wording of 0 and 1.
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Manage => (
                "manage",
                "people_house_shouquan",
                "0为禁止管理，1为授权管理",
            ),
            Self::Pay => ("pay", "people_house_charge", "0为禁止支付，1为授权支付"),
        }
    }
}

/// Flips a member's right and answers with the button text, as 3.2.1 / 3.2.3 show.
async fn toggle(
    state: &AppState,
    request_id: &RequestId,
    resident: &ResidentCaller,
    params: &Params,
    grant: Grant,
) -> ApiResult {
    let (name, column, meaning) = grant.words();
    let request = pb::ToggleGrantRequest {
        resident: Some(resident.reference()),
        binding_id: params.required_str("id")?,
        grant: name.to_owned(),
    };
    let reply = state
        .call(
            "yibiaosanshi",
            state.registration().toggle_grant(request_id.grpc(request)),
        )
        .await?;
    Ok(envelope::ok(&ButtonResponse {
        head: Head::ok(
            "修改成功",
            format!(
                "已经把该家庭成员的{column}改为了{}，{meaning}",
                u8::from(reply.granted)
            ),
        ),
        data: reply.button,
    }))
}

/// A button-text answer of 3.2.1 / 3.2.3.
#[derive(Debug, Serialize, ToSchema)]
pub struct ButtonResponse {
    #[serde(flatten)]
    pub head: Head,
    /// The text the button shows now (the opposite of the right held).
    pub data: String,
}

/// 000 §3.2.1 业主授权/禁用家庭成员管理.
#[utoipa::path(put, path = "/api/v1/house/shouquan", tag = "000 §3.2 用户授权",
    params(("id" = i64, Query, description = "binding id")),
    responses((status = 200, body = ButtonResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn toggle_manage(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    toggle(&state, &request_id, &resident, &params, Grant::Manage).await
}

/// 000 §3.2.3 业主授权/禁用家庭成员支付.
#[utoipa::path(put, path = "/api/v1/house/charge", tag = "000 §3.2 用户授权",
    params(("id" = i64, Query, description = "binding id")),
    responses((status = 200, body = ButtonResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn toggle_charge(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    toggle(&state, &request_id, &resident, &params, Grant::Pay).await
}

/// 000 §3.2.2 解绑: the owner (or a member with management rights) removes a member.
#[utoipa::path(delete, path = "/api/v1/house/shouquan", tag = "000 §3.2 用户授权",
    params(("id" = i64, Query, description = "binding id")),
    responses((status = 200, body = DoneResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn unbind(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    params: Params,
) -> ApiResult {
    let request = pb::UnbindRequest {
        resident: Some(resident.reference()),
        binding_id: params.required_str("id")?,
    };
    state
        .call(
            "yibiaosanshi",
            state.registration().unbind(request_id.grpc(request)),
        )
        .await?;
    done("解绑成功", "删除成功")
}
