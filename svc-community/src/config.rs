//! svc-community's settings: its `[community]` section, where svc-yibiaosanshi is, the security
//! platform (module sync), the object store (photos) and how often the switches are synced.
use kit::settings::{Endpoints, ObjectStoreSettings, ServiceSettings, TelemetrySettings};
use secplat::SecplatSettings;

#[derive(Clone, Debug, serde::Deserialize)]
pub struct Settings {
    pub telemetry: TelemetrySettings,
    pub endpoints: Endpoints,
    pub callers: kit::settings::CallerSettings,
    pub secplat: SecplatSettings,
    pub objects: ObjectStoreSettings,
    pub community: ServiceSettings,
    #[serde(default)]
    pub module_sync: ModuleSyncSettings,
}

/// `[module_sync]`: the schedule of 001 §3.1.1.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct ModuleSyncSettings {
    /// Seconds between two syncs of the switches from the security platform; 0 syncs only at
    /// start and on demand.
    pub interval_seconds: u64,
}

impl Default for ModuleSyncSettings {
    fn default() -> Self {
        Self {
            interval_seconds: 3600,
        }
    }
}
