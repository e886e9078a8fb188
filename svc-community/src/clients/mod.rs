//! Clients of the other services.
pub mod yibiaosanshi;
