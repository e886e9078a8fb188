//! 000 §1.1: issuing verification codes under abuse limits, and consuming them.
use std::time::Duration;

use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::secret::{constant_time_eq, keyed_hash, random_alnum, random_digits};
use kit::time::{beijing_day, now_unix};
use kit::types::{Mobile, mask_phone};

use super::State;
use crate::db::users;
use crate::domain::codes::{CODE_DIGITS, CodeType, IssuedCode, KEY_PREFIX, normalize_code};

/// A code that was sent.
#[derive(Debug)]
pub struct SentCode {
    pub key: String,
    pub expires_at: i64,
    pub ttl_seconds: i64,
}

/// The request of 1.1, checked by the gateway.
#[derive(Debug)]
pub struct CodeRequest<'a> {
    /// A mobile number; for `yezhu` the owner's phone as given, whole or masked.
    pub phone: &'a str,
    pub code_type: CodeType,
    /// For `yezhu`.
    pub community_house_name: Option<&'a str>,
    pub client_ip: &'a str,
    pub user_id: i64,
}

fn code_key(key: &str) -> String {
    format!("code:{key}")
}

fn owner_key(state: &State, user_id: i64, house: &str) -> String {
    format!(
        "owner-phone:{user_id}:{}",
        keyed_hash(&state.settings.code_secret, house.trim())
    )
}

fn rate_limited(msg: &str, message: &str) -> ServiceError {
    ServiceError::new(ErrorKind::RateLimited, msg, message)
}

/// Issues a code of the requested type and sends it by SMS.
pub async fn send_code(state: &State, request: CodeRequest<'_>) -> ServiceResult<SentCode> {
    let echo = request.phone.to_owned();
    let code_type = request.code_type;
    let phone = if code_type == CodeType::Yezhu {
        owner_phone(state, &request).await?
    } else {
        // Checked by the gateway.
        Mobile::parse(request.phone).map_err(ServiceError::internal)?
    };
    let number = phone.as_str().to_owned();
    let registered = state
        .db
        .run(move |conn| users::find_by_phone(conn, &number))
        .await?
        .is_some();
    match code_type {
        CodeType::Register if registered => {
            return Err(
                ServiceError::conflict("该手机号已注册，请直接登录", "手机号已存在")
                    .with("phone", echo),
            );
        }
        CodeType::Login if !registered => {
            return Err(
                ServiceError::not_found("该手机号未注册", "该手机号未注册").with("phone", echo)
            );
        }
        _ => {}
    }
    enforce_limits(state, phone.as_str(), request.client_ip).await?;

    let code = random_digits(CODE_DIGITS);
    let key = format!("{KEY_PREFIX}{}", random_alnum(15));
    let lifetime = code_type.lifetime();
    let issued = IssuedCode {
        phone: phone.as_str().to_owned(),
        code_type,
        code_hash: keyed_hash(&state.settings.code_secret, &format!("{key}:{code}")),
        user_id: request.user_id,
    };
    let stored = serde_json::to_string(&issued).map_err(ServiceError::internal)?;
    state.cache.set(&code_key(&key), &stored, lifetime).await?;
    if let Err(error) = state.sms.send(phone.as_str(), &code, code_type).await {
        tracing::warn!(%error, phone = %phone, "verification code not sent");
        let _ = state.cache.del(&code_key(&key)).await;
        let _ = state
            .cache
            .del(&format!("sms:minute:{}", phone.as_str()))
            .await;
        return Err(ServiceError::upstream(format!("sms: {error}")).with("phone", echo));
    }
    tracing::info!(phone = %phone, code_type = code_type.as_str(), "verification code sent");
    let ttl_seconds = i64::try_from(lifetime.as_secs()).unwrap_or(300);
    Ok(SentCode {
        key,
        expires_at: now_unix() + ttl_seconds,
        ttl_seconds,
    })
}

/// For `yezhu`: the owner's phone remembered for this applicant and house; the caller names it in
/// full or masked, and it must be that one.
async fn owner_phone(state: &State, request: &CodeRequest<'_>) -> ServiceResult<Mobile> {
    if request.user_id <= 0 {
        return Err(ServiceError::unauthenticated(
            "yezhu类型的验证码需要登录后获取",
        ));
    }
    let house = request
        .community_house_name
        .ok_or_else(|| ServiceError::missing("community_house_name"))?;
    let remembered = state
        .cache
        .get(&owner_key(state, request.user_id, house))
        .await?
        .ok_or_else(|| {
            ServiceError::conflict(
                "请先查询该房屋的业主信息",
                "no owner phone is known for this user and house: call /security/yezhu first",
            )
        })?;
    let asked = request.phone;
    if asked != remembered && asked != mask_phone(&remembered) {
        return Err(
            ServiceError::invalid("phone", "手机号与该房屋业主的手机号不一致")
                .with("phone", asked.to_owned()),
        );
    }
    Mobile::parse(&remembered).map_err(ServiceError::internal)
}

