//! What svc-auth does, one function per capability; the gRPC layer only converts.
pub mod admin;
pub mod codes;
pub mod hashing;
pub mod login;
pub mod notices;
pub mod platform;
pub mod tokens;

use crate::domain::tokens::TokenKeys;
use kit::cache::SharedCache;
use kit::db::Database;

use crate::clients::sms::SmsClient;
use crate::clients::wechat::WechatClient;
use crate::config::AuthSettings;
use crate::domain::notices::Templates;
use hashing::Hashing;

/// Everything the actions need.
pub struct State {
    pub db: Database,
    pub cache: SharedCache,
    pub tokens: TokenKeys,
    pub wechat: WechatClient,
    pub sms: SmsClient,
    /// Secret verifications, a few at a time.
    pub hashing: Hashing,
    /// Each event's subscribe-message template.
    pub templates: Templates,
    pub settings: AuthSettings,
}
