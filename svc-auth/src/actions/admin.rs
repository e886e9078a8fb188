//! Operator commands on platform credentials: create, revoke, list; and the demo pair.
use std::time::Duration;

use argon2::Block;
use kit::cache::SharedCache;
use kit::db::{Database, DbError};
use kit::time::now_unix;

use crate::db::credentials;
use crate::domain::secrets::hash_secret_in;
use kit::db::is_unique_violation;

/// The demo credentials DESIGN fixes: `123456` manages 10002, `jyl-demo` manages 10003.
pub const DEMO_CREDENTIALS: [(&str, &str, &str, &str); 2] = [
    ("123456", "123456", "晨曦家园演示平台", "10002"),
    ("jyl-demo", "jyl-demo-secret", "交运里演示平台", "10003"),
];

/// A credential as the operator sees it (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSummary {
    pub secret_id: String,
    pub name: String,
    pub communities: Vec<String>,
    pub revoked: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("a credential with secret_id {0:?} already exists")]
    Exists(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("cache: {0}")]
    Cache(String),
}

/// Creates a credential managing `communities`.
pub async fn create_credential(
    db: &Database,
    secret_id: &str,
    secret_key: &str,
    name: &str,
    communities: &[String],
) -> Result<(), AdminError> {
    create_in(
        db,
        secret_id,
        secret_key,
        name,
        communities,
        &mut Vec::new(),
    )
    .await
}

/// [`create_credential`], hashing on the blocking pool in `memory`, which is kept for the next.
async fn create_in(
    db: &Database,
    secret_id: &str,
    secret_key: &str,
    name: &str,
    communities: &[String],
    memory: &mut Vec<Block>,
) -> Result<(), AdminError> {
    if secret_id.trim().is_empty() || secret_key.len() < 6 {
        return Err(AdminError::Invalid(
            "secret_id is required and secret_key needs at least 6 characters".into(),
        ));
    }
    if communities.is_empty() || communities.iter().any(|c| c.trim().is_empty()) {
        return Err(AdminError::Invalid(
            "name at least one community identifier".into(),
        ));
    }
    let (secret_key, mut lent) = (secret_key.to_owned(), std::mem::take(memory));
    let (hash, lent) = tokio::task::spawn_blocking(move || {
        let hash = hash_secret_in(&secret_key, &mut lent);
        (hash, lent)
    })
    .await
    .map_err(|error| DbError::Join(error.to_string()))?;
    *memory = lent;
    let hash = hash.map_err(AdminError::Invalid)?;
    let (secret_id, name, communities) = (
        secret_id.trim().to_owned(),
        name.to_owned(),
        communities.to_vec(),
    );
    db.run(move |conn| {
        let new = credentials::NewCredential {
            secret_id: &secret_id,
            secret_hash: &hash,
            name: &name,
            created_at: now_unix(),
        };
        match credentials::insert(conn, &new, &communities) {
            Ok(_) => Ok(()),
            Err(error) if is_unique_violation(&error) => Err(AdminError::Exists(secret_id.clone())),
            Err(error) => Err(AdminError::Db(error.into())),
        }
    })
    .await
}

/// Revokes a credential: its tokens stop working at once. False when none was live. The
/// revocation is written to `cache` too, where a gateway that remembers the credential's callers
/// looks on every call; a gateway that cannot see this cache (another process's in-memory
/// cache) forgets a platform caller after `gateway.platform_caller_cache_seconds` anyway.
pub async fn revoke_credential(
    db: &Database,
    cache: &SharedCache,
    secret_id: &str,
    token_ttl_seconds: i64,
) -> Result<bool, AdminError> {
    let secret_id = secret_id.to_owned();
    let revoked = db
        .run(move |conn| {
            let Some(credential) = credentials::find_active_by_secret_id(conn, &secret_id)? else {
                return Ok::<_, DbError>(None);
            };
            Ok(credentials::revoke(conn, &secret_id, now_unix())?.then_some(credential.id))
        })
        .await?;
    let Some(id) = revoked else {
        return Ok(false);
    };
    let ttl = Duration::from_secs(u64::try_from(token_ttl_seconds.max(1)).unwrap_or(1));
    cache
        .set(&kit::cache::keys::credential_revoked(id), "1", ttl)
        .await
        .map_err(|error| AdminError::Cache(error.to_string()))?;
    Ok(true)
}

/// Every credential, oldest first.
pub async fn list_credentials(db: &Database) -> Result<Vec<CredentialSummary>, AdminError> {
    Ok(db
        .run(|conn| {
            credentials::list(conn)?
                .into_iter()
                .map(|credential| {
                    Ok(CredentialSummary {
                        communities: credentials::communities_of(conn, credential.id)?,
                        secret_id: credential.secret_id,
                        name: credential.name,
                        revoked: credential.revoked_at.is_some(),
                    })
                })
                .collect::<Result<Vec<_>, DbError>>()
        })
        .await?)
}

/// Creates the demo credentials that do not exist yet (idempotent). They are hashed in one
/// buffer: a second 19 MiB one would stay in the allocator's heap after startup (issue 14).
pub async fn ensure_demo_credentials(db: &Database) -> Result<usize, AdminError> {
    let mut created = 0;
    let mut memory = Vec::new();
    for (secret_id, secret_key, name, community) in DEMO_CREDENTIALS {
        let id = secret_id.to_owned();
        if db
            .run(move |conn| credentials::find_by_secret_id(conn, &id))
            .await?
            .is_some()
        {
            continue;
        }
        let communities = [community.to_owned()];
        match create_in(db, secret_id, secret_key, name, &communities, &mut memory).await {
            Ok(()) => created += 1,
            Err(AdminError::Exists(_)) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(created)
}
