//! Outside parties svc-auth calls over HTTP: WeChat and Alibaba Cloud SMS. Every call has a timeout.
pub mod sms;
pub mod wechat;
