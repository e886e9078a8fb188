//! 001 §1.2.1: the security platform's credentials → a token for the `/api/v1/wjdh/*` routes.
use actix_web::web;
use proto::auth::PlatformTokenRequest;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::envelope::{self, ApiResult, Failure, Head};
use crate::input::{Input, Text};
use crate::middleware::{ClientIp, RequestId};
use crate::state::AppState;

/// 001 §1.2.1 request (form or JSON).
#[derive(Debug, Deserialize, ToSchema)]
pub struct SecretBody {
    #[schema(example = "123456")]
    secret_id: Text<128>,
    #[schema(example = "123456")]
    secret_key: Text<1024>,
}

/// 001 §1.2.1 success.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlatformTokenResponse {
    #[serde(flatten)]
    pub head: Head,
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: String,
    #[schema(example = 3600)]
    pub expires_in: i64,
}

/// 001 §1.2.1 获取token.
#[utoipa::path(
    post,
    path = "/api/v1/wjdh/secret",
    tag = "001 §1.2 万家灯火平台提供接口",
    request_body(content(
        (SecretBody = "application/x-www-form-urlencoded"),
        (SecretBody = "application/json")
    )),
    responses(
        (status = 200, body = PlatformTokenResponse),
        (status = 400, body = Failure, description = "参数未传送"),
        (status = 403, body = Failure, description = "没有找到该密钥对儿对应的用户"),
        (status = 413, body = Failure, description = "提交的数据过大"),
        (status = 429, body = Failure, description = "操作过于频繁，请稍后再试: 本客户端该secret_id错误次数过多（锁定时间逐次加倍），或该接口每分钟请求过多，或服务繁忙")
    )
)]
pub async fn secret(
    state: web::Data<AppState>,
    request_id: RequestId,
    client_ip: ClientIp,
    input: Input<SecretBody>,
) -> ApiResult {
    let body = input.into_inner();
    let request = PlatformTokenRequest {
        secret_id: body.secret_id.into_string(),
        secret_key: body.secret_key.into_string(),
        client_ip: client_ip.0.to_string(),
    };
    let request = kit::grpc::request(request, request_id.as_str());
    let reply = state
        .call("auth", state.auth().platform_token(request))
        .await?;
    Ok(envelope::ok(&PlatformTokenResponse {
        head: Head::ok("获取到了token值", "获取到了token值"),
        access_token: reply.access_token,
        token_type: "Bearer".to_owned(),
        expires_in: reply.expires_in,
    }))
}
