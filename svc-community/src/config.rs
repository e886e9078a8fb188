//! svc-community's settings: its `[community]` section, where svc-yibiaosanshi is, the security
//! platform (module sync), the object store (photos), how often the switches are synced and the
//! rental marketplace's limits.
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
    pub rental: RentalSettings,
}

/// `[rental]`: the rental marketplace's limits.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct RentalSettings {
    /// The largest listing video (MP4), bytes.
    pub max_video_bytes: usize,
    pub max_photos_per_listing: i64,
    pub max_videos_per_listing: i64,
    /// Seconds between two checks that listings' landlords still hold their houses (0: never).
    pub holding_check_seconds: u64,
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
