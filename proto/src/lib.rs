//! The gRPC contracts between the gateway and the services, generated from `protos/`.

/// svc-auth: sign-in, tokens, permissions, platform credentials.
pub mod auth {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    tonic::include_proto!("wjdh.auth.v1");
}

/// svc-yibiaosanshi: the address tree (people, bindings and reviews follow).
pub mod yibiaosanshi {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    tonic::include_proto!("wjdh.yibiaosanshi.v1");
}

/// svc-community: module switches, repairs, announcements, complaints, emergency numbers, visitors.
pub mod community {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    tonic::include_proto!("wjdh.community.v1");
}

/// svc-orders: orders, bills, WeChat Pay.
pub mod orders {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    tonic::include_proto!("wjdh.orders.v1");
}
