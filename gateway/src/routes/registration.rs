//! 000 §2.2–§3.2: the resident's 一标三实 — security-platform import, owner verification,
//! registration forms (every change is a review), houses, reviews and family rights.
//!
//! Handlers take their input as `Result<Input<_>, ApiError>` and answer its error only after the
//! caller's: actix polls all extractors together, so a bad body would otherwise be answered 400
//! before a token of the wrong audience is refused (the caller's check waits for svc-auth).
use actix_web::web;
use kit::error::ServiceError;
use proto::yibiaosanshi as pb;
use secplat::enums::{self, Table};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::ResidentCaller;
use crate::envelope::{self, ApiError, ApiResult, DataResponse, Failure, Head};
use crate::input::{
    BirthDate, CodeTable, Flag, Id, IdCard, Input, Int, Phone, TableCode, Text, Xiaoqu,
};
use crate::middleware::RequestId;
use crate::routes::reviews::ShenheType;
use crate::state::AppState;

/// 政治面貌 as residents declare it; seed 002 sent 1 群众 and 2 党员.
static POLITICAL_STATUS: Table = Table {
    field: "zzmm",
    names: &["群众", "党员", "共青团员", "民主党派", "其他"],
    codes: &[(1, "群众"), (2, "党员")],
    aliases: &[],
};

