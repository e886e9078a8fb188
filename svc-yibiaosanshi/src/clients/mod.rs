//! The parties svc-yibiaosanshi calls: svc-auth over gRPC (the security platform's client is
//! `kit::secplat`).
pub mod auth;
