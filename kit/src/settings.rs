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
    layers(file, overrides)?
        .try_deserialize()
        .context("settings do not fit their expected shape")
}

/// The layered settings as they stand, before a component picks its sections: what
/// [`crate::guard`] reads keys from.
pub fn layered(overrides: &[(&str, String)]) -> anyhow::Result<config::Config> {
    layers(std::env::var(FILE_VARIABLE).ok().as_deref(), overrides)
}

/// The built-in defaults alone.
pub fn defaults() -> anyhow::Result<config::Config> {
    layers_from(None, &[], false)
}

fn layers(file: Option<&str>, overrides: &[(&str, String)]) -> anyhow::Result<config::Config> {
    layers_from(file, overrides, true)
}

fn layers_from(
    file: Option<&str>,
    overrides: &[(&str, String)],
    environment: bool,
) -> anyhow::Result<config::Config> {
    let mut builder = config::Config::builder()
        .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
    if let Some(path) = file {
        builder = builder.add_source(config::File::with_name(path).required(true));
    }
    if environment {
        builder = builder.add_source(
            config::Environment::with_prefix("WJDH")
                .prefix_separator("__")
                .separator("__")
                .list_separator(",")
                .with_list_parse_key("gateway.trusted_proxies")
                .try_parsing(true),
        );
    }
    for (key, value) in overrides {
        builder = builder
            .set_override(*key, value.clone())
            .with_context(|| format!("setting override {key}"))?;
    }
    builder.build().context("reading settings")
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

/// The key of the assertions services trust their callers by (`[callers]`, see
/// [`crate::caller`]).
#[derive(Clone, Deserialize)]
pub struct CallerSettings {
    /// HS256 key, at least 32 bytes; the same in the gateway and every service; never printed.
    pub key: String,
}

#[derive(Deserialize)]
struct CallersSection {
    callers: CallerSettings,
}

impl CallerSettings {
    /// `[callers]` from defaults → `$WJDH_CONFIG` → `WJDH__CALLERS__KEY` (what test suites sign
    /// their direct calls with, so they agree with the platform they started).
    pub fn load() -> anyhow::Result<Self> {
        Ok(load::<CallersSection>()?.callers)
    }

    /// The signer of `component`'s outgoing calls.
    pub fn signer(&self, component: &str) -> anyhow::Result<crate::caller::Signer> {
        crate::caller::Signer::new(component, &self.key).context("callers.key")
    }

    /// The verifier of incoming calls.
    pub fn verifier(&self) -> anyhow::Result<crate::caller::Verifier> {
        crate::caller::Verifier::new(&self.key).context("callers.key")
    }
}

impl std::fmt::Debug for CallerSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallerSettings")
            .field("key", &"***")
            .finish()
    }
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
    /// Where Prometheus text is served (`GET /metrics`); empty = nowhere.
    #[serde(default)]
    pub metrics_listen: String,
    /// After SIGTERM, how long the service keeps answering while reporting NOT_SERVING.
    #[serde(default)]
    pub shutdown_delay_ms: u64,
}

/// Which object store keeps uploaded files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectStoreKind {
    /// A directory on this machine (`local_dir`).
    Local,
    /// An S3-compatible bucket (OSS, MinIO, AWS).
    S3,
}

/// Object storage for uploaded files (`[objects]`).
#[derive(Clone, Deserialize)]
pub struct ObjectStoreSettings {
    pub store: ObjectStoreKind,
    /// The directory of the local store.
    pub local_dir: String,
    pub s3_bucket: String,
    /// The S3-compatible endpoint; empty means AWS itself.
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    /// Never printed.
    pub s3_secret_access_key: String,
    /// `bucket.endpoint/key` instead of `endpoint/bucket/key` (OSS needs it).
    pub s3_virtual_hosted_style: bool,
    /// First segment of every object key.
    pub public_prefix: String,
    /// Largest accepted photo, bytes.
    pub max_photo_bytes: usize,
}

impl std::fmt::Debug for ObjectStoreSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectStoreSettings")
            .field("store", &self.store)
            .field("local_dir", &self.local_dir)
            .field("s3_bucket", &self.s3_bucket)
            .field("s3_endpoint", &self.s3_endpoint)
            .field("s3_region", &self.s3_region)
            .field("s3_access_key_id", &self.s3_access_key_id)
            .field("s3_secret_access_key", &"***")
            .field("s3_virtual_hosted_style", &self.s3_virtual_hosted_style)
            .field("public_prefix", &self.public_prefix)
            .field("max_photo_bytes", &self.max_photo_bytes)
            .finish()
    }
}

/// The ID-card OCR provider (`[ocr]`): Alibaba Cloud market 身份证识别, or the sandbox.
#[derive(Clone, Deserialize)]
pub struct OcrSettings {
    /// The full URL requests are posted to.
    pub endpoint: String,
    /// The market AppCode; never printed.
    pub appcode: String,
    /// Per-call timeout, milliseconds.
    pub timeout_ms: u64,
}

impl std::fmt::Debug for OcrSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcrSettings")
            .field("endpoint", &self.endpoint)
            .field("appcode", &"***")
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

/// The sections every component reads. Components deserialise their own sections beside these.
#[derive(Clone, Debug, Deserialize)]
pub struct Platform {
    pub telemetry: TelemetrySettings,
    pub cache: CacheSettings,
    pub tokens: TokenSettings,
    pub callers: CallerSettings,
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

    #[derive(Deserialize)]
    struct WithObjectsAndOcr {
        objects: ObjectStoreSettings,
        ocr: OcrSettings,
        gateway: UploadCap,
    }

    #[derive(Deserialize)]
    struct UploadCap {
        upload_limit_bytes: usize,
    }

    #[test]
    fn objects_and_ocr_default_to_the_local_store_and_the_sandbox() {
        let loaded: WithObjectsAndOcr = load_layers(None, &[]).expect("defaults load");
        assert_eq!(loaded.objects.store, ObjectStoreKind::Local);
        assert_eq!(loaded.objects.public_prefix, "wjdh-platform");
        assert_eq!(loaded.objects.max_photo_bytes, 2 * 1024 * 1024);
        assert_eq!(loaded.ocr.endpoint, "http://127.0.0.1:8090/ocr/idcard");
        assert_eq!(loaded.ocr.timeout_ms, 8000);
        // A base64 image is a third larger than the photo, and travels in one body.
        assert!(loaded.gateway.upload_limit_bytes > loaded.objects.max_photo_bytes / 3 * 4 + 1024);
        assert!(!format!("{:?}", loaded.ocr).contains("sandbox-appcode"));
    }

    #[test]
    fn an_unknown_store_is_refused_and_secrets_are_hidden() {
        let refused =
            load_layers::<WithObjectsAndOcr>(None, &[("objects.store", "ftp".to_owned())]);
        assert!(refused.is_err());
        let loaded: WithObjectsAndOcr = load_layers(
            None,
            &[
                ("objects.store", "s3".to_owned()),
                ("objects.s3_secret_access_key", "very-secret".to_owned()),
            ],
        )
        .expect("s3 loads");
        assert_eq!(loaded.objects.store, ObjectStoreKind::S3);
        assert!(!format!("{:?}", loaded.objects).contains("very-secret"));
    }
}
