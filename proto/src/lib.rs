//! The gRPC contracts between the gateway and the services, generated from `protos/`.

/// Who calls a service (a resident or a platform credential), shared by every service, and the
/// one check of what a request body names against the caller's verified assertion.
pub mod caller {
    mod generated {
        #![allow(clippy::all, clippy::pedantic, missing_docs)]
        tonic::include_proto!("wjdh.caller.v1");
    }
    pub use generated::*;

    use kit::caller::{Acting, BodyRefs, Caller};

    /// The resident and platform credential a message names (generated for every message by
    /// `build.rs`: a message without such a field names nobody).
    pub trait CallerRefs {
        fn resident_ref(&self) -> Option<&ResidentRef> {
            None
        }

        fn platform_ref(&self) -> Option<&PlatformRef> {
            None
        }

        /// Whom a caller sending this message acts for (what the gateway asserts).
        fn acting(&self) -> Option<Acting> {
            if let Some(resident) = self.resident_ref() {
                return Some(Acting::Resident(resident.user_id));
            }
            self.platform_ref().map(|platform| Acting::Platform {
                credential_id: platform.credential_id,
                communities: platform.communities.clone(),
            })
        }
    }

    include!(concat!(env!("OUT_DIR"), "/caller_refs.rs"));

    /// The message of an incoming request, once what it names as its caller agrees with the
    /// verified assertion (`kit::caller::check_body`): what every handler starts with.
    pub fn checked<T: CallerRefs>(request: tonic::Request<T>) -> Result<T, tonic::Status> {
        let message = request.get_ref();
        kit::caller::check_body(
            request.extensions().get::<Caller>(),
            BodyRefs {
                resident: message.resident_ref().map(|r| r.user_id),
                platform: message
                    .platform_ref()
                    .map(|p| (p.credential_id, p.communities.as_slice())),
            },
        )?;
        Ok(request.into_inner())
    }

    /// The message of a request only another service may send, never the gateway (what it
    /// answers is not for residents or credentials to ask directly).
    pub fn from_service<T: CallerRefs>(request: tonic::Request<T>) -> Result<T, tonic::Status> {
        let internal = request
            .extensions()
            .get::<Caller>()
            .is_some_and(|caller| caller.component != kit::caller::GATEWAY);
        if !internal {
            return Err(tonic::Status::permission_denied(
                "only another service may ask this",
            ));
        }
        checked(request)
    }

    /// An outgoing request (from the gateway) that acts for whom its message names: the client
    /// layer signs the assertion for that resident or credential.
    pub fn acting_for<T: CallerRefs>(mut request: tonic::Request<T>) -> tonic::Request<T> {
        if let Some(acting) = request.get_ref().acting() {
            request.extensions_mut().insert(acting);
        }
        request
    }
}

/// svc-auth: sign-in, tokens, permissions, platform credentials.
pub mod auth {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    tonic::include_proto!("wjdh.auth.v1");
    pub use crate::caller::ResidentRef;
}

/// svc-yibiaosanshi: the address tree, people, bindings, reviews, photos, cars and parking spots.
pub mod yibiaosanshi {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    tonic::include_proto!("wjdh.yibiaosanshi.v1");
    pub use crate::caller::{PlatformRef, ResidentRef};
}

/// svc-community: module switches, repairs, announcements, complaints, emergency numbers, visitors.
pub mod community {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    tonic::include_proto!("wjdh.community.v1");
    pub use crate::caller::{PlatformRef, ResidentRef};
}

/// svc-community's rental marketplace (seed 004): profiles, listings, search, invitations.
pub mod rental {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    tonic::include_proto!("wjdh.rental.v1");
    pub use crate::caller::{PlatformRef, ResidentRef};
}

/// svc-orders's viewing requests of the rental marketplace (seed 004 看房申请).
pub mod viewings {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    tonic::include_proto!("wjdh.viewings.v1");
    pub use crate::caller::{PlatformRef, ResidentRef};
}

/// svc-orders: orders, bills, WeChat Pay.
pub mod orders {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    tonic::include_proto!("wjdh.orders.v1");
    pub use crate::caller::{PlatformRef, ResidentRef};
}

/// A viewing fee's `wx.requestPayment` parameters are a property fee's: one shape for the
/// mini-program (000 §4.2.1).
impl From<viewings::WechatPayParams> for orders::PayReply {
    fn from(p: viewings::WechatPayParams) -> Self {
        Self {
            app_id: p.app_id,
            time_stamp: p.time_stamp,
            nonce_str: p.nonce_str,
            package: p.package,
            sign_type: p.sign_type,
            pay_sign: p.pay_sign,
        }
    }
}

/// The services' clients of one another: one per service called, shared by every caller, each
/// call answering a `ServiceError` (through the client layer of [`kit::caller::CallerChannel`]:
/// trace context, request id, caller assertion, the endpoint's timeout).
pub mod clients;
