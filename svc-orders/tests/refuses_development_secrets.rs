//! The standalone binary refuses to serve while a secret it uses is still its development default.
#![allow(clippy::unwrap_used)]
use std::process::Output;

#[path = "../../kit/tests/support/refusal.rs"]
mod refusal;

fn serve(env: &[(&str, &str)]) -> Output {
    refusal::serve(env!("CARGO_BIN_EXE_svc-orders"), env)
}

#[test]
fn svc_orders_on_the_development_defaults_exits_naming_each_secret_and_no_value() {
    let output = serve(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    for key in [
        "callers.key",
        "WJDH__CALLERS__KEY",
        "secplat.key_k",
        "secplat.key_d",
        "wxpay.v3_api_key",
        "wxpay.v3_merchant_private_key",
        "wxpay.v3_platform_public_key",
        "WJDH__WXPAY__V3_MERCHANT_PRIVATE_KEY",
        "alipay.app_private_key",
        "alipay.alipay_public_key",
        "WJDH__ALIPAY__APP_PRIVATE_KEY",
    ] {
        assert!(stderr.contains(key), "{key} not named: {stderr}");
    }
    for value in [
        "PRIVATE KEY",
        "PUBLIC KEY",
        "sandbox-secret",
        "sandbox-wxpay",
        "wjdh-development-callers-key",
    ] {
        assert!(!stderr.contains(value), "{value} shown: {stderr}");
    }
}

#[test]
fn svc_orders_with_one_secret_left_exits_naming_only_that_one() {
    let output = serve(&[
        (
            "WJDH__CALLERS__KEY",
            "a-real-callers-key-of-at-least-32-bytes",
        ),
        ("WJDH__SECPLAT__KEY_K", "real-key-k"),
        ("WJDH__SECPLAT__KEY_D", "real-key-d"),
        (
            "WJDH__WXPAY__V3_API_KEY",
            "real-v3-api-key-0123456789abcdef",
        ),
        ("WJDH__WXPAY__V3_MERCHANT_PRIVATE_KEY", "real merchant key"),
        ("WJDH__ALIPAY__APP_PRIVATE_KEY", "real application key"),
        ("WJDH__ALIPAY__ALIPAY_PUBLIC_KEY", "real alipay public key"),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("refuses to start: wxpay.v3_platform_public_key still holds"),
        "{stderr}"
    );
    assert!(!stderr.contains("real"), "{stderr}");
}
