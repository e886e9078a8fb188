//! The gateway over real HTTP, in front of a scripted svc-auth (gRPC on loopback).
mod audiences;
mod fake_auth;
mod helpers;
mod login;
mod operations;
