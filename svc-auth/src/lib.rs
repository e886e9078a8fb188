//! svc-auth: residents' sign-in (WeChat, SMS codes, tokens, permissions) and the security
//! platform's credentials.
pub mod actions;
pub mod clients;
pub mod config;
pub mod db;
pub mod domain;
pub mod grpc;
pub mod startup;
