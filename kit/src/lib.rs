//! What every 万家灯火 component shares.
pub mod cache;
pub mod caller;
pub mod db;
pub mod error;
pub mod grpc;
pub mod guard;
pub mod metrics;
pub mod money;
pub mod outbound;
pub mod paging;
pub mod scope;
pub mod secret;
pub mod service;
pub mod settings;
pub mod telemetry;
pub mod time;
pub mod types;
