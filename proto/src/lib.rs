//! The gRPC contracts between the gateway and the services, generated from `protos/`.

/// svc-auth: sign-in, tokens, permissions, platform credentials.
pub mod auth {
    #![allow(clippy::all, clippy::pedantic, missing_docs)]
    tonic::include_proto!("wjdh.auth.v1");
}
