//! svc-yibiaosanshi: address hierarchy, people, bindings, reviews (一标三实).
//!
//! Its capabilities arrive with their own issues; until then it owns its migrated database and
//! answers gRPC health.
pub mod db;
pub mod startup;
