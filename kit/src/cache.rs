//! The cache behind verification codes, sessions, token rotation and rate limits.
//!
//! One trait, two stores: Redis (through deadpool-redis) when `cache.redis_url` is set, so limits
//! hold across replicas; otherwise an in-process TTL store (moka) for the single-process default.
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use deadpool_redis::redis;

use crate::settings::CacheSettings;

/// How long one cache operation may take before it counts as a failure.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("redis: {0}")]
    Redis(String),
    #[error("cache operation timed out")]
    Timeout,
}

/// A key-value store with per-key expiry; every operation on one key is atomic.
#[async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError>;
    /// Stores `value` for `ttl`, replacing any value.
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError>;
    /// Stores `value` for `ttl` only when the key is absent; true when it stored.
    async fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> Result<bool, CacheError>;
    /// Adds one and returns the new count; a new key lives for `ttl` from its first increment.
    async fn incr(&self, key: &str, ttl: Duration) -> Result<i64, CacheError>;
    /// Removes the key and returns what it held (get-and-delete).
    async fn take(&self, key: &str) -> Result<Option<String>, CacheError>;
    async fn del(&self, key: &str) -> Result<(), CacheError>;
    /// Checks the store answers.
    async fn ping(&self) -> Result<(), CacheError>;
    /// `"redis"` or `"memory"`.
    fn kind(&self) -> &'static str;
    /// True when every component of the platform reads and writes this same store (Redis, or
    /// the one in-process store of `wjdh`): only then may one component remember what another
    /// announces changes of through it.
    fn shared(&self) -> bool {
        self.kind() == "redis"
    }
}

/// The keys svc-auth writes and the gateway reads to end a token at once, whichever of them
/// remembers the caller: one place, so the two never spell them apart.
pub mod keys {
    /// Set when a resident token (by its `jti`) was exchanged for a new one (000 §1.4.2).
    pub fn token_used(token_id: &str) -> String {
        format!("token-used:{token_id}")
    }

    /// Set when a platform credential was revoked: its tokens stop at their next call.
    pub fn credential_revoked(credential_id: i64) -> String {
        format!("credential-revoked:{credential_id}")
    }

    /// A new value each time the user's houses or rights in them change (svc-yibiaosanshi
    /// writes it after the change is committed); the services that remember a resident's houses
    /// keep them only while it holds the value they read before asking.
    pub fn resident_houses(user_id: i64) -> String {
        format!("resident-houses:{user_id}")
    }

    /// A new value each time the community list changes (svc-yibiaosanshi's importer writes it
    /// after its transaction commits); the gateway serves its copy of 000 §2.1.1 only while it
    /// holds the value read before the copy was made.
    pub const COMMUNITIES: &str = "communities-version";

    /// A value no earlier version of a key held.
    pub fn fresh_version() -> String {
        uuid::Uuid::new_v4().to_string()
    }
}

/// The cache as the components hold it.
pub type SharedCache = Arc<dyn Cache>;

/// How long a version key lives in the cache: far longer than anything read under it is kept.
pub const VERSION_KEPT: Duration = Duration::from_secs(24 * 3600);

/// Tells every component remembering what `key` versions that it changed: a fresh value, written
/// after the change is committed. A cache that can't take it is logged; what they remember then
/// ends within their own bound.
pub async fn announce(cache: &dyn Cache, key: &str) {
    if let Err(error) = cache.set(key, &keys::fresh_version(), VERSION_KEPT).await {
        tracing::warn!(key, %error, "new version not written");
    }
}

/// One value, loaded from its owner and remembered while the shared cache's `key` holds the
/// version read before loading it (the owner [`announce`]s each change), and for `kept` at most.
/// A change committed while a load travels leaves a newer version behind it, so the next call
/// loads again. When the cache cannot answer, or is not shared with the owner
/// ([`Cache::shared`]), every call loads.
pub struct Versioned<T> {
    cache: SharedCache,
    key: &'static str,
    kept: Duration,
    remembered: std::sync::Mutex<Option<Remembered<T>>>,
}

struct Remembered<T> {
    version: String,
    at: Instant,
    value: Arc<T>,
}

impl<T> Versioned<T> {
    pub fn new(cache: SharedCache, key: &'static str, kept: Duration) -> Self {
        Self {
            cache,
            key,
            kept,
            remembered: std::sync::Mutex::new(None),
        }
    }

