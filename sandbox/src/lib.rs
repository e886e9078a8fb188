//! The outside world simulated over real HTTP: WeChat login and phone numbers, Alibaba Cloud SMS,
//! the security platform (安防平台), ID-card OCR, WeChat Pay, Alipay.

pub use aliyun;
mod alipay;
pub mod config;
mod health;
mod notify;
mod ocr;
mod params;
mod secplat;
mod sms;
pub mod startup;
mod state;
mod wechat;
mod wxpay;

pub use crate::alipay::{ACCOUNTS, OPENING_BALANCE_FEN, zhima_score};
pub use config::SandboxSettings;
pub use startup::Sandbox;
