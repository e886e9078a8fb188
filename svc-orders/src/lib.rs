//! svc-orders: orders (001 §2.1), the resident's orders (000 §4.1), WeChat Pay and payment
//! results to the security platform.
pub mod actions;
pub mod clients;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod startup;