macro_rules! code_tables {
    ($($(#[$doc:meta])* $name:ident => $table:expr;)*) => {
        $(
            $(#[$doc])*
            pub struct $name;

            impl CodeTable for $name {
                fn table() -> &'static Table {
                    &$table
                }
            }
        )*
    };
}

code_tables! {
    /// 性别: 男, 女 (002: 1, 2).
    Sex => enums::SEX;
    /// 政治面貌.
    PoliticalStatus => POLITICAL_STATUS;
    /// 居民角色.
    Role => enums::ROLE;
    /// 房屋状态.
    HouseStatus => enums::HOUSE_STATUS;
    /// 房屋用途.
    HouseUse => enums::HOUSE_USE;
    /// 房屋性质.
    HouseNature => enums::HOUSE_NATURE;
    /// 住户类型.
    HouseholdType => enums::HOUSEHOLD_TYPE;
}

pub type SexCode = TableCode<Sex>;
pub type PoliticalStatusCode = TableCode<PoliticalStatus>;
pub type RoleCode = TableCode<Role>;
pub type HouseStatusCode = TableCode<HouseStatus>;
pub type HouseUseCode = TableCode<HouseUse>;
pub type HouseNatureCode = TableCode<HouseNature>;
pub type HouseholdTypeCode = TableCode<HouseholdType>;

/// 住户类型 where 001's example of 审核数据 writes the review type instead.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum HouseholdOrReviewType {
    Household(HouseholdTypeCode),
    Review(ShenheType),
}

impl HouseholdOrReviewType {
    pub fn household(self) -> Option<HouseholdTypeCode> {
        match self {
            Self::Household(kind) => Some(kind),
            Self::Review(_) => None,
        }
    }
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

fn with_data<T: Serialize>(msg: &str, message: &str, data: T) -> ApiResult {
    Ok(envelope::ok_with(msg, message, data))
}

/// A person's data as 2.4.1 names it, read; [`PersonInput::message`] checks what spans fields.
#[derive(Debug)]
pub struct PersonInput {
    pub phone: Phone,
    pub idcard: IdCard,
    pub name: Text<32>,
    pub photo: Text<512>,
    pub sex: SexCode,
    pub birth: Option<BirthDate>,
    pub nation: Text<64>,
    pub address: Text<128>,
    pub zzmm: PoliticalStatusCode,
    pub tyjr: Flag,
    pub dibao: Flag,
    pub shangfang: Flag,
    pub job: Text<64>,
    pub company: Text<128>,
}

/// The [`PersonInput`] fields of a route's input (every person form repeats them: no
/// `#[serde(flatten)]`, which would lose the field names of its errors).
macro_rules! person_of {
    ($input:expr) => {
        PersonInput {
            phone: $input.phone,
            idcard: $input.idcard,
            name: $input.name,
            photo: $input.photo,
            sex: $input.sex,
            birth: $input.birth,
            nation: $input.nation,
            address: $input.address,
            zzmm: $input.zzmm,
            tyjr: $input.tyjr,
            dibao: $input.dibao,
            shangfang: $input.shangfang,
            job: $input.job,
            company: $input.company,
        }
    };
}

impl PersonInput {
    /// The person, once `birth` (`YYYYMMDD`, `1992-11-30` or `1992/11/30`; the ID number's when
    /// left out) is the ID number's and no text holds a control character. `prefix` goes before
    /// the field names of the errors (`content.people.people_` for a platform's correction).
    pub fn message(self, prefix: &str) -> Result<pb::PersonForm, ServiceError> {
        let field = |name: &str| format!("{prefix}{name}");
        let idcard = self.idcard.0.as_str().to_owned();
        let born = idcard.get(6..14).unwrap_or_default().to_owned();
        let birth = match self.birth {
            None => born,
            Some(given) => {
                let digits = given.0;
                if digits != born {
                    return Err(ServiceError::invalid(
                        &field("birth"),
                        "出生日期与身份证号不一致",
                    ));
                }
                digits
            }
        };
        let text = |name: &str, value: Text<512>| -> Result<String, ServiceError> {
            if value.as_str().chars().any(char::is_control) {
                let field = field(name);
                return Err(ServiceError::invalid(
                    &field,
                    format!("{field}不能包含控制字符"),
                ));
            }
            Ok(value.into_string())
        };
        let wide = |value: String| Text::<512>(value);
        Ok(pb::PersonForm {
            phone: self.phone.0.as_str().to_owned(),
            idcard,
            name: text("name", wide(self.name.into_string()))?,
            photo: text("photo", self.photo)?,
            sex: self.sex.into_string(),
            birth,
            nation: text("nation", wide(self.nation.into_string()))?,
            address: text("address", wide(self.address.into_string()))?,
            zhengzhimianmao: self.zzmm.into_string(),
            tuiyijunren: self.tyjr.get(),
            dibao: self.dibao.get(),
            shangfang: self.shangfang.get(),
            job: text("job", wide(self.job.into_string()))?,
            company: text("company", wide(self.company.into_string()))?,
        })
    }
}

/// A person's place in a house: the role and the house's data, in 001's names.
#[derive(Debug)]
pub struct HouseFieldsInput {
    pub role: RoleCode,
    pub status: Option<HouseStatusCode>,
    pub r#use: Option<HouseUseCode>,
    pub xingzhi: Option<HouseNatureCode>,
    pub r#type: Option<HouseholdTypeCode>,
}

impl HouseFieldsInput {
    pub fn message(self) -> pb::HouseFields {
        pb::HouseFields {
            role: self.role.into_string(),
            status: self.status.map(TableCode::into_string),
            r#use: self.r#use.map(TableCode::into_string),
            xingzhi: self.xingzhi.map(TableCode::into_string),
            r#type: self.r#type.map(TableCode::into_string),
        }
    }
}

/// The house part of 2.4.1 and 2.4.2.
fn house_choice(
    house_id: Id,
    fields: HouseFieldsInput,
    choice: Option<Int<1, 2>>,
) -> pb::HouseChoice {
    pb::HouseChoice {
        house_id: house_id.get(),
        fields: Some(fields.message()),
        replace_owner: choice.is_some_and(|choice| choice.get() == 2),
    }
}

/// A house by its id (`id`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct HouseIdInput {
    /// The house's id.
    id: Id,
}

/// One of the caller's bindings, or a member's binding of the caller's house (`id`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct BindingIdInput {
    /// The binding's id.
    id: Id,
}

/// One of the caller's reviews (`id`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct OwnReviewInput {
    /// The review's id.
    id: Id,
}

/// 000 §2.2.1's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SecurityPhoneInput {
    /// From 1.1 (`type=verify`).
    verification_key: Text<64>,
    #[schema(example = "123456")]
    verification_code: Text<16>,
    /// The community the resident chose (its community_identifier).
    #[schema(example = "10002")]
    id: Xiaoqu,
}

