//! Subscribe messages (订阅消息, DESIGN): the mini-program reports what the resident answered in
//! `wx.requestSubscribeMessage` (one accept allows one message of that template), and the
//! resident lists what the platform sent them, or why it did not. svc-auth holds both.
use actix_web::{HttpRequest, web};
use proto::auth as pb;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use crate::auth::ResidentCaller;
use crate::envelope::{self, ApiError, ApiResult, DataResponse, Failure};
use crate::input::{Input, Page, PerPage, SubscribeAnswer, SubscribeResults};
use crate::middleware::RequestId;
use crate::params::Params;
use crate::routes::pages;
use crate::state::AppState;

const TAG: &str = "订阅消息（小程序）";

/// 上报订阅结果's body: `wx.requestSubscribeMessage`'s `res` without `errMsg`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SubscriptionsInput {
    #[schema(example = json!({"sandbox-review": "accept", "sandbox-repair": "reject"}))]
    results: SubscribeResults,
}

fn answer(answer: SubscribeAnswer) -> pb::SubscribeAnswer {
    match answer {
        SubscribeAnswer::Accept => pb::SubscribeAnswer::Accept,
        SubscribeAnswer::Reject => pb::SubscribeAnswer::Reject,
        SubscribeAnswer::Ban => pb::SubscribeAnswer::Ban,
        SubscribeAnswer::Filter => pb::SubscribeAnswer::Filter,
    }
}

/// 上报订阅结果：小程序调用 `wx.requestSubscribeMessage` 后，把用户对每个模板的选择（accept /
/// reject / ban / filter）报给平台；每个 accept 允许平台向该用户发送一条该模板的消息。`data` 是
/// 每个上报模板尚可发送的条数。
/// Reports the resident's answers; each accept allows one message of that template.
#[utoipa::path(post, path = "/api/v1/weapp/subscriptions", tag = TAG,
    request_body = SubscriptionsInput,
    responses((status = 200, body = DataResponse,
               example = json!({"code": 0, "token_expired": 1, "msg": "订阅结果已记录", "message": "订阅结果已记录",
                                "data": [{"template_id": "sandbox-review", "remaining": 1}]})),
              (status = 400, body = Failure, description = "results缺失、模板id不合法或选择不是accept/reject/ban/filter"),
              (status = 403, body = Failure, description = "未使用微信登录，无法接收订阅消息")),
    security(("bearer" = [])))]
pub async fn subscribe(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Params, ApiError>,
) -> ApiResult {
    // Judged as sent: a blank answer under a bad template id is refused, never dropped unseen.
    let input: SubscriptionsInput = crate::input::parse_as_sent(input?.into_parts().0)?;
    let message = pb::SubscribeRequest {
        resident: Some(resident.reference()),
        answers: input
            .results
            .0
            .into_iter()
            .map(|(template_id, given)| pb::TemplateAnswer {
                template_id,
                answer: answer(given).into(),
            })
            .collect(),
    };
    let reply = state
        .call("auth", state.auth().subscribe(request_id.grpc(message)))
        .await?;
    let quotas: Vec<Value> = reply
        .quotas
        .into_iter()
        .map(|quota| json!({"template_id": quota.template_id, "remaining": quota.remaining}))
        .collect();
    Ok(envelope::ok_with(
        "订阅结果已记录",
        "订阅结果已记录",
        Value::from(quotas),
    ))
}

/// 我的消息's paging.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MessagesInput {
    page: Option<Page>,
    per_page: Option<PerPage>,
}

fn time(unix: i64) -> Value {
    if unix == 0 {
        Value::Null
    } else {
        Value::from(kit::time::beijing_chinese(unix))
    }
}

fn message_json(row: pb::NoticeRow) -> Value {
    let data: Map<String, Value> = row
        .data
        .into_iter()
        .map(|value| (value.key, Value::from(value.value)))
        .collect();
    json!({
        "id": row.id,
        "type": row.kind,
        "template_id": row.template_id,
        "status": row.status,
        "reason": row.reason,
        "page": row.page,
        "data": data,
        "created_at": time(row.created_at),
        "sent_at": time(row.sent_at),
    })
}

/// 我的消息：平台为该用户产生的订阅消息，新的在前——已发送的，以及未发送的和原因。`status`:
/// pending 发送中、sent 已发送、unsubscribed 未订阅或次数已用完、refused 用户拒收、dropped
/// 微信未能发送、no_wechat 未使用微信登录。`data` 是消息模板的各项内容（手机号已打码）。
/// The resident's recent subscribe messages, sent or not, and why not.
#[utoipa::path(post, path = "/api/v1/weapp/messages", tag = TAG,
    request_body = MessagesInput,
    responses((status = 200, body = DataResponse,
               example = json!({"code": 0, "token_expired": 1, "msg": "成功获取消息列表", "message": "成功获取消息列表",
                                "data": {"messages": [{"id": 1, "type": "repair", "template_id": "sandbox-repair",
                                         "status": "sent", "reason": "", "page": "pages/repair/detail?id=3",
                                         "data": {"thing1": "厨房水管漏水", "phrase2": "已受理", "thing3": "无", "time4": "2026年12月05日 14:30"},
                                         "created_at": "2026年12月05日14:30:00", "sent_at": "2026年12月05日14:30:01"}],
                                         "pages": {"current_page": 1, "per_page": 20, "total": 1}}}))),
    security(("bearer" = [])))]
pub async fn messages(
    state: web::Data<AppState>,
    request: HttpRequest,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<MessagesInput>, ApiError>,
) -> ApiResult {
    let input = input?.into_inner();
    let (page, per_page) = crate::input::paging(input.page, input.per_page);
    let message = pb::ListNoticesRequest {
        resident: Some(resident.reference()),
        page,
        per_page,
    };
    let reply = state
        .call("auth", state.auth().list_notices(request_id.grpc(message)))
        .await?;
    let rows: Vec<Value> = reply.rows.into_iter().map(message_json).collect();
    let pages = pages::flat(&request, page, per_page, rows.len(), reply.total);
    Ok(envelope::ok_with(
        "成功获取消息列表",
        "成功获取消息列表",
        json!({"messages": rows, "pages": pages}),
    ))
}
