//! Building and running svc-yibiaosanshi.
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kit::cache::SharedCache;
use kit::db::Database;
use kit::secplat::SecplatClient;
use kit::service::ServiceBase;
use proto::yibiaosanshi::addresses_server::AddressesServer;
use proto::yibiaosanshi::photos_server::PhotosServer;
use proto::yibiaosanshi::registration_server::RegistrationServer;
use tokio_stream::wrappers::TcpListenerStream;

use crate::clients::auth::AuthClient;
use crate::config::Settings;
use crate::db::MIGRATIONS;
use crate::grpc::{AddressesService, RegistrationService};
use crate::photos::PhotosService;
use crate::registration::State;

const NAME: &str = "svc-yibiaosanshi";

/// svc-yibiaosanshi, migrated and bound, not yet serving.
pub struct Application {
    base: ServiceBase,
    state: Arc<State>,
    photos: PhotosService,
}

impl Application {
    /// Migrates the database, opens the pool, binds `yibiaosanshi.listen` (port 0 allowed) and
    /// prepares the clients of svc-auth (connecting on first use) and of the security platform.
    pub async fn build(settings: Settings, cache: SharedCache) -> anyhow::Result<Self> {
        let base = ServiceBase::build(NAME, &settings.yibiaosanshi, &MIGRATIONS).await?;
        let timeout = Duration::from_millis(settings.endpoints.timeout_ms);
        let channel = kit::grpc::lazy_channel(&settings.endpoints.auth, timeout)
            .with_context(|| format!("svc-auth endpoint {}", settings.endpoints.auth))?;
        let secplat = SecplatClient::new(settings.secplat, cache.clone())
            .context("security platform client")?;
        let state = State {
            db: base.db.clone(),
            cache,
            auth: AuthClient::new(channel),
            secplat,
        };
        let photos = PhotosService::new(settings.objects, settings.ocr, base.db.clone())
            .context("photos: object store and OCR client")?;
        Ok(Self {
            base,
            state: Arc::new(state),
            photos,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.base.addr
    }

    /// The service's database (operator commands, demo seeding).
    pub fn database(&self) -> Database {
        self.base.db.clone()
    }

    /// Serves `Addresses`, `Registration` and gRPC health until `shutdown` resolves, then drains
    /// in-flight calls.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let ServiceBase {
            listener, addr, db, ..
        } = self.base;
        let photos = self.photos.into_server();
        let (reporter, health) = tonic_health::server::health_reporter();
        reporter.set_serving::<PhotosServer<PhotosService>>().await;
        reporter
            .set_serving::<AddressesServer<AddressesService>>()
            .await;
        reporter
            .set_serving::<RegistrationServer<RegistrationService>>()
            .await;
        let addresses = AddressesServer::new(AddressesService::new(db));
        let registration = RegistrationServer::new(RegistrationService::new(self.state));
        tracing::info!(%addr, "{NAME} serving");
        tonic::transport::Server::builder()
            .layer(kit::grpc::trace_layer())
            .add_service(health)
            .add_service(addresses)
            .add_service(registration)
            .add_service(photos)
            .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async move {
                shutdown.await;
                reporter
                    .set_not_serving::<AddressesServer<AddressesService>>()
                    .await;
                reporter
                    .set_not_serving::<RegistrationServer<RegistrationService>>()
                    .await;
                reporter
                    .set_service_status("", tonic_health::ServingStatus::NotServing)
                    .await;
            })
            .await
            .context("svc-yibiaosanshi server")
    }
}
