//! svc-orders's settings: its `[orders]` section, where the other services are, WeChat Pay and
//! the security platform.
use kit::settings::{
    Endpoints, SecplatSettings, ServiceSettings, TelemetrySettings, WxPaySettings,
};

#[derive(Clone, Debug, serde::Deserialize)]
pub struct Settings {
    pub telemetry: TelemetrySettings,
    pub endpoints: Endpoints,
    pub secplat: SecplatSettings,
    pub wxpay: WxPaySettings,
    pub orders: ServiceSettings,
}
