//! Settings of the sandbox: where it listens and the credentials it expects from our clients.

/// What the sandbox listens on and which credentials it accepts.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(default)]
pub struct SandboxSettings {
    /// Address to bind, e.g. `127.0.0.1:8090`; port 0 picks a free port.
    pub listen: String,
    /// The mini-program appid WeChat knows.
    pub wechat_appid: String,
    /// The mini-program secret WeChat knows.
    pub wechat_secret: String,
    /// The Alibaba Cloud AccessKeyId allowed to send SMS.
    pub sms_access_key_id: String,
    /// The secret of that AccessKeyId.
    pub sms_access_key_secret: String,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8090".to_owned(),
            wechat_appid: "wx-sandbox-appid".to_owned(),
            wechat_secret: "sandbox-wechat-secret".to_owned(),
            sms_access_key_id: "sandbox-ak".to_owned(),
            sms_access_key_secret: "sandbox-sk".to_owned(),
        }
    }
}

impl SandboxSettings {
    /// The defaults, overridden by `WJDH__SANDBOX__LISTEN`, `WJDH__SANDBOX__WECHAT_APPID`,
    /// `WJDH__SANDBOX__WECHAT_SECRET`, `WJDH__SANDBOX__SMS_ACCESS_KEY_ID` and
    /// `WJDH__SANDBOX__SMS_ACCESS_KEY_SECRET` where set.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut settings = Self::default();
        let fields: [(&str, &mut String); 5] = [
            ("LISTEN", &mut settings.listen),
            ("WECHAT_APPID", &mut settings.wechat_appid),
            ("WECHAT_SECRET", &mut settings.wechat_secret),
            ("SMS_ACCESS_KEY_ID", &mut settings.sms_access_key_id),
            ("SMS_ACCESS_KEY_SECRET", &mut settings.sms_access_key_secret),
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
            _ => None,
        });
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
    }
}
