//! The rules of each area: the modules and the repair workflow.
pub mod modules;
pub mod repair;
