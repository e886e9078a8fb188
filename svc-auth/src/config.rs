//! svc-auth's settings: its own `[auth]` section beside the shared ones.
use kit::settings::{CacheSettings, TelemetrySettings, TokenSettings};
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
pub struct Settings {
    pub telemetry: TelemetrySettings,
    pub cache: CacheSettings,
    pub tokens: TokenSettings,
    pub callers: kit::settings::CallerSettings,
    pub auth: AuthSettings,
}

#[derive(Clone, Debug, Deserialize)]
pub struct AuthSettings {
    pub listen: String,
    pub database_url: String,
    pub pool_size: u32,
    /// Where Prometheus text is served (`GET /metrics`); empty = nowhere.
    #[serde(default)]
    pub metrics_listen: String,
    /// After SIGTERM, how long the service keeps answering while reporting NOT_SERVING.
    #[serde(default)]
    pub shutdown_delay_ms: u64,
    /// Key for hashing verification codes and session handles.
    pub code_secret: String,
    pub sms_per_phone_per_day: i64,
    pub sms_per_ip_per_hour: i64,
    pub code_max_attempts: i64,
    /// Argon2 secret verifications allowed at once (each holds ~19 MiB).
    pub hash_concurrency: usize,
    /// How long a verification may wait for its turn before it is refused with 429, ms.
    pub hash_wait_ms: u64,
    /// Wrong platform secrets allowed per (secret_id, client IP) before a lock.
    pub platform_max_failures: i64,
    /// The first lock of a (secret_id, client IP), seconds; each further lock doubles it.
    pub platform_lock_seconds: u64,
    /// The longest lock, seconds.
    pub platform_lock_max_seconds: u64,
    pub wechat: WechatSettings,
    pub sms: SmsSettings,
}

#[derive(Clone, Debug, Deserialize)]
pub struct WechatSettings {
    /// `https://api.weixin.qq.com` in production.
    pub base_url: String,
    pub appid: String,
    pub secret: String,
    pub timeout_ms: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SmsSettings {
    /// Alibaba Cloud SMS endpoint, `https://dysmsapi.aliyuncs.com/` in production.
    pub endpoint: String,
    pub access_key_id: String,
    pub access_key_secret: String,
    pub sign_name: String,
    pub template_code: String,
    pub region_id: String,
    pub timeout_ms: u64,
}
