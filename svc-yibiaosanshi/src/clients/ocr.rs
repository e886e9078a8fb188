//! The ID-card OCR client: Alibaba Cloud market 身份证识别 (`POST` JSON, `Authorization: APPCODE`),
//! pointed at the provider or at the sandbox by configuration. Nothing it reads is logged.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use kit::settings::OcrSettings;
use reqwest::StatusCode;
use serde::Deserialize;

/// The front of an ID card, as the provider read it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct IdCardFront {
    pub name: String,
    pub idcard: String,
    pub gender: String,
    pub nation: String,
    /// `19921130`.
    pub birthday: String,
    pub address: String,
}

impl std::fmt::Debug for IdCardFront {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdCardFront { .. }")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// The provider could not read the card (blurred, not a card).
    #[error("the provider could not read the image")]
    Unreadable,
    /// The provider refused our AppCode or its quota is used up (HTTP 401/403).
    #[error("the provider refused the request: HTTP {0}")]
    Refused(u16),
    /// Timeout, connection failure, 5xx or an answer we cannot parse.
    #[error("the provider failed: {0}")]
    Upstream(String),
}

/// The provider's answer (face side).
#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    success: bool,
    #[serde(default)]
    name: String,
    #[serde(default)]
    num: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    nationality: String,
    #[serde(default)]
    birth: String,
    #[serde(default)]
    address: String,
}

/// The OCR client (one `reqwest` pool, the configured timeout on every call).
#[derive(Clone)]
pub struct OcrClient {
    http: reqwest::Client,
    endpoint: String,
    appcode: String,
}

impl std::fmt::Debug for OcrClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcrClient")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl OcrClient {
    pub fn new(settings: &OcrSettings) -> anyhow::Result<Self> {
        let http = kit::outbound::http_client(settings.timeout_ms)?;
        Ok(Self {
            http,
            endpoint: settings.endpoint.clone(),
            appcode: settings.appcode.clone(),
        })
    }

    /// Reads the front of the card in `image`. Not retried: every call is billed.
    pub async fn read_front(&self, image: &[u8]) -> Result<IdCardFront, OcrError> {
        let body = serde_json::json!({
            "image": STANDARD.encode(image),
            "configure": serde_json::json!({"side": "face"}).to_string(),
        });
        let response = self
            .http
            .post(&self.endpoint)
            .header("Authorization", format!("APPCODE {}", self.appcode))
            .json(&body)
            .send()
            .await
            .map_err(|e| OcrError::Upstream(e.without_url().to_string()))?;
        let status = response.status();
        match status {
            // The market gateway answers 400 for an image it cannot use.
            StatusCode::BAD_REQUEST => return Err(OcrError::Unreadable),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                return Err(OcrError::Refused(status.as_u16()));
            }
            _ if !status.is_success() => {
                return Err(OcrError::Upstream(format!("HTTP {status}")));
            }
            _ => {}
        }
        let answer: Answer = response
            .json()
            .await
            .map_err(|e| OcrError::Upstream(e.without_url().to_string()))?;
        if !answer.success {
            return Err(OcrError::Unreadable);
        }
        Ok(IdCardFront {
            name: answer.name,
            idcard: answer.num,
            gender: answer.sex,
            nation: answer.nationality,
            birthday: answer.birth,
            address: answer.address,
        })
    }
}
