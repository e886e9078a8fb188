//! svc-community: `serve` (default) or `migrate`.
use anyhow::Context;

kit::jemalloc!();

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings: svc_community::config::Settings = kit::settings::load()?;
    let _telemetry = kit::telemetry::init("svc-community", &settings.telemetry);
    match std::env::args().nth(1).as_deref() {
        Some("migrate") => {
            let backend = kit::db::Backend::parse(&settings.community.database_url)?;
            let applied = svc_community::db::MIGRATIONS
                .run(&backend)
                .context("migrating")?;
            tracing::info!(applied, "svc-community migrations applied");
            Ok(())
        }
        None | Some("serve") => {
            kit::guard::refuse_development_secrets(kit::guard::Component::Community)?;
            let platform: kit::settings::Platform = kit::settings::load()?;
            let cache = kit::cache::connect(&platform.cache)?;
            let app = svc_community::startup::Application::build(settings, cache).await?;
            app.run_until_stopped(kit::grpc::shutdown_signal()).await
        }
        Some(other) => anyhow::bail!("unknown command {other:?}: use serve or migrate"),
    }
}
