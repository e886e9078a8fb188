//! The outside world simulated over real HTTP: WeChat login and phone numbers, Alibaba Cloud SMS.

pub use kit::aliyun;
pub mod config;
mod health;
mod params;
mod redact;
mod sms;
pub mod startup;
mod state;
mod wechat;

pub use config::SandboxSettings;
pub use startup::Sandbox;
