//! Building and running svc-auth.
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::domain::tokens::TokenKeys;
use anyhow::Context;
use kit::cache::SharedCache;
use kit::db::Database;
use kit::metrics::ServiceMetrics;
use kit::service::Health;
use proto::auth::auth_server::{AuthServer, SERVICE_NAME};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::actions::State;
use crate::actions::hashing::Hashing;
use crate::clients::sms::SmsClient;
use crate::clients::wechat::WechatClient;
use crate::config::Settings;
use crate::db::MIGRATIONS;
use crate::domain::notices::Templates;
use crate::grpc::AuthService;

/// svc-auth, bound and migrated, not yet serving.
pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    state: Arc<State>,
    metrics: ServiceMetrics,
    metrics_addr: Option<SocketAddr>,
    shutdown_delay: Duration,
    callers: kit::caller::Verifier,
}

impl Application {
    /// Migrates the database, opens the pool and binds `auth.listen` (port 0 allowed).
    pub async fn build(settings: Settings, cache: SharedCache) -> anyhow::Result<Self> {
        let auth = settings.auth;
        let callers = settings.callers.verifier()?;
        let db = Database::connect(&auth.database_url, auth.pool_size, &MIGRATIONS)
            .await
            .context("opening svc-auth's database")?;
        let listener = TcpListener::bind(&auth.listen)
            .await
            .with_context(|| format!("binding {}", auth.listen))?;
        let addr = listener.local_addr()?;
        let metrics = ServiceMetrics::new().context("registering metrics")?;
        metrics.watch_pool(&db);
        let metrics_addr = metrics.serve_on(&auth.metrics_listen).await?;
        let shutdown_delay = Duration::from_millis(auth.shutdown_delay_ms);
        let hashing = Hashing::new(
            auth.hash_concurrency,
            Duration::from_millis(auth.hash_wait_ms),
        )
        .context("hashing instruments")?;
        hashing
            .register(&metrics)
            .context("registering the hashing metrics")?;
        let templates = Templates::new(&auth.notices).map_err(anyhow::Error::msg)?;
        let state = State {
            db,
            wechat: WechatClient::new(auth.wechat.clone(), cache.clone())?,
            sms: SmsClient::new(auth.sms.clone())?,
            hashing,
            templates,
            cache,
            tokens: TokenKeys::new(&settings.tokens),
            settings: auth,
        };
        Ok(Self {
            listener,
            addr,
            state: Arc::new(state),
            metrics,
            metrics_addr,
            shutdown_delay,
            callers,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where the Prometheus text is served (`auth.metrics_listen`), if anywhere.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// The service's database (operator commands, demo seeding).
    pub fn database(&self) -> Database {
        self.state.db.clone()
    }

    /// Serves gRPC (with health following the database) until `shutdown` resolves; then
    /// reports NOT_SERVING, keeps answering for `auth.shutdown_delay_ms` and drains in-flight calls.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let health = Health::new(&[SERVICE_NAME]).await;
        // Ended and waited for once the server stops: nothing of the service then holds its
        // database.
        let mut background = JoinSet::new();
        background.spawn(health.watch_database(self.state.db.clone()));
        {
            let state = self.state.clone();
            background.spawn(kit::outbox::run(
                self.state.db.clone(),
                crate::actions::notices::TO_WECHAT,
                Some(self.metrics.clone()),
                move |message| {
                    let state = state.clone();
                    async move { crate::actions::notices::deliver(&state, &message.payload).await }
                },
            ));
        }
        let service = AuthServer::new(AuthService::new(self.state));
        tracing::info!(addr = %self.addr, "svc-auth serving");
        let served = tonic::transport::Server::builder()
            .layer(kit::grpc::trace_layer())
            .layer(self.metrics.rpc_layer())
            .layer(kit::caller::require(self.callers))
            .add_service(health.server())
            .add_service(service)
            .serve_with_incoming_shutdown(
                kit::grpc::incoming(self.listener),
                health.stop_after(shutdown, self.shutdown_delay),
            )
            .await
            .context("svc-auth server");
        background.shutdown().await;
        served
    }
}