    /// The remembered value when its version is current, else what `load` gives (remembered).
    pub async fn get_or_load<E, F>(&self, load: impl FnOnce() -> F) -> Result<Arc<T>, E>
    where
        F: std::future::Future<Output = Result<T, E>>,
    {
        let Some(version) = self.version().await else {
            return load().await.map(Arc::new);
        };
        if let Some(value) = self.remembered(&version) {
            return Ok(value);
        }
        let value = Arc::new(load().await?);
        if let Ok(mut slot) = self.remembered.lock() {
            *slot = Some(Remembered {
                version,
                at: Instant::now(),
                value: Arc::clone(&value),
            });
        }
        Ok(value)
    }

    fn remembered(&self, version: &str) -> Option<Arc<T>> {
        let slot = self.remembered.lock().ok()?;
        let remembered = slot.as_ref()?;
        (remembered.version == version && remembered.at.elapsed() < self.kept)
            .then(|| Arc::clone(&remembered.value))
    }

    /// The current version; a key nobody wrote yet (or that the cache lost) gets one first, so
    /// a value loaded before the loss is never taken for current.
    async fn version(&self) -> Option<String> {
        if !self.cache.shared() {
            return None;
        }
        if let Some(version) = self.cache.get(self.key).await.ok()? {
            return Some(version);
        }
        let fresh = keys::fresh_version();
        match self
            .cache
            .set_nx(self.key, &fresh, VERSION_KEPT)
            .await
            .ok()?
        {
            true => Some(fresh),
            false => self.cache.get(self.key).await.ok()?,
        }
    }
}

/// Opens the configured cache.
pub fn connect(settings: &CacheSettings) -> Result<SharedCache, CacheError> {
    if settings.redis_url.trim().is_empty() {
        return Ok(Arc::new(MemoryCache::new(&settings.key_prefix)));
    }
    Ok(Arc::new(RedisCache::new(settings)?))
}

/// Opens the configured cache for a process that hands the same one to every component it
/// runs: an in-process store is then [`Cache::shared`] too.
pub fn connect_for_every_component(settings: &CacheSettings) -> Result<SharedCache, CacheError> {
    if settings.redis_url.trim().is_empty() {
        return Ok(Arc::new(MemoryCache::shared_by_every_component(
            &settings.key_prefix,
        )));
    }
    connect(settings)
}

#[derive(Clone, Debug)]
struct Entry {
    value: String,
    expires_at: Instant,
}

impl Entry {
    fn live(&self) -> bool {
        self.expires_at > Instant::now()
    }
}

struct ByEntry;

impl moka::Expiry<String, Entry> for ByEntry {
    fn expire_after_create(&self, _key: &String, entry: &Entry, now: Instant) -> Option<Duration> {
        Some(entry.expires_at.saturating_duration_since(now))
    }

    fn expire_after_update(
        &self,
        _key: &String,
        entry: &Entry,
        now: Instant,
        _remaining: Option<Duration>,
    ) -> Option<Duration> {
        Some(entry.expires_at.saturating_duration_since(now))
    }
}

/// The in-process store.
pub struct MemoryCache {
    entries: moka::future::Cache<String, Entry>,
    prefix: String,
    shared: bool,
}

impl MemoryCache {
    pub fn new(prefix: &str) -> Self {
        Self {
            entries: moka::future::Cache::builder()
                .max_capacity(1_000_000)
                .expire_after(ByEntry)
                .build(),
            prefix: prefix.to_owned(),
            shared: false,
        }
    }

