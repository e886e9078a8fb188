//! The parties svc-community calls: svc-yibiaosanshi, and the object store holding photos.
pub mod photo_store;
pub mod yibiaosanshi;
