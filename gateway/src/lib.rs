//! 万家灯火 gateway: the documented HTTP API in front of the gRPC services.
pub mod auth;
pub mod callers;
pub mod config;
pub mod envelope;
pub mod input;
pub mod kept_pages;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod params;
pub mod routes;
pub mod startup;
pub mod state;
