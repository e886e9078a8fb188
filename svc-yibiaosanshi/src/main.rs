//! svc-yibiaosanshi: `serve` (default) or `migrate`.
use anyhow::Context;

kit::jemalloc!();

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings: svc_yibiaosanshi::config::Settings = kit::settings::load()?;
    let _telemetry = kit::telemetry::init("svc-yibiaosanshi", &settings.telemetry);
    match std::env::args().nth(1).as_deref() {
        Some("migrate") => {
            let backend = kit::db::Backend::parse(&settings.yibiaosanshi.database_url)?;
            let applied = svc_yibiaosanshi::db::MIGRATIONS
                .run(&backend)
                .context("migrating")?;
            tracing::info!(applied, "svc-yibiaosanshi migrations applied");
            Ok(())
        }
        None | Some("serve") => {
            kit::guard::refuse_development_secrets(kit::guard::Component::Yibiaosanshi)?;
            let platform: kit::settings::Platform = kit::settings::load()?;
            let cache = kit::cache::connect(&platform.cache)?;
            let app = svc_yibiaosanshi::startup::Application::build(settings, cache).await?;
            app.run_until_stopped(kit::grpc::shutdown_signal()).await
        }
        Some(other) => anyhow::bail!("unknown command {other:?}: use serve or migrate"),
    }
}
