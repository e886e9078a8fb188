//! svc-yibiaosanshi: whom an order is for, community names, a resident's houses.
//! Every call goes through the client layer (trace context, request id, caller assertion).
use kit::caller::CallerChannel;
use kit::error::{ServiceError, ServiceResult};
use proto::yibiaosanshi::addresses_client::AddressesClient;
use proto::yibiaosanshi::registration_client::RegistrationClient;
use proto::yibiaosanshi::{
    FindPayerReply, FindPayerRequest, ListCommunitiesRequest, ResidentHouse, ResidentHousesRequest,
};

/// The client (its channel connects on first use, every call bounded by the endpoint timeout).
#[derive(Clone, Debug)]
pub struct Yibiaosanshi(
    RegistrationClient<CallerChannel>,
    AddressesClient<CallerChannel>,
);

impl Yibiaosanshi {
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

    /// The house or person an order is for.
    pub async fn find_payer(&self, request: FindPayerRequest) -> ServiceResult<FindPayerReply> {
        Ok(self
            .0
            .clone()
            .find_payer(request)
            .await
            .map_err(|status| ServiceError::from_status(&status))?
            .into_inner())
    }

    /// The resident's activated bindings where they hold the payment right.
    pub async fn paying_houses(&self, user_id: i64) -> ServiceResult<Vec<ResidentHouse>> {
        let reply = self
            .0
            .clone()
            .resident_houses(ResidentHousesRequest { user_id })
            .await
            .map_err(|status| ServiceError::from_status(&status))?
            .into_inner();
        Ok(reply
            .houses
            .into_iter()
            .filter(|h| h.activated && h.pay)
            .collect())
    }
}

/// svc-auth: a user's WeChat openid.
#[derive(Clone, Debug)]
pub struct Auth(proto::auth::auth_client::AuthClient<CallerChannel>);

impl Auth {
    pub fn new(channel: CallerChannel) -> Self {
        Self(proto::auth::auth_client::AuthClient::new(channel))
    }

    /// The openid the user's payments are placed for; `None` when they have none.
    pub async fn openid(&self, user_id: i64) -> ServiceResult<Option<String>> {
        let reply = self
            .0
            .clone()
            .user_profile(proto::auth::UserProfileRequest {
                user_id,
                phone: String::new(),
            })
            .await
            .map_err(|status| ServiceError::from_status(&status))?
            .into_inner();
        Ok((!reply.openid.is_empty()).then_some(reply.openid))
    }
}

/// svc-community: whether a module (生活缴费) is on.
#[derive(Clone, Debug)]
pub struct Community(proto::community::community_client::CommunityClient<CallerChannel>);

impl Community {
    pub fn new(channel: CallerChannel) -> Self {
        Self(proto::community::community_client::CommunityClient::new(
            channel,
        ))
    }

    /// `Err` with the module's own sentence when it is off in `community`.
    pub async fn require_module(&self, community: &str, module: &str) -> ServiceResult<()> {
        let reply = self
            .0
            .clone()
            .module_enabled(proto::community::ModuleEnabledRequest {
                community_identifier: community.to_owned(),
                module_name: module.to_owned(),
            })
            .await
            .map_err(|status| ServiceError::from_status(&status))?
            .into_inner();
        if reply.enabled {
            Ok(())
        } else {
            Err(ServiceError::forbidden(
                reply.msg,
                format!("module {module} is off in {community}"),
            ))
        }
    }
}
