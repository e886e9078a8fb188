//! 001 §1.2.2–§1.2.4: the security platform reads and decides the reviews of its communities.
//! Inputs are extracted as in [`super::registration`]: the caller is answered first.
use actix_web::{HttpRequest, web};
use kit::error::ServiceError;
use kit::paging::{Links, Meta, Paging};
use proto::yibiaosanshi as pb;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType};
use utoipa::{PartialSchema, ToSchema};

use crate::auth::PlatformCaller;
use crate::envelope::{self, ApiError, ApiResult, Failure, Head};
use crate::input::{
    BirthDate, Flag, Id, IdCard, Input, Int, Nested, Page, PerPage, Phone, Text, Xiaoqu,
};
use crate::kept_pages::KeptPage;
use crate::middleware::RequestId;
use crate::routes::pages;
use crate::routes::registration::{
    HouseFieldsInput, HouseNatureCode, HouseStatusCode, HouseUseCode, HouseholdOrReviewType,
    PersonInput, PoliticalStatusCode, RoleCode, SexCode,
};
use crate::state::AppState;

/// A review as 001 renders it (times in Beijing time, `2020年11月18日11:01:46`). The fields are
/// declared in alphabetical order: the order the seed's examples and earlier answers print.
#[derive(Debug, Serialize)]
pub struct ReviewJson {
    created_at: String,
    id: i64,
    shenhe_action_introduction: String,
    shenhe_content: String,
    shenhe_house_introduction: String,
    shenhe_refuse_reason: Option<String>,
    shenhe_status: i32,
    shenhe_type: String,
    updated_at: String,
}

impl From<pb::Review> for ReviewJson {
    fn from(review: pb::Review) -> Self {
        Self {
            created_at: kit::time::beijing_chinese(review.created_at),
            id: review.id,
            shenhe_action_introduction: review.shenhe_action_introduction,
            shenhe_content: review.shenhe_content,
            shenhe_house_introduction: review.shenhe_house_introduction,
            shenhe_refuse_reason: review
                .has_refuse_reason
                .then_some(review.shenhe_refuse_reason),
            shenhe_status: review.shenhe_status,
            shenhe_type: review.shenhe_type,
            updated_at: kit::time::beijing_chinese(review.updated_at),
        }
    }
}

/// A page of rows with the documented `links` and `meta`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageResponse<T: Serialize = Value> {
    #[serde(flatten)]
    pub head: Head,
    #[schema(value_type = Vec<Object>)]
    pub data: Vec<T>,
    #[schema(value_type = Object)]
    pub links: Links,
    #[schema(value_type = Object)]
    pub meta: Meta,
}

/// One review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewResponse<T: Serialize = Value> {
    #[serde(flatten)]
    pub head: Head,
    #[schema(value_type = Object)]
    pub data: T,
}

pub(crate) fn page<T: Serialize>(
    request: &HttpRequest,
    msg: &str,
    rows: Vec<T>,
    page: i64,
    per_page: i64,
    total: i64,
) -> ApiResult {
    let (links, meta) = pages::links_meta(request, Paging { page, per_page }, rows.len(), total);
    Ok(envelope::ok(&PageResponse {
        head: Head::ok(msg, msg),
        data: rows,
        links,
        meta,
    }))
}

/// [`PageResponse`] with its rows rendered before (`kept_pages.rs`).
#[derive(Serialize)]
struct RenderedPage<'a> {
    #[serde(flatten)]
    head: Head,
    data: &'a RawValue,
    links: Links,
    meta: Meta,
}

/// [`page`] from rows rendered before.
fn kept_page(request: &HttpRequest, msg: &str, page: &KeptPage) -> ApiResult {
    let paging = Paging {
        page: page.page,
        per_page: page.per_page,
    };
    let (links, meta) = pages::links_meta(request, paging, page.count, page.total);
    Ok(envelope::ok(&RenderedPage {
        head: Head::ok(msg, msg),
        data: &page.rows,
        links,
        meta,
    }))
}

/// 审核类型.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
pub enum ShenheType {
    #[serde(rename = "业主绑定")]
    OwnerBind,
    #[serde(rename = "租客绑定")]
    TenantBind,
    #[serde(rename = "家属绑定")]
    FamilyBind,
    #[serde(rename = "替换业主")]
    ReplaceOwner,
    #[serde(rename = "业主解绑")]
    OwnerUnbind,
    #[serde(rename = "租客解绑")]
    TenantUnbind,
    #[serde(rename = "家属解绑")]
    FamilyUnbind,
    #[serde(rename = "修改房屋数据")]
    ModifyHouse,
    #[serde(rename = "修改个人信息")]
    ModifyPerson,
}