/// 000 §2.2.3's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VerificationInput {
    /// From 1.1 (`type=yezhu`).
    verification_key: Text<64>,
    #[schema(example = "123456")]
    verification_code: Text<16>,
}

/// 000 §2.2.1 验证手机号是否已经绑定一标三实: imports the caller's record from the security platform.
#[utoipa::path(post, path = "/api/v1/security/phone", tag = "000 §2.2 安防数据",
    request_body = SecurityPhoneInput,
    responses((status = 200, body = DoneResponse, description = "code 0 imported; code 2 unknown to the security platform"),
        (status = 400, body = Failure), (status = 502, body = Failure, description = "安防平台接口出现故障")),
    security(("bearer" = [])))]
pub async fn security_phone(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<SecurityPhoneInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let request = pb::ImportRequest {
        resident: Some(resident.reference()),
        verification_key: input.verification_key.into_string(),
        verification_code: input.verification_code.into_string(),
        community_identifier: input.id.into_string(),
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
    request_body = HouseIdInput,
    responses((status = 200, body = DataResponse, description = "code 0 found (the house's people_house_* are null until the owner's code was verified through 2.2.3); code 2 no owner"), (status = 404, body = Failure), (status = 429, body = Failure, description = "每人每天最多查询20次")),
    security(("bearer" = [])))]
pub async fn security_yezhu(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<HouseIdInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let request = pb::LookUpOwnerRequest {
        resident: Some(resident.reference()),
        house_id: input.id.get(),
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
    request_body = VerificationInput,
    responses((status = 200, body = DataResponse), (status = 400, body = Failure, description = "验证码错误")),
    security(("bearer" = [])))]
pub async fn security_yezhu_code(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<VerificationInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let request = pb::VerifyOwnerRequest {
        resident: Some(resident.reference()),
        verification_key: input.verification_key.into_string(),
        verification_code: input.verification_code.into_string(),
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

async fn submit(
    state: &AppState,
    request_id: &RequestId,
    resident: &ResidentCaller,
    kind: pb::submit_request::Kind,
) -> ApiResult {
    let request = pb::SubmitRequest {
        resident: Some(resident.reference()),
        kind: Some(kind),
    };
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

/// 000 §2.4.1's form: the person and the house (002's numeric codes accepted for 性别, 政治面貌,
/// 角色 and the house's data).
#[derive(Debug, Deserialize, ToSchema)]
pub struct FirstRegistrationInput {
    #[schema(example = "17600381130")]
    phone: Phone,
    #[schema(example = "130302199211302519")]
    idcard: IdCard,
    #[schema(example = "杨哲")]
    name: Text<32>,
    /// The face photo's URL (2.3.1).
    photo: Text<512>,
    #[schema(example = "男")]
    sex: SexCode,
    /// YYYYMMDD, the ID number's (taken from it when left out).
    #[schema(example = "19921130")]
    birth: Option<BirthDate>,
    #[schema(example = "汉族")]
    nation: Text<64>,
    /// 户籍地址.
    address: Text<128>,
    /// 政治面貌.
    #[schema(example = "群众")]
    zzmm: PoliticalStatusCode,
    /// 退役军人.
    tyjr: Flag,
    /// 低保.
    dibao: Flag,
    /// 上访记录.
    shangfang: Flag,
    job: Text<64>,
    company: Text<128>,
    house_id: Id,
    #[schema(example = "业主")]
    role: RoleCode,
    status: Option<HouseStatusCode>,
    r#use: Option<HouseUseCode>,
    xingzhi: Option<HouseNatureCode>,
    /// 1 与业主绑定 (default), 2 替换业主.
    choice: Option<Int<1, 2>>,
    /// 住户类型.
    r#type: Option<HouseholdTypeCode>,
}

/// 000 §2.4.1 第一次录入一标三实表单: person and house, submitted for review.
#[utoipa::path(post, path = "/api/v1/weapp/yibiaosanshi", tag = "000 §2.4 表单提交",
    request_body = FirstRegistrationInput,
    responses((status = 200, body = DataResponse, description = "已提交审核"), (status = 400, body = Failure), (status = 403, body = Failure, description = "请先验证业主手机号"), (status = 409, body = Failure)),
    security(("bearer" = [])))]
pub async fn first_registration(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<FirstRegistrationInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let person = person_of!(input).message("")?;
    let fields = HouseFieldsInput {
        role: input.role,
        status: input.status,
        r#use: input.r#use,
        xingzhi: input.xingzhi,
        r#type: input.r#type,
    };
    let kind = pb::submit_request::Kind::First(pb::FirstRegistration {
        person: Some(person),
        house: Some(house_choice(input.house_id, fields, input.choice)),
    });
    submit(&state, &request_id, &resident, kind).await
}

/// 000 §2.4.2's form: the house part of 2.4.1.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BindHouseInput {
    house_id: Id,
    #[schema(example = "妻子")]
    role: RoleCode,
    status: Option<HouseStatusCode>,
    r#use: Option<HouseUseCode>,
    xingzhi: Option<HouseNatureCode>,
    /// 1 与业主绑定 (default), 2 替换业主.
    choice: Option<Int<1, 2>>,
    /// 住户类型.
    r#type: Option<HouseholdTypeCode>,
}

