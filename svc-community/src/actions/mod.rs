//! What each RPC does: check the caller's scope, run the rules, touch the
//! database. The gRPC layer only unpacks requests and converts answers.
pub mod announcements;
pub mod complaints;
pub mod extras;
pub mod modules;
pub mod photos;
pub mod rental;
pub mod repairs;

use kit::db::Database;
use kit::error::{ServiceError, ServiceResult};
use proto::community::{PlatformRef, ResidentRef};
use secplat::SecplatClient;

use crate::clients::yibiaosanshi::{Houses, Registrations};
use photos::Photos;

/// What every action needs.
#[derive(Clone)]
pub struct State {
    pub db: Database,
    pub registrations: Registrations,
    pub secplat: SecplatClient,
    pub photos: Photos,
    pub rental_files: rental::media::RentalFiles,
}

/// The resident of a request, or code 9 (the gateway always sends one).
pub fn resident(resident: Option<&ResidentRef>) -> ServiceResult<&ResidentRef> {
    resident
        .filter(|r| r.user_id > 0)
        .ok_or_else(|| ServiceError::unauthenticated("no resident in the request"))
}

/// The platform credential of a request.
pub fn platform(platform: Option<&PlatformRef>) -> ServiceResult<&PlatformRef> {
    platform.ok_or_else(|| ServiceError::unauthenticated("no platform credential in the request"))
}

/// Checks the credential manages `community`.
pub fn manages(platform: &PlatformRef, community: &str) -> ServiceResult<()> {
    kit::scope::require_managed(&platform.communities, community)
}

/// A record of a community the credential does not manage looks like none at all… but the
/// issue wants 403: the caller learns only that it is not theirs.
pub fn not_yours() -> ServiceError {
    ServiceError::forbidden("您没有权限查看该记录", "the record belongs to someone else")
}

impl State {
    /// The resident's activated bindings.
    pub async fn houses(&self, resident: &ResidentRef) -> ServiceResult<Houses> {
        self.registrations
            .houses(resident.user_id)
            .await
            .map(Houses)
    }

    /// Refuses with a clear `msg` when `module` is off in `community`.
    pub async fn require_module(&self, community: &str, module: &'static str) -> ServiceResult<()> {
        if modules::is_enabled(&self.db, community, module).await? {
            Ok(())
        } else {
            Err(ServiceError::forbidden(
                crate::domain::modules::closed_msg(module),
                format!("module {module} is off"),
            ))
        }
    }
}
