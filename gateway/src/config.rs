//! The gateway's settings: the shared sections plus `[gateway]`, loaded through `kit::settings`.
use serde::Deserialize;

/// Everything the gateway reads.
#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    pub telemetry: kit::settings::TelemetrySettings,
    pub cache: kit::settings::CacheSettings,
    pub endpoints: kit::settings::Endpoints,
    pub gateway: GatewaySettings,
}

/// `[gateway]`.
#[derive(Clone, Debug, Deserialize)]
pub struct GatewaySettings {
    /// `host:port`; port 0 picks a free port.
    pub listen: String,
    /// Largest accepted JSON, form or query body.
    pub body_limit_bytes: usize,
    /// Largest accepted multipart body.
    pub upload_limit_bytes: usize,
    /// Requests per client IP per minute, across replicas.
    pub rate_limit_per_minute: i64,
    /// Proxies (IPs or CIDR blocks) whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<String>,
    /// actix worker threads.
    pub workers: usize,
    /// Where clients reach this gateway (`https://api.example.com`): file URLs in answers are
    /// absolute from here (DESIGN; 000 §2.3.1), as a mini-program's `<image src>` needs.
    pub public_base_url: String,
    /// After SIGTERM, how long `/readyz` answers 503 while requests are still served.
    #[serde(default)]
    pub shutdown_delay_ms: u64,
}

impl Settings {
    /// Defaults → `$WJDH_CONFIG` → `WJDH__…` variables.
    pub fn load() -> anyhow::Result<Self> {
        kit::settings::load()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_fit() {
        let settings: Settings = kit::settings::load_with(&[]).expect("defaults");
        assert_eq!(settings.gateway.listen, "127.0.0.1:8080");
        assert!(settings.gateway.trusted_proxies.is_empty());
        assert!(settings.gateway.body_limit_bytes < settings.gateway.upload_limit_bytes);
    }
}
