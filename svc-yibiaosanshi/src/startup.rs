//! Building and running svc-yibiaosanshi.
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kit::cache::SharedCache;
use kit::db::Database;
use kit::service::{Health, ServiceBase};
use proto::yibiaosanshi::addresses_server::AddressesServer;
use proto::yibiaosanshi::photos_server::PhotosServer;
use proto::yibiaosanshi::registration_server::RegistrationServer;
use proto::yibiaosanshi::vehicles_server::VehiclesServer;
use secplat::SecplatClient;
use tokio::task::JoinSet;

use crate::actions::State;
use crate::actions::photos::Photos;
use crate::clients::auth::AuthClient;
use crate::config::Settings;
use crate::db::MIGRATIONS;
use crate::grpc::{AddressesService, PhotosService, RegistrationService, VehiclesService};

const NAME: &str = "svc-yibiaosanshi";

/// svc-yibiaosanshi, migrated and bound, not yet serving.
pub struct Application {
    base: ServiceBase,
    state: Arc<State>,
    photos: PhotosService,
    /// svc-auth, which takes the residents' notices of the outbox.
    notices: proto::clients::Notices,
    callers: kit::caller::Verifier,
}

impl Application {
    /// Migrates the database, opens the pool, binds `yibiaosanshi.listen` (port 0 allowed) and
    /// prepares the clients of svc-auth (connecting on first use) and of the security platform.
    pub async fn build(settings: Settings, cache: SharedCache) -> anyhow::Result<Self> {
        let base = ServiceBase::build(NAME, &settings.yibiaosanshi, &MIGRATIONS).await?;
        let callers = settings.callers.verifier()?;
        let signer = settings.callers.signer(NAME)?;
        let timeout = Duration::from_millis(settings.endpoints.timeout_ms);
        let channel = kit::grpc::lazy_channel(&settings.endpoints.auth, timeout)
            .with_context(|| format!("svc-auth endpoint {}", settings.endpoints.auth))?;
        let secplat = SecplatClient::new(settings.secplat, cache.clone())
            .context("security platform client")?;
        let auth = signer.channel(channel);
        let notices = proto::clients::Notices::new(auth.clone());
        let state = State {
            db: base.db.clone(),
            cache,
            auth: AuthClient::new(auth),
            secplat,
        };
        let photos = Photos::new(settings.objects, settings.ocr, base.db.clone())
            .context("photos: object store and OCR client")?;
        Ok(Self {
            base,
            state: Arc::new(state),
            photos: PhotosService::new(photos),
            notices,
            callers,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.base.addr
    }

    /// Where the Prometheus text is served (`yibiaosanshi.metrics_listen`), if anywhere.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.base.metrics_addr
    }

    /// The service's database (operator commands, demo seeding).
    pub fn database(&self) -> Database {
        self.base.db.clone()
    }

    /// Serves `Addresses`, `Registration`, `Vehicles`, `Photos` and gRPC health (following the
    /// database) until `shutdown` resolves; then reports NOT_SERVING, keeps answering for
    /// `yibiaosanshi.shutdown_delay_ms` and drains in-flight calls.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let ServiceBase {
            listener,
            addr,
            db,
            metrics,
            shutdown_delay,
            ..
        } = self.base;
        let photos = self.photos.into_server();
        // Ended and waited for once the server stops: nothing of the service then holds its
        // database.
        let mut background = JoinSet::new();
        background.spawn(self.notices.run(db.clone(), NAME));
        let health = Health::new(&[
            <PhotosServer<PhotosService> as tonic::server::NamedService>::NAME,
            <AddressesServer<AddressesService> as tonic::server::NamedService>::NAME,
            <RegistrationServer<RegistrationService> as tonic::server::NamedService>::NAME,
            <VehiclesServer<VehiclesService> as tonic::server::NamedService>::NAME,
        ])
        .await;
        background.spawn(health.watch_database(db.clone()));
        let addresses = AddressesServer::new(AddressesService::new(db));
        let vehicles = VehiclesServer::new(VehiclesService::new(self.state.clone()));
        let registration = RegistrationServer::new(RegistrationService::new(self.state));
        tracing::info!(%addr, "{NAME} serving");
        let served = tonic::transport::Server::builder()
            .layer(kit::grpc::trace_layer())
            .layer(metrics.rpc_layer())
            .layer(kit::caller::require(self.callers))
            .add_service(health.server())
            .add_service(addresses)
            .add_service(registration)
            .add_service(vehicles)
            .add_service(photos)
            .serve_with_incoming_shutdown(
                kit::grpc::incoming(listener),
                health.stop_after(shutdown, shutdown_delay),
            )
            .await
            .context("svc-yibiaosanshi server");
        background.shutdown().await;
        served
    }
}
