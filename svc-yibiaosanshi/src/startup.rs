//! Building and running svc-yibiaosanshi.
use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use kit::db::Database;
use kit::service::ServiceBase;
use kit::settings::ServiceSettings;
use proto::yibiaosanshi::addresses_server::AddressesServer;
use tokio_stream::wrappers::TcpListenerStream;

use crate::db::MIGRATIONS;
use crate::grpc::AddressesService;

const NAME: &str = "svc-yibiaosanshi";

/// svc-yibiaosanshi, migrated and bound, not yet serving.
pub struct Application(ServiceBase);

impl Application {
    /// Migrates the database, opens the pool and binds `listen` (port 0 allowed).
    pub async fn build(settings: &ServiceSettings) -> anyhow::Result<Self> {
        Ok(Self(ServiceBase::build(NAME, settings, &MIGRATIONS).await?))
    }

    pub fn addr(&self) -> SocketAddr {
        self.0.addr
    }

    /// The service's database (operator commands, demo seeding).
    pub fn database(&self) -> Database {
        self.0.db.clone()
    }

    /// Serves gRPC (with health) until `shutdown` resolves, then drains in-flight calls.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let ServiceBase {
            listener, addr, db, ..
        } = self.0;
        let (reporter, health) = tonic_health::server::health_reporter();
        reporter
            .set_serving::<AddressesServer<AddressesService>>()
            .await;
        let service = AddressesServer::new(AddressesService::new(db));
        tracing::info!(%addr, "{NAME} serving");
        tonic::transport::Server::builder()
            .layer(kit::grpc::trace_layer())
            .add_service(health)
            .add_service(service)
            .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async move {
                shutdown.await;
                reporter
                    .set_not_serving::<AddressesServer<AddressesService>>()
                    .await;
                reporter
                    .set_service_status("", tonic_health::ServingStatus::NotServing)
                    .await;
            })
            .await
            .context("svc-yibiaosanshi server")
    }
}