/// Per-IP, per-phone-per-minute and per-phone-per-day limits, held in the cache.
async fn enforce_limits(state: &State, phone: &str, client_ip: &str) -> ServiceResult<()> {
    if !client_ip.is_empty() {
        let sent = state
            .cache
            .incr(&format!("sms:ip:{client_ip}"), Duration::from_secs(3600))
            .await?;
        if sent > state.settings.sms_per_ip_per_hour {
            return Err(rate_limited(
                "验证码请求过于频繁，请稍后再试",
                "per-IP verification code limit reached",
            ));
        }
    }
    let fresh = state
        .cache
        .set_nx(&format!("sms:minute:{phone}"), "1", Duration::from_secs(60))
        .await?;
    if !fresh {
        return Err(rate_limited(
            "验证码发送过于频繁，请1分钟后再试",
            "one code a minute per phone",
        ));
    }
    let today = state
        .cache
        .incr(
            &format!("sms:day:{phone}:{}", beijing_day(now_unix())),
            Duration::from_secs(86_400),
        )
        .await?;
    if today > state.settings.sms_per_phone_per_day {
        return Err(rate_limited(
            "今日验证码发送次数已达上限，请明天再试",
            "daily verification code limit reached for this phone",
        ));
    }
    Ok(())
}

fn expired() -> ServiceError {
    ServiceError::new(ErrorKind::Invalid, "验证码已失效", "验证码已失效")
}

/// Consumes a code: right type, right digits, at most `code_max_attempts` wrong tries, once.
pub async fn consume_code(
    state: &State,
    key: &str,
    code: &str,
    accepts: impl Fn(CodeType) -> bool,
    user_id: i64,
) -> ServiceResult<IssuedCode> {
    if key.is_empty() {
        return Err(ServiceError::missing("verification_key"));
    }
    if code.is_empty() {
        return Err(ServiceError::missing("verification_code"));
    }
    let code = normalize_code(code);
    let raw = state.cache.get(&code_key(key)).await?.ok_or_else(expired)?;
    let issued: IssuedCode = serde_json::from_str(&raw).map_err(ServiceError::internal)?;
    if !accepts(issued.code_type) {
        return Err(ServiceError::invalid(
            "verification_key",
            "验证码类型不正确",
        ));
    }
    if issued.code_type == CodeType::Yezhu && issued.user_id != user_id {
        return Err(ServiceError::forbidden(
            "该验证码不属于您",
            "yezhu code of another applicant",
        ));
    }
    let expected = keyed_hash(&state.settings.code_secret, &format!("{key}:{code}"));
    if !constant_time_eq(&expected, &issued.code_hash) {
        let tries = state
            .cache
            .incr(&format!("code-tries:{key}"), issued.code_type.lifetime())
            .await?;
        if tries >= state.settings.code_max_attempts {
            state.cache.del(&code_key(key)).await?;
            return Err(ServiceError::invalid(
                "verification_code",
                "验证码错误次数过多，请重新获取",
            ));
        }
        return Err(ServiceError::invalid("verification_code", "验证码错误"));
    }
    // Get-and-delete: of two concurrent right answers only one gets the code.
    state
        .cache
        .take(&code_key(key))
        .await?
        .ok_or_else(expired)?;
    Ok(issued)
}

/// Remembers, for 30 minutes, the owner's phone for this applicant and house (DESIGN 2.2.2).
pub async fn remember_owner_phone(
    state: &State,
    user_id: i64,
    house: &str,
    owner_phone: &str,
) -> ServiceResult<String> {
    if user_id <= 0 {
        return Err(ServiceError::missing("user_id"));
    }
    if house.trim().is_empty() {
        return Err(ServiceError::missing("community_house_name"));
    }
    let phone = Mobile::parse(owner_phone).map_err(|m| ServiceError::invalid("owner_phone", m))?;
    state
        .cache
        .set(
            &owner_key(state, user_id, house),
            phone.as_str(),
            CodeType::Yezhu.lifetime(),
        )
        .await?;
    Ok(phone.masked())
}
