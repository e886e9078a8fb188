//! The parties svc-yibiaosanshi calls: svc-auth over gRPC, the ID-card OCR provider and the
//! object store holding photos (the security platform's client is the `secplat` crate,
//! `clients/secplat`).
pub mod auth;
pub mod ocr;
pub mod photo_store;
