//! The production topology, proven locally: every component runs as its own process from the
//! binaries cargo built (as the Deployments run them), configured only through `WJDH__…`
//! variables, over PostgreSQL (a fresh database per service) and Redis (a fresh key prefix),
//! databases migrated first by each binary's `migrate` (the initContainers), two gateway replicas.
//!
//! Skipped unless `WJDH_TEST_POSTGRES_URL` and `WJDH_TEST_REDIS_URL` are set. The binaries are
//! looked up beside this test's own directory (`target/<profile>/`); build them first with
//! `cargo build --workspace --bins` (`.ci/run` does).
#![allow(clippy::unwrap_used)]

mod abuse;
mod harness;
mod payments;
mod shutdown;
mod topology;
mod tracing;
mod viewings;
