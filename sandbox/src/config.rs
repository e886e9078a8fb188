//! Settings of the sandbox: where it listens and the credentials it expects from our clients.

/// What the sandbox listens on and which credentials it accepts.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(default)]
pub struct SandboxSettings {
    /// Address to bind, e.g. `127.0.0.1:8090`; port 0 picks a free port.
    pub listen: String,
    /// Where SMS is also served at the root, as `dysmsapi.aliyuncs.com` is a host of its own and
    /// Alibaba Cloud's SDKs call the root of their endpoint (e.g. `127.0.0.1:8091`; port 0 picks
    /// a free port); empty = nowhere but `/aliyun-sms/`.
    pub sms_listen: String,
    /// The mini-program appid WeChat knows.
    pub wechat_appid: String,
    /// The mini-program secret WeChat knows.
    pub wechat_secret: String,
    /// The Alibaba Cloud AccessKeyId allowed to send SMS.
    pub sms_access_key_id: String,
    /// The secret of that AccessKeyId.
    pub sms_access_key_secret: String,
    /// The security platform's records: empty = the copy built in
    /// (`fixtures/security-platform.json`); otherwise the path of a JSON file of that shape.
    pub secplat_fixture: String,
    /// The `key_k` the security platform issues tokens for.
    pub secplat_key_k: String,
    /// The `key_d` that goes with it.
    pub secplat_key_d: String,
    /// WeChat Pay's merchant number (商户号) of our merchant.
    pub wxpay_mchid: String,
    /// That merchant's APIv2 key (32 characters).
    pub wxpay_v2_key: String,
    /// That merchant's APIv3 key (32 bytes), sealing notification resources.
    pub wxpay_v3_api_key: String,
    /// The serial of the merchant certificate whose key signs APIv3 requests.
    pub wxpay_merchant_serial: String,
    /// The id of the WeChat Pay public key the sandbox signs with (`Wechatpay-Serial`).
    pub wxpay_platform_public_key_id: String,
    /// The merchant's public key (PEM) that verifies our APIv3 requests; empty = the dev key of
    /// `fixtures/wxpay/` (the one `defaults.toml`'s merchant private key goes with).
    pub wxpay_merchant_public_key: String,
    /// WeChat Pay's private key (PEM) the sandbox signs answers and notifications with; empty =
    /// the dev key of `fixtures/wxpay/`.
    pub wxpay_platform_private_key: String,
    /// The Alibaba Cloud market AppCode the OCR accepts.
    pub ocr_appcode: String,
    /// Our application's APPID at Alipay.
    pub alipay_app_id: String,
    /// Our merchant's Alipay user id (2088…), `seller_id` in notifications.
    pub alipay_seller_id: String,
    /// The application public key (PEM or bare base64) that verifies our requests; empty = the
    /// dev key of `fixtures/alipay/`.
    pub alipay_app_public_key: String,
    /// Alipay's private key (PEM or bare base64) the sandbox signs with; empty = the dev key of
    /// `fixtures/alipay/`.
    pub alipay_private_key: String,
    /// Where `POST /alipay/authorize` sends the user back (our `auth_notify`) when no
    /// authorisation page was opened with that state.
    pub alipay_auth_redirect_uri: String,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8090".to_owned(),
            sms_listen: String::new(),
            wechat_appid: "wx-sandbox-appid".to_owned(),
            wechat_secret: "sandbox-wechat-secret".to_owned(),
            sms_access_key_id: "sandbox-ak".to_owned(),
            sms_access_key_secret: "sandbox-sk".to_owned(),
            secplat_fixture: String::new(),
            secplat_key_k: "sandbox-key".to_owned(),
            secplat_key_d: "sandbox-secret".to_owned(),
            wxpay_mchid: "1900000001".to_owned(),
            wxpay_v2_key: "sandbox-wxpay-v2-key-0123456789a".to_owned(),
            wxpay_v3_api_key: "sandbox-wxpay-v3-api-key-0123456".to_owned(),
            wxpay_merchant_serial: "5A4D3E2F1B0C9D8E7F6A5B4C3D2E1F0A9B8C7D6E".to_owned(),
            wxpay_platform_public_key_id: "PUB_KEY_ID_0119000000000000000000000000000001"
                .to_owned(),
            wxpay_merchant_public_key: String::new(),
            wxpay_platform_private_key: String::new(),
            ocr_appcode: crate::ocr::APPCODE.to_owned(),
            alipay_app_id: "2021000000000001".to_owned(),
            alipay_seller_id: "2088000000000001".to_owned(),
            alipay_app_public_key: String::new(),
            alipay_private_key: String::new(),
            alipay_auth_redirect_uri: "http://127.0.0.1:8080/api/v1/rental/payment/ali/auth_notify"
                .to_owned(),
        }
    }
}

