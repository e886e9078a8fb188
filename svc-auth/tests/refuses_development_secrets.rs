//! The standalone binary refuses to serve while a secret it uses is still its development default.
#![allow(clippy::unwrap_used)]
use std::process::Output;

#[path = "../../kit/tests/support/refusal.rs"]
mod refusal;

fn serve(env: &[(&str, &str)]) -> Output {
    refusal::serve(env!("CARGO_BIN_EXE_svc-auth"), env)
}

#[test]
fn svc_auth_on_the_development_defaults_exits_naming_each_secret_and_no_value() {
    let output = serve(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    for key in [
        "callers.key",
        "tokens.secret",
        "auth.code_secret",
        "auth.wechat.secret",
        "auth.sms.access_key_id",
        "auth.sms.access_key_secret",
        "WJDH__TOKENS__SECRET",
    ] {
        assert!(stderr.contains(key), "{key} not named: {stderr}");
    }
    for value in [
        "wjdh-development-secret",
        "sandbox-wechat-secret",
        "sandbox-sk",
    ] {
        assert!(!stderr.contains(value), "{value} shown: {stderr}");
    }
}

#[test]
fn svc_auth_with_one_secret_left_exits_naming_only_that_one() {
    let output = serve(&[
        (
            "WJDH__CALLERS__KEY",
            "a-real-callers-key-of-at-least-32-bytes",
        ),
        ("WJDH__TOKENS__SECRET", "a-real-token-secret"),
        ("WJDH__AUTH__WECHAT__SECRET", "a-real-app-secret"),
        ("WJDH__AUTH__SMS__ACCESS_KEY_ID", "a-real-key-id"),
        ("WJDH__AUTH__SMS__ACCESS_KEY_SECRET", "a-real-key-secret"),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("refuses to start: auth.code_secret still holds"),
        "{stderr}"
    );
    assert!(!stderr.contains("a-real"), "{stderr}");
}
