//! What a binary checks before it serves. Outside the sandbox setup no secret it uses may still
//! hold its development default (`defaults.toml`, public in this repository); the sandbox setup
//! itself (`wjdh`: the whole platform wired to the simulated outside world on those defaults)
//! listens on loopback only.
//!
//! There is no setting that lets a standalone binary (`gateway`, `svc-*`) accept development
//! secrets: the sandbox setup is the `wjdh` binary, which is in no production image.
use std::fmt;
use std::net::SocketAddr;

use anyhow::Context;

/// A binary that refuses development secrets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Component {
    Gateway,
    Auth,
    Yibiaosanshi,
    Orders,
    Community,
}

impl Component {
    /// Every standalone component.
    pub const ALL: [Component; 5] = [
        Self::Gateway,
        Self::Auth,
        Self::Yibiaosanshi,
        Self::Orders,
        Self::Community,
    ];

    /// The binary's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gateway => "gateway",
            Self::Auth => "svc-auth",
            Self::Yibiaosanshi => "svc-yibiaosanshi",
            Self::Orders => "svc-orders",
            Self::Community => "svc-community",
        }
    }

    /// The secrets this component uses (its Deployment maps exactly these from the Secret).
    pub fn secrets(self) -> &'static [Secret] {
        match self {
            Self::Gateway => GATEWAY_SECRETS,
            Self::Auth => AUTH_SECRETS,
            Self::Yibiaosanshi => YIBIAOSANSHI_SECRETS,
            Self::Orders => ORDERS_SECRETS,
            Self::Community => COMMUNITY_SECRETS,
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const SECPLAT_KEY_K: Secret = Secret::always("secplat.key_k");
const SECPLAT_KEY_D: Secret = Secret::always("secplat.key_d");
const S3_ACCESS_KEY_ID: Secret = Secret::when("objects.s3_access_key_id", "objects.store", "s3");
const S3_SECRET_ACCESS_KEY: Secret =
    Secret::when("objects.s3_secret_access_key", "objects.store", "s3");

const CALLERS_KEY: Secret = Secret::always("callers.key");

const GATEWAY_SECRETS: &[Secret] = &[CALLERS_KEY];
const AUTH_SECRETS: &[Secret] = &[
    CALLERS_KEY,
    Secret::always("tokens.secret"),
    Secret::always("auth.code_secret"),
    Secret::always("auth.wechat.secret"),
    Secret::always("auth.sms.access_key_id"),
    Secret::always("auth.sms.access_key_secret"),
];
const YIBIAOSANSHI_SECRETS: &[Secret] = &[
    CALLERS_KEY,
    SECPLAT_KEY_K,
    SECPLAT_KEY_D,
    Secret::always("ocr.appcode"),
    S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY,
];
const ORDERS_SECRETS: &[Secret] = &[
    CALLERS_KEY,
    SECPLAT_KEY_K,
    SECPLAT_KEY_D,
    Secret::when("wxpay.v3_api_key", "wxpay.version", "v3"),
    Secret::when("wxpay.v3_merchant_private_key", "wxpay.version", "v3"),
    Secret::when("wxpay.v3_platform_public_key", "wxpay.version", "v3"),
    Secret::when("wxpay.v2_key", "wxpay.version", "v2"),
    Secret::always("alipay.app_private_key"),
    Secret::always("alipay.alipay_public_key"),
];
const COMMUNITY_SECRETS: &[Secret] = &[
    CALLERS_KEY,
    SECPLAT_KEY_K,
    SECPLAT_KEY_D,
    S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY,
];

/// A setting that must not keep its development default where it is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Secret {
    /// The settings key (`wxpay.v3_merchant_private_key`).
    pub key: &'static str,
    /// Used only while another setting has this value (`wxpay.version` = `v2`).
    pub used_when: Option<(&'static str, &'static str)>,
}

impl Secret {
    const fn always(key: &'static str) -> Self {
        Self {
            key,
            used_when: None,
        }
    }

    const fn when(key: &'static str, setting: &'static str, value: &'static str) -> Self {
        Self {
            key,
            used_when: Some((setting, value)),
        }
    }

    /// The environment variable that sets it (`WJDH__WXPAY__V3_MERCHANT_PRIVATE_KEY`).
    pub fn variable(&self) -> String {
        format!("WJDH__{}", self.key.replace('.', "__").to_uppercase())
    }