impl From<ShenheType> for pb::ReviewType {
    fn from(kind: ShenheType) -> Self {
        match kind {
            ShenheType::OwnerBind => Self::OwnerBind,
            ShenheType::TenantBind => Self::TenantBind,
            ShenheType::FamilyBind => Self::FamilyBind,
            ShenheType::ReplaceOwner => Self::ReplaceOwner,
            ShenheType::OwnerUnbind => Self::OwnerUnbind,
            ShenheType::TenantUnbind => Self::TenantUnbind,
            ShenheType::FamilyUnbind => Self::FamilyUnbind,
            ShenheType::ModifyHouse => Self::ModifyHouse,
            ShenheType::ModifyPerson => Self::ModifyPerson,
        }
    }
}

/// 001 §1.2.2's filters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ListReviewsInput {
    #[schema(example = "10002")]
    community_identifier: Xiaoqu,
    r#type: Option<ShenheType>,
    /// 0 审核未通过, 1 审核通过, 2 等待审核.
    status: Option<Int<0, 2>>,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

/// 001 §1.2.2 获取审核数据列表.
#[utoipa::path(post, path = "/api/v1/wjdh/shenheList", tag = "001 §1.2 万家灯火平台提供接口",
    request_body = ListReviewsInput,
    responses((status = 200, body = PageResponse), (status = 403, body = Failure, description = "您没有权限管理该小区"),
              (status = 404, body = Failure, description = "没有根据community_identifier查找到小区")),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<ListReviewsInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let (page_number, per_page) = crate::input::paging(input.page, input.per_page);
    let status = input.status.map(|status| match status.get() {
        0 => pb::ReviewStatus::Refused,
        1 => pb::ReviewStatus::Approved,
        _ => pb::ReviewStatus::Pending,
    });
    let mut message = pb::ListReviewsRequest {
        platform: Some(platform.reference()),
        r#type: input.r#type.map(|kind| pb::ReviewType::from(kind).into()),
        community_identifier: input.community_identifier.into_string(),
        status: status.map(Into::into),
        page: page_number,
        per_page,
        known_version: None,
    };
    let asked = state.pages.ask(&message);
    message.known_version = asked.known_version();
    let reply = state
        .call(
            "yibiaosanshi",
            state.registration().list_reviews(request_id.grpc(message)),
        )
        .await?;
    let unchanged = reply.unchanged;
    let page = state.pages.answer(asked, unchanged, reply.version, || {
        let rows: Vec<ReviewJson> = reply.reviews.into_iter().map(ReviewJson::from).collect();
        KeptPage::render(
            reply.version,
            reply.page,
            reply.per_page,
            reply.total,
            &rows,
        )
    })?;
    state
        .metrics
        .observe_page("/api/v1/wjdh/shenheList", unchanged);
    kept_page(&request, "获取审核数据成功", &page)
}

/// A review by its id (`id`, the seed's own sentence when it is missing).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewIdInput {
    /// The review's id.
    #[schema(required = true, value_type = Id)]
    id: Option<Id>,
}

/// The review `id` names: 001 §1.2.3 words its absence.
fn review_id(id: Option<Id>) -> Result<i64, ServiceError> {
    id.map(Id::get)
        .ok_or_else(|| ServiceError::invalid("id", "必须传递shenhe表的id值"))
}

/// 001 §1.2.3 获取单独一条审核数据.
#[utoipa::path(post, path = "/api/v1/wjdh/shenhe", tag = "001 §1.2 万家灯火平台提供接口",
    request_body = ReviewIdInput,
    responses((status = 200, body = ReviewResponse), (status = 400, body = Failure, description = "必须传递shenhe表的id值"),
              (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn one(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<ReviewIdInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let message = pb::PlatformReviewRequest {
        platform: Some(platform.reference()),
        id: review_id(input.id)?,
    };
    let review = state
        .call(
            "yibiaosanshi",
            state.registration().get_review(request_id.grpc(message)),
        )
        .await?;
    Ok(envelope::ok(&ReviewResponse {
        head: Head::ok("成功查询到该条审核数据", "成功查询到该条审核数据"),
        data: ReviewJson::from(review),
    }))
}

/// 审核数据 `people` as the platform may correct it: a resident's form under 001's names
/// (`people_birth` may be left out: the ID number's).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContentPeople {
    user_id: Id,
    people_phone: Phone,
    people_idcard: IdCard,
    people_name: Text<32>,
    people_photo: Text<512>,
    people_sex: SexCode,
    people_birth: Option<BirthDate>,
    people_nation: Text<64>,
    people_address: Text<128>,
    people_zhengzhimianmao: PoliticalStatusCode,
    people_tuiyijunren: Option<Flag>,
    people_dibao: Option<Flag>,
    people_shangfang: Option<Flag>,
}

/// 审核数据 `job`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContentJob {
    job_name: Text<64>,
}

