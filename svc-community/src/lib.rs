//! svc-community: modules, repairs, announcements, complaints, rentals.
//!
//! Its capabilities arrive with their own issues; until then it owns its migrated database and
//! answers gRPC health.
pub mod db;
pub mod startup;
