//! The gateway's settings: the shared sections plus `[gateway]`, loaded through `kit::settings`.
use serde::Deserialize;

/// Everything the gateway reads.
#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    pub telemetry: kit::settings::TelemetrySettings,
    pub cache: kit::settings::CacheSettings,
    pub endpoints: kit::settings::Endpoints,
    pub callers: kit::settings::CallerSettings,
    pub gateway: GatewaySettings,
}

/// `[gateway]`.
#[derive(Clone, Debug, Deserialize)]
pub struct GatewaySettings {
    /// `host:port`; port 0 picks a free port.
    pub listen: String,
    /// Largest accepted body as it arrives (JSON, form, or multipart with boundaries and headers).
    pub body_limit_bytes: usize,
    /// Largest accepted body of the routes that take photos.
    pub upload_limit_bytes: usize,
    /// Largest accepted body of the rental video routes.
    pub video_upload_limit_bytes: usize,
    /// Requests per client IP per minute, across replicas.
    pub rate_limit_per_minute: i64,
    /// Requests per client IP per minute to `/api/v1/wjdh/secret` (password hashing), besides
    /// the general limit.
    pub secret_rate_limit_per_minute: i64,
    /// Most parts (fields and files) one multipart body may have.
    pub multipart_max_parts: usize,
    /// Proxies (IPs or CIDR blocks) whose `X-Forwarded-For` is believed: a list, or one string
    /// of comma-separated entries (as an environment variable or a setting override gives it).
    #[serde(deserialize_with = "list_or_commas")]
    pub trusted_proxies: Vec<String>,
    /// actix worker threads.
    pub workers: usize,
    /// Where clients reach this gateway (`https://api.example.com`): file URLs in answers are
    /// absolute from here (DESIGN; 000 §2.3.1), as a mini-program's `<image src>` needs.
    pub public_base_url: String,
    /// How long a resident whose token svc-auth accepted is remembered (`callers.rs`); 0: ask
    /// svc-auth on every call.
    pub caller_cache_seconds: u64,
    /// The same for platform credentials (whose communities may change).
    pub platform_caller_cache_seconds: u64,
    /// How many bytes of list pages the gateway keeps with their versions (`kept_pages.rs`);
    /// 0: none, every page is read anew.
    pub kept_pages_bytes: u64,
    /// After SIGTERM, how long `/readyz` answers 503 while requests are still served.
    #[serde(default)]
    pub shutdown_delay_ms: u64,
}

/// A list of strings, or one string of comma-separated entries.
fn list_or_commas<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Entries {
        List(Vec<String>),
        Commas(String),
    }
    Ok(match Entries::deserialize(deserializer)? {
        Entries::List(list) => list,
        Entries::Commas(text) => text
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(str::to_owned)
            .collect(),
    })
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
        assert!(settings.gateway.upload_limit_bytes < settings.gateway.video_upload_limit_bytes);
        assert!(
            settings.gateway.secret_rate_limit_per_minute < settings.gateway.rate_limit_per_minute
        );
    }

    #[test]
    fn trusted_proxies_come_as_a_list_or_as_one_comma_separated_string() {
        let settings: Settings = kit::settings::load_with(&[(
            "gateway.trusted_proxies",
            "10.0.0.0/8, 127.0.0.1".to_owned(),
        )])
        .expect("one string");
        assert_eq!(
            settings.gateway.trusted_proxies,
            ["10.0.0.0/8", "127.0.0.1"]
        );
    }
}
