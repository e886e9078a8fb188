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
    pub notices: NoticeSettings,
}

/// `[auth.notices]`: subscribe messages (订阅消息), one template per event.
#[derive(Clone, Debug, Deserialize)]
pub struct NoticeSettings {
    /// Which mini-program a message opens: `developer`, `trial` or `formal`.
    pub miniprogram_state: String,
    /// `zh_CN`, `en_US`, `zh_HK` or `zh_TW`.
    pub lang: String,
    pub review: TemplateSettings,
    pub order: TemplateSettings,
    pub paid: TemplateSettings,
    pub repair: TemplateSettings,
    pub complaint: TemplateSettings,
    pub viewing: TemplateSettings,
    pub announcement: TemplateSettings,
}

impl NoticeSettings {
    /// The template of an event kind.
    pub fn template(&self, kind: kit::outbox::NoticeKind) -> &TemplateSettings {
        use kit::outbox::NoticeKind as Kind;
        match kind {
            Kind::Review => &self.review,
            Kind::Order => &self.order,
            Kind::Paid => &self.paid,
            Kind::Repair => &self.repair,
            Kind::Complaint => &self.complaint,
            Kind::Viewing => &self.viewing,
            Kind::Announcement => &self.announcement,
        }
    }
}

/// One event's template: its id (the mini-program's), the page a message opens and which value
/// of the event fills each of the template's keys (`thing1 = "title"`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TemplateSettings {
    /// Empty: residents are not told of this event.
    #[serde(default)]
    pub template_id: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, String>,
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