/// 000 §2.4.2 绑定更多房屋 (DESIGN: this path): a further house for a registered person.
#[utoipa::path(post, path = "/api/v1/weapp/bindHouse", tag = "000 §2.4 表单提交",
    request_body = BindHouseInput,
    responses((status = 200, body = DataResponse, description = "已提交审核"), (status = 400, body = Failure), (status = 409, body = Failure)),
    security(("bearer" = [])))]
pub async fn bind_house(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<BindHouseInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let fields = HouseFieldsInput {
        role: input.role,
        status: input.status,
        r#use: input.r#use,
        xingzhi: input.xingzhi,
        r#type: input.r#type,
    };
    let kind = pb::submit_request::Kind::Bind(house_choice(input.house_id, fields, input.choice));
    submit(&state, &request_id, &resident, kind).await
}

/// 业主/租客/家属解绑 (seed: 未开发): the resident asks to leave a house; reviewed like the others.
#[utoipa::path(post, path = "/api/v1/weapp/unbindHouse", tag = "000 §2.4 表单提交",
    request_body = BindingIdInput,
    responses((status = 200, body = DataResponse, description = "已提交审核"), (status = 404, body = Failure)),
    security(("bearer" = [])))]
pub async fn unbind_house(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<BindingIdInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let kind = pb::submit_request::Kind::Unbind(input.id.get());
    submit(&state, &request_id, &resident, kind).await
}

/// 修改房屋数据's fields: what is left out stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ModifyHouseInput {
    /// The caller's binding.
    id: Id,
    /// The binding's house, when given.
    house_id: Option<Id>,
    role: Option<RoleCode>,
    status: Option<HouseStatusCode>,
    r#use: Option<HouseUseCode>,
    xingzhi: Option<HouseNatureCode>,
    /// 住户类型.
    r#type: Option<HouseholdTypeCode>,
}

/// 修改房屋数据 (seed: 未开发): new role/status/use/xingzhi/type for one of the caller's bindings.
#[utoipa::path(post, path = "/api/v1/weapp/modifyHouse", tag = "000 §2.4 表单提交",
    request_body = ModifyHouseInput,
    responses((status = 200, body = DataResponse, description = "已提交审核"), (status = 400, body = Failure)),
    security(("bearer" = [])))]
pub async fn modify_house(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ModifyHouseInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let kind = pb::submit_request::Kind::ModifyHouse(pb::HouseChange {
        binding_id: input.id.get(),
        house_id: input.house_id.map(Id::get),
        role: input.role.map(TableCode::into_string),
        status: input.status.map(TableCode::into_string),
        r#use: input.r#use.map(TableCode::into_string),
        xingzhi: input.xingzhi.map(TableCode::into_string),
        r#type: input.r#type.map(TableCode::into_string),
    });
    submit(&state, &request_id, &resident, kind).await
}

