//! svc-auth's rules: code types and lifetimes, registration states, WeChat's encrypted phone data.
pub mod codes;
pub mod permissions;
pub mod secrets;
pub mod wechat_data;
