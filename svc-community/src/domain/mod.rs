//! Validated input and the rules of each area.
pub mod fields;
pub mod modules;
pub mod repair;
