//! svc-yibiaosanshi as the other services ask it: community names, whom an order is for, a
//! resident's houses, the module switches it keeps.
use kit::caller::CallerChannel;
use kit::error::{ServiceError, ServiceResult};

use crate::yibiaosanshi::addresses_client::AddressesClient;
use crate::yibiaosanshi::registration_client::RegistrationClient;
use crate::yibiaosanshi::{
    FindPayerReply, FindPayerRequest, ListCommunitiesRequest, ModuleSwitch, ModuleSwitchesRequest,
    ResidentHouse, ResidentHousesRequest,
};

fn failed(status: tonic::Status) -> ServiceError {
    ServiceError::from_status(&status)
}

/// The client (its channel connects on first use).
#[derive(Clone, Debug)]
pub struct Registry {
    registration: RegistrationClient<CallerChannel>,
    addresses: AddressesClient<CallerChannel>,
}

impl Registry {
    pub fn new(channel: CallerChannel) -> Self {
        Self {
            registration: RegistrationClient::new(channel.clone()),
            addresses: AddressesClient::new(channel),
        }
    }

    /// The name of a community (晨曦家园), if the address tree has it.
    pub async fn community_name(&self, identifier: &str) -> ServiceResult<Option<String>> {
        let reply = self
            .addresses
            .clone()
            .list_communities(ListCommunitiesRequest {})
            .await
            .map_err(failed)?
            .into_inner();
        Ok(reply
            .communities
            .into_iter()
            .find(|c| c.community_identifier == identifier)
            .map(|c| c.community_name))
    }

    /// The house or person an order is for, within the request's community.
    pub async fn find_payer(&self, request: FindPayerRequest) -> ServiceResult<FindPayerReply> {
        Ok(self
            .registration
            .clone()
            .find_payer(request)
            .await
            .map_err(failed)?
            .into_inner())
    }

    /// The resident's activated bindings.
    pub async fn houses(&self, user_id: i64) -> ServiceResult<Vec<ResidentHouse>> {
        let reply = self
            .registration
            .clone()
            .resident_houses(ResidentHousesRequest { user_id })
            .await
            .map_err(failed)?
            .into_inner();
        Ok(reply.houses.into_iter().filter(|h| h.activated).collect())
    }

    /// Tells the registry the switches that gate registrations (绑定房屋, 绑定家属): it keeps
    /// them, so it never has to ask the service that owns them.
    pub async fn tell_switches(&self, switches: Vec<ModuleSwitch>) -> ServiceResult<()> {
        if switches.is_empty() {
            return Ok(());
        }
        self.registration
            .clone()
            .set_module_switches(ModuleSwitchesRequest { switches })
            .await
            .map_err(failed)?;
        Ok(())
    }
}