    /// The store of a process that runs every component and hands each this one store.
    pub fn shared_by_every_component(prefix: &str) -> Self {
        Self {
            shared: true,
            ..Self::new(prefix)
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        Ok(self
            .entries
            .get(&self.key(key))
            .await
            .filter(Entry::live)
            .map(|entry| entry.value))
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        let entry = Entry {
            value: value.to_owned(),
            expires_at: Instant::now() + ttl,
        };
        self.entries.insert(self.key(key), entry).await;
        Ok(())
    }

    async fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> Result<bool, CacheError> {
        use moka::ops::compute::{CompResult, Op};
        let result = self
            .entries
            .entry(self.key(key))
            .and_compute_with(|current| {
                let op = match current {
                    Some(entry) if entry.value().live() => Op::Nop,
                    _ => Op::Put(Entry {
                        value: value.to_owned(),
                        expires_at: Instant::now() + ttl,
                    }),
                };
                std::future::ready(op)
            })
            .await;
        Ok(matches!(
            result,
            CompResult::Inserted(_) | CompResult::ReplacedWith(_)
        ))
    }

    async fn incr(&self, key: &str, ttl: Duration) -> Result<i64, CacheError> {
        use moka::ops::compute::{CompResult, Op};
        let result = self
            .entries
            .entry(self.key(key))
            .and_compute_with(|current| {
                let next = match current {
                    Some(entry) if entry.value().live() => Entry {
                        value: (entry.value().value.parse::<i64>().unwrap_or(0) + 1).to_string(),
                        expires_at: entry.value().expires_at,
                    },
                    _ => Entry {
                        value: "1".to_owned(),
                        expires_at: Instant::now() + ttl,
                    },
                };
                std::future::ready(Op::Put(next))
            })
            .await;
        let count = match result {
            CompResult::Inserted(entry) | CompResult::ReplacedWith(entry) => {
                entry.into_value().value.parse::<i64>().unwrap_or(1)
            }
            _ => 1,
        };
        Ok(count)
    }

    async fn take(&self, key: &str) -> Result<Option<String>, CacheError> {
        Ok(self
            .entries
            .remove(&self.key(key))
            .await
            .filter(Entry::live)
            .map(|entry| entry.value))
    }

    async fn del(&self, key: &str) -> Result<(), CacheError> {
        self.entries.invalidate(&self.key(key)).await;
        Ok(())
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "memory"
    }

    fn shared(&self) -> bool {
        self.shared
    }
}

/// The Redis store.
pub struct RedisCache {
    pool: deadpool_redis::Pool,
    prefix: String,
}

impl RedisCache {
    pub fn new(settings: &CacheSettings) -> Result<Self, CacheError> {
        let mut config = deadpool_redis::Config::from_url(settings.redis_url.clone());
        let mut pool_config = deadpool_redis::PoolConfig::new(settings.pool_size.max(1));
        pool_config.timeouts.wait = Some(OPERATION_TIMEOUT);
        pool_config.timeouts.create = Some(OPERATION_TIMEOUT);
        pool_config.timeouts.recycle = Some(OPERATION_TIMEOUT);
        config.pool = Some(pool_config);
        let pool = config
            .create_pool(Some(deadpool_redis::Runtime::Tokio1))
            .map_err(|e| CacheError::Redis(e.to_string()))?;
        Ok(Self {
            pool,
            prefix: settings.key_prefix.clone(),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    async fn query<T: redis::FromRedisValue>(
        &self,
        pipeline: &redis::Pipeline,
    ) -> Result<T, CacheError> {
        let work = async {
            let mut conn = self
                .pool
                .get()
                .await
                .map_err(|e| CacheError::Redis(e.to_string()))?;
            pipeline
                .query_async::<T>(&mut conn)
                .await
                .map_err(|e| CacheError::Redis(e.to_string()))
        };
        tokio::time::timeout(OPERATION_TIMEOUT, work)
            .await
            .map_err(|_| CacheError::Timeout)?
    }
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        let (value,): (Option<String>,) = self
            .query(redis::pipe().cmd("GET").arg(self.key(key)))
            .await?;
        Ok(value)
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        let pipe = redis::pipe()
            .cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("PX")
            .arg(millis(ttl))
            .ignore()
            .clone();
        self.query::<()>(&pipe).await
    }

    async fn set_nx(&self, key: &str, value: &str, ttl: Duration) -> Result<bool, CacheError> {
        let pipe = redis::pipe()
            .cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl))
            .clone();
        let (stored,): (Option<String>,) = self.query(&pipe).await?;
        Ok(stored.is_some())
    }

    async fn incr(&self, key: &str, ttl: Duration) -> Result<i64, CacheError> {
        let key = self.key(key);
        let pipe = redis::pipe()
            .atomic()
            .cmd("INCR")
            .arg(&key)
            .cmd("PEXPIRE")
            .arg(&key)
            .arg(millis(ttl))
            .arg("NX")
            .ignore()
            .clone();
        let (count,): (i64,) = self.query(&pipe).await?;
        Ok(count)
    }

    async fn take(&self, key: &str) -> Result<Option<String>, CacheError> {
        let (value,): (Option<String>,) = self
            .query(redis::pipe().cmd("GETDEL").arg(self.key(key)))
            .await?;
        Ok(value)
    }

    async fn del(&self, key: &str) -> Result<(), CacheError> {
        let pipe = redis::pipe().cmd("DEL").arg(self.key(key)).ignore().clone();
        self.query::<()>(&pipe).await
    }

