//! The standalone binary refuses to serve while a secret it uses is still its development default.
#![allow(clippy::unwrap_used)]
use std::process::{Command, Output};

/// Runs the binary with only `env` (no inherited `WJDH__…`, no settings file).
fn serve(env: &[(&str, &str)]) -> Output {
    let dir = std::env::temp_dir();
    Command::new(env!("CARGO_BIN_EXE_svc-community"))
        .arg("serve")
        .current_dir(dir)
        .env_clear()
        .env("WJDH__TELEMETRY__LEVEL", "warn")
        .envs(env.iter().copied())
        .output()
        .unwrap()
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
