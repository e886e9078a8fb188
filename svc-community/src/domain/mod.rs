//! The rules of each area: the modules, the repair workflow, the photo keys and
//! the rental marketplace.
pub mod modules;
pub mod photo_key;
pub mod rental;
pub mod rental_key;
pub mod repair;
