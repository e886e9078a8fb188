//! svc-auth's rules: code types and lifetimes, registration states, WeChat's encrypted phone data,
//! the platform credentials' lockout, the access and refresh tokens.
pub mod codes;
pub mod lockout;
pub mod notices;
pub mod permissions;
pub mod secrets;
pub mod tokens;
pub mod wechat_data;
