//! Outbound HTTP: every client to an outside party is built here, so none goes without a timeout.
use std::time::Duration;

/// A client whose connects and whole calls are bounded by `timeout_ms`.
pub fn http_client(timeout_ms: u64) -> reqwest::Result<reqwest::Client> {
    let timeout = Duration::from_millis(timeout_ms);
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
}
