//! svc-auth: `serve` (default) or `migrate`.
use anyhow::Context;

kit::jemalloc!();

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings: svc_auth::config::Settings = kit::settings::load()?;
    let _telemetry = kit::telemetry::init("svc-auth", &settings.telemetry);
    match std::env::args().nth(1).as_deref() {
        Some("migrate") => {
            let backend = kit::db::Backend::parse(&settings.auth.database_url)?;
            let applied = svc_auth::db::MIGRATIONS
                .run(&backend)
                .context("migrating")?;
            tracing::info!(applied, "svc-auth migrations applied");
            Ok(())
        }
        None | Some("serve") => {
            kit::guard::refuse_development_secrets(kit::guard::Component::Auth)?;
            let cache = kit::cache::connect(&settings.cache)?;
            let app = svc_auth::startup::Application::build(settings, cache).await?;
            app.run_until_stopped(kit::grpc::shutdown_signal()).await
        }
        Some(other) => anyhow::bail!("unknown command {other:?}: use serve or migrate"),
    }
}
