//! Settings: the built-in defaults, then an optional file, then `WJDH__…` environment variables.
//!
//! Every component deserialises the sections it needs from the same layered source, so one file or
//! one set of environment variables configures the whole platform.
use anyhow::Context;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// The defaults every key starts from (documented in the file itself).
pub const DEFAULTS: &str = include_str!("defaults.toml");

/// Environment variable naming an optional settings file.
pub const FILE_VARIABLE: &str = "WJDH_CONFIG";

/// Loads `T` from defaults → `$WJDH_CONFIG` file (if set) → `WJDH__SECTION__KEY` variables.
pub fn load<T: DeserializeOwned>() -> anyhow::Result<T> {
    let file = std::env::var(FILE_VARIABLE).ok();
    load_layers(file.as_deref(), &[])
}

/// Loads `T` with explicit overrides on top (keys like `auth.database_url`): tests and `wjdh` use it.
pub fn load_with<T: DeserializeOwned>(overrides: &[(&str, String)]) -> anyhow::Result<T> {
    load_layers(std::env::var(FILE_VARIABLE).ok().as_deref(), overrides)
}

fn load_layers<T: DeserializeOwned>(
    file: Option<&str>,
    overrides: &[(&str, String)],
) -> anyhow::Result<T> {
    let mut builder = config::Config::builder()
        .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
    if let Some(path) = file {
        builder = builder.add_source(config::File::with_name(path).required(true));
    }
    builder = builder.add_source(
        config::Environment::with_prefix("WJDH")
            .prefix_separator("__")
            .separator("__")
            .list_separator(",")
            .with_list_parse_key("gateway.trusted_proxies")
            .try_parsing(true),
    );
    for (key, value) in overrides {
        builder = builder
            .set_override(*key, value.clone())
            .with_context(|| format!("setting override {key}"))?;
    }
    builder
        .build()
        .context("reading settings")?
        .try_deserialize()
        .context("settings do not fit their expected shape")
}

/// Telemetry settings (`[telemetry]`).
#[derive(Clone, Debug, Deserialize)]
pub struct TelemetrySettings {
    pub level: String,
    pub json: bool,
    pub sample_ratio: f64,
}

/// Cache settings (`[cache]`).
#[derive(Clone, Debug, Deserialize)]
pub struct CacheSettings {
    pub redis_url: String,
    pub pool_size: usize,
    pub key_prefix: String,
}

/// Token settings (`[tokens]`).
#[derive(Clone, Debug, Deserialize)]
pub struct TokenSettings {
    pub secret: String,
    pub access_ttl_seconds: i64,
    pub refresh_window_seconds: i64,
}

/// Where the services are (`[endpoints]`).
#[derive(Clone, Debug, Deserialize)]
pub struct Endpoints {
    pub auth: String,
    pub yibiaosanshi: String,
    pub orders: String,
    pub community: String,
    pub timeout_ms: u64,
}

/// A service's own listener and database (`[yibiaosanshi]`, `[orders]`, `[community]`).
#[derive(Clone, Debug, Deserialize)]
pub struct ServiceSettings {
    pub listen: String,
    pub database_url: String,
    pub pool_size: u32,
}

/// The sections every component reads. Components deserialise their own sections beside these.
#[derive(Clone, Debug, Deserialize)]
pub struct Platform {
    pub telemetry: TelemetrySettings,
    pub cache: CacheSettings,
    pub tokens: TokenSettings,
    pub endpoints: Endpoints,
    pub yibiaosanshi: ServiceSettings,
    pub orders: ServiceSettings,
    pub community: ServiceSettings,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fit_the_platform_sections() {
        let platform: Platform = load_layers(None, &[]).expect("defaults load");
        assert_eq!(platform.tokens.access_ttl_seconds, 3600);
        assert!(platform.cache.redis_url.is_empty());
    }

    #[test]
    fn overrides_win_over_defaults() {
        let platform: Platform =
            load_layers(None, &[("orders.listen", "0.0.0.0:1".to_owned())]).expect("load");
        assert_eq!(platform.orders.listen, "0.0.0.0:1");
    }
}
