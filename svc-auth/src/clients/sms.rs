//! Alibaba Cloud SMS (`dysmsapi`, `SendSms`, version 2017-05-25) with RPC request signing.
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::SmsSettings;
use crate::domain::codes::CodeType;

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    #[error("SMS provider refused: {0}")]
    Refused(String),
    #[error("SMS provider unreachable: {0}")]
    Unreachable(String),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendSmsReply {
    code: String,
    #[serde(default)]
    message: String,
}

/// Sends verification codes.
#[derive(Clone)]
pub struct SmsClient {
    http: reqwest::Client,
    settings: SmsSettings,
}

impl SmsClient {
    pub fn new(settings: SmsSettings) -> anyhow::Result<Self> {
        let http = kit::outbound::http_client(settings.timeout_ms)?;
        Ok(Self { http, settings })
    }

    /// The signed `SendSms` parameters for one code.
    fn signed_params(
        &self,
        phone: &str,
        code: &str,
        code_type: CodeType,
    ) -> BTreeMap<String, String> {
        let settings = &self.settings;
        let mut params: BTreeMap<String, String> = [
            ("AccessKeyId", settings.access_key_id.clone()),
            ("Action", "SendSms".to_owned()),
            ("Format", "JSON".to_owned()),
            (
                "OutId",
                format!("{}:{}", code_type.as_str(), uuid::Uuid::new_v4().simple()),
            ),
            ("PhoneNumbers", phone.to_owned()),
            ("RegionId", settings.region_id.clone()),
            ("SignName", settings.sign_name.clone()),
            ("SignatureMethod", "HMAC-SHA1".to_owned()),
            ("SignatureNonce", uuid::Uuid::new_v4().to_string()),
            ("SignatureVersion", "1.0".to_owned()),
            ("TemplateCode", settings.template_code.clone()),
            (
                "TemplateParam",
                serde_json::json!({ "code": code }).to_string(),
            ),
            (
                "Timestamp",
                chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            ),
            ("Version", "2017-05-25".to_owned()),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect();
        let signature = aliyun::sign("POST", &params, &settings.access_key_secret);
        params.insert("Signature".to_owned(), signature);
        params
    }

    /// Sends `code` to `phone`. Not retried: a second send could deliver two messages.
    pub async fn send(&self, phone: &str, code: &str, code_type: CodeType) -> Result<(), SmsError> {
        let params = self.signed_params(phone, code, code_type);
        let response = self
            .http
            .post(&self.settings.endpoint)
            .form(&params)
            .send()
            .await
            .map_err(|e| SmsError::Unreachable(e.without_url().to_string()))?;
        let status = response.status();
        let reply: SendSmsReply = response
            .json()
            .await
            .map_err(|e| SmsError::Unreachable(format!("HTTP {status}: {}", e.without_url())))?;
        if reply.code == "OK" {
            Ok(())
        } else {
            Err(SmsError::Refused(format!(
                "{}: {}",
                reply.code, reply.message
            )))
        }
    }
}
