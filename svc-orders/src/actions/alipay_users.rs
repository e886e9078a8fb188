//! Seed 004's Alipay user (`/payment/ali/get_auth_url`, `auth_notify`, `binding_status`,
//! `zhima`): a resident authorises us at Alipay, we keep their Alipay user id and the access
//! token that acts for them, and with it fetch their 芝麻分 when asked.
//!
//! The authorisation page carries a `state` that is random (32 letters and digits, about 190
//! bits), bound to the resident in the shared cache for [`STATE_TTL`] and taken once: whoever
//! comes back with it is bound to that resident, and nobody can come back with it twice. Tokens
//! and auth codes are never logged.
use std::time::Duration;

use alipay::AlipayError;
use kit::error::{ServiceError, ServiceResult};
use proto::viewings::{AlipayAuthorization, Caller, ZhimaRefresh, ZhimaRequest};

use super::State;
use super::viewings::user_of;
use crate::db::alipay_users::{self as db, AlipayUserRow};
use crate::domain::number::next_order_number;
use crate::error::Error;

/// How long an authorisation page's `state` waits for the user to come back.
pub const STATE_TTL: Duration = Duration::from_secs(600);
/// Letters and digits of a `state`.
const STATE_CHARS: usize = 32;

fn state_key(state: &str) -> String {
    format!("alipay:auth-state:{state}")
}

/// Alipay's authorisation page for the caller, with a fresh single-use `state` bound to them.
pub async fn auth_url(state: &State, request: Caller) -> ServiceResult<String> {
    let user = user_of(request.resident.as_ref())?;
    let nonce = kit::secret::random_alnum(STATE_CHARS);
    state
        .cache
        .set(&state_key(&nonce), &user.to_string(), STATE_TTL)
        .await?;
    Ok(state.alipay.auth_url(&nonce))
}

/// Alipay sent the user back: the `state` is taken (once), the `auth_code` bought for the user's
/// token, and the resident the state was issued to bound to that Alipay user.
pub async fn authorized(state: &State, request: AlipayAuthorization) -> ServiceResult<()> {
    let nonce = request.state.trim();
    let auth_code = request.auth_code.trim();
    if nonce.is_empty() {
        return Err(ServiceError::missing("state"));
    }
    if auth_code.is_empty() {
        return Err(ServiceError::missing("auth_code"));
    }
    let stale = || ServiceError::invalid("state", "授权链接已失效或已使用，请重新发起支付宝授权");
    if nonce.len() != STATE_CHARS || !nonce.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(stale());
    }
    let user = state
        .cache
        .take(&state_key(nonce))
        .await?
        .and_then(|user| user.parse::<i64>().ok())
        .ok_or_else(stale)?;
    let token = state
        .alipay
        .oauth_token(auth_code)
        .await
        .map_err(|error| match error {
            AlipayError::Refused { code, .. } => ServiceError::invalid(
                "auth_code",
                format!("支付宝授权码无效或已过期，请重新授权（{code}）"),
            ),
            other => other.into(),
        })?;
    let now = kit::time::now_unix();
    let row = AlipayUserRow {
        user_id: user,
        alipay_user_id: token.user_id,
        access_token: token.access_token,
        token_expires_at: now + token.expires_in,
        refresh_token: token.refresh_token,
        zhima_score: None,
        zhima_fetched_at: None,
        bound_at: now,
        updated_at: now,
    };
    state
        .db
        .write(move |conn| db::bind(conn, &row).map_err(Error::from))
        .await?;
    tracing::info!(user, "Alipay user authorised");
    Ok(())
}

/// Whether the caller has authorised us at Alipay.
pub async fn is_bound(state: &State, request: Caller) -> ServiceResult<bool> {
    let user = user_of(request.resident.as_ref())?;
    Ok(bound(state, user).await?.is_some())
}

async fn bound(state: &State, user: i64) -> ServiceResult<Option<AlipayUserRow>> {
    Ok(state
        .db
        .run(move |conn| db::find(conn, user).map_err(Error::from))
        .await?)
}

/// The caller's 芝麻分 (`None`: never fetched) and when it was fetched, as seed 004's `refresh`
/// says: N the cached score only; Y fetched now with the caller's token; AUTO the cached score,
/// fetched when there is none. Fetching needs a live authorisation (refused naming `refresh`).
pub async fn zhima(state: &State, request: ZhimaRequest) -> ServiceResult<(Option<i64>, i64)> {
    let user = user_of(request.resident.as_ref())?;
    let refresh = ZhimaRefresh::try_from(request.refresh)
        .map_err(|_| ServiceError::invalid("refresh", "refresh必须是N、Y或AUTO"))?;
    let row = bound(state, user).await?;
    let cached = row
        .as_ref()
        .and_then(|row| row.zhima_score.zip(row.zhima_fetched_at));
    match (refresh, cached) {
        (ZhimaRefresh::N, _) => return Ok((cached.map(|c| c.0), cached.map_or(0, |c| c.1))),
        (ZhimaRefresh::Auto, Some((score, at))) => return Ok((Some(score), at)),
        _ => {}
    }
    let now = kit::time::now_unix();
    let authorise_first = |why: &str| {
        ServiceError::invalid(
            "refresh",
            format!("{why}，请先调用获取用户授权接口（/payment/ali/get_auth_url）完成支付宝授权"),
        )
    };
    let row = row.ok_or_else(|| authorise_first("尚未绑定支付宝账号"))?;
    if row.token_expires_at <= now {
        return Err(authorise_first("支付宝授权已过期"));
    }
    let score = state
        .alipay
        .zhima_score(&row.access_token, &format!("ZM{}", next_order_number()))
        .await
        .map_err(|error| match error.refusal_code() {
            Some("aop.invalid-auth-token" | "aop.auth-token-time-out") => {
                authorise_first("支付宝授权已失效")
            }
            _ => error.into(),
        })?
        .score;
    state
        .db
        .run(move |conn| db::keep_score(conn, user, score, now).map_err(Error::from))
        .await?;
    Ok((Some(score), now))
}
