//! Building and running svc-community.
use std::future::Future;
use std::net::SocketAddr;

use kit::service::ServiceBase;
use kit::settings::ServiceSettings;

use crate::db::MIGRATIONS;

/// svc-community, migrated and bound, not yet serving.
pub struct Application(ServiceBase);

impl Application {
    pub async fn build(settings: &ServiceSettings) -> anyhow::Result<Self> {
        Ok(Self(
            ServiceBase::build("svc-community", settings, &MIGRATIONS).await?,
        ))
    }

    pub fn addr(&self) -> SocketAddr {
        self.0.addr
    }

    pub fn database(&self) -> kit::db::Database {
        self.0.db.clone()
    }

    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        self.0.serve_health(shutdown).await
    }
}
