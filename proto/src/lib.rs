//! The gRPC contracts between the gateway and the services, generated from `protos/`.

/// Who calls a service (a resident or a platform credential), shared by every service.
pub mod caller {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    tonic::include_proto!("wjdh.caller.v1");
}

/// svc-auth: sign-in, tokens, permissions, platform credentials.
pub mod auth {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    tonic::include_proto!("wjdh.auth.v1");
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

/// svc-orders: orders, bills, WeChat Pay.
pub mod orders {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    tonic::include_proto!("wjdh.orders.v1");
    pub use crate::caller::{PlatformRef, ResidentRef};
}
