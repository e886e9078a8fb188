//! End-to-end: the whole stack started in-process on free ports, driven over HTTP.
//!
//! SQLite files and the in-process cache by default; PostgreSQL (a fresh database per service and
//! test) when `WJDH_TEST_POSTGRES_URL` is set, Redis (a fresh key prefix) when
//! `WJDH_TEST_REDIS_URL` is set.
#![allow(clippy::unwrap_used)]

mod addresses;
mod alipay_users;
mod authorization;
mod billing;
mod community;
mod gateway_ops;
mod helpers;
mod login;
mod migrations;
mod orders;
mod photos;
mod platform;
mod privacy;
mod refresh;
mod registration;
mod rental;
mod sandbox_setup;
mod security_abuse;
mod security_tenant;
mod subscriptions;
mod trusted_callers;
mod vehicles;
mod verification_codes;
mod viewings;
