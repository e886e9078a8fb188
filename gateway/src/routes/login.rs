//! 000 §1: verification codes, WeChat sign-in, registration, tokens and permissions.
use actix_web::web;
use kit::error::ServiceError;
use proto::auth::{
    CodeToSessionRequest, LoginByCodeRequest, LoginReply, PermissionsRequest, RefreshTokenRequest,
    RegisterRequest, SendCodeRequest,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{self, Audience, OptionalResident, ResidentCaller};
use crate::envelope::{self, ApiResult, Failure, Head};
use crate::middleware::{ClientIp, RequestId};
use crate::params::Params;
use crate::state::AppState;

/// 000 §1.1 request.
#[derive(Debug, ToSchema)]
pub struct SendCodeBody {
    /// 手机号 (a number or a string).
    #[schema(example = "17600381130")]
    pub phone: String,
    /// register | login | verify | yezhu.
    #[serde(rename = "type")]
    #[schema(example = "login")]
    pub kind: String,
    /// 小区+楼栋+单元+楼层+房屋的名称, with `type=yezhu`.
    pub community_house_name: Option<String>,
}

impl SendCodeBody {
    pub fn parse(params: &Params) -> Result<Self, ServiceError> {
        Ok(Self {
            phone: params.required_str("phone")?,
            kind: params.required_str("type")?,
            community_house_name: params.optional_str("community_house_name")?,
        })
    }
}

/// 000 §1.1 success.
#[derive(Debug, Serialize, ToSchema)]
pub struct SendCodeResponse {
    #[serde(flatten)]
    pub head: Head,
    /// 验证码缓存键值 (used by other routes as `verification_key`).
    #[schema(example = "verificationCode_qaFUTv8034G29I5")]
    pub key: String,
    /// Beijing time.
    #[schema(example = "2020-11-19 13:34:38")]
    pub expired_at: String,
}

/// 000 §1.1 获取手机验证码: sends a code by SMS (the token is optional; `yezhu` needs it).
#[utoipa::path(
    post,
    path = "/api/v1/verificationCodes/phone",
    tag = "000 §1 授权",
    request_body(content(
        (SendCodeBody = "application/json"),
        (SendCodeBody = "application/x-www-form-urlencoded"),
        (SendCodeBody = "multipart/form-data")
    )),
    responses(
        (status = 200, body = SendCodeResponse),
        (status = 400, body = Failure, description = "参数不正确"),
        (status = 409, body = Failure, description = "手机号已注册 / 未注册"),
        (status = 429, body = Failure, description = "发送过于频繁")
    ),
    security((), ("bearer" = []))
)]
pub async fn send_code(
    state: web::Data<AppState>,
    request_id: RequestId,
    client_ip: ClientIp,
    resident: OptionalResident,
    params: Params,
) -> ApiResult {
    let body = SendCodeBody::parse(&params)?;
    let request = SendCodeRequest {
        phone: body.phone,
        r#type: body.kind,
        community_house_name: body.community_house_name.unwrap_or_default(),
        client_ip: client_ip.0.to_string(),
        user_id: resident.user_id(),
    };
    let reply = state
        .call(
            "auth",
            state
                .auth()
                .send_code(kit::grpc::request(request, request_id.as_str())),
        )
        .await?;
    Ok(envelope::ok(&SendCodeResponse {
        head: Head::ok(
            format!("验证码获取成功,{}分钟内有效", reply.ttl_seconds / 60),
            "验证码获取成功",
        ),
        key: reply.key,
        expired_at: kit::time::beijing_datetime(reply.expires_at),
    }))
}

/// 000 §1.2.1 and §1.4.1 request.
#[derive(Debug, ToSchema)]
pub struct WechatCodeBody {
    /// 微信用户code码 (wx.login).
    #[schema(example = "sandbox:oRNfs4txH2QmXzewt234oyNdsa-n3HYI")]
    pub code: String,
}

impl WechatCodeBody {
    pub fn parse(params: &Params) -> Result<Self, ServiceError> {
        Ok(Self {
            code: params.required_str("code")?,
        })
    }
}

/// 000 §1.2.1 success.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    #[serde(flatten)]
    pub head: Head,
    pub openid: String,
    /// An opaque handle for WeChat's session_key (which never leaves svc-auth).
    pub session_key: String,
}

/// 000 §1.2.1 获取openid和seesion_key.
#[utoipa::path(
    post,
    path = "/api/v1/weapp/code",
    tag = "000 §1 授权",
    request_body(content(
        (WechatCodeBody = "application/json"),
        (WechatCodeBody = "application/x-www-form-urlencoded")
    )),
    responses(
        (status = 200, body = SessionResponse),
        (status = 400, body = Failure),
        (status = 502, body = Failure, description = "微信接口出错")
    )
)]
pub async fn code_to_session(
    state: web::Data<AppState>,
    request_id: RequestId,
    params: Params,
) -> ApiResult {
    let body = WechatCodeBody::parse(&params)?;
    let request = kit::grpc::request(
        CodeToSessionRequest { code: body.code },
        request_id.as_str(),
    );
    let reply = state
        .call("auth", state.auth().code_to_session(request))
        .await?;
    Ok(envelope::ok(&SessionResponse {
        head: Head::ok("获得open_id和seesion_key", "成功获取open_id和seesion_key"),
        openid: reply.openid,
        session_key: reply.session_key,
    }))
}

