//! Shared by each service's `refuses_development_secrets` test: runs a standalone binary's
//! `serve` with only the given environment (no inherited `WJDH__…`, no settings file).
use std::process::{Command, Output};

pub fn serve(binary: &str, env: &[(&str, &str)]) -> Output {
    Command::new(binary)
        .arg("serve")
        .current_dir(std::env::temp_dir())
        .env_clear()
        .env("WJDH__TELEMETRY__LEVEL", "warn")
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs")
}
