//! svc-yibiaosanshi: which houses a resident is bound to.
use kit::caller::CallerChannel;
use kit::error::{ServiceError, ServiceResult};
use proto::yibiaosanshi::addresses_client::AddressesClient;
use proto::yibiaosanshi::registration_client::RegistrationClient;
use proto::yibiaosanshi::{
    ListCommunitiesRequest, ModuleSwitch, ModuleSwitchesRequest, ResidentHouse,
    ResidentHousesRequest,
};

/// The client (its channel connects on first use).
#[derive(Clone, Debug)]
pub struct Registrations(
    RegistrationClient<CallerChannel>,
    AddressesClient<CallerChannel>,
);

impl Registrations {
    pub fn new(channel: CallerChannel) -> Self {
        Self(
            RegistrationClient::new(channel.clone()),
            AddressesClient::new(channel),
        )
    }

    /// The name of a community (晨曦家园), if the address tree has it.
    pub async fn community_name(&self, identifier: &str) -> ServiceResult<Option<String>> {
        let reply = self
            .1
            .clone()
            .list_communities(ListCommunitiesRequest {})
            .await
            .map_err(|status| ServiceError::from_status(&status))?
            .into_inner();
        Ok(reply
            .communities
            .into_iter()
            .find(|c| c.community_identifier == identifier)
            .map(|c| c.community_name))
    }

    /// Tells the registry the switches that gate registrations (绑定房屋, 绑定家属): it keeps
    /// them, so it never has to ask this service.
    pub async fn tell_switches(&self, switches: Vec<ModuleSwitch>) -> ServiceResult<()> {
        if switches.is_empty() {
            return Ok(());
        }
        self.0
            .clone()
            .set_module_switches(ModuleSwitchesRequest { switches })
            .await
            .map_err(|status| ServiceError::from_status(&status))?;
        Ok(())
    }

    /// The resident's activated bindings.
    pub async fn houses(&self, user_id: i64) -> ServiceResult<Houses> {
        let reply = self
            .0
            .clone()
            .resident_houses(ResidentHousesRequest { user_id })
            .await
            .map_err(|status| ServiceError::from_status(&status))?
            .into_inner();
        Ok(Houses(
            reply.houses.into_iter().filter(|h| h.activated).collect(),
        ))
    }
}

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
