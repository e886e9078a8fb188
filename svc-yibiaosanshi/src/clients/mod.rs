//! The parties svc-yibiaosanshi calls: svc-auth over gRPC (the security platform's client is
//! the `secplat` crate, `clients/secplat`).
pub mod auth;
