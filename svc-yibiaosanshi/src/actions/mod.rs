//! The rules: what svc-yibiaosanshi does for residents and for the security platform, one
//! function per capability, over the database (`db/`); the gRPC layer only converts.
pub mod addresses;
pub mod car_transfers;
pub mod photos;
pub mod registration;
pub mod vehicles;

use kit::cache::SharedCache;
use kit::db::Database;
use kit::error::{ServiceError, ServiceResult};
use kit::paging::Paging;
use secplat::SecplatClient;

use crate::clients::auth::AuthClient;

/// Everything the actions need.
pub struct State {
    pub db: Database,
    pub cache: SharedCache,
    pub auth: AuthClient,
    pub secplat: SecplatClient,
}

impl State {
    /// Whether `community` is in the address tree.
    pub async fn community_known(&self, community: &str) -> ServiceResult<bool> {
        let community = community.to_owned();
        Ok(self
            .db
            .run(move |conn| crate::db::addresses::community_exists(conn, &community))
            .await?)
    }
}

/// The signed-in resident, as svc-auth authenticated them.
#[derive(Clone, Debug)]
pub struct Resident {
    pub user_id: i64,
}

impl Resident {
    /// The resident of a request; a request without one was not authenticated.
    pub fn new(user_id: Option<i64>) -> ServiceResult<Self> {
        match user_id {
            Some(user_id) if user_id > 0 => Ok(Self { user_id }),
            _ => Err(ServiceError::unauthenticated(
                "the request carries no authenticated resident",
            )),
        }
    }
}

/// A security platform credential and the communities it manages.
#[derive(Clone, Debug)]
pub struct Platform {
    pub credential_id: i64,
    pub secret_id: String,
    pub communities: Vec<String>,
}

impl Platform {
    pub fn manages(&self, community_identifier: &str) -> bool {
        kit::scope::manages(&self.communities, community_identifier)
    }
}

/// The platform's refusal of a community it does not manage; `code` is the seed's message code
/// (Se104 for lists, Se160 for one review).
pub fn not_your_community(code: &str) -> ServiceError {
    kit::scope::not_managed(Some(code))
}

/// A page of rows and where it sits.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub paging: Paging,
}
