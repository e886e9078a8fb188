//! WeChat mini-program server APIs: `jscode2session`, the access token and `getuserphonenumber`.
use std::time::Duration;

use kit::cache::SharedCache;
use serde::Deserialize;

use crate::config::WechatSettings;

/// What `jscode2session` gives for a js_code.
#[derive(Clone, Debug)]
pub struct WechatSession {
    pub openid: String,
    pub session_key: String,
}

#[derive(Debug, thiserror::Error)]
pub enum WechatError {
    /// The js_code or phone code is unknown, used or expired.
    #[error("WeChat refused the code (errcode {0})")]
    InvalidCode(i64),
    #[error("WeChat failed: {0}")]
    Upstream(String),
}

#[derive(Debug, Deserialize)]
struct Code2SessionReply {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    openid: Option<String>,
    session_key: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AccessTokenReply {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    access_token: Option<String>,
    expires_in: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhoneInfo {
    pure_phone_number: Option<String>,
    phone_number: Option<String>,
    watermark: Option<Watermark>,
}

#[derive(Debug, Deserialize)]
struct Watermark {
    appid: String,
}

#[derive(Debug, Deserialize)]
struct PhoneNumberReply {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    phone_info: Option<PhoneInfo>,
}

/// Codes WeChat answers for a bad or used code.
const INVALID_CODE: [i64; 2] = [40029, 40163];
/// Codes WeChat answers when the access token is stale.
const STALE_TOKEN: [i64; 3] = [40001, 40014, 42001];

/// The WeChat client, pointed at the sandbox or at api.weixin.qq.com by configuration.
#[derive(Clone)]
pub struct WechatClient {
    http: reqwest::Client,
    settings: WechatSettings,
    cache: SharedCache,
}

impl WechatClient {
    pub fn new(settings: WechatSettings, cache: SharedCache) -> anyhow::Result<Self> {
        let http = kit::outbound::http_client(settings.timeout_ms)?;
        Ok(Self {
            http,
            settings,
            cache,
        })
    }

    pub fn appid(&self) -> &str {
        &self.settings.appid
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.base_url.trim_end_matches('/'))
    }

    async fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, WechatError> {
        let response = request
            .send()
            .await
            .map_err(|e| WechatError::Upstream(e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(WechatError::Upstream(format!("HTTP {}", response.status())));
        }
        response
            .json::<T>()
            .await
            .map_err(|e| WechatError::Upstream(e.without_url().to_string()))
    }

    /// `GET /sns/jscode2session`.
    pub async fn code_to_session(&self, js_code: &str) -> Result<WechatSession, WechatError> {
        let request = self.http.get(self.url("/sns/jscode2session")).query(&[
            ("appid", self.settings.appid.as_str()),
            ("secret", self.settings.secret.as_str()),
            ("js_code", js_code),
            ("grant_type", "authorization_code"),
        ]);
        let reply: Code2SessionReply = self.get_json(request).await?;
        if INVALID_CODE.contains(&reply.errcode) {
            return Err(WechatError::InvalidCode(reply.errcode));
        }
        match (reply.errcode, reply.openid, reply.session_key) {
            (0, Some(openid), Some(session_key)) => Ok(WechatSession {
                openid,
                session_key,
            }),
            (errcode, _, _) => Err(WechatError::Upstream(format!(
                "jscode2session errcode {errcode}: {}",
                reply.errmsg
            ))),
        }
    }

    fn token_key(&self) -> String {
        format!("wechat:access-token:{}", self.settings.appid)
    }

    /// The mini-program's access token, shared by all replicas through the cache.
    async fn access_token(&self) -> Result<String, WechatError> {
        if let Ok(Some(token)) = self.cache.get(&self.token_key()).await {
            return Ok(token);
        }
        let request = self.http.get(self.url("/cgi-bin/token")).query(&[
            ("grant_type", "client_credential"),
            ("appid", self.settings.appid.as_str()),
            ("secret", self.settings.secret.as_str()),
        ]);
        let reply: AccessTokenReply = self.get_json(request).await?;
        let Some(token) = reply.access_token.filter(|_| reply.errcode == 0) else {
            return Err(WechatError::Upstream(format!(
                "token errcode {}: {}",
                reply.errcode, reply.errmsg
            )));
        };
        let lifetime = reply.expires_in.unwrap_or(7200).saturating_sub(300).max(60);
        if let Err(error) = self
            .cache
            .set(&self.token_key(), &token, Duration::from_secs(lifetime))
            .await
        {
            tracing::warn!(%error, "WeChat access token not cached");
        }
        Ok(token)
    }

    /// `POST /wxa/business/getuserphonenumber`: the phone behind a phone-number code.
    pub async fn phone_number(&self, phone_code: &str) -> Result<String, WechatError> {
        for attempt in 0..2 {
            let token = self.access_token().await?;
            let request = self
                .http
                .post(self.url("/wxa/business/getuserphonenumber"))
                .query(&[("access_token", token.as_str())])
                .json(&serde_json::json!({ "code": phone_code }));
            let reply: PhoneNumberReply = self.get_json(request).await?;
            if STALE_TOKEN.contains(&reply.errcode) && attempt == 0 {
                let _ = self.cache.del(&self.token_key()).await;
                continue;
            }
            if INVALID_CODE.contains(&reply.errcode) {
                return Err(WechatError::InvalidCode(reply.errcode));
            }
            let info = reply
                .phone_info
                .filter(|_| reply.errcode == 0)
                .ok_or_else(|| {
                    WechatError::Upstream(format!(
                        "getuserphonenumber errcode {}: {}",
                        reply.errcode, reply.errmsg
                    ))
                })?;
            if info
                .watermark
                .as_ref()
                .is_some_and(|mark| mark.appid != self.settings.appid)
            {
                return Err(WechatError::Upstream(
                    "phone watermark names another app".into(),
                ));
            }
            return info
                .pure_phone_number
                .or(info.phone_number)
                .ok_or_else(|| WechatError::Upstream("phone_info without a number".into()));
        }
        Err(WechatError::Upstream(
            "access token keeps being refused".into(),
        ))
    }
}