    fn is_used(&self, settings: &config::Config) -> bool {
        match self.used_when {
            None => true,
            Some((setting, value)) => settings
                .get_string(setting)
                .is_ok_and(|actual| actual.trim().eq_ignore_ascii_case(value)),
        }
    }
}

/// A refusal to start: the secrets still at their development defaults, by key (never a value).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{component} refuses to start: {} still {} the development default (public in \
     kit/src/defaults.toml) or empty; set {} (in Kubernetes from the Secret wjdh-secrets, see \
     deploy/k8s/base/secret.example.yaml). Only `wjdh` runs on the development defaults, with the \
     sandbox, on loopback.",
    keys_named(.keys),
    verb(.keys),
    variables_named(.keys),
)]
pub struct DevelopmentSecrets {
    pub component: Component,
    pub keys: Vec<Secret>,
}

fn keys_named(keys: &[Secret]) -> String {
    keys.iter().map(|s| s.key).collect::<Vec<_>>().join(", ")
}

fn verb(keys: &[Secret]) -> &'static str {
    if keys.len() == 1 { "holds" } else { "hold" }
}

fn variables_named(keys: &[Secret]) -> String {
    keys.iter()
        .map(Secret::variable)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whitespace does not make a key another key (a PEM re-wrapped, a trailing newline).
fn normalised(value: &str) -> String {
    value.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Refuses `component` when any secret it uses is empty or its development default in
/// `settings`; `defaults` are the built-in defaults.
pub fn check_secrets(
    component: Component,
    settings: &config::Config,
    defaults: &config::Config,
) -> Result<(), DevelopmentSecrets> {
    let keys: Vec<Secret> = component
        .secrets()
        .iter()
        .filter(|secret| secret.is_used(settings))
        .filter(|secret| {
            let value = normalised(&settings.get_string(secret.key).unwrap_or_default());
            let default = normalised(&defaults.get_string(secret.key).unwrap_or_default());
            value.is_empty() || value == default
        })
        .copied()
        .collect();
    if keys.is_empty() {
        Ok(())
    } else {
        Err(DevelopmentSecrets { component, keys })
    }
}

/// What a standalone binary calls before serving: its secrets from defaults → `$WJDH_CONFIG` →
/// `WJDH__…`, refused when any is still a development default.
pub fn refuse_development_secrets(component: Component) -> anyhow::Result<()> {
    let settings = crate::settings::layered(&[])?;
    let defaults = crate::settings::defaults()?;
    check_secrets(component, &settings, &defaults)?;
    tracing::info!(
        component = component.name(),
        secrets = component.secrets().len(),
        "no development secret in use"
    );
    Ok(())
}

/// The listeners of the sandbox setup (`wjdh`); a `*.metrics_listen` may be empty (not served).
pub const SANDBOX_LISTENERS: [&str; 11] = [
    "gateway.listen",
    "auth.listen",
    "yibiaosanshi.listen",
    "orders.listen",
    "community.listen",
    "sandbox.listen",
    "sandbox.sms_listen",
    "auth.metrics_listen",
    "yibiaosanshi.metrics_listen",
    "orders.metrics_listen",
    "community.metrics_listen",
];

/// Whether `addr` (`host:port`) binds loopback only.
fn is_loopback(addr: &str) -> bool {
    if let Ok(socket) = addr.parse::<SocketAddr>() {
        return socket.ip().is_loopback();
    }
    addr.rsplit_once(':')
        .is_some_and(|(host, _)| host.eq_ignore_ascii_case("localhost"))
}

/// A listener of the sandbox setup that is not on loopback.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{key} = {addr} is not a loopback address: wjdh runs the sandbox (simulated WeChat, WeChat \
     Pay, SMS, OCR and security platform, development secrets), so it listens only on 127.0.0.1, \
     [::1] or localhost. To serve beyond this machine, run the standalone binaries with real \
     secrets (deploy/README.md)."
)]
pub struct NotLoopback {
    pub key: String,
    pub addr: String,
}

