//! svc-community: a community's feature switches (001 §3), repairs (001 §4 and seed 003),
//! announcements (001 §5), complaints and suggestions (001 §6), emergency numbers and visitor
//! passes, and the photos residents attach.
pub mod actions;
pub mod clients;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod grpc;
pub mod startup;
