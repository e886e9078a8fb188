//! svc-community's module switches (001 §3): 绑定房屋 / 绑定家属 off refuse registrations.
use kit::error::{ServiceError, ServiceResult};
use proto::community::ModuleEnabledRequest;
use proto::community::community_client::CommunityClient;
use tonic::transport::Channel;

/// Asks svc-community whether a module is on.
#[derive(Clone)]
pub struct ModuleSwitches {
    client: CommunityClient<Channel>,
}

impl ModuleSwitches {
    pub fn new(channel: Channel) -> Self {
        Self {
            client: CommunityClient::new(channel),
        }
    }

    /// Ok when `module` is on in `community`; the switch's own sentence when it is off. When
    /// svc-community cannot be asked, the registration goes on (the switch is a feature gate,
    /// not a safety check) and the failure is logged.
    pub async fn require(&self, community: &str, module: &str) -> ServiceResult<()> {
        let request = kit::grpc::request(
            ModuleEnabledRequest {
                community_identifier: community.to_owned(),
                module_name: module.to_owned(),
            },
            "",
        );
        match self.client.clone().module_enabled(request).await {
            Ok(reply) => {
                let reply = reply.into_inner();
                if reply.enabled {
                    Ok(())
                } else {
                    Err(ServiceError::forbidden(
                        reply.msg,
                        format!("module {module} is off in community {community}"),
                    ))
                }
            }
            Err(status) => {
                tracing::warn!(code = ?status.code(), module, "module switch unknown, registration allowed");
                Ok(())
            }
        }
    }
}
