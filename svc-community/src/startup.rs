//! Building and running svc-community.
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kit::cache::SharedCache;
use kit::db::Database;
use kit::service::{Health, ServiceBase};
use proto::community::community_server::CommunityServer;
use proto::rental::rental_server::RentalServer;
use secplat::SecplatClient;
use tokio::task::JoinSet;

use crate::actions::State;
use crate::actions::photos::Photos;
use crate::actions::rental::media::RentalFiles;
use crate::clients::yibiaosanshi::Registrations;
use crate::config::Settings;
use crate::db::MIGRATIONS;
use crate::grpc::rental::RentalService;
use crate::grpc::{CommunityService, MAX_MESSAGE_BYTES};

const NAME: &str = "svc-community";

/// svc-community, migrated and bound, not yet serving.
pub struct Application {
    base: ServiceBase,
    state: Arc<State>,
    sync_every: Option<Duration>,
    /// How often listings' landlords are checked to still hold their houses.
    check_holdings_every: Option<Duration>,
    /// svc-auth, which takes the residents' notices of the outbox.
    notices: proto::clients::Notices,
    callers: kit::caller::Verifier,
}

impl Application {
    /// Migrates the database, binds `community.listen` (port 0 allowed) and prepares the clients
    /// of svc-yibiaosanshi (connecting on first use), the security platform and the object store.
    pub async fn build(settings: Settings, cache: SharedCache) -> anyhow::Result<Self> {
        let base = ServiceBase::build(NAME, &settings.community, &MIGRATIONS).await?;
        let callers = settings.callers.verifier()?;
        let signer = settings.callers.signer(NAME)?;
        let timeout = Duration::from_millis(settings.endpoints.timeout_ms);
        let channel = kit::grpc::lazy_channel(&settings.endpoints.yibiaosanshi, timeout)
            .with_context(|| {
                format!(
                    "svc-yibiaosanshi endpoint {}",
                    settings.endpoints.yibiaosanshi
                )
            })?;
        let auth = kit::grpc::lazy_channel(&settings.endpoints.auth, timeout)
            .with_context(|| format!("svc-auth endpoint {}", settings.endpoints.auth))?;
        let notices = proto::clients::Notices::new(signer.channel(auth));
        let secplat = SecplatClient::new(settings.secplat, cache.clone())
            .context("security platform client")?;
        let photos = Photos::open(&settings.objects).context("object store")?;
        let rental_files = RentalFiles::open(&settings.objects, &settings.rental)
            .context("object store (rental)")?;
        let state = State {
            db: base.db.clone(),
            registrations: Registrations::new(signer.channel(channel))
                .remembering_houses(cache.clone()),
            secplat,
            photos,
            rental_files,
        };
        let seconds = settings.module_sync.interval_seconds;
        let holdings = settings.rental.holding_check_seconds;
        Ok(Self {
            base,
            state: Arc::new(state),
            sync_every: (seconds > 0).then(|| Duration::from_secs(seconds)),
            check_holdings_every: (holdings > 0).then(|| Duration::from_secs(holdings)),
            notices,
            callers,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.base.addr
    }

    /// The service's database (benchmarks, demo seeding).
    pub fn database(&self) -> Database {
        self.base.db.clone()
    }

    /// 001 §3.1.1 now: stores the security platform's switches; returns how many modules.
    pub async fn sync_modules(&self) -> anyhow::Result<i64> {
        let reply = crate::actions::modules::sync(&self.state)
            .await
            .map_err(|error| anyhow::anyhow!("module sync: {}", error.message))?;
        Ok(reply.modules)
    }

    /// Serves `Community` and gRPC health until `shutdown` resolves; syncs the module switches
    /// every `community.module_sync_seconds` meanwhile.
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
        if let Some(every) = self.sync_every {
            let state = self.state.clone();
            background.spawn(async move {
                let mut ticks =
                    tokio::time::interval_at(tokio::time::Instant::now() + every, every);
                loop {
                    ticks.tick().await;
                    // A failure is logged inside; the next tick tries again.
                    let _ = crate::actions::modules::sync(&state).await;
                }
            });
        }
        if let Some(every) = self.check_holdings_every {
            let state = self.state.clone();
            background.spawn(async move {
                let mut ticks =
                    tokio::time::interval_at(tokio::time::Instant::now() + every, every);
                loop {
                    ticks.tick().await;
                    if let Err(error) = crate::actions::rental::listings::check_holdings(&state).await {
                        tracing::warn!(error = %error.message, "checking listings' landlords failed; next time again");
                    }
                }
            });
        }
        background.spawn(self.notices.run(db.clone(), NAME));
        let health = Health::new(&[
            <CommunityServer<CommunityService> as tonic::server::NamedService>::NAME,
            <RentalServer<RentalService> as tonic::server::NamedService>::NAME,
        ])
        .await;
        background.spawn(health.watch_database(db));
        let rental = RentalServer::new(RentalService::new(self.state.clone()))
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES);
        let service = CommunityServer::new(CommunityService::new(self.state))
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES);
        tracing::info!(%addr, "{NAME} serving");
        let served = tonic::transport::Server::builder()
            .layer(kit::grpc::trace_layer())
            .layer(metrics.rpc_layer())
            .layer(kit::caller::require(self.callers))
            .add_service(health.server())
            .add_service(service)
            .add_service(rental)
            .serve_with_incoming_shutdown(
                kit::grpc::incoming(listener),
                health.stop_after(shutdown, shutdown_delay),
            )
            .await
            .context("svc-community server");
        background.shutdown().await;
        served
    }
}
