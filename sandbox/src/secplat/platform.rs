//! What the simulated security platform remembers: issued tokens, payment results received,
//! and how many calls are still to fail on demand.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::fixture::Fixture;
use crate::config::SandboxSettings;
use crate::state::lock;

/// How long a platform token lives (seed 001 §1.1.1.4).
pub(crate) const TOKEN_TTL: Duration = Duration::hours(1);

/// One payment result as §2.2.1 delivered it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct PaymentResult {
    pub order_number: String,
    pub shop_number: String,
    pub weixin_number: String,
    /// RFC 3339, UTC.
    pub received_at: String,
}

/// The simulated platform, shared by every worker of one sandbox.
pub(crate) struct Platform {
    pub fixture: Fixture,
    key_k: String,
    key_d: String,
    /// Token → when it was issued.
    tokens: Mutex<HashMap<String, DateTime<Utc>>>,
    payments: Mutex<Vec<PaymentResult>>,
    failures_left: Mutex<u32>,
}

impl Platform {
    /// Loads the configured fixture; fails when it cannot be read.
    pub(crate) fn new(settings: &SandboxSettings) -> anyhow::Result<Self> {
        Ok(Self::with_fixture(
            Fixture::load(&settings.secplat_fixture)?,
            settings,
        ))
    }

    pub(crate) fn with_fixture(fixture: Fixture, settings: &SandboxSettings) -> Self {
        Self {
            fixture,
            key_k: settings.secplat_key_k.clone(),
            key_d: settings.secplat_key_d.clone(),
            tokens: Mutex::default(),
            payments: Mutex::default(),
            failures_left: Mutex::default(),
        }
    }

    /// A fresh token when the key pair is ours.
    pub(crate) fn issue_token(
        &self,
        key_k: &str,
        key_d: &str,
        now: DateTime<Utc>,
    ) -> Option<String> {
        let ours = kit::secret::constant_time_eq(key_k, &self.key_k)
            & kit::secret::constant_time_eq(key_d, &self.key_d);
        if !ours {
            return None;
        }
        let token = kit::secret::random_alnum(32);
        let mut tokens = lock(&self.tokens);
        tokens.retain(|_, issued_at| now - *issued_at < TOKEN_TTL);
        tokens.insert(token.clone(), now);
        Some(token)
    }

    /// True when `token` was issued by us less than an hour ago.
    pub(crate) fn token_is_valid(&self, token: &str, now: DateTime<Utc>) -> bool {
        lock(&self.tokens)
            .get(token)
            .is_some_and(|issued_at| now - *issued_at < TOKEN_TTL)
    }

    /// Makes every token issued so far lapse; returns how many were alive.
    pub(crate) fn expire_tokens(&self, now: DateTime<Utc>) -> usize {
        let mut tokens = lock(&self.tokens);
        let alive = tokens
            .values()
            .filter(|issued_at| now - **issued_at < TOKEN_TTL)
            .count();
        tokens.clear();
        alive
    }

    pub(crate) fn record_payment(&self, payment: PaymentResult) {
        lock(&self.payments).push(payment);
    }

    /// Payment results received, oldest first.
    pub(crate) fn payments(&self) -> Vec<PaymentResult> {
        lock(&self.payments).clone()
    }

    /// The next `times` platform calls answer 503 (replacing any count still pending).
    pub(crate) fn fail_next(&self, times: u32) {
        *lock(&self.failures_left) = times;
    }

    /// True when this call is one of those to fail; counts it.
    pub(crate) fn take_failure(&self) -> bool {
        let mut left = lock(&self.failures_left);
        if *left == 0 {
            return false;
        }
        *left -= 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform() -> Platform {
        Platform::new(&SandboxSettings::default()).expect("built-in fixture")
    }

    #[test]
    fn tokens_are_issued_for_our_keys_and_live_an_hour() {
        let platform = platform();
        let now = Utc::now();
        assert!(platform.issue_token("sandbox-key", "wrong", now).is_none());
        assert!(
            platform
                .issue_token("other", "sandbox-secret", now)
                .is_none()
        );
        let token = platform
            .issue_token("sandbox-key", "sandbox-secret", now)
            .expect("our keys");
        assert!(platform.token_is_valid(&token, now + Duration::minutes(59)));
        assert!(!platform.token_is_valid(&token, now + TOKEN_TTL));
        assert!(!platform.token_is_valid("never-issued", now));
    }

    #[test]
    fn expiring_tokens_lapses_every_one_at_once() {
        let platform = platform();
        let now = Utc::now();
        let first = platform
            .issue_token("sandbox-key", "sandbox-secret", now)
            .expect("issued");
        let second = platform
            .issue_token("sandbox-key", "sandbox-secret", now)
            .expect("issued");
        assert_eq!(platform.expire_tokens(now), 2);
        assert!(!platform.token_is_valid(&first, now));
        assert!(!platform.token_is_valid(&second, now));
    }

    #[test]
    fn failures_are_counted_down() {
        let platform = platform();
        assert!(!platform.take_failure());
        platform.fail_next(2);
        assert!(platform.take_failure());
        assert!(platform.take_failure());
        assert!(!platform.take_failure());
    }
}
