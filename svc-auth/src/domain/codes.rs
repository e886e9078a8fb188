//! Verification codes (000 §1.1): the four types, their lifetimes and what is stored.
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What a code is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeType {
    Register,
    Login,
    Verify,
    /// Sent to a house owner's phone so an applicant can prove the owner agrees (30 minutes).
    Yezhu,
}

impl CodeType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Login => "login",
            Self::Verify => "verify",
            Self::Yezhu => "yezhu",
        }
    }

    /// How long a code of this type stays good.
    pub fn lifetime(self) -> Duration {
        match self {
            Self::Yezhu => Duration::from_secs(30 * 60),
            _ => Duration::from_secs(5 * 60),
        }
    }

    /// Whether a code of this type proves the phone for register-and-login (000 §1.2.2).
    pub fn signs_in(self) -> bool {
        !matches!(self, Self::Yezhu)
    }
}

/// What the cache holds for an issued code: never the code itself, only its keyed hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedCode {
    pub phone: String,
    pub code_type: CodeType,
    pub code_hash: String,
    /// The applicant a `yezhu` code was asked for (0 otherwise).
    pub user_id: i64,
}

/// The number of digits in a code.
pub const CODE_DIGITS: usize = 6;

/// Prefix of the key handed to the client (the seed's `verificationCode_qaFUTv8034G29I5`).
pub const KEY_PREFIX: &str = "verificationCode_";

/// The code as typed: the seed makes it an integer, so "012345" may arrive as `12345`.
pub fn normalize_code(code: &str) -> String {
    if code.len() < CODE_DIGITS && code.chars().all(|c| c.is_ascii_digit()) {
        format!("{code:0>CODE_DIGITS$}")
    } else {
        code.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_that_lost_its_leading_zeros_as_a_number_gets_them_back() {
        assert_eq!(normalize_code("12345"), "012345");
        assert_eq!(normalize_code("7"), "000007");
        assert_eq!(normalize_code("123456"), "123456");
        assert_eq!(normalize_code("12a"), "12a");
    }

    #[test]
    fn yezhu_codes_live_thirty_minutes_the_others_five() {
        assert_eq!(CodeType::Yezhu.lifetime(), Duration::from_secs(1800));
        assert_eq!(CodeType::Login.lifetime(), Duration::from_secs(300));
        assert!(!CodeType::Yezhu.signs_in());
    }
}
