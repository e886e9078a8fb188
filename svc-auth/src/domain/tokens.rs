//! Access tokens (JWT, HS256) for residents and platform credentials.
//!
//! A token lives `access_ttl_seconds`. `oiat` keeps the time of the first issue in a chain, so a
//! refreshed token can itself be refreshed only within `refresh_window_seconds` of the first login.
//! Whether a token was already exchanged (rotation) is the cache's business, keyed by `jti`.
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use kit::settings::TokenSettings;
use kit::time::now_unix;

const ISSUER: &str = "wjdh";

/// Who a token stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    Resident,
    Platform,
}

/// The claims we sign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    /// The user id or the credential id.
    pub sub: String,
    pub kind: TokenKind,
    pub iat: i64,
    pub exp: i64,
    /// When the first token of this refresh chain was issued.
    pub oiat: i64,
    pub jti: String,
}

/// A freshly signed token.
#[derive(Clone, Debug)]
pub struct Issued {
    pub token: String,
    pub claims: Claims,
    pub expires_in: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is malformed or its signature does not verify")]
    Invalid,
    #[error("token has expired")]
    Expired,
    #[error("token is past its refresh window")]
    RefreshWindowPassed,
}

/// Signs and checks tokens with the configured secret.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    access_ttl: i64,
    refresh_window: i64,
}

impl TokenKeys {
    pub fn new(settings: &TokenSettings) -> Self {
        Self {
            encoding: EncodingKey::from_secret(settings.secret.as_bytes()),
            decoding: DecodingKey::from_secret(settings.secret.as_bytes()),
            access_ttl: settings.access_ttl_seconds,
            refresh_window: settings.refresh_window_seconds,
        }
    }

    /// How long a token lives, in seconds.
    pub fn access_ttl(&self) -> i64 {
        self.access_ttl
    }

    /// Signs a token; `chain_started` is the `oiat` of the token it replaces, if any.
    pub fn issue(
        &self,
        kind: TokenKind,
        subject: &str,
        chain_started: Option<i64>,
    ) -> Result<Issued, TokenError> {
        let now = now_unix();
        let claims = Claims {
            iss: ISSUER.to_owned(),
            sub: subject.to_owned(),
            kind,
            iat: now,
            exp: now + self.access_ttl,
            oiat: chain_started.unwrap_or(now),
            jti: uuid::Uuid::new_v4().simple().to_string(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|_| TokenError::Invalid)?;
        Ok(Issued {
            token,
            claims,
            expires_in: self.access_ttl,
        })
    }

    fn decode(&self, token: &str) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        validation.set_issuer(&[ISSUER]);
        validation.validate_exp = false;
        validation.leeway = 0;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|_| TokenError::Invalid)
    }

    /// A token good for a call now: signature, issuer and expiry.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let claims = self.decode(token)?;
        if claims.exp <= now_unix() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }

    /// A token good for a refresh: signature and issuer, expired or not, within the window.
    pub fn verify_for_refresh(&self, token: &str) -> Result<Claims, TokenError> {
        let claims = self.decode(token)?;
        if now_unix() > claims.oiat + self.refresh_window {
            return Err(TokenError::RefreshWindowPassed);
        }
        Ok(claims)
    }

    /// Seconds until a refresh of these claims stops being possible.
    pub fn refresh_remaining(&self, claims: &Claims) -> i64 {
        (claims.oiat + self.refresh_window - now_unix()).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(ttl: i64, window: i64) -> TokenKeys {
        TokenKeys::new(&TokenSettings {
            secret: "test-secret".to_owned(),
            access_ttl_seconds: ttl,
            refresh_window_seconds: window,
        })
    }

    #[test]
    fn a_fresh_token_verifies() {
        let keys = keys(3600, 100);
        let issued = keys.issue(TokenKind::Resident, "7", None).expect("issue");
        let claims = keys.verify(&issued.token).expect("verify");
        assert_eq!(claims.sub, "7");
        assert_eq!(claims.oiat, claims.iat);
    }

    #[test]
    fn an_expired_token_fails_verify_but_may_refresh_within_the_window() {
        let keys = keys(-10, 100);
        let issued = keys.issue(TokenKind::Resident, "7", None).expect("issue");
        assert_eq!(keys.verify(&issued.token), Err(TokenError::Expired));
        assert!(keys.verify_for_refresh(&issued.token).is_ok());
    }

    #[test]
    fn the_refresh_window_counts_from_the_first_issue() {
        let keys = keys(3600, 100);
        let issued = keys
            .issue(TokenKind::Resident, "7", Some(now_unix() - 101))
            .expect("issue");
        assert_eq!(
            keys.verify_for_refresh(&issued.token),
            Err(TokenError::RefreshWindowPassed)
        );
    }

    #[test]
    fn a_token_signed_with_another_secret_is_invalid() {
        let issued = keys(3600, 100)
            .issue(TokenKind::Platform, "1", None)
            .expect("issue");
        let other = TokenKeys::new(&TokenSettings {
            secret: "other".to_owned(),
            access_ttl_seconds: 3600,
            refresh_window_seconds: 100,
        });
        assert_eq!(other.verify(&issued.token), Err(TokenError::Invalid));
        assert_eq!(other.verify("not.a.token"), Err(TokenError::Invalid));
    }
}