/// 000 §1.2.2 request.
#[derive(Debug, ToSchema)]
pub struct RegisterBody {
    /// weixin (WeChat-bound phone) | selfPhone (another phone, with an SMS code).
    #[serde(rename = "type")]
    #[schema(example = "weixin")]
    pub kind: String,
    /// type=weixin: the encrypted phone data of getPhoneNumber.
    #[serde(rename = "encryptedData")]
    pub encrypted_data: Option<String>,
    /// type=weixin: with `encryptedData`.
    pub iv: Option<String>,
    /// type=weixin: WeChat's newer phone-number code instead of encryptedData/iv (alias `code`).
    pub phone_code: Option<String>,
    /// type=selfPhone: `key` of 000 §1.1.
    pub verification_key: Option<String>,
    /// type=selfPhone: the SMS code.
    pub verification_code: Option<String>,
    pub openid: String,
    pub session_key: String,
    /// 微信用户昵称.
    pub name: String,
    /// 微信用户头像.
    pub avatar: String,
}

impl RegisterBody {
    pub fn parse(params: &Params) -> Result<Self, ServiceError> {
        let kind = params.required_str("type")?;
        let mut phone_code = params.optional_str("phone_code")?;
        if phone_code.is_none() && kind == "weixin" {
            phone_code = params.optional_str("code")?;
        }
        Ok(Self {
            encrypted_data: params.optional_str("encryptedData")?,
            iv: params.optional_str("iv")?,
            phone_code,
            verification_key: params.optional_str("verification_key")?,
            verification_code: params.optional_str("verification_code")?,
            openid: params.required_str("openid")?,
            session_key: params.required_str("session_key")?,
            name: params
                .required_str("name")
                .map_err(|_| ServiceError::invalid("name", "用户的name值未传送"))?,
            avatar: params.required_str("avatar")?,
            kind,
        })
    }
}

impl From<RegisterBody> for RegisterRequest {
    fn from(body: RegisterBody) -> Self {
        Self {
            r#type: body.kind,
            encrypted_data: body.encrypted_data.unwrap_or_default(),
            iv: body.iv.unwrap_or_default(),
            phone_code: body.phone_code.unwrap_or_default(),
            verification_key: body.verification_key.unwrap_or_default(),
            verification_code: body.verification_code.unwrap_or_default(),
            openid: body.openid,
            session_key: body.session_key,
            name: body.name,
            avatar: body.avatar,
        }
    }
}

/// 000 §1.2.2, §1.4.1, §1.4.2 success: the token and the user.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    #[serde(flatten)]
    pub head: Head,
    pub access_token: String,
    /// Always "Bearer".
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds.
    #[schema(example = 3600)]
    pub expires_in: i64,
    /// NewMember | Shenheing | HouseMember.
    pub permissions: Vec<String>,
    pub name: String,
    pub avatar: String,
}

impl LoginResponse {
    fn new(msg: &str, reply: LoginReply) -> Self {
        Self {
            head: Head::ok(msg, msg),
            access_token: reply.access_token,
            token_type: "Bearer".to_owned(),
            expires_in: reply.expires_in,
            permissions: reply.permissions,
            name: reply.name,
            avatar: reply.avatar,
        }
    }
}

/// 000 §1.2.2 手机号注册+登陆二合一.
#[utoipa::path(
    post,
    path = "/api/v1/weapp/users",
    tag = "000 §1 授权",
    request_body(content(
        (RegisterBody = "application/json"),
        (RegisterBody = "application/x-www-form-urlencoded")
    )),
    responses(
        (status = 200, body = LoginResponse, description = "您注册成功！ / 您登陆成功！"),
        (status = 400, body = Failure, description = "参数不正确, 验证码已失效")
    )
)]
pub async fn register(
    state: web::Data<AppState>,
    request_id: RequestId,
    params: Params,
) -> ApiResult {
    let request = RegisterRequest::from(RegisterBody::parse(&params)?);
    let request = kit::grpc::request(request, request_id.as_str());
    let reply = state.call("auth", state.auth().register(request)).await?;
    let msg = if reply.registered {
        "您注册成功！"
    } else {
        "您登陆成功！"
    };
    Ok(envelope::ok(&LoginResponse::new(msg, reply)))
}

const TOKEN_ISSUED: &str = "token值等用户数据获取成功";

