//! svc-auth's rules: code types and lifetimes, registration states, WeChat's encrypted phone data,
//! the platform credentials' lockout.
pub mod codes;
pub mod lockout;
pub mod permissions;
pub mod secrets;
pub mod wechat_data;