/// 修改个人信息's fields: 2.4.1's person, and the house whose platform reviews it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ModifyPersonInput {
    phone: Phone,
    idcard: IdCard,
    name: Text<32>,
    photo: Text<512>,
    sex: SexCode,
    /// YYYYMMDD, the ID number's (taken from it when left out).
    birth: Option<BirthDate>,
    nation: Text<64>,
    address: Text<128>,
    zzmm: PoliticalStatusCode,
    tyjr: Flag,
    dibao: Flag,
    shangfang: Flag,
    job: Text<64>,
    company: Text<128>,
    /// One of the caller's houses (their first when left out).
    house_id: Option<Id>,
}

/// 修改个人信息 (seed: 未开发): corrected personal data, reviewed.
#[utoipa::path(post, path = "/api/v1/weapp/modifyPerson", tag = "000 §2.4 表单提交",
    request_body = ModifyPersonInput,
    responses((status = 200, body = DataResponse, description = "已提交审核"), (status = 400, body = Failure)),
    security(("bearer" = [])))]
pub async fn modify_person(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ModifyPersonInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let person = person_of!(input).message("")?;
    let kind = pb::submit_request::Kind::ModifyPerson(pb::PersonChange {
        person: Some(person),
        house_id: input.house_id.map(Id::get),
    });
    submit(&state, &request_id, &resident, kind).await
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
    let rows: Vec<HouseListRow> = reply.items.into_iter().map(HouseListRow::from).collect();
    with_data("成功获取用户一标三实列表", "成功获取用户一标三实列表", rows)
}

/// A row of 000 §3.1.1, its fields in alphabetical order (the order its answers have printed).
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum HouseListRow {
    /// A review still open or refused (`shenhe_id`).
    Review {
        action: String,
        introduction: String,
        shenhe_id: i64,
        status: String,
    },
    /// A binding (`id`); `role_name` repeats `role`, as the seed shows.
    Binding {
        house_id: i64,
        id: i64,
        introduction: String,
        not_register: i32,
        role: String,
        role_name: String,
        status: String,
    },
}

impl From<pb::MyHouseItem> for HouseListRow {
    fn from(item: pb::MyHouseItem) -> Self {
        if item.shenhe_id > 0 {
            Self::Review {
                action: item.action,
                introduction: item.introduction,
                shenhe_id: item.shenhe_id,
                status: item.status,
            }
        } else {
            Self::Binding {
                house_id: item.house_id,
                id: item.id,
                introduction: item.introduction,
                not_register: item.not_register,
                role_name: item.role.clone(),
                role: item.role,
                status: item.status,
            }
        }
    }
}

fn member(member: pb::HouseMember) -> Value {
    json!({"shouquan": member.shouquan, "charge": member.charge, "id": member.id, "name": member.name,
           "role": member.role, "phone": member.phone})
}

/// 000 §3.1.2 房屋详情页.
#[utoipa::path(post, path = "/api/v1/house/detail", tag = "000 §3 列表",
    request_body = HouseIdInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn house_detail(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<HouseIdInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let request = pb::HouseDetailRequest {
        resident: Some(resident.reference()),
        house_id: input.id.get(),
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
    request_body = OwnReviewInput,
    responses((status = 200, body = DataResponse), (status = 404, body = Failure, description = "未查找到审核信息")), security(("bearer" = [])))]
pub async fn review_detail(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<OwnReviewInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let request = pb::ReviewDetailRequest {
        resident: Some(resident.reference()),
        review_id: input.id.get(),
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
    request_body = OwnReviewInput,
    responses((status = 200, body = DoneResponse), (status = 409, body = Failure, description = "删除失败")), security(("bearer" = [])))]
