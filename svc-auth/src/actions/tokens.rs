//! 000 §1.4.2 and §1.5.1: token refresh with rotation, authentication, permissions.
use std::time::Duration;

use crate::domain::tokens::{Claims, TokenError, TokenKind};
use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::time::now_unix;

use super::State;
use crate::db::{credentials, users};
use crate::domain::permissions::RegistrationState;

/// A signed-in resident.
#[derive(Debug)]
pub struct Login {
    pub access_token: String,
    pub expires_in: i64,
    pub permissions: Vec<String>,
    pub name: String,
    pub avatar: String,
    pub registered: bool,
}

/// A checked token: who holds it, its id and when it expires.
#[derive(Debug)]
pub struct Authenticated {
    pub caller: Caller,
    pub token_id: String,
    pub expires_at: i64,
}

/// Who is calling.
#[derive(Debug)]
pub enum Caller {
    Resident {
        user_id: i64,
        phone: String,
    },
    Platform {
        credential_id: i64,
        secret_id: String,
        communities: Vec<String>,
    },
}

fn permissions_of(user: &users::User) -> Vec<String> {
    RegistrationState::parse(&user.registration_state)
        .unwrap_or(RegistrationState::NewMember)
        .permissions()
}

/// Signs a token for `user`; `chain` continues a refresh chain.
pub fn resident_login(
    state: &State,
    user: &users::User,
    registered: bool,
    chain: Option<i64>,
) -> ServiceResult<Login> {
    let issued = state
        .tokens
        .issue(TokenKind::Resident, &user.id.to_string(), chain)
        .map_err(ServiceError::internal)?;
    Ok(Login {
        access_token: issued.token,
        expires_in: issued.expires_in,
        permissions: permissions_of(user),
        name: user.name.clone(),
        avatar: user.avatar.clone(),
        registered,
    })
}

fn used_key(claims: &Claims) -> String {
    kit::cache::keys::token_used(&claims.jti)
}

fn subject_id(claims: &Claims) -> ServiceResult<i64> {
    claims
        .sub
        .parse()
        .map_err(|_| ServiceError::unauthenticated("token值无效"))
}

/// 1.4.2: exchanges a token (expired or not) for a new one, once, within the refresh window.
pub async fn refresh(state: &State, token: &str) -> ServiceResult<Login> {
    if token.is_empty() {
        return Err(ServiceError::unauthenticated("token值缺失"));
    }
    let claims = state
        .tokens
        .verify_for_refresh(token)
        .map_err(|error| match error {
            TokenError::RefreshWindowPassed => ServiceError::new(
                ErrorKind::Unauthenticated,
                "登录已超过14天，请重新登录",
                "刷新token值失败,message编码Au335",
            ),
            TokenError::Invalid | TokenError::Expired => {
                ServiceError::unauthenticated("token值无效")
            }
        })?;
    if claims.kind != TokenKind::Resident {
        return Err(ServiceError::unauthenticated(
            "平台token请重新调用/wjdh/secret获取",
        ));
    }
    let user_id = subject_id(&claims)?;
    let ttl = Duration::from_secs(
        u64::try_from(state.tokens.refresh_remaining(&claims) + state.tokens.access_ttl())
            .unwrap_or(1),
    );
    let first_use = state.cache.set_nx(&used_key(&claims), "1", ttl).await?;
    if !first_use {
        return Err(ServiceError::unauthenticated(
            "该token已经刷新过，不能再次使用",
        ));
    }
    let user = state
        .db
        .run(move |conn| users::find_by_id(conn, user_id))
        .await?
        .ok_or_else(|| ServiceError::unauthenticated("用户不存在"))?;
    resident_login(state, &user, false, Some(claims.oiat))
}

/// Checks a token for a call: signature, expiry, not rotated away, subject still there.
pub async fn authenticate(state: &State, token: &str) -> ServiceResult<Authenticated> {
    if token.is_empty() {
        return Err(ServiceError::unauthenticated("token值缺失"));
    }
    let claims = state.tokens.verify(token).map_err(|error| match error {
        TokenError::Expired => ServiceError::unauthenticated("token值已过期"),
        _ => ServiceError::unauthenticated("token值无效"),
    })?;
    if state.cache.get(&used_key(&claims)).await?.is_some() {
        return Err(ServiceError::unauthenticated(
            "token值已被刷新，请使用新的token",
        ));
    }
    let id = subject_id(&claims)?;
    let caller = match claims.kind {
        TokenKind::Resident => {
            // A token whose user is gone still names a caller: a visitor (1.5.1 says "这只是个游客").
            let user = state
                .db
                .run(move |conn| users::find_by_id(conn, id))
                .await?;
            Caller::Resident {
                user_id: id,
                phone: user.map(|user| user.phone).unwrap_or_default(),
            }
        }
        TokenKind::Platform => {
            let found = state
                .db
                .run(move |conn| {
                    let Some(credential) = credentials::find_active_by_id(conn, id)? else {
                        return Ok::<_, ServiceError>(None);
                    };
                    let communities = credentials::communities_of(conn, credential.id)?;
                    Ok(Some((credential, communities)))
                })
                .await?;
            let (credential, communities) =
                found.ok_or_else(|| ServiceError::unauthenticated("平台凭证已被吊销"))?;
            Caller::Platform {
                credential_id: credential.id,
                secret_id: credential.secret_id,
                communities,
            }
        }
    };
    Ok(Authenticated {
        caller,
        token_id: claims.jti,
        expires_at: claims.exp,
    })
}

/// 1.5.1: the user's permissions.
pub async fn permissions(state: &State, user_id: i64) -> ServiceResult<Vec<String>> {
    let user = state
        .db
        .run(move |conn| users::find_by_id(conn, user_id))
        .await?
        .ok_or_else(|| ServiceError::not_found("您还没有注册，请先注册", "这只是个游客"))?;
    Ok(permissions_of(&user))
}

/// A user by id, or by the phone they signed up with.
#[derive(Debug)]
pub enum UserKey {
    Id(i64),
    Phone(String),
}

/// A user by id or by sign-up phone: (id, WeChat openid or empty). The openid places payments;
/// it is never logged.
pub async fn profile(state: &State, user: UserKey) -> ServiceResult<Option<(i64, String)>> {
    let user = state
        .db
        .run(move |conn| match user {
            UserKey::Id(user_id) => users::find_by_id(conn, user_id),
            UserKey::Phone(phone) => users::find_by_phone(conn, &phone),
        })
        .await?;
    Ok(user.map(|user| (user.id, user.openid.unwrap_or_default())))
}

/// Registration moved the user along (NewMember → Shenheing → HouseMember).
pub async fn set_registration_state(
    state: &State,
    user_id: i64,
    new_state: RegistrationState,
) -> ServiceResult<Vec<String>> {
    let user = state
        .db
        .run(move |conn| {
            users::set_registration_state(conn, user_id, new_state.as_str(), now_unix())
        })
        .await?
        .ok_or_else(|| ServiceError::not_found("用户不存在", "no such user"))?;
    Ok(permissions_of(&user))
}
