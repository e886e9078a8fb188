//! The user authorisation page (`publicAppAuthorize.htm`, scope `auth_user`), the token its
//! `auth_code` buys (`alipay.system.oauth.token`) and the user's 芝麻分 with that token
//! (`zhima.credit.score.get`).
use serde_json::json;

use crate::{Alipay, AlipayError, text_of};

/// The product code of 芝麻分 (`zhima.credit.score.get`).
pub const ZHIMA_SCORE_PRODUCT: &str = "w1010100100000000001";

/// What `alipay.system.oauth.token` gives for an `auth_code`.
#[derive(Clone, PartialEq, Eq)]
pub struct OauthToken {
    /// The user's Alipay user id (2088…).
    pub user_id: String,
    /// The user's id for our application; empty when Alipay gave none.
    pub open_id: String,
    /// Calls on the user's behalf (`auth_token` of [`Alipay::zhima_score`]).
    pub access_token: String,
    /// Seconds the access token lives.
    pub expires_in: i64,
    pub refresh_token: String,
}

impl std::fmt::Debug for OauthToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OauthToken")
            .field("user_id", &self.user_id)
            .field("open_id", &self.open_id)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// A user's 芝麻分.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZhimaScore {
    /// 350–950.
    pub score: i64,
    /// Zhima's number of this query, for reconciliation.
    pub biz_no: String,
}

impl Alipay {
    /// The authorisation page a user opens to let us act for them (scope `auth_user`); Alipay
    /// sends them back to `auth_redirect_url` with `auth_code` and this `state`.
    pub fn auth_url(&self, state: &str) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("app_id", &self.settings.app_id)
            .append_pair("scope", "auth_user")
            .append_pair("redirect_uri", &self.settings.auth_redirect_url)
            .append_pair("state", state)
            .finish();
        let page = &self.settings.auth_page;
        let joint = if page.contains('?') { '&' } else { '?' };
        format!("{page}{joint}{query}")
    }

    /// `alipay.system.oauth.token` with `grant_type` `authorization_code`: the user's token for
    /// the `auth_code` the authorisation page sent back (single use; `isv.code-invalid` when
    /// used, expired or unknown).
    pub async fn oauth_token(&self, auth_code: &str) -> Result<OauthToken, AlipayError> {
        let node = self
            .call(
                "alipay.system.oauth.token",
                None,
                &[("grant_type", "authorization_code"), ("code", auth_code)],
            )
            .await?;
        let expires_in = text_of(&node, "expires_in");
        Ok(OauthToken {
            user_id: text_of(&node, "user_id"),
            open_id: text_of(&node, "open_id"),
            access_token: text_of(&node, "access_token"),
            expires_in: expires_in
                .parse()
                .map_err(|_| AlipayError::Unavailable(format!("expires_in {expires_in:?}")))?,
            refresh_token: text_of(&node, "refresh_token"),
        })
    }

    /// `zhima.credit.score.get`: the 芝麻分 of the user whose access token is `auth_token`;
    /// `transaction_id` is our unique number of the query. An unknown or expired token is
    /// refused (`aop.invalid-auth-token`, `aop.auth-token-time-out`).
    pub async fn zhima_score(
        &self,
        auth_token: &str,
        transaction_id: &str,
    ) -> Result<ZhimaScore, AlipayError> {
        let biz = json!({
            "transaction_id": transaction_id,
            "product_code": ZHIMA_SCORE_PRODUCT,
        });
        let node = self
            .call(
                "zhima.credit.score.get",
                Some(&biz),
                &[("auth_token", auth_token)],
            )
            .await?;
        let score = text_of(&node, "zm_score");
        // "N/A": Zhima has too little of the user to score them.
        let score = score.parse().map_err(|_| AlipayError::Refused {
            code: "N/A".to_owned(),
            message: format!("芝麻信用无法评分: zm_score {score:?}"),
        })?;
        Ok(ZhimaScore {
            score,
            biz_no: text_of(&node, "biz_no"),
        })
    }
}
