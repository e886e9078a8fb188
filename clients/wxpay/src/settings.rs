//! `[wxpay]`: how our client reaches WeChat Pay, and which API and signature it speaks.
use serde::Deserialize;

/// Which WeChat Pay API our client speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WxPayVersion {
    /// APIv2: XML bodies signed with the API key (MD5 or HMAC-SHA256).
    V2,
    /// APIv3: JSON bodies, RSA request signatures, AES-256-GCM notifications.
    V3,
}

/// The APIv2 signature algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum WxPaySignType {
    #[serde(rename = "MD5")]
    Md5,
    #[serde(rename = "HMAC-SHA256")]
    HmacSha256,
}

impl WxPaySignType {
    /// The name WeChat uses in `sign_type` and the mini-program's `signType`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::HmacSha256 => "HMAC-SHA256",
        }
    }
}

/// WeChat Pay (微信支付) as our client reaches it (`[wxpay]`).
#[derive(Clone, Deserialize)]
pub struct WxPaySettings {
    pub version: WxPayVersion,
    /// `https://api.mch.weixin.qq.com` in production.
    pub base_url: String,
    /// The mini-program's appid the payments are made in.
    pub appid: String,
    /// The merchant number (商户号).
    pub mchid: String,
    /// Where WeChat Pay posts payment results.
    pub notify_url: String,
    /// Where WeChat Pay posts refund results.
    pub refund_notify_url: String,
    /// APIv2 key (API密钥, 32 characters); never printed.
    pub v2_key: String,
    pub v2_sign_type: WxPaySignType,
    /// The merchant API certificate (`apiclient_cert.pem`) that APIv2's `/secapi/` calls
    /// (refunds) present over mutual TLS; empty for none. Set with `v2_client_key_pem`.
    #[serde(default)]
    pub v2_client_cert_pem: String,
    /// Its private key (`apiclient_key.pem`), PEM; never printed.
    #[serde(default)]
    pub v2_client_key_pem: String,
    /// APIv3 key (32 bytes) that decrypts notifications; never printed.
    pub v3_api_key: String,
    /// Serial number of the merchant API certificate whose key signs our requests.
    pub v3_merchant_serial: String,
    /// The merchant API private key, PEM (PKCS#8 or PKCS#1); never printed.
    pub v3_merchant_private_key: String,
    /// WeChat Pay's public key (微信支付公钥), PEM, that verifies answers and notifications.
    pub v3_platform_public_key: String,
    /// Its id (`PUB_KEY_ID_…`), matched against `Wechatpay-Serial`.
    pub v3_platform_public_key_id: String,
    /// Per-call timeout, milliseconds.
    pub timeout_ms: u64,
}

impl std::fmt::Debug for WxPaySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WxPaySettings")
            .field("version", &self.version)
            .field("base_url", &self.base_url)
            .field("appid", &self.appid)
            .field("mchid", &self.mchid)
            .field("notify_url", &self.notify_url)
            .field("refund_notify_url", &self.refund_notify_url)
            .field("v2_key", &"***")
            .field("v2_sign_type", &self.v2_sign_type)
            .field("v2_client_cert_pem", &!self.v2_client_cert_pem.is_empty())
            .field("v2_client_key_pem", &"***")
            .field("v3_api_key", &"***")
            .field("v3_merchant_serial", &self.v3_merchant_serial)
            .field("v3_merchant_private_key", &"***")
            .field("v3_platform_public_key_id", &self.v3_platform_public_key_id)
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct WithWxPay {
        wxpay: WxPaySettings,
    }

    #[test]
    fn wechat_pay_defaults_point_at_the_sandbox_and_hide_the_keys() {
        let loaded: WithWxPay = kit::settings::load_with(&[]).expect("defaults load");
        let wxpay = loaded.wxpay;
        assert_eq!(wxpay.version, WxPayVersion::V3);
        assert_eq!(wxpay.base_url, "http://127.0.0.1:8090");
        assert_eq!(wxpay.v2_sign_type, WxPaySignType::HmacSha256);
        assert_eq!(
            wxpay.refund_notify_url,
            "http://127.0.0.1:8080/api/v1/weapp/payment/refund_notify"
        );
        assert!(wxpay.v2_client_cert_pem.is_empty() && wxpay.v2_client_key_pem.is_empty());
        assert_eq!(wxpay.v2_key.len(), 32);
        assert_eq!(wxpay.v3_api_key.len(), 32);
        assert!(wxpay.v3_merchant_private_key.contains("BEGIN PRIVATE KEY"));
        assert!(wxpay.v3_platform_public_key.contains("BEGIN PUBLIC KEY"));
        let printed = format!("{wxpay:?}");
        assert!(!printed.contains(&wxpay.v2_key));
        assert!(!printed.contains(&wxpay.v3_api_key));
        assert!(!printed.contains("PRIVATE KEY"));
        let v2: WithWxPay = kit::settings::load_with(&[
            ("wxpay.version", "v2".to_owned()),
            ("wxpay.v2_sign_type", "MD5".to_owned()),
        ])
        .expect("v2 loads");
        assert_eq!(v2.wxpay.version, WxPayVersion::V2);
        assert_eq!(v2.wxpay.v2_sign_type, WxPaySignType::Md5);
    }
}
