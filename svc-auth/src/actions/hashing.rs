//! Password hashing a few at a time: each Argon2id verification holds about 19 MiB, so the
//! number running at once is bounded by a semaphore, and a caller that cannot get a permit
//! within a short wait is refused with 429 instead of queueing until memory runs out.
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kit::error::{ErrorKind, ServiceError, ServiceResult};
use prometheus::{IntCounterVec, IntGauge, Opts};
use tokio::sync::Semaphore;

use argon2::Block;

use crate::domain::secrets::verify_secret_in;

/// The bounded pool of secret verifications, with its instruments.
pub struct Hashing {
    permits: Arc<Semaphore>,
    /// Argon2's working memory, one buffer per permit at most, reused from one verification to
    /// the next: memory stays at `concurrency` × the memory cost, allocated once.
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
    concurrency: usize,
    wait: Duration,
    in_flight: Arc<AtomicI64>,
    peak: AtomicI64,
    instruments: Instruments,
}

#[derive(Clone)]
struct Instruments {
    in_flight: IntGauge,
    peak: IntGauge,
    outcomes: IntCounterVec,
}

/// Holds one verification's place: the permit and the in-flight count, released together when
/// the verification has finished, even if the caller went away meanwhile.
struct Slot {
    _permit: tokio::sync::OwnedSemaphorePermit,
    in_flight: Arc<AtomicI64>,
    gauge: IntGauge,
}

/// One caller's turn to verify a secret.
pub struct Turn {
    slot: Slot,
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
    verified: prometheus::IntCounter,
}

impl Turn {
    /// Whether `secret` matches `hash`, verified on the blocking pool. The turn moves into the
    /// blocking task: a caller that goes away does not free the place of a verification still
    /// running.
    pub async fn verify(self, secret: String, hash: String) -> ServiceResult<bool> {
        let Self {
            slot,
            memory,
            verified,
        } = self;
        let matches = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            // A buffer is free whenever a permit is held: there are no more buffers than permits.
            let mut blocks = memory
                .lock()
                .ok()
                .and_then(|mut free| free.pop())
                .unwrap_or_default();
            let matches = verify_secret_in(&secret, &hash, &mut blocks);
            if let Ok(mut free) = memory.lock() {
                free.push(blocks);
            }
            matches
        })
        .await
        .map_err(ServiceError::internal)?;
        verified.inc();
        Ok(matches)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let now = self.in_flight.fetch_sub(1, Ordering::SeqCst) - 1;
        self.gauge.set(now);
    }
}

impl Hashing {
    /// At most `concurrency` (at least 1) verifications at once; a caller waits at most `wait`.
    pub fn new(concurrency: usize, wait: Duration) -> prometheus::Result<Self> {
        let concurrency = concurrency.max(1);
        let instruments = Instruments {
            in_flight: IntGauge::new(
                "auth_secret_hashing_in_flight",
                "Argon2 secret verifications running now",
            )?,
            peak: IntGauge::new(
                "auth_secret_hashing_in_flight_peak",
                "Most Argon2 secret verifications that ran at once since the start",
            )?,
            outcomes: IntCounterVec::new(
                Opts::new(
                    "auth_secret_hashing_total",
                    "Secret verifications asked for, by outcome (verified, busy: refused with 429)",
                ),
                &["outcome"],
            )?,
        };
        Ok(Self {
            permits: Arc::new(Semaphore::new(concurrency)),
            memory: Arc::new(Mutex::new(Vec::with_capacity(concurrency))),
            concurrency,
            wait,
            in_flight: Arc::new(AtomicI64::new(0)),
            peak: AtomicI64::new(0),
            instruments,
        })
    }

    /// Registers the instruments with the service's metrics.
    pub fn register(&self, metrics: &kit::metrics::ServiceMetrics) -> prometheus::Result<()> {
        metrics.register(Box::new(self.instruments.in_flight.clone()))?;
        metrics.register(Box::new(self.instruments.peak.clone()))?;
        metrics.register(Box::new(self.instruments.outcomes.clone()))
    }

    /// Whether `secret` matches `hash`: waits for a turn, then verifies (see [`Turn::verify`]).
    pub async fn verify(&self, secret: String, hash: String) -> ServiceResult<bool> {
        self.turn().await?.verify(secret, hash).await
    }

    /// A place among the verifications running at once; refused with 429 when none comes within
    /// the wait. Taken before anything is counted against the caller, so a busy refusal costs
    /// them no attempt.
    pub async fn turn(&self) -> ServiceResult<Turn> {
        let slot = self.acquire().await?;
        Ok(Turn {
            slot,
            memory: self.memory.clone(),
            verified: self.instruments.outcomes.with_label_values(&["verified"]),
        })
    }

    async fn acquire(&self) -> ServiceResult<Slot> {
        let permits = self.permits.clone();
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => match tokio::time::timeout(self.wait, permits.acquire_owned()).await {
                Ok(Ok(permit)) => permit,
                Ok(Err(closed)) => return Err(ServiceError::internal(closed)),
                Err(_) => {
                    self.instruments.outcomes.with_label_values(&["busy"]).inc();
                    tracing::warn!(
                        concurrency = self.concurrency,
                        "secret verification refused: every hashing permit is busy"
                    );
                    return Err(ServiceError::new(
                        ErrorKind::RateLimited,
                        "服务繁忙，请稍后再试",
                        format!("secret verification busy: {} at a time", self.concurrency),
                    ));
                }
            },
        };
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.instruments.in_flight.set(now);
        let peak = self.peak.fetch_max(now, Ordering::SeqCst).max(now);
        self.instruments.peak.set(peak);
        Ok(Slot {
            _permit: permit,
            in_flight: self.in_flight.clone(),
            gauge: self.instruments.in_flight.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::secrets::hash_secret;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_than_the_permits_run_and_the_rest_are_refused() {
        let hashing = Arc::new(Hashing::new(2, Duration::ZERO).expect("instruments"));
        let hash = hash_secret("right").expect("hash");
        let calls = (0..12).map(|_| {
            let hashing = hashing.clone();
            let hash = hash.clone();
            tokio::spawn(async move { hashing.verify("wrong".to_owned(), hash).await })
        });
        let answers = futures_join(calls).await;
        let busy = answers
            .iter()
            .filter(|answer| {
                answer
                    .as_ref()
                    .is_err_and(|e| e.kind == ErrorKind::RateLimited)
            })
            .count();
        let refused_secret = answers
            .iter()
            .filter(|answer| matches!(answer, Ok(false)))
            .count();
        assert!(busy > 0, "some calls found every permit busy");
        assert_eq!(busy + refused_secret, 12);
        assert!(hashing.instruments.peak.get() <= 2);
        assert_eq!(hashing.instruments.in_flight.get(), 0);
        assert!(
            hashing
                .verify("right".to_owned(), hash)
                .await
                .expect("a free permit")
        );
    }

    async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
        let mut out = Vec::new();
        for handle in handles.collect::<Vec<_>>() {
            out.push(handle.await.expect("task"));
        }
        out
    }
}
