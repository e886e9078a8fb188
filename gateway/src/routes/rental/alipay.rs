//! Seed 004's Alipay user (`/payment/ali/*`): the authorisation page (`get_auth_url`), where
//! Alipay sends the user back (`auth_notify`, no token: the single-use `state` says whose it
//! is), whether the caller is bound (`binding_status`), their 芝麻分 (`zhima`), and the
//! platform's payouts (`pay_to_customer`, internal: a platform credential, never a resident;
//! `/api/v1/wjdh/rental/payouts`). svc-orders holds the Alipay client.
use actix_web::web;
use proto::viewings as pb;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::viewings::caller;
use super::{TAG, TAG_PLATFORM, ok};
use crate::auth::{PlatformCaller, ResidentCaller};
use crate::envelope::{ApiError, ApiResult, DataResponse, Failure};
use crate::input::{Id, Input, Text, Xiaoqu, Yuan};
use crate::middleware::RequestId;
use crate::state::AppState;

/// 获取用户授权: seed 004's `{"result": "SUCCESS", "auth_url"}`: Alipay's authorisation page
/// (scope `auth_user`) for the caller. Its `state` is single use, bound to the caller and good
/// for 10 minutes; Alipay sends the user back to `/payment/ali/auth_notify`.
#[utoipa::path(post, path = "/api/v1/rental/payment/ali/get_auth_url", tag = TAG,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn auth_url(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
) -> ApiResult {
    let message = caller(&resident);
    let reply = state
        .call(
            "orders",
            state.viewings().alipay_auth_url(request_id.grpc(message)),
        )
        .await?;
    ok("", json!({"result": "SUCCESS", "auth_url": reply.auth_url}))
}

/// What Alipay's authorisation page sends the user back with (its other parameters, `app_id`,
/// `source`, `scope`, are ignored).
#[derive(Debug, Deserialize, ToSchema)]
pub struct AuthNotifyInput {
    /// 支付宝授权码 (single use).
    auth_code: Text<128>,
    /// The `state` of `/payment/ali/get_auth_url`'s page.
    state: Text<64>,
}

/// 支付宝授权回调: Alipay sends the user's browser here after they approved. The `state` is taken
/// once (used, unknown or expired: refused naming `state`), the `auth_code` bought for the
/// user's access token (refused by Alipay: naming `auth_code`), and the user who asked for the
/// page bound to that Alipay account.
#[utoipa::path(get, path = "/api/v1/rental/payment/ali/auth_notify", tag = TAG,
    params(("auth_code" = String, Query, description = "支付宝授权码"), ("state" = String, Query, description = "get_auth_url的state")),
    responses((status = 200, body = DataResponse, description = "授权成功")))]
pub async fn auth_notify(
    state: web::Data<AppState>,
    request_id: RequestId,
    input: Result<Input<AuthNotifyInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let message = pb::AlipayAuthorization {
        auth_code: i.auth_code.into_string(),
        state: i.state.into_string(),
    };
    state
        .call(
            "orders",
            state.viewings().alipay_authorized(request_id.grpc(message)),
        )
        .await?;
    ok("授权成功", Value::Null)
}

/// 查看用户是否已经绑定支付宝账号: `data` 1 when bound, -1 when not (then `get_auth_url`).
#[utoipa::path(post, path = "/api/v1/rental/payment/ali/binding_status", tag = TAG,
    responses((status = 200, body = DataResponse)), security(("bearer" = [])))]
pub async fn binding_status(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
) -> ApiResult {
    let message = caller(&resident);
    let reply = state
        .call(
            "orders",
            state
                .viewings()
                .alipay_binding_status(request_id.grpc(message)),
        )
        .await?;
    ok("", json!(if reply.bound { 1 } else { -1 }))
}

/// Seed 004's `refresh`.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
pub enum Refresh {
    /// 只用缓存.
    #[serde(rename = "N")]
    No,
    /// 强制刷新.
    #[serde(rename = "Y")]
    Yes,
    /// 若没有缓存则刷新.
    #[serde(rename = "AUTO")]
    Auto,
}

/// 获取用户芝麻分: `refresh` N (the cached score only), Y (fetched now) or AUTO (the default: the
/// cached score, fetched when there is none).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ZhimaInput {
    refresh: Option<Refresh>,
}

/// 获取用户芝麻分: `data` is the score as text (`"750"`), or the number -1 when N finds none.
/// Fetching (Y, or AUTO without a cached score) needs the caller's Alipay authorisation: without
/// one, or with an expired one, refused naming `refresh` (authorise first).
#[utoipa::path(post, path = "/api/v1/rental/payment/ali/zhima", tag = TAG,
    request_body = ZhimaInput,
    responses((status = 200, body = DataResponse), (status = 502, body = Failure, description = "支付宝暂时不可用")),
    security(("bearer" = [])))]
pub async fn zhima(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
    input: Result<Input<ZhimaInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let refresh = match i.refresh.unwrap_or(Refresh::Auto) {
        Refresh::No => pb::ZhimaRefresh::N,
        Refresh::Yes => pb::ZhimaRefresh::Y,
        Refresh::Auto => pb::ZhimaRefresh::Auto,
    };
    let message = pb::ZhimaRequest {
        resident: Some(resident.reference()),
        refresh: refresh as i32,
    };
    let reply = state
        .call("orders", state.viewings().zhima(request_id.grpc(message)))
        .await?;
    let score = match reply.score {
        Some(score) => json!(score.to_string()),
        None => json!(-1),
    };
    ok("", score)
}

