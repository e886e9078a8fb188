//! 000 §1: verification codes, WeChat sign-in, registration, tokens and permissions.
use actix_web::web;
use kit::error::ServiceError;
use kit::types::Mobile;
use proto::auth::{
    self as pb, CodeToSessionRequest, LoginByCodeRequest, LoginReply, PermissionsRequest,
    RefreshTokenRequest, RegisterRequest, SendCodeRequest,
};
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa::{PartialSchema, ToSchema};

use crate::auth::{self, Audience, OptionalResident, ResidentCaller};
use crate::envelope::{self, ApiError, ApiResult, Failure, Head};
use crate::input::{Input, Phone, Text};
use crate::middleware::{ClientIp, RequestId};
use crate::state::AppState;

/// What a verification code is for (000 §1.1.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CodeKind {
    /// 注册.
    Register,
    /// 登录.
    Login,
    /// 验证: only whether the phone can be used.
    Verify,
    /// 业主: to a house owner's phone, good for 30 minutes.
    Yezhu,
}

impl CodeKind {
    fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::from(text)).ok()
    }

    fn proto(self) -> pb::CodeType {
        match self {
            Self::Register => pb::CodeType::Register,
            Self::Login => pb::CodeType::Login,
            Self::Verify => pb::CodeType::Verify,
            Self::Yezhu => pb::CodeType::Yezhu,
        }
    }
}

/// 000 §1.1 request. The seed answers a bad `phone` or `type` with its own sentences and the
/// phone echoed, so both are read as text and checked by [`SendCodeInput::checked`].
#[derive(Debug, Deserialize, ToSchema)]
pub struct SendCodeInput {
    /// 手机号 (a number or a string); with `type=yezhu`, the owner's phone as 2.2.2 showed it
    /// (masked) or whole.
    #[schema(example = "17600381130")]
    phone: Text<20>,
    /// register | login | verify | yezhu.
    #[schema(value_type = CodeKind, example = "login")]
    r#type: Text<16>,
    /// 小区+楼栋+单元+楼层+房屋的名称, required with `type=yezhu`.
    community_house_name: Option<Text<200>>,
}

/// [`SendCodeInput`] with its rule: `yezhu` names the house and takes the owner's phone as 2.2.2
/// showed it; every other type takes a mainland mobile.
pub struct SendCodeBody;

impl PartialSchema for SendCodeBody {
    fn schema() -> RefOr<Schema> {
        use crate::input::{also_requires, any_of, field_is, requires};
        crate::input::schema_with_rule::<SendCodeInput>(any_of([
            also_requires(field_is("type", "yezhu"), &["community_house_name"]),
            requires(&["phone"]).property("phone", Phone::schema()),
        ]))
    }
}

impl ToSchema for SendCodeBody {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        crate::input::register_input::<SendCodeInput>(schemas);
    }
}

