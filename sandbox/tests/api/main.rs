//! The sandbox over real HTTP, one sandbox per test.

mod health;
mod helpers;
mod sms;
mod wechat;
