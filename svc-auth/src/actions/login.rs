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
use crate::db::{self, users};
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
    if code.trim().is_empty() {
        return Err(ServiceError::missing("code"));
    }
    let session = state
        .wechat
        .code_to_session(code.trim())
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

/// The fields of 1.2.2.
#[derive(Debug, Default)]
pub struct Registration {
    pub kind: String,
    pub encrypted_data: String,
    pub iv: String,
    pub phone_code: String,
    pub verification_key: String,
    pub verification_code: String,
    pub openid: String,
    pub session_key: String,
    pub name: String,
    pub avatar: String,
}

fn checked_text<'a>(field: &str, value: &'a str, max: usize) -> ServiceResult<&'a str> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ServiceError::missing(field));
    }
    if value.chars().count() > max {
        return Err(ServiceError::invalid(
            field,
            format!("{field}不能超过{max}个字符"),
        ));
    }
    Ok(value)
}

/// 1.2.2: proves the phone (WeChat-encrypted, WeChat phone code, or SMS code), then signs the
/// user in, creating them when neither their openid nor their phone is known.
pub async fn register(state: &State, form: Registration) -> ServiceResult<Login> {
    let name = checked_text("name", &form.name, 64)
        .map_err(|e| {
            if form.name.trim().is_empty() {
                ServiceError::invalid("name", "用户的name值未传送")
            } else {
                e
            }
        })?
        .to_owned();
    let avatar = checked_text("avatar", &form.avatar, 1024)?.to_owned();
    let openid = checked_text("openid", &form.openid, 128)?.to_owned();
    let handle = checked_text("session_key", &form.session_key, 128)?;
    let raw = state
        .cache
        .get(&session_key(handle))
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
    let phone = match form.kind.as_str() {
        "weixin" => weixin_phone(state, &form, &session).await?,
        "selfPhone" => {
            consume_code(
                state,
                form.verification_key.trim(),
                form.verification_code.trim(),
                |kind| kind.signs_in(),
                0,
            )
            .await?
            .phone
        }
        "" => return Err(ServiceError::missing("type")),
        _ => {
            return Err(ServiceError::invalid(
                "type",
                "type参数必须是weixin或selfPhone",
            ));
        }
    };
    let phone = Mobile::parse(&phone).map_err(|m| ServiceError::invalid("phone", m))?;
    let (user, created) = upsert_user(state, openid, phone, name, avatar).await?;
    resident_login(state, &user, created, None)
}

async fn weixin_phone(
    state: &State,
    form: &Registration,
    session: &StoredSession,
) -> ServiceResult<String> {
    if !form.encrypted_data.trim().is_empty() {
        if form.iv.trim().is_empty() {
            return Err(ServiceError::missing("iv"));
        }
        return decrypt_phone(
            &session.session_key,
            form.encrypted_data.trim(),
            form.iv.trim(),
            state.wechat.appid(),
        )
        .map_err(|error| match error {
            DecryptError::WrongApp => ServiceError::invalid("encryptedData", "数据不属于本小程序"),
            DecryptError::Encoding | DecryptError::Decrypt => {
                ServiceError::invalid("encryptedData", "encryptedData或iv无法解密，请重新获取")
            }
        });
    }
    if !form.phone_code.trim().is_empty() {
        return state
            .wechat
            .phone_number(form.phone_code.trim())
            .await
            .map_err(|error| match error {
                WechatError::InvalidCode(_) => {
                    ServiceError::invalid("phone_code", "手机号code不正确，请重新获取")
                }
                WechatError::Upstream(cause) => ServiceError::upstream(format!("wechat: {cause}")),
            });
    }
    Err(ServiceError::invalid(
        "encryptedData",
        "type=weixin时必须传encryptedData和iv（或phone_code）",
    ))
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
                    Err(error) if db::is_unique_violation(&error) => continue,
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
    if code.trim().is_empty() {
        return Err(ServiceError::missing("code"));
    }
    let session = state
        .wechat
        .code_to_session(code.trim())
        .await
        .map_err(wechat_failure)?;
    let user = state
        .db
        .run(move |conn| users::find_by_openid(conn, &session.openid))
        .await?
        .ok_or_else(|| ServiceError::not_found("您还没有注册，请先注册", "这只是个游客"))?;
    resident_login(state, &user, false, None)
}