pub async fn delete_review(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<OwnReviewInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let request = pb::ReviewDetailRequest {
        resident: Some(resident.reference()),
        review_id: input.id.get(),
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
    fn words(self) -> (pb::Grant, &'static str, &'static str) {
        match self {
            Self::Manage => (
                pb::Grant::Manage,
                "people_house_shouquan",
                "0为禁止管理，1为授权管理",
            ),
            Self::Pay => (
                pb::Grant::Pay,
                "people_house_charge",
                "0为禁止支付，1为授权支付",
            ),
        }
    }
}

/// Flips a member's right and answers with the button text, as 3.2.1 / 3.2.3 show.
async fn toggle(
    state: &AppState,
    request_id: &RequestId,
    resident: &ResidentCaller,
    binding: &BindingIdInput,
    grant: Grant,
) -> ApiResult {
    let (name, column, meaning) = grant.words();
    let request = pb::ToggleGrantRequest {
        resident: Some(resident.reference()),
        binding_id: binding.id.get(),
        grant: name.into(),
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
    request_body = BindingIdInput,
    responses((status = 200, body = ButtonResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn toggle_manage(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<BindingIdInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    toggle(&state, &request_id, &resident, &input, Grant::Manage).await
}

/// 000 §3.2.3 业主授权/禁用家庭成员支付.
#[utoipa::path(put, path = "/api/v1/house/charge", tag = "000 §3.2 用户授权",
    request_body = BindingIdInput,
    responses((status = 200, body = ButtonResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn toggle_charge(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<BindingIdInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    toggle(&state, &request_id, &resident, &input, Grant::Pay).await
}

/// 000 §3.2.2 解绑: the owner (or a member with management rights) removes a member.
#[utoipa::path(delete, path = "/api/v1/house/shouquan", tag = "000 §3.2 用户授权",
    request_body = BindingIdInput,
    responses((status = 200, body = DoneResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn unbind(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<BindingIdInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let request = pb::UnbindRequest {
        resident: Some(resident.reference()),
        binding_id: input.id.get(),
    };
    state
        .call(
            "yibiaosanshi",
            state.registration().unbind(request_id.grpc(request)),
        )
        .await?;
    done("解绑成功", "删除成功")
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn form(changes: Value) -> Result<pb::PersonForm, ServiceError> {
        let mut form = json!({
            "phone": "17600381130", "idcard": "130302199211302519", "name": "杨哲",
            "photo": "https://example.com/p.png", "sex": "男", "nation": "汉族",
            "address": "河北秦皇岛海港区", "zzmm": "群众", "tyjr": 0, "dibao": "0",
            "shangfang": "0", "job": "程序员", "company": "万家灯火",
            "house_id": 4, "role": "业主",
        });
        if let (Some(form), Some(changes)) = (form.as_object_mut(), changes.as_object()) {
            form.extend(changes.clone());
        }
        let input: FirstRegistrationInput =
            crate::input::parse(form.as_object().cloned().unwrap_or_default())?;
        person_of!(input).message("")
    }

    #[test]
    fn the_birth_date_is_the_id_numbers() {
        assert_eq!(form(json!({})).expect("taken").birth, "19921130");
        assert_eq!(
            form(json!({"birth": "1992-11-30"})).expect("dashes").birth,
            "19921130"
        );
        let error = form(json!({"birth": "19921201"})).expect_err("another day");
        assert_eq!(error.message, "出生日期与身份证号不一致");
        let error = form(json!({"birth": "723052800"})).expect_err("a timestamp");
        assert!(error.msg.starts_with("birth"), "{}", error.msg);
    }

    #[test]
    fn the_codes_of_002_become_001s_names() {
        let person = form(json!({"sex": 2, "zzmm": "2", "tyjr": "1"})).expect("codes");
        assert_eq!(
            (person.sex.as_str(), person.zhengzhimianmao.as_str()),
            ("女", "党员")
        );
        assert!(person.tuiyijunren);
        let error = form(json!({"zzmm": 3})).expect_err("no such code");
        assert!(error.msg.starts_with("zzmm"), "{}", error.msg);
        let error = form(json!({"name": "杨\u{7}哲"})).expect_err("a bell");
        assert!(error.msg.starts_with("name"), "{}", error.msg);
    }
}