/// 审核数据 `company`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContentCompany {
    company_name: Text<128>,
}

/// 审核数据 `house`: the review's house (it cannot change) and the person's place in it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContentHouse {
    id: Id,
    people_house_role: RoleCode,
    people_house_status: Option<HouseStatusCode>,
    people_house_use: Option<HouseUseCode>,
    people_house_xingzhi: Option<HouseNatureCode>,
    /// 住户类型; 001's example writes the review type here, which says nothing of it.
    #[schema(inline)]
    people_house_type: Option<HouseholdOrReviewType>,
}

/// 001 前言 审核数据, corrected by the platform.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ContentInput {
    // Inline: a nested object's schema is its own, its parts are no components.
    #[schema(inline)]
    people: ContentPeople,
    #[schema(inline)]
    job: ContentJob,
    #[schema(inline)]
    company: ContentCompany,
    #[schema(inline)]
    house: ContentHouse,
}

impl ContentInput {
    fn message(self) -> Result<pb::CorrectedContent, ServiceError> {
        let people = self.people;
        let person = PersonInput {
            phone: people.people_phone,
            idcard: people.people_idcard,
            name: people.people_name,
            photo: people.people_photo,
            sex: people.people_sex,
            birth: people.people_birth,
            nation: people.people_nation,
            address: people.people_address,
            zzmm: people.people_zhengzhimianmao,
            tyjr: people.people_tuiyijunren.unwrap_or(Flag(false)),
            dibao: people.people_dibao.unwrap_or(Flag(false)),
            shangfang: people.people_shangfang.unwrap_or(Flag(false)),
            job: self.job.job_name,
            company: self.company.company_name,
        };
        let house = self.house;
        Ok(pb::CorrectedContent {
            user_id: people.user_id.get(),
            house_id: house.id.get(),
            person: Some(person.message("content.people.people_")?),
            fields: Some(
                HouseFieldsInput {
                    role: house.people_house_role,
                    status: house.people_house_status,
                    r#use: house.people_house_use,
                    xingzhi: house.people_house_xingzhi,
                    r#type: house.people_house_type.and_then(|kind| kind.household()),
                }
                .message(),
            ),
        })
    }
}

/// 001 §1.2.4's fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecideReviewInput {
    /// The review's id (001 §1.2.4 words its absence).
    #[schema(required = true, value_type = Id)]
    id: Option<Id>,
    /// 1 审核通过, 0 审核未通过.
    status: Flag,
    /// Required when refusing.
    shenhe_refuse_reason: Option<Text<200>>,
    /// The same, under its short name.
    refuse_reason: Option<Text<200>>,
    /// Corrected 审核数据 (an object or its JSON text), decided instead of the submitted one.
    content: Option<Nested<ContentInput>>,
}

/// [`DecideReviewInput`] with its rule: a refusal (`status` 0) has a reason.
pub struct DecideReviewBody;

impl PartialSchema for DecideReviewBody {
    fn schema() -> RefOr<Schema> {
        use crate::input::{any_of, requires};
        let approving = ObjectBuilder::new()
            .property(
                "status",
                ObjectBuilder::new()
                    .schema_type(SchemaType::AnyValue)
                    .enum_values(Some([json!(1), json!("1"), json!(true), json!("true")])),
            )
            .required("status");
        crate::input::schema_with_rule::<DecideReviewInput>(any_of([
            approving,
            requires(&["shenhe_refuse_reason"]),
            requires(&["refuse_reason"]),
        ]))
    }
}

impl ToSchema for DecideReviewBody {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            DecideReviewInput::name().into(),
            DecideReviewInput::schema(),
        ));
        DecideReviewInput::schemas(schemas);
    }
}

/// 001 §1.2.4 更新审核状态: 1 approves (the content is applied in one transaction), 0 refuses
/// with `shenhe_refuse_reason`; a decided review cannot be decided again.
#[utoipa::path(put, path = "/api/v1/wjdh/shenhe", tag = "001 §1.2 万家灯火平台提供接口",
    request_body = DecideReviewBody,
    responses((status = 200, body = ReviewResponse), (status = 400, body = Failure), (status = 403, body = Failure),
              (status = 409, body = Failure, description = "已处理")),
    security(("bearer" = [])))]