/// Refuses the sandbox setup when any of `keys` in `settings` listens beyond loopback.
pub fn require_loopback(settings: &config::Config, keys: &[&str]) -> Result<(), NotLoopback> {
    for key in keys {
        let addr = settings.get_string(key).unwrap_or_default();
        let addr = addr.trim();
        if !addr.is_empty() && !is_loopback(addr) {
            return Err(NotLoopback {
                key: (*key).to_owned(),
                addr: addr.to_owned(),
            });
        }
    }
    Ok(())
}

/// The sandbox setup's own check, on its settings with `overrides` on top.
pub fn require_loopback_with(overrides: &[(&str, String)]) -> anyhow::Result<()> {
    let settings = crate::settings::layered(overrides).context("reading the listeners")?;
    require_loopback(&settings, &SANDBOX_LISTENERS)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> config::Config {
        crate::settings::defaults().expect("defaults load")
    }

    /// The defaults with `overrides` on top, without the environment of the test run.
    fn with(overrides: &[(&str, &str)]) -> config::Config {
        let mut builder = config::Config::builder().add_source(config::File::from_str(
            crate::settings::DEFAULTS,
            config::FileFormat::Toml,
        ));
        for (key, value) in overrides {
            builder = builder.set_override(*key, *value).expect("override");
        }
        builder.build().expect("settings build")
    }

    /// A non-default value for every secret of every component (and the modes that use them all).
    fn all_set() -> Vec<(String, String)> {
        let mut values: Vec<(String, String)> = Component::ALL
            .iter()
            .flat_map(|component| component.secrets())
            .map(|secret| (secret.key.to_owned(), format!("real-{}", secret.key)))
            .collect();
        values.push(("objects.store".to_owned(), "s3".to_owned()));
        values
    }

    fn borrowed(values: &[(String, String)]) -> Vec<(&str, &str)> {
        values
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect()
    }

    #[test]
    fn every_component_starts_when_its_secrets_are_set() {
        for version in ["v3", "v2"] {
            let mut values = all_set();
            values.push(("wxpay.version".to_owned(), version.to_owned()));
            let settings = with(&borrowed(&values));
            for component in Component::ALL {
                assert_eq!(check_secrets(component, &settings, &defaults()), Ok(()));
            }
        }
    }

    #[test]
    fn each_secret_left_at_its_default_is_refused_by_name_and_never_shown() {
        let defaults = defaults();
        let mut checked = 0;
        for component in Component::ALL {
            for secret in component.secrets() {
                let mut values: Vec<(String, String)> = all_set()
                    .into_iter()
                    .filter(|(key, _)| key != secret.key)
                    .collect();
                if let Some((setting, value)) = secret.used_when {
                    values.push((setting.to_owned(), value.to_owned()));
                }
                let refused = check_secrets(component, &with(&borrowed(&values)), &defaults)
                    .expect_err(secret.key);
                assert_eq!(refused.keys, vec![*secret], "{component}");
                let message = refused.to_string();
                assert!(message.contains(secret.key), "{message}");
                assert!(message.contains(&secret.variable()), "{message}");
                assert!(message.contains(component.name()), "{message}");
                let default = defaults.get_string(secret.key).unwrap_or_default();
                if !default.is_empty() {
                    assert!(!message.contains(default.trim()), "{message}");
                }
                checked += 1;
            }
        }
        assert_eq!(checked, 27);
    }

    #[test]
    fn the_standalone_defaults_are_refused_naming_every_secret() {
        let settings = with(&[]);
        let refused = check_secrets(Component::Orders, &settings, &defaults()).expect_err("orders");
        let keys: Vec<&str> = refused.keys.iter().map(|s| s.key).collect();
        assert_eq!(
            keys,
            [
                "callers.key",
                "secplat.key_k",
                "secplat.key_d",
                "wxpay.v3_api_key",
                "wxpay.v3_merchant_private_key",
                "wxpay.v3_platform_public_key",
                "alipay.app_private_key",
                "alipay.alipay_public_key",
            ]
        );
        let message = refused.to_string();
        assert!(!message.contains("PRIVATE KEY"), "{message}");
        assert!(!message.contains("sandbox-wxpay"), "{message}");
        let refused = check_secrets(Component::Auth, &settings, &defaults()).expect_err("auth");
        assert_eq!(refused.keys.len(), 6);
    }

    #[test]
    fn a_default_pem_rewrapped_or_an_empty_secret_is_still_refused() {
        let defaults = defaults();
        let pem = defaults
            .get_string("wxpay.v3_platform_public_key")
            .expect("default key");
        let rewrapped = format!("\n{}\n\n", pem.trim().replace('\n', "\r\n"));
        let mut values = all_set();
        values.retain(|(key, _)| key != "wxpay.v3_platform_public_key" && key != "secplat.key_d");
        values.push(("wxpay.v3_platform_public_key".to_owned(), rewrapped));
        values.push(("secplat.key_d".to_owned(), "  ".to_owned()));
        let refused = check_secrets(Component::Orders, &with(&borrowed(&values)), &defaults)
            .expect_err("refused");
        let keys: Vec<&str> = refused.keys.iter().map(|s| s.key).collect();
        assert_eq!(keys, ["secplat.key_d", "wxpay.v3_platform_public_key"]);
    }

    #[test]
    fn secrets_of_a_mode_not_in_use_are_not_asked_for() {
        let mut values = all_set();
        values.retain(|(key, _)| !key.starts_with("objects.") && key != "wxpay.v2_key");
        let settings = with(&borrowed(&values));
        assert_eq!(
            check_secrets(Component::Community, &settings, &defaults()),
            Ok(())
        );
        assert_eq!(
            check_secrets(Component::Orders, &settings, &defaults()),
            Ok(())
        );
        values.push(("wxpay.version".to_owned(), "v2".to_owned()));
        let refused = check_secrets(Component::Orders, &with(&borrowed(&values)), &defaults())
            .expect_err("v2 key");
        assert_eq!(
            refused.keys,
            vec![Secret::when("wxpay.v2_key", "wxpay.version", "v2")]
        );
    }

    #[test]
    fn the_sandbox_setup_listens_only_on_loopback() {
        assert_eq!(require_loopback(&with(&[]), &SANDBOX_LISTENERS), Ok(()));
        for addr in ["127.0.0.1:0", "[::1]:8080", "localhost:8080", "127.0.0.2:1"] {
            let settings = with(&[("gateway.listen", addr)]);
            assert_eq!(
                require_loopback(&settings, &SANDBOX_LISTENERS),
                Ok(()),
                "{addr}"
            );
        }
        for (key, addr) in [
            ("gateway.listen", "0.0.0.0:8080"),
            ("orders.listen", "[::]:50053"),
            ("sandbox.listen", "10.0.0.5:8090"),
            ("auth.metrics_listen", "0.0.0.0:9090"),
            ("community.listen", "example.com:1"),
        ] {
            let refused =
                require_loopback(&with(&[(key, addr)]), &SANDBOX_LISTENERS).expect_err(key);
            assert_eq!(refused.key, key);
            assert!(refused.to_string().starts_with(&format!("{key} = {addr}")));
        }
    }

    /// Every secret a component uses is mapped into its Deployment from the Secret, and the
    /// Deployment maps no secret of the catalogue that the component does not use.
    #[test]
    fn each_deployment_maps_exactly_the_secrets_its_component_uses() {
        let manifests = [
            (
                Component::Gateway,
                include_str!("../../deploy/k8s/base/gateway.yaml"),
            ),
            (
                Component::Auth,
                include_str!("../../deploy/k8s/base/svc-auth.yaml"),
            ),
            (
                Component::Yibiaosanshi,
                include_str!("../../deploy/k8s/base/svc-yibiaosanshi.yaml"),
            ),
            (
                Component::Orders,
                include_str!("../../deploy/k8s/base/svc-orders.yaml"),
            ),
            (
                Component::Community,
                include_str!("../../deploy/k8s/base/svc-community.yaml"),
            ),
        ];
        let catalogue: Vec<Secret> = Component::ALL
            .iter()
            .flat_map(|component| component.secrets())
            .copied()
            .collect();
        let example = include_str!("../../deploy/k8s/base/secret.example.yaml");
        for secret in &catalogue {
            assert!(
                example.contains(&format!("  {}:", secret.variable())),
                "{} missing from secret.example.yaml",
                secret.variable()
            );
        }
        for (component, manifest) in manifests {
            for secret in &catalogue {
                let mapped = manifest.contains(&format!("key: {}}}", secret.variable()));
                let used = component.secrets().contains(secret);
                assert_eq!(mapped, used, "{component}: {}", secret.variable());
            }
        }
    }
}