/// 000 §1.4.1 发送code值到后台获取token.
#[utoipa::path(
    post,
    path = "/api/v1/weapp/authorizations",
    tag = "000 §1 授权",
    request_body(content(
        (WechatCodeBody = "application/json"),
        (WechatCodeBody = "application/x-www-form-urlencoded")
    )),
    responses(
        (status = 200, body = LoginResponse),
        (status = 400, body = Failure, description = "小程序code不正确"),
        (status = 404, body = Failure, description = "这只是个游客")
    )
)]
pub async fn login_by_code(
    state: web::Data<AppState>,
    request_id: RequestId,
    params: Params,
) -> ApiResult {
    let body = WechatCodeBody::parse(&params)?;
    let request = kit::grpc::request(LoginByCodeRequest { code: body.code }, request_id.as_str());
    let reply = state
        .call("auth", state.auth().login_by_code(request))
        .await?;
    Ok(envelope::ok(&LoginResponse::new(TOKEN_ISSUED, reply)))
}

/// 000 §1.4.2 发送旧token值到后台获取新token (the token may have expired; once, within 14 days).
#[utoipa::path(
    put,
    path = "/api/v1/authorizations/current",
    tag = "000 §1 授权",
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, body = Failure, description = "token值缺失 (code 9)"),
        (status = 409, body = Failure, description = "刷新token值失败")
    ),
    security(("bearer" = []))
)]
pub async fn refresh_token(
    state: web::Data<AppState>,
    request_id: RequestId,
    req: actix_web::HttpRequest,
) -> ApiResult {
    let token = auth::bearer_token(&req)
        .ok_or_else(|| Audience::Resident.unauthenticated(auth::TOKEN_MISSING))?;
    let request = kit::grpc::request(RefreshTokenRequest { token }, request_id.as_str());
    let reply = state
        .call("auth", state.auth().refresh_token(request))
        .await?;
    Ok(envelope::ok(&LoginResponse::new(TOKEN_ISSUED, reply)))
}

/// 000 §1.5.1 success.
#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionsResponse {
    #[serde(flatten)]
    pub head: Head,
    /// NewMember | Shenheing | HouseMember.
    pub data: Vec<String>,
}

/// 000 §1.5.1 获取微信小程序用户的角色.
#[utoipa::path(
    post,
    path = "/api/v1/people/permissions",
    tag = "000 §1 授权",
    responses(
        (status = 200, body = PermissionsResponse),
        (status = 401, body = Failure, description = "token失效 (code 9)")
    ),
    security(("bearer" = []))
)]
pub async fn permissions(
    state: web::Data<AppState>,
    request_id: RequestId,
    resident: ResidentCaller,
) -> ApiResult {
    let request = PermissionsRequest {
        user_id: resident.user_id,
    };
    let request = kit::grpc::request(request, request_id.as_str());
    let reply = state
        .call("auth", state.auth().permissions(request))
        .await?;
    Ok(envelope::ok(&PermissionsResponse {
        head: Head::ok("获取用户角色成功", "获取用户角色成功message编码Yi2048"),
        data: reply.permissions,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(value: serde_json::Value) -> Params {
        Params::from_values(value.as_object().cloned().unwrap_or_default())
    }

    #[test]
    fn a_missing_name_is_worded_as_the_seed_shows() {
        let error = RegisterBody::parse(&params(
            json!({"type":"weixin","openid":"o","session_key":"s","avatar":"a"}),
        ))
        .expect_err("missing name");
        assert_eq!(error.message, "用户的name值未传送");
    }

    #[test]
    fn code_stands_for_phone_code_when_registering_by_weixin() {
        let body = RegisterBody::parse(&params(
            json!({"type":"weixin","code":"pc","openid":"o","session_key":"s","name":"n","avatar":"a"}),
        ))
        .expect("body");
        assert_eq!(body.phone_code.as_deref(), Some("pc"));
        let request = RegisterRequest::from(body);
        assert_eq!(request.r#type, "weixin");
        assert_eq!(request.verification_code, "");
    }

    #[test]
    fn a_numeric_phone_and_code_are_accepted() {
        let body = SendCodeBody::parse(&params(json!({"phone":17600381130_i64,"type":"login"})))
            .expect("body");
        assert_eq!(body.phone, "17600381130");
        let body = RegisterBody::parse(&params(json!({
            "type":"selfPhone","verification_key":"k","verification_code":123456,
            "openid":"o","session_key":"s","name":"n","avatar":"a"
        })))
        .expect("body");
        assert_eq!(body.verification_code.as_deref(), Some("123456"));
    }

    #[test]
    fn the_login_reply_wears_the_seed_fields() {
        let reply = LoginReply {
            access_token: "t".into(),
            expires_in: 3600,
            permissions: vec!["NewMember".into()],
            name: "yangzhe".into(),
            avatar: "avatar".into(),
            registered: true,
        };
        let value = serde_json::to_value(LoginResponse::new("您注册成功！", reply)).expect("json");
        assert_eq!(
            value,
            json!({"code":0,"token_expired":1,"msg":"您注册成功！","message":"您注册成功！",
                "access_token":"t","token_type":"Bearer","expires_in":3600,
                "permissions":["NewMember"],"name":"yangzhe","avatar":"avatar"})
        );
    }
}
