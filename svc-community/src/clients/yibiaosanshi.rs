//! svc-yibiaosanshi (through the shared [`proto::clients::Registry`]): which houses a resident
//! is bound to.
use kit::error::{ServiceError, ServiceResult};
pub use proto::clients::Registry as Registrations;
use proto::yibiaosanshi::ResidentHouse;

/// A resident's activated bindings.
#[derive(Clone, Debug, Default)]
pub struct Houses(pub Vec<ResidentHouse>);

impl Houses {
    /// The binding of house `id`, or 403.
    pub fn house(&self, id: i64) -> ServiceResult<&ResidentHouse> {
        self.0.iter().find(|h| h.house_id == id).ok_or_else(|| {
            ServiceError::forbidden(
                "您没有绑定该房屋",
                "house_id is not one of the caller's bindings",
            )
        })
    }

    /// Checks the resident is bound to a house of `community`, or 403.
    pub fn community(&self, community: &str) -> ServiceResult<()> {
        if self.0.iter().any(|h| h.community_identifier == community) {
            Ok(())
        } else {
            Err(ServiceError::forbidden(
                "您没有绑定该小区的房屋",
                "the caller has no binding in this community",
            ))
        }
    }
}
