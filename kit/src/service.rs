//! The skeleton every service shares: its database (migrated on start), its gRPC listener with
//! health, and the `serve` / `migrate` commands of its binary.
use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;

use crate::db::{Backend, Database, Migrations};
use crate::settings::{Platform, ServiceSettings};

/// A service's database and bound listener, before it serves.
pub struct ServiceBase {
    pub name: &'static str,
    pub listener: TcpListener,
    pub addr: SocketAddr,
    pub db: Database,
}

impl ServiceBase {
    /// Migrates and opens the database, binds the listener (port 0 allowed).
    pub async fn build(
        name: &'static str,
        settings: &ServiceSettings,
        migrations: &'static Migrations,
    ) -> anyhow::Result<Self> {
        let db = Database::connect(&settings.database_url, settings.pool_size, migrations)
            .await
            .with_context(|| format!("opening {name}'s database"))?;
        let listener = TcpListener::bind(&settings.listen)
            .await
            .with_context(|| format!("binding {}", settings.listen))?;
        let addr = listener.local_addr()?;
        Ok(Self {
            name,
            listener,
            addr,
            db,
        })
    }

    /// Serves the standard gRPC health service until `shutdown`, reporting not-serving first.
    pub async fn serve_health(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (reporter, health) = tonic_health::server::health_reporter();
        tracing::info!(addr = %self.addr, service = self.name, "serving");
        tonic::transport::Server::builder()
            .layer(crate::grpc::trace_layer())
            .add_service(health)
            .serve_with_incoming_shutdown(TcpListenerStream::new(self.listener), async move {
                shutdown.await;
                reporter
                    .set_service_status("", tonic_health::ServingStatus::NotServing)
                    .await;
            })
            .await
            .with_context(|| format!("{} server", self.name))
    }
}

/// The `main` of a service whose only RPC so far is health: `serve` (default) or `migrate`.
pub async fn health_only_main(
    name: &'static str,
    section: fn(&Platform) -> &ServiceSettings,
    migrations: &'static Migrations,
) -> anyhow::Result<()> {
    let platform: Platform = crate::settings::load()?;
    let _telemetry = crate::telemetry::init(name, &platform.telemetry);
    let settings = section(&platform);
    match std::env::args().nth(1).as_deref() {
        Some("migrate") => {
            let backend = Backend::parse(&settings.database_url)?;
            let applied = migrations.run(&backend)?;
            tracing::info!(applied, service = name, "migrations applied");
            Ok(())
        }
        None | Some("serve") => {
            ServiceBase::build(name, settings, migrations)
                .await?
                .serve_health(crate::grpc::shutdown_signal())
                .await
        }
        Some(other) => anyhow::bail!("unknown command {other:?}: use serve or migrate"),
    }
}
