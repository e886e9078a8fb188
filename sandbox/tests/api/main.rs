//! The sandbox over real HTTP, one sandbox per test.

mod alipay_client;
mod health;
mod helpers;
mod ocr;
mod secplat;
mod secplat_client;
mod sms;
mod wechat;
mod wxpay_client;