impl SendCodeInput {
    /// The code type, the phone (normalised unless `yezhu`) and the house name `yezhu` needs;
    /// a refusal echoes the phone as the seed does.
    fn checked(self) -> Result<(pb::CodeType, String, Option<String>), ServiceError> {
        let typed = self.phone.into_string();
        let kind = CodeKind::parse(self.r#type.as_str());
        let phone = if kind == Some(CodeKind::Yezhu) {
            typed.clone()
        } else {
            Mobile::parse(&typed)
                .map_err(|why| ServiceError::invalid("phone", why).with("phone", typed.clone()))?
                .as_str()
                .to_owned()
        };
        let kind = kind.ok_or_else(|| {
            ServiceError::invalid("type", "type参数必须是login、register、verify等")
                .with("phone", typed.clone())
        })?;
        let house = self.community_house_name.map(Text::into_string);
        if kind == CodeKind::Yezhu && house.is_none() {
            return Err(ServiceError::missing("community_house_name"));
        }
        Ok((kind.proto(), phone, house))
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
    input: Result<Input<SendCodeInput>, ApiError>,
) -> ApiResult {
    let input = input?;
    let (kind, phone, house) = input.into_inner().checked()?;
    let request = SendCodeRequest {
        phone,
        r#type: kind.into(),
        community_house_name: house,
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
#[derive(Debug, Deserialize, ToSchema)]
pub struct WechatCodeBody {
    /// 微信用户code码 (wx.login).
    #[schema(example = "sandbox:oRNfs4txH2QmXzewt234oyNdsa-n3HYI")]
    code: Text<128>,
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
    input: Result<Input<WechatCodeBody>, ApiError>,
) -> ApiResult {
    let input = input?;
    let code = input.into_inner().code.into_string();
    let request = kit::grpc::request(CodeToSessionRequest { code }, request_id.as_str());
    let reply = state
        .call("auth", state.auth().code_to_session(request))
        .await?;
    Ok(envelope::ok(&SessionResponse {
        head: Head::ok("获得open_id和seesion_key", "成功获取open_id和seesion_key"),
        openid: reply.openid,
        session_key: reply.session_key,
    }))
}

/// How 000 §1.2.2 proves the phone.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
pub enum RegisterKind {
    /// The WeChat-bound phone: `encryptedData` and `iv`, or `phone_code`.
    #[serde(rename = "weixin")]
    Weixin,
    /// Another phone, with an SMS code: `verification_key` and `verification_code`.
    #[serde(rename = "selfPhone")]
    SelfPhone,
}

/// 000 §1.2.2 request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterBody {
    #[schema(example = "weixin")]
    r#type: RegisterKind,
    /// type=weixin: the encrypted phone data of getPhoneNumber.
    #[serde(rename = "encryptedData")]
    encrypted_data: Option<Text<4096>>,
    /// type=weixin: with `encryptedData`.
    iv: Option<Text<64>>,
    /// type=weixin: WeChat's newer phone-number code instead of encryptedData/iv.
    phone_code: Option<Text<128>>,
    /// type=weixin: `phone_code` by its other name.
    code: Option<Text<128>>,
    /// type=selfPhone: `key` of 000 §1.1.
    verification_key: Option<Text<64>>,
    /// type=selfPhone: the SMS code (a number or a string).
    verification_code: Option<Text<16>>,
    openid: Text<128>,
    /// The handle of 000 §1.2.1.
    session_key: Text<128>,
    /// 微信用户昵称.
    name: Option<Text<64>>,
    /// 微信用户头像.
    avatar: Text<1024>,
}

impl TryFrom<RegisterBody> for RegisterRequest {
    type Error = ServiceError;

    /// The proof `type` names, from the fields it needs; the seed's sentence for a missing name.
    fn try_from(body: RegisterBody) -> Result<Self, ServiceError> {
        use pb::register_request::Proof;
        let name = body
            .name
            .ok_or_else(|| ServiceError::invalid("name", "用户的name值未传送"))?
            .into_string();
        let text = |value: Option<Text<4096>>| value.map(Text::into_string);
        let proof = match body.r#type {
            RegisterKind::Weixin => {
                match (text(body.encrypted_data), body.phone_code.or(body.code)) {
                    (Some(encrypted_data), _) => Proof::Encrypted(pb::EncryptedPhone {
                        encrypted_data,
                        iv: body
                            .iv
                            .ok_or_else(|| ServiceError::missing("iv"))?
                            .into_string(),
                    }),
                    (None, Some(code)) => Proof::PhoneCode(code.into_string()),
                    (None, None) => {
                        return Err(ServiceError::invalid(
                            "encryptedData",
                            "type=weixin时必须传encryptedData和iv（或phone_code）",
                        ));
                    }
                }
            }
            RegisterKind::SelfPhone => Proof::Sms(pb::SmsProof {
                verification_key: body
                    .verification_key
                    .ok_or_else(|| ServiceError::missing("verification_key"))?
                    .into_string(),
                verification_code: body
                    .verification_code
                    .ok_or_else(|| ServiceError::missing("verification_code"))?
                    .into_string(),
            }),
        };
        Ok(Self {
            proof: Some(proof),
            openid: body.openid.into_string(),
            session_key: body.session_key.into_string(),
            name,
            avatar: body.avatar.into_string(),
        })
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
    input: Result<Input<RegisterBody>, ApiError>,
) -> ApiResult {
    let input = input?;
    let request = RegisterRequest::try_from(input.into_inner())?;
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
    input: Result<Input<WechatCodeBody>, ApiError>,
) -> ApiResult {
    let input = input?;
    let code = input.into_inner().code.into_string();
    let request = kit::grpc::request(LoginByCodeRequest { code }, request_id.as_str());
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

    fn register(value: serde_json::Value) -> Result<RegisterRequest, ServiceError> {
        let body: RegisterBody =
            crate::input::parse(value.as_object().cloned().unwrap_or_default())?;
        RegisterRequest::try_from(body)
    }

    fn send_code(
        value: serde_json::Value,
    ) -> Result<(pb::CodeType, String, Option<String>), ServiceError> {
        let body: SendCodeInput =
            crate::input::parse(value.as_object().cloned().unwrap_or_default())?;
        body.checked()
    }

    #[test]
    fn a_missing_name_is_worded_as_the_seed_shows() {
        let error = register(
            json!({"type":"weixin","phone_code":"pc","openid":"o","session_key":"s","avatar":"a"}),
        )
        .expect_err("missing name");
        assert_eq!(error.message, "用户的name值未传送");
    }

    #[test]
    fn code_stands_for_phone_code_when_registering_by_weixin() {
        let request = register(
            json!({"type":"weixin","code":"pc","openid":"o","session_key":"s","name":"n","avatar":"a"}),
        )
        .expect("request");
        assert_eq!(
            request.proof,
            Some(pb::register_request::Proof::PhoneCode("pc".into()))
        );
    }

    #[test]
    fn each_type_needs_its_own_fields() {
        let base = |extra: serde_json::Value| {
            let mut body = json!({"openid":"o","session_key":"s","name":"n","avatar":"a"});
            for (key, value) in extra.as_object().cloned().unwrap_or_default() {
                body[key] = value;
            }
            body
        };
        let message = |extra| register(base(extra)).expect_err("refused").message;
        assert_eq!(
            message(json!({"type":"weixin"})),
            "type=weixin时必须传encryptedData和iv（或phone_code）"
        );
        assert_eq!(
            message(json!({"type":"weixin","encryptedData":"d"})),
            "iv参数未传送"
        );
        assert_eq!(
            message(json!({"type":"selfPhone","verification_key":"k"})),
            "verification_code参数未传送"
        );
        assert_eq!(
            message(json!({"type":"phone"})),
            "type必须是weixin或selfPhone"
        );
    }

    #[test]
    fn a_numeric_phone_and_code_are_accepted() {
        let (kind, phone, _) =
            send_code(json!({"phone":17600381130_i64,"type":"login"})).expect("body");
        assert_eq!((kind, phone.as_str()), (pb::CodeType::Login, "17600381130"));
        let request = register(json!({
            "type":"selfPhone","verification_key":"k","verification_code":123456,
            "openid":"o","session_key":"s","name":"n","avatar":"a"
        }))
        .expect("request");
        assert_eq!(
            request.proof,
            Some(pb::register_request::Proof::Sms(pb::SmsProof {
                verification_key: "k".into(),
                verification_code: "123456".into()
            }))
        );
    }

    #[test]
    fn a_bad_phone_or_type_is_answered_as_the_seed_shows() {
        let bad_phone = send_code(json!({"phone":"1761049113","type":"login"})).expect_err("phone");
        assert_eq!(bad_phone.message, "必须是正确的手机号");
        assert_eq!(bad_phone.extra.get("phone"), Some(&json!("1761049113")));
        let bad_type =
            send_code(json!({"phone":"17610491130","type":"sign-up"})).expect_err("type");
        assert_eq!(bad_type.message, "type参数必须是login、register、verify等");
        assert_eq!(bad_type.extra.get("phone"), Some(&json!("17610491130")));
        // A yezhu phone may be masked; the house name is then required.
        let (kind, phone, _) = send_code(
            json!({"phone":"176****1130","type":"yezhu","community_house_name":"晨曦家园1栋1单元1楼101"}),
        )
        .expect("yezhu");
        assert_eq!((kind, phone.as_str()), (pb::CodeType::Yezhu, "176****1130"));
        let no_house = send_code(json!({"phone":"176****1130","type":"yezhu"})).expect_err("house");
        assert_eq!(no_house.message, "community_house_name参数未传送");
    }

    #[test]
    fn the_request_schemas_are_documented() {
        let document = serde_json::to_value(crate::openapi::document()).expect("json");
        let schemas = &document["components"]["schemas"];
        for name in [
            "SendCodeInput",
            "CodeKind",
            "RegisterBody",
            "RegisterKind",
            "WechatCodeBody",
        ] {
            assert!(schemas[name].is_object(), "{name}");
        }
        assert_eq!(
            schemas["SendCodeInput"]["properties"]["type"]["$ref"],
            "#/components/schemas/CodeKind"
        );
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
