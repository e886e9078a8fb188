//! Runs the sandbox alone, configured from `WJDH__SANDBOX__*`, until Ctrl-C.

use anyhow::Context;
use sandbox::{Sandbox, SandboxSettings};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let sandbox = Sandbox::start(SandboxSettings::from_env()).await?;
    tracing::info!(base_url = %sandbox.base_url(), "sandbox ready; Ctrl-C stops it");
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    sandbox.stop().await;
    Ok(())
}