/// Seed 004's `payee_type`.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
pub enum PayeeType {
    /// 支付宝唯一用户号: 2088 and 12 digits.
    #[serde(rename = "ALIPAY_USERID")]
    UserId,
    /// 支付宝登录号: a mobile number or an email.
    #[serde(rename = "ALIPAY_LOGONID")]
    LogonId,
}

/// 支付宝企业向个人转账 (seed 004's fields; `xiaoqu` and `owner_id` beyond the seed): the
/// platform's own number of the payout (`order_id`: 1–64 letters, digits, `_` or `-`; the same
/// number again is the same payout), the payee's account as their rental profile holds it
/// (`payee_acount`, sic), at least 0.1 元 and at most what the marketplace owes `owner_id` in
/// the community `xiaoqu`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PayToCustomerInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
    /// 收款的房东或邀请人 (`id` of /wx_fetch_userinfo, `owner_id` on listings).
    owner_id: Id,
    #[schema(example = "PO20261204001")]
    order_id: Text<64>,
    payee_type: PayeeType,
    /// 收款账户: the `account_number` of the payee's /create_userinfo.
    #[schema(example = "landlord@example.com")]
    payee_acount: Text<64>,
    /// 金额 (元), 最小金额0.1.
    #[schema(example = "10.00")]
    amount: Yuan,
    remark: Option<Text<200>>,
}

/// A payout as the platform sees it.
fn payout_json(p: pb::Payout) -> Value {
    let status = match pb::PayoutState::try_from(p.state) {
        Ok(pb::PayoutState::Succeeded) => "已转账",
        Ok(pb::PayoutState::Failed) => "转账失败",
        _ => "待转账",
    };
    let payee_type = match pb::PayeeType::try_from(p.payee_type) {
        Ok(pb::PayeeType::UserId) => "ALIPAY_USERID",
        _ => "ALIPAY_LOGONID",
    };
    json!({
        "order_id": p.order_id,
        "out_biz_no": p.out_biz_no,
        "alipay_order_id": p.alipay_order_id,
        "xiaoqu": p.xiaoqu,
        "owner_id": p.owner_id,
        "payee_type": payee_type,
        "payee_acount": p.payee_account,
        "payee_name": p.payee_name,
        "amount": kit::money::yuan_decimal(p.amount_fen),
        "remark": p.remark,
        "status": status,
        "failure": p.failure,
        "created_at": kit::time::beijing_datetime(p.created_at),
        "paid_at": (p.paid_at > 0).then(|| kit::time::beijing_datetime(p.paid_at)),
    })
}

/// 支付宝企业向个人转账 (内部接口, a platform credential only): pays what the marketplace owes
/// the landlord or inviter `owner_id` in the credential's community `xiaoqu` (their confirmed
/// viewing fees, their invitation shares) to the Alipay account of their rental profile.
/// `data` is the payout (已转账, with Alipay's `alipay_order_id`). Refused: more than is owed
/// (400 naming `amount`), another account (400 naming `payee_acount`), the same `order_id` with
/// other fields (409 naming `order_id`), Alipay's refusal (409: the money is owed again),
/// Alipay unreachable (502: send the same `order_id` again).
#[utoipa::path(post, path = "/api/v1/rental/payment/ali/pay_to_customer", tag = TAG_PLATFORM,
    request_body = PayToCustomerInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure), (status = 409, body = Failure, description = "order_id已用于另一笔转账，或支付宝拒绝转账"), (status = 502, body = Failure, description = "支付宝暂时不可用：用同一order_id重试")),
    security(("bearer" = [])))]
pub async fn pay_to_customer(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<PayToCustomerInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let payee_type = match i.payee_type {
        PayeeType::UserId => pb::PayeeType::UserId,
        PayeeType::LogonId => pb::PayeeType::LogonId,
    };
    let message = pb::PayoutRequest {
        platform: Some(platform.reference()),
        xiaoqu: i.xiaoqu.into_string(),
        owner_id: i.owner_id.get(),
        order_id: i.order_id.into_string(),
        payee_type: payee_type as i32,
        payee_account: i.payee_acount.into_string(),
        amount_fen: i.amount.fen(),
        remark: i.remark.map(Text::into_string).unwrap_or_default(),
    };
    let payout = state
        .call(
            "orders",
            state.viewings().pay_to_customer(request_id.grpc(message)),
        )
        .await?;
    let mut data = payout_json(payout);
    data["result"] = json!("SUCCESS");
    ok("转账成功", data)
}

/// 转账列表: the community (`xiaoqu`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PayoutsInput {
    #[schema(example = "10002")]
    xiaoqu: Xiaoqu,
}

/// 转账列表: the payouts of the credential's community, the latest first (at most 200).
#[utoipa::path(post, path = "/api/v1/wjdh/rental/payouts", tag = TAG_PLATFORM,
    request_body = PayoutsInput,
    responses((status = 200, body = DataResponse), (status = 403, body = Failure)),
    security(("bearer" = [])))]
pub async fn payouts(
    state: web::Data<AppState>,
    request_id: RequestId,
    platform: PlatformCaller,
    input: Result<Input<PayoutsInput>, ApiError>,
) -> ApiResult {
    let i = input?.into_inner();
    let message = pb::PayoutsRequest {
        platform: Some(platform.reference()),
        xiaoqu: i.xiaoqu.into_string(),
    };
    let list = state
        .call("orders", state.viewings().payouts(request_id.grpc(message)))
        .await?;
    ok(
        "成功获取转账列表",
        Value::Array(list.payouts.into_iter().map(payout_json).collect()),
    )
}
