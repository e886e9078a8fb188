//! The gateway alone: load settings, start telemetry, serve until SIGTERM or Ctrl-C.
use gateway::config::Settings;
use gateway::startup::Application;

kit::jemalloc!();

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let _telemetry = kit::telemetry::init("gateway", &settings.telemetry);
    kit::guard::refuse_development_secrets(kit::guard::Component::Gateway)?;
    let cache = kit::cache::connect(&settings.cache)?;
    let application = Application::build(settings, cache).await?;
    tracing::info!(addr = %application.addr(), "gateway listening");
    application.run_until_stopped().await
}
