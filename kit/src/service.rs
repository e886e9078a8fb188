//! The skeleton every service shares: its database (migrated on start), its gRPC listener with
//! health that follows the database, its metrics, and the `serve` / `migrate` commands.
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tonic_health::ServingStatus;
use tonic_health::pb::health_server::HealthServer;
use tonic_health::server::{HealthReporter, HealthService};

use crate::db::{Backend, Database, Migrations};
use crate::metrics::ServiceMetrics;
use crate::settings::{Platform, ServiceSettings};

/// How often a service pings its database for its health.
pub const DATABASE_CHECK_INTERVAL: Duration = Duration::from_secs(2);

/// How long one database ping may take before the service reports NOT_SERVING.
const DATABASE_CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// A service's gRPC health: the server (`""`) and each named service are SERVING while the
/// database answers, NOT_SERVING when a ping fails and for good once stopping begins.
#[derive(Clone)]
pub struct Health {
    reporter: HealthReporter,
    services: Arc<[&'static str]>,
    /// Set once stopping; held while a status is written so a late ping cannot undo it.
    stopping: Arc<tokio::sync::Mutex<bool>>,
}

impl Health {
    /// Health for the server and the named gRPC services (`NamedService::NAME`), all SERVING.
    pub async fn new(services: &[&'static str]) -> Self {
        let health = Self {
            reporter: HealthReporter::new(),
            services: services.into(),
            stopping: Arc::default(),
        };
        health.write(ServingStatus::Serving).await;
        health
    }

    /// The `grpc.health.v1.Health` service to add to the server.
    pub fn server(&self) -> HealthServer<HealthService> {
        HealthServer::new(HealthService::from_health_reporter(self.reporter.clone()))
    }

    async fn write(&self, status: ServingStatus) {
        self.reporter.set_service_status("", status).await;
        for service in self.services.iter() {
            self.reporter.set_service_status(*service, status).await;
        }
    }

    /// Pings `db` every [`DATABASE_CHECK_INTERVAL`] and reports what it finds, until stopping:
    /// a task for the service's background `JoinSet`, which the service shuts down (aborts and
    /// waits for) once its server has stopped, so that nothing of the service still holds the
    /// database when it returns.
    pub fn watch_database(&self, db: Database) -> impl Future<Output = ()> + Send + 'static {
        let health = self.clone();
        async move {
            let mut serving = true;
            loop {
                let answered = tokio::time::timeout(DATABASE_CHECK_TIMEOUT, db.ping()).await;
                let now_serving = matches!(answered, Ok(Ok(())));
                let stopping = health.stopping.lock().await;
                if *stopping {
                    return;
                }
                if now_serving != serving {
                    match &answered {
                        Ok(Ok(())) => tracing::info!("database answers again: serving"),
                        Ok(Err(error)) => tracing::warn!(%error, "database down: not serving"),
                        Err(_) => tracing::warn!("database ping timed out: not serving"),
                    }
                    let status = if now_serving {
                        ServingStatus::Serving
                    } else {
                        ServingStatus::NotServing
                    };
                    health.write(status).await;
                    serving = now_serving;
                }
                drop(stopping);
                tokio::time::sleep(DATABASE_CHECK_INTERVAL).await;
            }
        }
    }

    /// Reports NOT_SERVING for good.
    pub async fn stop(&self) {
        let mut stopping = self.stopping.lock().await;
        *stopping = true;
        self.write(ServingStatus::NotServing).await;
    }

    /// The shutdown future a server waits on: after `signal`, report NOT_SERVING, keep
    /// answering for `delay` (load balancers see the status and drain), then let the server stop
    /// accepting and finish the calls in flight.
    pub async fn stop_after(self, signal: impl Future<Output = ()>, delay: Duration) {
        signal.await;
        self.stop().await;
        tracing::info!(
            delay_ms = delay.as_millis() as u64,
            "stopping: not serving, draining"
        );
        tokio::time::sleep(delay).await;
    }
}

/// A service's database and bound listener, before it serves.
pub struct ServiceBase {
    pub name: &'static str,
    pub listener: TcpListener,
    pub addr: SocketAddr,
    pub db: Database,
    /// This service's instruments, already watching the pool and served on `metrics_listen`.
    pub metrics: ServiceMetrics,
    /// Where the metrics are served, if anywhere.
    pub metrics_addr: Option<SocketAddr>,
    /// How long to keep answering after a stop is asked for.
    pub shutdown_delay: Duration,
}

impl ServiceBase {
    /// Migrates and opens the database, binds the listener (port 0 allowed).
    pub async fn build(
        name: &'static str,
        settings: &ServiceSettings,
        migrations: &'static Migrations,
    ) -> anyhow::Result<Self> {
        Self::build_on(name, settings, migrations, None).await
    }

    /// As [`ServiceBase::build`], on a listener bound beforehand when one is given (so two
    /// services can know each other's address before either is built).
    pub async fn build_on(
        name: &'static str,
        settings: &ServiceSettings,
        migrations: &'static Migrations,
        listener: Option<TcpListener>,
    ) -> anyhow::Result<Self> {
        let db = Database::connect(&settings.database_url, settings.pool_size, migrations)
            .await
            .with_context(|| format!("opening {name}'s database"))?;
        let listener = match listener {
            Some(listener) => listener,
            None => TcpListener::bind(&settings.listen)
                .await
                .with_context(|| format!("binding {}", settings.listen))?,
        };
        let addr = listener.local_addr()?;
        let metrics = ServiceMetrics::new().context("registering metrics")?;
        metrics.watch_pool(&db);
        let metrics_addr = metrics.serve_on(&settings.metrics_listen).await?;
        Ok(Self {
            name,
            listener,
            addr,
            db,
            metrics,
            metrics_addr,
            shutdown_delay: Duration::from_millis(settings.shutdown_delay_ms),
        })
    }

    /// Serves the standard gRPC health service (following the database) until `shutdown`,
    /// reporting not-serving first.
    pub async fn serve_health(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let health = Health::new(&[]).await;
        let mut background = tokio::task::JoinSet::new();
        background.spawn(health.watch_database(self.db.clone()));
        tracing::info!(addr = %self.addr, service = self.name, "serving");
        let served = tonic::transport::Server::builder()
            .layer(crate::grpc::trace_layer())
            .layer(self.metrics.rpc_layer())
            .add_service(health.server())
            .serve_with_incoming_shutdown(
                crate::grpc::incoming(self.listener),
                health.stop_after(shutdown, self.shutdown_delay),
            )
            .await
            .with_context(|| format!("{} server", self.name));
        background.shutdown().await;
        served
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
