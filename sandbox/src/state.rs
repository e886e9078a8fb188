//! What the simulated providers remember between requests, in memory.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::config::SandboxSettings;

/// How long a WeChat access_token lives, in seconds.
pub(crate) const ACCESS_TOKEN_TTL_SECS: i64 = 7200;
/// How long Alibaba Cloud remembers a SignatureNonce; also the allowed clock skew.
pub(crate) const NONCE_WINDOW: Duration = Duration::minutes(15);

/// One text message the SMS provider accepted.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SmsMessage {
    pub phone: String,
    pub code: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// RFC 3339, UTC.
    pub sent_at: String,
}

/// Whether an access_token was issued by us and is still alive.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TokenStatus {
    Valid,
    Expired,
    Unknown,
}

/// Shared by every worker of one sandbox.
pub(crate) struct AppState {
    pub settings: SandboxSettings,
    access_tokens: Mutex<HashMap<String, DateTime<Utc>>>,
    nonces: Mutex<HashMap<String, DateTime<Utc>>>,
    messages: Mutex<Vec<SmsMessage>>,
}

// A panic while holding a lock cannot leave these maps half-updated, so a poisoned lock is
// still safe to use.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl AppState {
    pub(crate) fn new(settings: SandboxSettings) -> Self {
        Self {
            settings,
            access_tokens: Mutex::default(),
            nonces: Mutex::default(),
            messages: Mutex::default(),
        }
    }

    /// Issues a fresh random access_token valid for [`ACCESS_TOKEN_TTL_SECS`].
    pub(crate) fn issue_access_token(&self, now: DateTime<Utc>) -> String {
        let token = kit::secret::random_alnum(64);
        let mut tokens = lock(&self.access_tokens);
        tokens.retain(|_, expires_at| *expires_at > now);
        tokens.insert(
            token.clone(),
            now + Duration::seconds(ACCESS_TOKEN_TTL_SECS),
        );
        token
    }

    pub(crate) fn access_token_status(&self, token: &str, now: DateTime<Utc>) -> TokenStatus {
        match lock(&self.access_tokens).get(token) {
            Some(expires_at) if *expires_at > now => TokenStatus::Valid,
            Some(_) => TokenStatus::Expired,
            None => TokenStatus::Unknown,
        }
    }

    /// Records a SignatureNonce; false when it was already used within [`NONCE_WINDOW`].
    pub(crate) fn claim_nonce(&self, nonce: &str, now: DateTime<Utc>) -> bool {
        let mut nonces = lock(&self.nonces);
        nonces.retain(|_, seen_at| now - *seen_at < NONCE_WINDOW);
        if nonces.contains_key(nonce) {
            return false;
        }
        nonces.insert(nonce.to_owned(), now);
        true
    }

    pub(crate) fn record_message(&self, message: SmsMessage) {
        lock(&self.messages).push(message);
    }

    /// Messages sent to `phone`, oldest first.
    pub(crate) fn messages_to(&self, phone: &str) -> Vec<SmsMessage> {
        lock(&self.messages)
            .iter()
            .filter(|message| message.phone == phone)
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> AppState {
        AppState::new(SandboxSettings::default())
    }

    #[test]
    fn an_access_token_expires_after_two_hours() {
        let state = state();
        let now = Utc::now();
        let token = state.issue_access_token(now);
        assert!(token.len() >= 32);
        assert_eq!(state.access_token_status(&token, now), TokenStatus::Valid);
        let later = now + Duration::seconds(ACCESS_TOKEN_TTL_SECS);
        assert_eq!(
            state.access_token_status(&token, later),
            TokenStatus::Expired
        );
        assert_eq!(
            state.access_token_status("other", now),
            TokenStatus::Unknown
        );
    }

    #[test]
    fn a_nonce_is_refused_within_fifteen_minutes_and_forgotten_after() {
        let state = state();
        let now = Utc::now();
        assert!(state.claim_nonce("n", now));
        assert!(!state.claim_nonce("n", now + Duration::minutes(14)));
        assert!(state.claim_nonce("n", now + Duration::minutes(16)));
    }
}
