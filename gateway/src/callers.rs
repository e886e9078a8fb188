//! The callers the gateway has already had svc-auth check (issue 14): a token svc-auth accepted
//! is remembered here, so the next calls with it skip the `Authenticate` hop and svc-auth's
//! database. A token still dies at once:
//!
//! - on every call the shared cache is asked (one read) whether the token was exchanged for a
//!   new one (a resident's, `token-used:<jti>`, which svc-auth writes) or its credential revoked
//!   (a platform's, `credential-revoked:<id>`, which the revocation writes);
//! - a remembered caller is forgotten at its token's expiry, and after
//!   `caller_cache_seconds` (residents; their id and phone never change) or
//!   `platform_caller_cache_seconds` (credentials; the communities they manage may), whichever
//!   comes first, and whenever the cache cannot answer.
//!
//! Only tokens svc-auth accepted are remembered, at most `MAX_CALLERS` of them (least recently
//! used go first), so unknown tokens cannot fill the gateway's memory. A gateway whose cache is
//! not svc-auth's (an in-memory cache in another process) remembers nobody.
use std::sync::Arc;
use std::time::{Duration, Instant};

use kit::cache::SharedCache;
use kit::cache::keys;
use kit::time::now_unix;
use proto::auth::{Caller, caller};

/// The most callers remembered at once.
const MAX_CALLERS: u64 = 20_000;

/// A caller svc-auth vouched for, until `until`.
#[derive(Debug)]
struct Known {
    kind: caller::Kind,
    /// The cache key whose presence ends the token.
    revoked_key: String,
    until: Instant,
}

/// The remembered callers, by token.
pub struct KnownCallers {
    callers: Option<moka::sync::Cache<String, Arc<Known>>>,
    resident_for: Duration,
    platform_for: Duration,
}

impl KnownCallers {
    /// Remembers residents for `resident_seconds` and credentials for `platform_seconds`
    /// (0: not at all); nobody when `shared` is false (the cache is not the one svc-auth writes).
    pub fn new(shared: bool, resident_seconds: u64, platform_seconds: u64) -> Self {
        let longest = resident_seconds.max(platform_seconds);
        let callers = (shared && longest > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(MAX_CALLERS)
                .time_to_live(Duration::from_secs(longest))
                .build()
        });
        Self {
            callers,
            resident_for: Duration::from_secs(resident_seconds),
            platform_for: Duration::from_secs(platform_seconds),
        }
    }

    /// The caller holding `token`, when remembered and neither exchanged nor revoked since.
    pub async fn get(&self, token: &str, cache: &SharedCache) -> Option<caller::Kind> {
        let callers = self.callers.as_ref()?;
        let known = callers.get(token)?;
        if known.until <= Instant::now() {
            callers.invalidate(token);
            return None;
        }
        match cache.get(&known.revoked_key).await {
            Ok(None) => Some(known.kind.clone()),
            // Ended, or the cache cannot tell: svc-auth decides (and words the refusal).
            _ => {
                callers.invalidate(token);
                None
            }
        }
    }

    /// Remembers what svc-auth answered for `token`.
    pub fn remember(&self, token: &str, reply: &Caller) {
        let (Some(callers), Some(kind)) = (self.callers.as_ref(), reply.kind.as_ref()) else {
            return;
        };
        let (revoked_key, keep) = match kind {
            caller::Kind::Resident(_) => (keys::token_used(&reply.token_id), self.resident_for),
            caller::Kind::Platform(platform) => (
                keys::credential_revoked(platform.credential_id),
                self.platform_for,
            ),
        };
        let left = u64::try_from(reply.expires_at - now_unix()).unwrap_or(0);
        let keep = keep.min(Duration::from_secs(left));
        if reply.token_id.is_empty() || keep.is_zero() {
            return;
        }
        callers.insert(
            token.to_owned(),
            Arc::new(Known {
                kind: kind.clone(),
                revoked_key,
                until: Instant::now() + keep,
            }),
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proto::auth::{Platform, Resident};

    fn resident(expires_in: i64) -> Caller {
        Caller {
            kind: Some(caller::Kind::Resident(Resident {
                user_id: 7,
                phone: "17600381130".to_owned(),
            })),
            token_id: "jti-1".to_owned(),
            expires_at: now_unix() + expires_in,
        }
    }

    #[tokio::test]
    async fn a_remembered_token_ends_when_exchanged_revoked_or_expired() {
        let cache: SharedCache = Arc::new(kit::cache::MemoryCache::new("t:"));
        let callers = KnownCallers::new(true, 60, 5);
        callers.remember("a", &resident(3600));
        assert!(callers.get("a", &cache).await.is_some());
        assert!(callers.get("b", &cache).await.is_none());
        cache
            .set(&keys::token_used("jti-1"), "1", Duration::from_secs(60))
            .await
            .unwrap();
        assert!(callers.get("a", &cache).await.is_none());

        let platform = Caller {
            kind: Some(caller::Kind::Platform(Platform {
                credential_id: 3,
                secret_id: "ops".to_owned(),
                communities: vec!["10002".to_owned()],
            })),
            token_id: "jti-2".to_owned(),
            expires_at: now_unix() + 3600,
        };
        callers.remember("p", &platform);
        assert!(callers.get("p", &cache).await.is_some());
        cache
            .set(&keys::credential_revoked(3), "1", Duration::from_secs(60))
            .await
            .unwrap();
        assert!(callers.get("p", &cache).await.is_none());

        // An expired token is not remembered; nor is anyone when the cache is not shared.
        callers.remember("old", &resident(0));
        assert!(callers.get("old", &cache).await.is_none());
        let alone = KnownCallers::new(false, 60, 5);
        alone.remember("a", &resident(3600));
        assert!(alone.get("a", &cache).await.is_none());
    }
}