    async fn ping(&self) -> Result<(), CacheError> {
        let (_pong,): (String,) = self.query(redis::pipe().cmd("PING")).await?;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn exercise(cache: &dyn Cache, prefix: &str) {
        let key = |k: &str| format!("{prefix}{k}");
        let ttl = Duration::from_secs(30);
        assert_eq!(cache.get(&key("a")).await.expect("get"), None);
        cache.set(&key("a"), "1", ttl).await.expect("set");
        assert_eq!(
            cache.get(&key("a")).await.expect("get").as_deref(),
            Some("1")
        );
        assert!(!cache.set_nx(&key("a"), "2", ttl).await.expect("set_nx"));
        assert!(cache.set_nx(&key("b"), "2", ttl).await.expect("set_nx"));
        assert_eq!(cache.incr(&key("n"), ttl).await.expect("incr"), 1);
        assert_eq!(cache.incr(&key("n"), ttl).await.expect("incr"), 2);
        assert_eq!(
            cache.take(&key("b")).await.expect("take").as_deref(),
            Some("2")
        );
        assert_eq!(cache.take(&key("b")).await.expect("take"), None);
        cache.del(&key("a")).await.expect("del");
        assert_eq!(cache.get(&key("a")).await.expect("get"), None);
        cache
            .set(&key("short"), "x", Duration::from_millis(50))
            .await
            .expect("set");
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(cache.get(&key("short")).await.expect("get"), None);
        assert!(cache.set_nx(&key("short"), "y", ttl).await.expect("set_nx"));
    }

    #[tokio::test]
    async fn the_memory_store_keeps_its_promises() {
        exercise(&MemoryCache::new("t:"), "").await;
    }

    #[tokio::test]
    async fn the_redis_store_keeps_the_same_promises() {
        let Ok(url) = std::env::var("WJDH_TEST_REDIS_URL") else {
            eprintln!(
                "WJDH_TEST_REDIS_URL not set: the Redis store is exercised by the Redis CI pass"
            );
            return;
        };
        let cache = RedisCache::new(&CacheSettings {
            redis_url: url,
            pool_size: 4,
            key_prefix: format!("wjdh-test-{}:", uuid::Uuid::new_v4()),
        })
        .expect("redis");
        exercise(&cache, "").await;
    }

    /// Loads `Versioned` through a counter: the value is how many loads there were.
    async fn load(versioned: &Versioned<u32>, loads: &std::sync::atomic::AtomicU32) -> u32 {
        let value = versioned
            .get_or_load(|| async {
                Ok::<_, ()>(loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1)
            })
            .await
            .expect("load");
        *value
    }

    #[tokio::test]
    async fn a_versioned_value_is_loaded_again_only_after_a_change_is_announced() {
        let cache: SharedCache = Arc::new(MemoryCache::shared_by_every_component("v:"));
        let versioned = Versioned::new(cache.clone(), "things", Duration::from_secs(60));
        let loads = std::sync::atomic::AtomicU32::new(0);
        assert_eq!(load(&versioned, &loads).await, 1);
        assert_eq!(load(&versioned, &loads).await, 1, "remembered");
        announce(cache.as_ref(), "things").await;
        assert_eq!(load(&versioned, &loads).await, 2, "a new version");
        assert_eq!(load(&versioned, &loads).await, 2);
        cache.del("things").await.expect("del");
        assert_eq!(load(&versioned, &loads).await, 3, "the version was lost");
        assert_eq!(load(&versioned, &loads).await, 3);
        // A failed load is not remembered and the remembered value stays.
        let failed = versioned.get_or_load(|| async { Err::<u32, _>("down") });
        assert_eq!(failed.await.map(|v| *v), Ok(3), "still current: not loaded");
        announce(cache.as_ref(), "things").await;
        let failed = versioned.get_or_load(|| async { Err::<u32, _>("down") });
        assert_eq!(failed.await.map(|v| *v), Err("down"));
        assert_eq!(load(&versioned, &loads).await, 4);
    }

    #[tokio::test]
    async fn a_versioned_value_is_kept_no_longer_than_its_bound() {
        let cache: SharedCache = Arc::new(MemoryCache::shared_by_every_component("v:"));
        let versioned = Versioned::new(cache, "things", Duration::ZERO);
        let loads = std::sync::atomic::AtomicU32::new(0);
        assert_eq!(load(&versioned, &loads).await, 1);
        assert_eq!(load(&versioned, &loads).await, 2);
    }

    #[tokio::test]
    async fn a_cache_not_shared_with_the_owner_remembers_nothing() {
        let cache: SharedCache = Arc::new(MemoryCache::new("v:"));
        let versioned = Versioned::new(cache, "things", Duration::from_secs(60));
        let loads = std::sync::atomic::AtomicU32::new(0);
        assert_eq!(load(&versioned, &loads).await, 1);
        assert_eq!(load(&versioned, &loads).await, 2);
    }
}
