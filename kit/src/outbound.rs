//! Outbound HTTP: every client to an outside party is built here, so none goes without a timeout.
use std::time::Duration;

/// A client whose connects and whole calls are bounded by `timeout_ms`.
pub fn http_client(timeout_ms: u64) -> reqwest::Result<reqwest::Client> {
    bounded(timeout_ms).build()
}

/// Like [`http_client`], presenting `identity` (a client certificate and its key) to servers
/// that ask for one over mutual TLS.
pub fn http_client_with_identity(
    timeout_ms: u64,
    identity: reqwest::Identity,
) -> reqwest::Result<reqwest::Client> {
    bounded(timeout_ms).identity(identity).build()
}

fn bounded(timeout_ms: u64) -> reqwest::ClientBuilder {
    let timeout = Duration::from_millis(timeout_ms);
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
}
