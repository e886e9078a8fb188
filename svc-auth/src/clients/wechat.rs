//! WeChat mini-program server APIs: `jscode2session`, the access token, `getuserphonenumber`
//! and `subscribeMessage.send`.
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

/// `subscribeMessage.send`'s answers that refuse a message for good: a bad openid, template,
/// values or page.
const UNSENDABLE: [i64; 4] = [40003, 40037, 47003, 41030];
/// The resident refuses the template, or has no accept left (nothing consumed).
const NO_SUBSCRIPTION: i64 = 43101;

#[derive(Debug, Deserialize)]
struct ErrcodeReply {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

/// A subscribe message as `subscribeMessage.send` takes it.
#[derive(Debug, serde::Serialize)]
pub struct SubscribeMessage<'a> {
    pub touser: &'a str,
    pub template_id: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub page: &'a str,
    pub miniprogram_state: &'a str,
    pub lang: &'a str,
    /// `{"thing1": {"value": "…"}, …}`.
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// What WeChat did with a subscribe message (anything else is an error to try again).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// 43101: the resident refuses the template or has no accept left.
    NotSubscribed,
    /// Refused for good (40003, 40037, 47003, 41030): the errcode.
    Unsendable(i64),
}

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

    /// `POST /cgi-bin/message/subscribe/send`: sends one subscribe message. A stale access
    /// token is renewed once; errors other than WeChat's refusals are for trying again later.
    pub async fn send_subscribe_message(
        &self,
        message: &SubscribeMessage<'_>,
    ) -> Result<Delivery, WechatError> {
        for attempt in 0..2 {
            let token = self.access_token().await?;
            let request = self
                .http
                .post(self.url("/cgi-bin/message/subscribe/send"))
                .query(&[("access_token", token.as_str())])
                .json(message);
            let reply: ErrcodeReply = self.get_json(request).await?;
            match reply.errcode {
                0 => return Ok(Delivery::Sent),
                code if STALE_TOKEN.contains(&code) && attempt == 0 => {
                    let _ = self.cache.del(&self.token_key()).await;
                }
                NO_SUBSCRIPTION => return Ok(Delivery::NotSubscribed),
                code if UNSENDABLE.contains(&code) => return Ok(Delivery::Unsendable(code)),
                code => {
                    return Err(WechatError::Upstream(format!(
                        "subscribeMessage.send errcode {code}: {}",
                        reply.errmsg
                    )));
                }
            }
        }
        Err(WechatError::Upstream(
            "access token keeps being refused".into(),
        ))
    }
}
