//! The sandbox setup (`wjdh`) as the real binary: it listens on loopback only.
#![allow(clippy::unwrap_used)]
use std::process::Command;

#[test]
fn wjdh_refuses_a_gateway_listening_beyond_loopback_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_wjdh"))
        .current_dir(dir.path())
        .env_remove("WJDH_CONFIG")
        .env("WJDH__GATEWAY__LISTEN", "0.0.0.0:0")
        .env("WJDH__TELEMETRY__LEVEL", "warn")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("gateway.listen = 0.0.0.0:0 is not a loopback address"),
        "{stderr}"
    );
    // Refused before anything was created or bound.
    assert!(!dir.path().join("data").exists());
}
