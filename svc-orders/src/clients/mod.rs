//! The services svc-orders calls. Every call goes through the client layer (trace context,
//! request id, caller assertion, the endpoint's timeout).
use kit::caller::CallerChannel;
use kit::error::{ServiceError, ServiceResult};

/// svc-yibiaosanshi: whom an order is for, community names, a resident's houses.
pub use proto::clients::Registry as Yibiaosanshi;

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
                user: Some(proto::auth::user_profile_request::User::UserId(user_id)),
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

/// svc-community's rental marketplace: the listing a viewing request names.
#[derive(Clone, Debug)]
pub struct Rental(proto::rental::rental_client::RentalClient<CallerChannel>);

impl Rental {
    pub fn new(channel: CallerChannel) -> Self {
        Self(proto::rental::rental_client::RentalClient::new(channel))
    }

    /// The published listing `house_id` that `seeker` may ask to view (svc-community's refusal,
    /// naming `house_id`, when it is not published or is their own), and its landlord's inviter.
    pub async fn viewable(
        &self,
        seeker: proto::caller::ResidentRef,
        house_id: i64,
    ) -> ServiceResult<proto::rental::ViewableListing> {
        Ok(self
            .0
            .clone()
            .viewable(proto::rental::ListingRef {
                resident: Some(seeker),
                house_id,
            })
            .await
            .map_err(|status| ServiceError::from_status(&status))?
            .into_inner())
    }

    /// The payout account (`account_number`, `account_name`) of user `user_id`'s rental
    /// profile; empty texts when none was saved.
    pub async fn payout_account(&self, user_id: i64) -> ServiceResult<(String, String)> {
        let reply = self
            .0
            .clone()
            .payout_account(proto::rental::PayoutAccountRequest { user_id })
            .await
            .map_err(|status| ServiceError::from_status(&status))?
            .into_inner();
        Ok((reply.account_number, reply.account_name))
    }
}
