//! svc-yibiaosanshi over gRPC and its importer, each test on a fresh database: a SQLite file by
//! default, a new PostgreSQL database when `WJDH_TEST_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used)]

mod addresses;
mod helpers;
mod import;
#[path = "../../../kit/tests/support/plans.rs"]
mod plans;
mod platform;
mod records;
mod registration;
