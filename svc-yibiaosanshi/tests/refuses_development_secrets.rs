//! The standalone binary refuses to serve while a secret it uses is still its development default.
#![allow(clippy::unwrap_used)]
use std::process::Output;

#[path = "../../kit/tests/support/refusal.rs"]
mod refusal;

fn serve(env: &[(&str, &str)]) -> Output {
    refusal::serve(env!("CARGO_BIN_EXE_svc-yibiaosanshi"), env)
}

#[test]
fn svc_yibiaosanshi_on_the_development_defaults_exits_naming_each_secret_and_no_value() {
    let output = serve(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    for key in [
        "callers.key",
        "secplat.key_k",
        "secplat.key_d",
        "ocr.appcode",
        "WJDH__OCR__APPCODE",
    ] {
        assert!(stderr.contains(key), "{key} not named: {stderr}");
    }
    assert!(!stderr.contains("sandbox-appcode"), "{stderr}");
}

#[test]
fn svc_yibiaosanshi_on_s3_exits_naming_the_bucket_keys() {
    let output = serve(&[
        (
            "WJDH__CALLERS__KEY",
            "a-real-callers-key-of-at-least-32-bytes",
        ),
        ("WJDH__SECPLAT__KEY_K", "real-key-k"),
        ("WJDH__SECPLAT__KEY_D", "real-key-d"),
        ("WJDH__OCR__APPCODE", "real-appcode"),
        ("WJDH__OBJECTS__STORE", "s3"),
        ("WJDH__OBJECTS__S3_ACCESS_KEY_ID", "real-access-key-id"),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("refuses to start: objects.s3_secret_access_key still holds"),
        "{stderr}"
    );
    assert!(!stderr.contains("real"), "{stderr}");
}
