//! 001 §1.2.1: the security platform trades its credentials for a token.
//!
//! Guessing is bounded twice: per (secret_id, client IP) an attempt is reserved in the cache
//! before the secret is verified, so concurrent guesses cannot all slip in, and the pair is locked
//! with a growing lock once its attempts are used up; and the Argon2 verifications themselves run
//! a few at a time ([`crate::actions::hashing`]).
use std::time::Duration;

use crate::domain::tokens::TokenKind;
use kit::error::{ErrorKind, ServiceError, ServiceResult};
use kit::secret::keyed_hash;

use super::State;
use crate::db::credentials;
use crate::domain::lockout::{LockoutPolicy, client_key};

/// How long a pair's lock count is remembered after its first lock.
const STRIKES_MEMORY: Duration = Duration::from_secs(7 * 86_400);

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

fn locked() -> ServiceError {
    ServiceError::new(
        ErrorKind::RateLimited,
        "密钥错误次数过多，请稍后再试",
        "too many failed attempts for this secret_id from this client",
    )
}

/// The cache keys of one (secret_id, client) pair.
struct PairKeys {
    attempts: String,
    lock: String,
    strikes: String,
}

impl PairKeys {
    fn of(state: &State, secret_id: &str, client_ip: &str) -> Self {
        // The secret id is hashed: it may be long, and it names a credential.
        let pair = format!(
            "{}:{}",
            keyed_hash(&state.settings.code_secret, secret_id),
            client_key(client_ip)
        );
        Self {
            attempts: format!("platform-attempts:{pair}"),
            lock: format!("platform-lock:{pair}"),
            strikes: format!("platform-strikes:{pair}"),
        }
    }
}

fn policy(state: &State) -> LockoutPolicy {
    LockoutPolicy {
        max_failures: state.settings.platform_max_failures.max(1),
        first_lock: Duration::from_secs(state.settings.platform_lock_seconds.max(1)),
        longest_lock: Duration::from_secs(state.settings.platform_lock_max_seconds),
    }
}

/// Reserves one attempt of the pair; refused while it is locked or once its attempts are used
/// up. The reservation is an atomic increment, so concurrent guesses each take their own number.
async fn reserve_attempt(
    state: &State,
    keys: &PairKeys,
    policy: LockoutPolicy,
) -> ServiceResult<()> {
    let attempt = state.cache.incr(&keys.attempts, policy.first_lock).await?;
    if attempt <= policy.max_failures {
        return Ok(());
    }
    // Exactly one request crosses the limit: it sets the lock, doubled for every earlier one.
    // Locks are never shorter than the window, so the attempts counted before have expired
    // when the lock lifts.
    if attempt == policy.max_failures + 1 {
        let strike = state.cache.incr(&keys.strikes, STRIKES_MEMORY).await?;
        let lock = policy.lock_for(strike);
        state.cache.set(&keys.lock, "1", lock).await?;
        tracing::warn!(
            strike,
            lock_seconds = lock.as_secs(),
            "platform credential locked for one client"
        );
    }
    Err(locked())
}

/// Verifies the pair and signs a platform token. `client_ip` is the caller's address as the
/// gateway saw it: failures count against that client only.
pub async fn platform_token(
    state: &State,
    secret_id: &str,
    secret_key: &str,
    client_ip: &str,
) -> ServiceResult<(String, i64)> {
    let keys = PairKeys::of(state, secret_id, client_ip);
    let policy = policy(state);
    if state.cache.get(&keys.lock).await?.is_some() {
        return Err(locked());
    }
    let lookup = secret_id.to_owned();
    let credential = state
        .db
        .run(move |conn| credentials::find_active_by_secret_id(conn, &lookup))
        .await?;
    let hash = credential
        .as_ref()
        .map_or(DECOY_HASH.to_owned(), |found| found.secret_hash.clone());
    // A turn first: a refusal because the service is busy costs the client no attempt.
    let turn = state.hashing.turn().await?;
    reserve_attempt(state, &keys, policy).await?;
    let matches = turn.verify(secret_key.to_owned(), hash).await?;
    let Some(credential) = credential.filter(|_| matches) else {
        tracing::warn!("platform credential refused");
        return Err(refused());
    };
    // The right secret from this client: its slate is clean again.
    for key in [&keys.attempts, &keys.strikes, &keys.lock] {
        state.cache.del(key).await?;
    }
    let issued = state
        .tokens
        .issue(TokenKind::Platform, &credential.id.to_string(), None)
        .map_err(ServiceError::internal)?;
    Ok((issued.token, issued.expires_in))
}