impl SandboxSettings {
    /// The defaults, overridden by `WJDH__SANDBOX__<FIELD>` (`LISTEN`, `SMS_LISTEN`, `WECHAT_APPID`,
    /// `WECHAT_SECRET`, `SMS_ACCESS_KEY_ID`, `SMS_ACCESS_KEY_SECRET`, `SECPLAT_FIXTURE`,
    /// `SECPLAT_KEY_K`, `SECPLAT_KEY_D`, `WXPAY_MCHID`, `WXPAY_V2_KEY`, `WXPAY_V3_API_KEY`,
    /// `WXPAY_MERCHANT_SERIAL`, `WXPAY_PLATFORM_PUBLIC_KEY_ID`, `WXPAY_MERCHANT_PUBLIC_KEY`,
    /// `WXPAY_PLATFORM_PRIVATE_KEY`, `OCR_APPCODE`, `ALIPAY_APP_ID`, `ALIPAY_SELLER_ID`,
    /// `ALIPAY_APP_PUBLIC_KEY`, `ALIPAY_PRIVATE_KEY`, `ALIPAY_AUTH_REDIRECT_URI`) where set.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut settings = Self::default();
        let fields: [(&str, &mut String); 22] = [
            ("LISTEN", &mut settings.listen),
            ("SMS_LISTEN", &mut settings.sms_listen),
            ("WECHAT_APPID", &mut settings.wechat_appid),
            ("WECHAT_SECRET", &mut settings.wechat_secret),
            ("SMS_ACCESS_KEY_ID", &mut settings.sms_access_key_id),
            ("SMS_ACCESS_KEY_SECRET", &mut settings.sms_access_key_secret),
            ("SECPLAT_FIXTURE", &mut settings.secplat_fixture),
            ("SECPLAT_KEY_K", &mut settings.secplat_key_k),
            ("SECPLAT_KEY_D", &mut settings.secplat_key_d),
            ("WXPAY_MCHID", &mut settings.wxpay_mchid),
            ("WXPAY_V2_KEY", &mut settings.wxpay_v2_key),
            ("WXPAY_V3_API_KEY", &mut settings.wxpay_v3_api_key),
            ("WXPAY_MERCHANT_SERIAL", &mut settings.wxpay_merchant_serial),
            (
                "WXPAY_PLATFORM_PUBLIC_KEY_ID",
                &mut settings.wxpay_platform_public_key_id,
            ),
            (
                "WXPAY_MERCHANT_PUBLIC_KEY",
                &mut settings.wxpay_merchant_public_key,
            ),
            (
                "WXPAY_PLATFORM_PRIVATE_KEY",
                &mut settings.wxpay_platform_private_key,
            ),
            ("OCR_APPCODE", &mut settings.ocr_appcode),
            ("ALIPAY_APP_ID", &mut settings.alipay_app_id),
            ("ALIPAY_SELLER_ID", &mut settings.alipay_seller_id),
            ("ALIPAY_APP_PUBLIC_KEY", &mut settings.alipay_app_public_key),
            ("ALIPAY_PRIVATE_KEY", &mut settings.alipay_private_key),
            (
                "ALIPAY_AUTH_REDIRECT_URI",
                &mut settings.alipay_auth_redirect_uri,
            ),
        ];
        for (suffix, field) in fields {
            if let Some(value) = lookup(&format!("WJDH__SANDBOX__{suffix}")) {
                *field = value;
            }
        }
        settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_only_the_fields_it_names() {
        let settings = SandboxSettings::from_lookup(|name| match name {
            "WJDH__SANDBOX__LISTEN" => Some("127.0.0.1:0".to_owned()),
            "WJDH__SANDBOX__SMS_ACCESS_KEY_SECRET" => Some("other".to_owned()),
            "WJDH__SANDBOX__SECPLAT_FIXTURE" => Some("/tmp/records.json".to_owned()),
            _ => None,
        });
        assert_eq!(settings.secplat_fixture, "/tmp/records.json");
        assert_eq!(settings.secplat_key_k, "sandbox-key");
        assert_eq!(settings.listen, "127.0.0.1:0");
        assert_eq!(settings.sms_access_key_secret, "other");
        assert_eq!(settings.wechat_appid, "wx-sandbox-appid");
    }

    #[test]
    fn missing_fields_take_their_defaults_when_deserialized() {
        let settings: SandboxSettings =
            serde_json::from_str(r#"{"listen":"127.0.0.1:9999"}"#).expect("valid settings");
        assert_eq!(settings.listen, "127.0.0.1:9999");
        assert_eq!(settings.sms_access_key_id, "sandbox-ak");
        assert_eq!(settings.secplat_fixture, "");
        assert_eq!(settings.secplat_key_d, "sandbox-secret");
    }

    #[test]
    fn the_platform_defaults_fit_the_sandbox_section() {
        #[derive(serde::Deserialize)]
        struct Section {
            sandbox: SandboxSettings,
        }
        let section: Section = kit::settings::load_with(&[]).expect("defaults load");
        assert_eq!(section.sandbox.secplat_fixture, "");
        assert_eq!(section.sandbox.secplat_key_k, "sandbox-key");
        assert_eq!(section.sandbox.secplat_key_d, "sandbox-secret");
    }
}
