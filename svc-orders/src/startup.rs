//! Building and running svc-orders.
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kit::cache::SharedCache;
use kit::service::{Health, ServiceBase};
use proto::orders::orders_server::OrdersServer;
use proto::viewings::viewings_server::ViewingsServer;
use secplat::SecplatClient;
use tokio::task::JoinSet;
use wxpay::WxPayClient;

use crate::actions::State;
use crate::clients::{Auth, Community, Rental, Yibiaosanshi};
use crate::config::Settings;
use crate::db::MIGRATIONS;
use crate::grpc::OrdersService;
use crate::grpc::viewings::ViewingsService;

const NAME: &str = "svc-orders";

/// svc-orders, migrated and bound, not yet serving.
pub struct Application {
    base: ServiceBase,
    state: Arc<State>,
    secplat: SecplatClient,
    reconciliation: crate::config::ReconciliationSettings,
    /// svc-auth, which takes the residents' notices of the outbox.
    notices: proto::clients::Notices,
    callers: kit::caller::Verifier,
}

impl Application {
    /// Migrates the database, binds `orders.listen` (port 0 allowed) and prepares the clients
    /// of svc-yibiaosanshi, svc-auth and svc-community (connecting on first use), WeChat Pay and
    /// the security platform.
    pub async fn build(settings: Settings, cache: SharedCache) -> anyhow::Result<Self> {
        let base = ServiceBase::build(NAME, &settings.orders, &MIGRATIONS).await?;
        let callers = settings.callers.verifier()?;
        let signer = settings.callers.signer(NAME)?;
        let timeout = Duration::from_millis(settings.endpoints.timeout_ms);
        let channel = |name: &str, url: &str| {
            kit::grpc::lazy_channel(url, timeout)
                .map(|channel| signer.channel(channel))
                .with_context(|| format!("{name} endpoint {url}"))
        };
        let endpoints = &settings.endpoints;
        let state = State {
            db: base.db.clone(),
            yibiaosanshi: Yibiaosanshi::new(channel("svc-yibiaosanshi", &endpoints.yibiaosanshi)?)
                .remembering_houses(cache.clone()),
            auth: Auth::new(channel("svc-auth", &endpoints.auth)?),
            community: Community::new(channel("svc-community", &endpoints.community)?),
            rental: Rental::new(channel("svc-community", &endpoints.community)?),
            wxpay: WxPayClient::new(settings.wxpay).context("WeChat Pay client")?,
            alipay: alipay::Alipay::new(settings.alipay).context("Alipay client")?,
            viewing_fee_fen: settings.rental.viewing_fee_fen,
            confirm_within_secs: (settings.rental.confirm_within_hours * 3600.0).round() as i64,
            check_after_secs: settings.reconciliation.after_seconds,
            invite_share: settings.rental.invite_share,
            cache: cache.clone(),
        };
        anyhow::ensure!(
            state.viewing_fee_fen >= 1,
            "rental.viewing_fee_fen must be at least 1 fen"
        );
        anyhow::ensure!(
            (0.0..=1.0).contains(&state.invite_share),
            "rental.invite_share must lie between 0 and 1"
        );
        anyhow::ensure!(
            state.confirm_within_secs >= 1,
            "rental.confirm_within_hours must be more than 0"
        );
        let secplat =
            SecplatClient::new(settings.secplat, cache).context("security platform client")?;
        let notices = proto::clients::Notices::new(channel("svc-auth", &endpoints.auth)?);
        Ok(Self {
            base,
            state: Arc::new(state),
            secplat,
            reconciliation: settings.reconciliation,
            notices,
            callers,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.base.addr
    }

    pub fn database(&self) -> kit::db::Database {
        self.base.db.clone()
    }

    /// Serves `Orders` and gRPC health until `shutdown` resolves.
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
        // Ended and waited for once the server stops: nothing of the service then holds its
        // database.
        let mut background = JoinSet::new();
        background.spawn(crate::actions::outbox::run(
            db.clone(),
            self.secplat,
            metrics.clone(),
        ));
        background.spawn(self.notices.run(db.clone(), NAME));
        background.spawn(crate::actions::refunds::run(self.state.clone()));
        background.spawn(crate::actions::reconcile::run(
            self.state.clone(),
            self.reconciliation,
        ));
        let health = Health::new(&[
            <OrdersServer<OrdersService> as tonic::server::NamedService>::NAME,
            <ViewingsServer<ViewingsService> as tonic::server::NamedService>::NAME,
        ])
        .await;
        background.spawn(health.watch_database(db));
        tracing::info!(%addr, "{NAME} serving");
        let served = tonic::transport::Server::builder()
            .layer(kit::grpc::trace_layer())
            .layer(metrics.rpc_layer())
            .layer(kit::caller::require(self.callers))
            .add_service(health.server())
            .add_service(ViewingsServer::new(ViewingsService::new(
                self.state.clone(),
            )))
            .add_service(OrdersServer::new(OrdersService::new(self.state)))
            .serve_with_incoming_shutdown(
                kit::grpc::incoming(listener),
                health.stop_after(shutdown, shutdown_delay),
            )
            .await
            .context("svc-orders server");
        background.shutdown().await;
        served
    }
}
