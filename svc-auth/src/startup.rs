//! Building and running svc-auth.
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use kit::cache::SharedCache;
use kit::db::Database;
use kit::tokens::TokenKeys;
use proto::auth::auth_server::AuthServer;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;

use crate::actions::State;
use crate::clients::sms::SmsClient;
use crate::clients::wechat::WechatClient;
use crate::config::Settings;
use crate::db::MIGRATIONS;
use crate::grpc::AuthService;

/// svc-auth, bound and migrated, not yet serving.
pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    state: Arc<State>,
}

impl Application {
    /// Migrates the database, opens the pool and binds `auth.listen` (port 0 allowed).
    pub async fn build(settings: Settings, cache: SharedCache) -> anyhow::Result<Self> {
        let auth = settings.auth;
        let db = Database::connect(&auth.database_url, auth.pool_size, &MIGRATIONS)
            .await
            .context("opening svc-auth's database")?;
        let listener = TcpListener::bind(&auth.listen)
            .await
            .with_context(|| format!("binding {}", auth.listen))?;
        let addr = listener.local_addr()?;
        let state = State {
            db,
            wechat: WechatClient::new(auth.wechat.clone(), cache.clone())?,
            sms: SmsClient::new(auth.sms.clone())?,
            cache,
            tokens: TokenKeys::new(&settings.tokens),
            settings: auth,
        };
        Ok(Self {
            listener,
            addr,
            state: Arc::new(state),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The service's database (operator commands, demo seeding).
    pub fn database(&self) -> Database {
        self.state.db.clone()
    }

    /// Serves gRPC (with health) until `shutdown` resolves, then drains in-flight calls.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (reporter, health) = tonic_health::server::health_reporter();
        reporter.set_serving::<AuthServer<AuthService>>().await;
        let service = AuthServer::new(AuthService::new(self.state));
        tracing::info!(addr = %self.addr, "svc-auth serving");
        tonic::transport::Server::builder()
            .layer(kit::grpc::trace_layer())
            .add_service(health)
            .add_service(service)
            .serve_with_incoming_shutdown(TcpListenerStream::new(self.listener), async move {
                shutdown.await;
                reporter.set_not_serving::<AuthServer<AuthService>>().await;
            })
            .await
            .context("svc-auth server")
    }
}
