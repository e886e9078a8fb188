//! svc-orders's settings: its `[orders]` section, where the other services are, WeChat Pay and
//! the security platform.
use kit::settings::{Endpoints, ServiceSettings, TelemetrySettings};
use secplat::SecplatSettings;
use wxpay::WxPaySettings;

#[derive(Clone, Debug, serde::Deserialize)]
pub struct Settings {
    pub telemetry: TelemetrySettings,
    pub endpoints: Endpoints,
    pub callers: kit::settings::CallerSettings,
    pub secplat: SecplatSettings,
    pub wxpay: WxPaySettings,
    pub alipay: alipay::AlipaySettings,
    pub orders: ServiceSettings,
    #[serde(default)]
    pub reconciliation: ReconciliationSettings,
    pub rental: ViewingSettings,
}

/// The part of `[rental]` svc-orders reads: the viewing fee (看房信息费).
#[derive(Clone, Debug, serde::Deserialize)]
pub struct ViewingSettings {
    /// What a viewing request costs, fen (at least 1).
    pub viewing_fee_fen: i64,
    /// How long a paid fee is held for the landlord to confirm, hours (fractions allowed); then
    /// it goes back to the seeker.
    pub confirm_within_hours: f64,
    /// The part (0–1) of a landlord's confirmed viewing fee the user who invited them earns, on
    /// top, paid by the platform.
    pub invite_share: f64,
}

/// `[reconciliation]`: how WeChat Pay orders still open on our side are looked after.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct ReconciliationSettings {
    /// Milliseconds between two passes; 0 turns reconciliation off.
    pub interval_ms: u64,
    /// A payment unchanged this many seconds is queried (its notification may be lost).
    pub after_seconds: i64,
    /// A placed, unpaid payment is closed this many seconds after it was placed (WeChat's
    /// prepay_id lives 2 hours), freeing its orders.
    pub expire_after_seconds: i64,
}

impl Default for ReconciliationSettings {
    fn default() -> Self {
        Self {
            interval_ms: 30_000,
            after_seconds: 60,
            expire_after_seconds: 7200,
        }
    }
}