pub async fn decide(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<DecideReviewInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    use pb::decide_review_request::Decision;
    let input = input.into_inner();
    let id = review_id(input.id)?;
    let decision = if input.status.get() {
        Decision::Approve(pb::Approval {})
    } else {
        let reason = input
            .shenhe_refuse_reason
            .or(input.refuse_reason)
            .ok_or_else(|| ServiceError::invalid("refuse_reason", "拒绝时必须填写拒绝原因"))?;
        Decision::Refuse(pb::Refusal {
            reason: reason.into_string(),
        })
    };
    let message = pb::DecideReviewRequest {
        platform: Some(platform.reference()),
        id,
        decision: Some(decision),
        content: input
            .content
            .map(|content| content.0.message())
            .transpose()?,
    };
    let review = state
        .call(
            "yibiaosanshi",
            state.registration().decide_review(request_id.grpc(message)),
        )
        .await?;
    Ok(envelope::ok(&ReviewResponse {
        head: Head::ok("成功查询到该条审核数据", "审核状态已更新"),
        data: ReviewJson::from(review),
    }))
}

/// The decision log's filters.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ListDecisionsInput {
    /// One of the platform's communities (all of them when absent).
    community_identifier: Option<Xiaoqu>,
    page: Option<Page>,
    per_page: Option<PerPage>,
}

/// Every decision taken on the platform's communities: who, when, what.
#[utoipa::path(post, path = "/api/v1/wjdh/shenheLog", tag = "001 §1.2 万家灯火平台提供接口",
    request_body = ListDecisionsInput,
    responses((status = 200, body = PageResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn decisions(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<ListDecisionsInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let (page_number, per_page) = crate::input::paging(input.page, input.per_page);
    let message = pb::ListDecisionsRequest {
        platform: Some(platform.reference()),
        community_identifier: input.community_identifier.map(Xiaoqu::into_string),
        page: page_number,
        per_page,
    };
    let reply = state
        .call(
            "yibiaosanshi",
            state
                .registration()
                .list_decisions(request_id.grpc(message)),
        )
        .await?;
    let rows = reply
        .decisions
        .into_iter()
        .map(|d| {
            json!({
                "id": d.id, "shenhe_id": d.review_id, "secret_id": d.secret_id, "shenhe_status": d.status,
                "shenhe_refuse_reason": if d.refuse_reason.is_empty() { Value::Null } else { Value::from(d.refuse_reason) },
                "shenhe_type": d.shenhe_type, "shenhe_house_introduction": d.shenhe_house_introduction,
                "decided_at": kit::time::beijing_chinese(d.decided_at),
            })
        })
        .collect();
    page(
        &request,
        "获取审核记录成功",
        rows,
        reply.page,
        reply.per_page,
        reply.total,
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The answer rendered from kept rows is the one [`page`] gives from the rows.
    #[test]
    fn a_page_rendered_from_its_kept_rows_is_the_documented_answer_byte_for_byte() {
        let review = |id: i64, reason: Option<&str>| pb::Review {
            id,
            shenhe_type: "租客绑定".to_owned(),
            shenhe_content: r#"{"people":{"people_name":"张三"}}"#.to_owned(),
            shenhe_status: if reason.is_some() { 0 } else { 2 },
            shenhe_house_introduction: "晨曦家园1栋1单元2楼201号".to_owned(),
            shenhe_action_introduction: "租客正在申请：租客绑定".to_owned(),
            shenhe_refuse_reason: reason.unwrap_or_default().to_owned(),
            has_refuse_reason: reason.is_some(),
            created_at: 1_607_827_682,
            updated_at: 1_607_827_700,
        };
        let reviews = [review(2, Some("资料不全")), review(1, None)];
        let request = actix_web::test::TestRequest::post()
            .uri("http://127.0.0.1/api/v1/wjdh/shenheList")
            .to_http_request();
        let rows = |reviews: &[pb::Review]| -> Vec<ReviewJson> {
            reviews.iter().cloned().map(ReviewJson::from).collect()
        };
        let body = |answer: ApiResult| {
            let body = actix_web::body::to_bytes(answer.unwrap().into_body());
            futures::executor::block_on(body).unwrap()
        };
        let kept = KeptPage::render(4, 1, 2, 5, &rows(&reviews)).unwrap();
        assert_eq!(
            body(kept_page(&request, "获取审核数据成功", &kept)),
            body(page(&request, "获取审核数据成功", rows(&reviews), 1, 2, 5))
        );
    }
}
