//! 001 §1.2.2–§1.2.4: the security platform reads and decides the reviews of its communities.
use actix_web::{HttpRequest, web};
use kit::paging::{Links, Meta, Paging};
use proto::yibiaosanshi as pb;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::PlatformCaller;
use crate::envelope::{self, ApiResult, Failure, Head};
use crate::middleware::RequestId;
use crate::params::Params;
use crate::routes::pages;
use crate::state::AppState;

/// A review as 001 renders it (times in Beijing time, `2020年11月18日11:01:46`).
pub fn review_json(review: pb::Review) -> Value {
    json!({
        "id": review.id,
        "shenhe_type": review.shenhe_type,
        "shenhe_content": review.shenhe_content,
        "shenhe_status": review.shenhe_status,
        "shenhe_house_introduction": review.shenhe_house_introduction,
        "shenhe_action_introduction": review.shenhe_action_introduction,
        "shenhe_refuse_reason": if review.has_refuse_reason { Value::from(review.shenhe_refuse_reason) } else { Value::Null },
        "created_at": kit::time::beijing_chinese(review.created_at),
        "updated_at": kit::time::beijing_chinese(review.updated_at),
    })
}

/// A page of rows with the documented `links` and `meta`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageResponse {
    #[serde(flatten)]
    pub head: Head,
    #[schema(value_type = Vec<Object>)]
    pub data: Vec<Value>,
    #[schema(value_type = Object)]
    pub links: Links,
    #[schema(value_type = Object)]
    pub meta: Meta,
}

/// One review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewResponse {
    #[serde(flatten)]
    pub head: Head,
    #[schema(value_type = Object)]
    pub data: Value,
}

pub(crate) fn page(
    request: &HttpRequest,
    msg: &str,
    rows: Vec<Value>,
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

/// 001 §1.2.2 获取审核数据列表.
#[utoipa::path(post, path = "/api/v1/wjdh/shenheList", tag = "001 §1.2 万家灯火平台提供接口",
    params(("community_identifier" = String, Query), ("type" = Option<String>, Query), ("status" = Option<i64>, Query),
           ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = PageResponse), (status = 403, body = Failure, description = "您没有权限管理该小区"),
              (status = 404, body = Failure, description = "没有根据community_identifier查找到小区")),
    security(("bearer" = [])))]
pub async fn list(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let field = |name: &str| params.str_or_empty(name);
    let message = pb::ListReviewsRequest {
        platform: Some(platform.reference()),
        r#type: field("type")?,
        community_identifier: field("community_identifier")?,
        status: field("status")?,
        page: field("page")?,
        per_page: field("per_page")?,
    };
    let reply = state
        .call(
            "yibiaosanshi",
            state.registration().list_reviews(request_id.grpc(message)),
        )
        .await?;
    let rows = reply.reviews.into_iter().map(review_json).collect();
    page(
        &request,
        "获取审核数据成功",
        rows,
        reply.page,
        reply.per_page,
        reply.total,
    )
}

/// 001 §1.2.3 获取单独一条审核数据.
#[utoipa::path(post, path = "/api/v1/wjdh/shenhe", tag = "001 §1.2 万家灯火平台提供接口",
    params(("id" = i64, Query, description = "review id")),
    responses((status = 200, body = ReviewResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn one(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let message = pb::PlatformReviewRequest {
        platform: Some(platform.reference()),
        id: params.str_or_empty("id")?,
    };
    let review = state
        .call(
            "yibiaosanshi",
            state.registration().get_review(request_id.grpc(message)),
        )
        .await?;
    Ok(envelope::ok(&ReviewResponse {
        head: Head::ok("成功查询到该条审核数据", "成功查询到该条审核数据"),
        data: review_json(review),
    }))
}

/// 001 §1.2.4 更新审核状态: 1 approves (the content is applied in one transaction), 0 refuses
/// with `shenhe_refuse_reason`; a decided review cannot be decided again.
#[utoipa::path(put, path = "/api/v1/wjdh/shenhe", tag = "001 §1.2 万家灯火平台提供接口",
    params(("id" = i64, Query), ("status" = i64, Query, description = "1 审核通过, 0 审核未通过"),
           ("shenhe_refuse_reason" = Option<String>, Query, description = "required when refusing"),
           ("content" = Option<String>, Query, description = "corrected 审核数据 JSON")),
    responses((status = 200, body = ReviewResponse), (status = 403, body = Failure), (status = 409, body = Failure, description = "已处理")),
    security(("bearer" = [])))]
pub async fn decide(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let reason = match params.optional_str("shenhe_refuse_reason")? {
        Some(reason) => reason,
        None => params.str_or_empty("refuse_reason")?,
    };
    let message = pb::DecideReviewRequest {
        platform: Some(platform.reference()),
        id: params.str_or_empty("id")?,
        status: params.required_str("status")?,
        refuse_reason: reason,
        content: params.str_or_empty("content")?,
    };
    let review = state
        .call(
            "yibiaosanshi",
            state.registration().decide_review(request_id.grpc(message)),
        )
        .await?;
    Ok(envelope::ok(&ReviewResponse {
        head: Head::ok("成功查询到该条审核数据", "审核状态已更新"),
        data: review_json(review),
    }))
}

/// Every decision taken on the platform's communities: who, when, what.
#[utoipa::path(post, path = "/api/v1/wjdh/shenheLog", tag = "001 §1.2 万家灯火平台提供接口",
    params(("community_identifier" = Option<String>, Query), ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = PageResponse), (status = 403, body = Failure)), security(("bearer" = [])))]
pub async fn decisions(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    platform: PlatformCaller,
    params: Params,
) -> ApiResult {
    let field = |name: &str| params.str_or_empty(name);
    let message = pb::ListDecisionsRequest {
        platform: Some(platform.reference()),
        community_identifier: field("community_identifier")?,
        page: field("page")?,
        per_page: field("per_page")?,
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
