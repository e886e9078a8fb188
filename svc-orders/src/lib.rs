//! svc-orders: orders, bills, WeChat Pay, payment results.
//!
//! Its capabilities arrive with their own issues; until then it owns its migrated database and
//! answers gRPC health.
pub mod db;
pub mod startup;
