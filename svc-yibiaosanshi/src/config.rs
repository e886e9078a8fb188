//! svc-yibiaosanshi's settings: its own `[yibiaosanshi]` section, where svc-auth is, and the
//! security platform.
use kit::settings::{Endpoints, ServiceSettings, TelemetrySettings};
use secplat::SecplatSettings;

#[derive(Clone, Debug, serde::Deserialize)]
pub struct Settings {
    pub telemetry: TelemetrySettings,
    pub endpoints: Endpoints,
    pub callers: kit::settings::CallerSettings,
    pub secplat: SecplatSettings,
    pub yibiaosanshi: ServiceSettings,
    /// Where face photos are kept (a local directory or an S3-compatible bucket).
    pub objects: kit::settings::ObjectStoreSettings,
    /// The ID-card OCR provider.
    pub ocr: kit::settings::OcrSettings,
}
