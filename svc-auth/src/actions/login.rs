//! 000 §1.2 and §1.4.1: WeChat sessions, register-and-login, login by js_code.
use std::time::Duration;

use kit::error::{ServiceError, ServiceResult};
use kit::secret::random_alnum;
use kit::time::now_unix;
use kit::types::Mobile;
use serde::{Deserialize, Serialize};

use super::State;
use super::codes::consume_code;
use super::tokens::{Login, resident_login};
use crate::clients::wechat::WechatError;
use crate::db::users;
use crate::domain::wechat_data::{DecryptError, decrypt_phone};

/// How long the handle standing for a WeChat session stays usable for registration.
const SESSION_LIFETIME: Duration = Duration::from_secs(2 * 3600);

#[derive(Serialize, Deserialize)]
struct StoredSession {
    openid: String,
    session_key: String,
}

fn session_key(handle: &str) -> String {
    format!("wechat-session:{handle}")
}

fn wechat_failure(error: WechatError) -> ServiceError {
    match error {
        WechatError::InvalidCode(_) => {
            ServiceError::invalid("code", "小程序code不正确，请传递新code值")
        }
        WechatError::Upstream(cause) => ServiceError::upstream(format!("wechat: {cause}")),
    }
}

/// 1.2.1: js_code → openid and a handle for the session key (the key itself stays here).
pub async fn code_to_session(state: &State, code: &str) -> ServiceResult<(String, String)> {
    let session = state
        .wechat
        .code_to_session(code)
        .await
        .map_err(wechat_failure)?;
    let handle = random_alnum(32);
    let stored = serde_json::to_string(&StoredSession {
        openid: session.openid.clone(),
        session_key: session.session_key,
    })
    .map_err(ServiceError::internal)?;
    state
        .cache
        .set(&session_key(&handle), &stored, SESSION_LIFETIME)
        .await?;
    Ok((session.openid, handle))
}

/// How the phone of 1.2.2 is proven.
#[derive(Debug)]
pub enum PhoneProof {
    /// type=weixin: getPhoneNumber's encrypted data, opened with the session's key.
    Encrypted { data: String, iv: String },
    /// type=weixin: WeChat's newer phone-number code.
    WechatCode(String),
    /// type=selfPhone: a code of 1.1 and its key.
    Sms { key: String, code: String },
}

/// The fields of 1.2.2, checked by the gateway.
#[derive(Debug)]
pub struct Registration {
    pub proof: PhoneProof,
    pub openid: String,
    /// The handle of 1.2.1.
    pub session_key: String,
    pub name: String,
    pub avatar: String,
}

/// 1.2.2: proves the phone (WeChat-encrypted, WeChat phone code, or SMS code), then signs the
/// user in, creating them when neither their openid nor their phone is known.
pub async fn register(state: &State, form: Registration) -> ServiceResult<Login> {
    let Registration {
        proof,
        openid,
        session_key: handle,
        name,
        avatar,
    } = form;
    let raw = state
        .cache
        .get(&session_key(&handle))
        .await?
        .ok_or_else(|| {
            ServiceError::invalid(
                "session_key",
                "session_key已失效，请重新调用/weapp/code获取",
            )
        })?;
    let session: StoredSession = serde_json::from_str(&raw).map_err(ServiceError::internal)?;
    if session.openid != openid {
        return Err(ServiceError::invalid("openid", "openid与session_key不匹配"));
    }
    let phone = match proof {
        PhoneProof::Encrypted { data, iv } => decrypt_phone(
            &session.session_key,
            &data,
            &iv,
            state.wechat.appid(),
        )
        .map_err(|error| match error {
            DecryptError::WrongApp => ServiceError::invalid("encryptedData", "数据不属于本小程序"),
            DecryptError::Encoding | DecryptError::Decrypt => {
                ServiceError::invalid("encryptedData", "encryptedData或iv无法解密，请重新获取")
            }
        })?,
        PhoneProof::WechatCode(code) => {
            state
                .wechat
                .phone_number(&code)
                .await
                .map_err(|error| match error {
                    WechatError::InvalidCode(_) => {
                        ServiceError::invalid("phone_code", "手机号code不正确，请重新获取")
                    }
                    WechatError::Upstream(cause) => {
                        ServiceError::upstream(format!("wechat: {cause}"))
                    }
                })?
        }
        PhoneProof::Sms { key, code } => {
            consume_code(state, &key, &code, |kind| kind.signs_in(), 0)
                .await?
                .phone
        }
    };
    let phone = Mobile::parse(&phone).map_err(|m| ServiceError::invalid("phone", m))?;
    let (user, created) = upsert_user(state, openid, phone, name, avatar).await?;
    resident_login(state, &user, created, None)
}

/// Finds the user by openid, else by phone (binding the openid), else creates them.
async fn upsert_user(
    state: &State,
    openid: String,
    phone: Mobile,
    name: String,
    avatar: String,
) -> ServiceResult<(users::User, bool)> {
    state
        .db
        .run(move |conn| {
            for _attempt in 0..2 {
                let now = now_unix();
                if let Some(user) = users::find_by_openid(conn, &openid)? {
                    return Ok((
                        users::bind_openid(conn, user.id, &openid, &name, &avatar, now)?,
                        false,
                    ));
                }
                if let Some(user) = users::find_by_phone(conn, phone.as_str())? {
                    return Ok((
                        users::bind_openid(conn, user.id, &openid, &name, &avatar, now)?,
                        false,
                    ));
                }
                let new = users::NewUser {
                    openid: Some(&openid),
                    phone: phone.as_str(),
                    name: &name,
                    avatar: &avatar,
                    registration_state: "NewMember",
                    created_at: now,
                    updated_at: now,
                };
                match users::insert(conn, &new) {
                    Ok(user) => return Ok((user, true)),
                    // A concurrent registration of the same phone or openid won: look again.
                    Err(error) if kit::db::is_unique_violation(&error) => continue,
                    Err(error) => return Err(ServiceError::internal(error)),
                }
            }
            Err(ServiceError::conflict(
                "注册冲突，请重试",
                "concurrent registration",
            ))
        })
        .await
}

/// 1.4.1: a registered user's token for a fresh js_code.
pub async fn login_by_code(state: &State, code: &str) -> ServiceResult<Login> {
    let session = state
        .wechat
        .code_to_session(code)
        .await
        .map_err(wechat_failure)?;
    let user = state
        .db
        .run(move |conn| users::find_by_openid(conn, &session.openid))
        .await?
        .ok_or_else(|| ServiceError::not_found("您还没有注册，请先注册", "这只是个游客"))?;
    resident_login(state, &user, false, None)
}
