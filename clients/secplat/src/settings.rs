//! `[secplat]`: how our client reaches the security platform.
use serde::Deserialize;

/// The security platform (安防平台) as our client reaches it (`[secplat]`).
#[derive(Clone, Deserialize)]
pub struct SecplatSettings {
    /// Base URL the endpoint paths (`/token`, `/people`, ...) are appended to.
    pub base_url: String,
    /// `key_k` of seed 001 §1.1.1: the key half of the credential pair.
    pub key_k: String,
    /// `key_d`: the secret half; never printed.
    pub key_d: String,
    /// Per-call timeout, milliseconds.
    pub timeout_ms: u64,
}

impl std::fmt::Debug for SecplatSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecplatSettings")
            .field("base_url", &self.base_url)
            .field("key_k", &self.key_k)
            .field("key_d", &"***")
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct WithSecplat {
        secplat: SecplatSettings,
    }

    #[test]
    fn the_security_platform_defaults_point_at_the_sandbox_and_hide_the_secret() {
        let loaded: WithSecplat = kit::settings::load_with(&[]).expect("defaults load");
        assert_eq!(loaded.secplat.base_url, "http://127.0.0.1:8090/secplat");
        assert_eq!(loaded.secplat.key_k, "sandbox-key");
        assert_eq!(loaded.secplat.timeout_ms, 5000);
        assert!(!format!("{:?}", loaded.secplat).contains("sandbox-secret"));
    }
}
