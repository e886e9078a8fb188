//! 001 §1.2.1: the security platform trades its credentials for a token.
use std::time::Duration;

use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::tokens::TokenKind;

use super::State;
use crate::db::credentials;
use crate::domain::secrets::verify_secret;

/// Failed attempts per secret id allowed in the window below.
const MAX_FAILURES: i64 = 10;
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// A hash verified when the secret id is unknown, so the answer takes as long either way.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$8/0S+jnJ7kpGzDCdqTzxpMvPqhuDyH+gnUl3xJUZfPc";

fn refused() -> ServiceError {
    ServiceError::new(
        ErrorKind::Forbidden,
        "没有找到该密钥对儿对应的用户，请联系万家灯火平台的数据库负责人",
        "告诉负责人，是security_platform_managers表里没有查找到",
    )
}

/// Verifies the pair and signs a platform token.
pub async fn platform_token(
    state: &State,
    secret_id: &str,
    secret_key: &str,
) -> ServiceResult<(String, i64)> {
    let secret_id = secret_id.trim().to_owned();
    if secret_id.is_empty() {
        return Err(ServiceError::missing("secret_id"));
    }
    if secret_key.is_empty() {
        return Err(ServiceError::missing("secret_key"));
    }
    let failures_key = format!("platform-failures:{secret_id}");
    if state
        .cache
        .get(&failures_key)
        .await?
        .and_then(|count| count.parse::<i64>().ok())
        .is_some_and(|count| count >= MAX_FAILURES)
    {
        return Err(ServiceError::rate_limited(
            "too many failed attempts for this secret_id",
        ));
    }
    let lookup = secret_id.clone();
    let credential = state
        .db
        .run(move |conn| credentials::find_active_by_secret_id(conn, &lookup))
        .await?;
    let hash = credential
        .as_ref()
        .map_or(DECOY_HASH.to_owned(), |found| found.secret_hash.clone());
    let key = secret_key.to_owned();
    let matches = tokio::task::spawn_blocking(move || verify_secret(&key, &hash))
        .await
        .map_err(ServiceError::internal)?;
    let Some(credential) = credential.filter(|_| matches) else {
        state.cache.incr(&failures_key, FAILURE_WINDOW).await?;
        tracing::warn!("platform credential refused");
        return Err(refused());
    };
    let issued = state
        .tokens
        .issue(TokenKind::Platform, &credential.id.to_string(), None)
        .map_err(ServiceError::internal)?;
    Ok((issued.token, issued.expires_in))
}
