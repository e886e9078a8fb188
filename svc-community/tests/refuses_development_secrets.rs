//! The standalone binary refuses to serve while a secret it uses is still its development default.
#![allow(clippy::unwrap_used)]
use std::process::Output;

#[path = "../../kit/tests/support/refusal.rs"]
mod refusal;

fn serve(env: &[(&str, &str)]) -> Output {
    refusal::serve(env!("CARGO_BIN_EXE_svc-community"), env)
}

#[test]
fn svc_community_on_the_development_defaults_exits_naming_each_secret_and_no_value() {
    let output = serve(&[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("refuses to start: callers.key, secplat.key_k, secplat.key_d still hold"),
        "{stderr}"
    );
    assert!(!stderr.contains("sandbox-secret"), "{stderr}");
}
