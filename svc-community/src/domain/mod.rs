//! The rules of each area: the modules, the repair workflow and the photo keys.
pub mod modules;
pub mod photo_key;
pub mod repair;
