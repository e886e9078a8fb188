//! Builds the actix application and its server; runs it until it is stopped.
use std::net::{SocketAddr, TcpListener};

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use kit::cache::SharedCache;

use crate::config::Settings;
use crate::params::ParamsLimits;
use crate::state::{AppState, Readiness};
use crate::{middleware, openapi, routes};

/// Seconds requests in flight get to finish once a stop begins.
const SHUTDOWN_TIMEOUT_SECONDS: u64 = 30;

/// A bound, not yet serving gateway.
pub struct Application {
    addr: SocketAddr,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    /// Binds `settings.gateway.listen` (port 0 allowed) and builds the gRPC clients (lazy
    /// channels, `endpoints.timeout_ms` per call). Serving starts with [`Self::run_until_stopped`].
    pub async fn build(settings: Settings, cache: SharedCache) -> anyhow::Result<Self> {
        Self::build_on(settings, cache, None).await
    }

    /// As [`Application::build`], on `listener` when one was bound beforehand (the stack binds
    /// a free port first, so the notify URL it gives WeChat Pay is this gateway's).
    pub async fn build_on(
        settings: Settings,
        cache: SharedCache,
        listener: Option<TcpListener>,
    ) -> anyhow::Result<Self> {
        let listener = match listener {
            Some(listener) => listener,
            None => TcpListener::bind(&settings.gateway.listen)
                .with_context(|| format!("binding the gateway to {}", settings.gateway.listen))?,
        };
        let addr = listener
            .local_addr()
            .context("reading the gateway's bound address")?;
        let state = web::Data::new(AppState::new(&settings, cache)?);
        let limits = ParamsLimits {
            body: settings.gateway.body_limit_bytes,
            upload: settings.gateway.upload_limit_bytes,
            video: settings.gateway.video_upload_limit_bytes,
            parts: settings.gateway.multipart_max_parts,
        };
        let readiness = state.readiness.clone();
        let shutdown_delay = std::time::Duration::from_millis(settings.gateway.shutdown_delay_ms);
        let app_state = state.clone();
        let server =
            HttpServer::new(move || app(app_state.clone(), limits).service(openapi::swagger_ui()))
                .workers(settings.gateway.workers.max(1))
                .shutdown_timeout(SHUTDOWN_TIMEOUT_SECONDS)
                // SIGTERM and Ctrl-C both drain gracefully; readiness drops first, and stays down for
                // `shutdown_delay_ms` while new requests are still served (load balancers see it).
                .shutdown_signal(async move {
                    kit::grpc::shutdown_signal().await;
                    readiness.set_not_ready();
                    tracing::info!(
                        delay_ms = shutdown_delay.as_millis() as u64,
                        "gateway stopping: not ready, then draining requests in flight"
                    );
                    tokio::time::sleep(shutdown_delay).await;
                })
                .listen(listener)
                .context("listening on the gateway's socket")?
                .run();
        Ok(Self {
            addr,
            server,
            state,
        })
    }

    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server from elsewhere: `handle.stop(true).await` drains gracefully.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Clears `/readyz` (e.g. before a planned stop).
    pub fn readiness(&self) -> Readiness {
        self.state.readiness.clone()
    }

    /// The shared state (channels, cache, metrics).
    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until the server stops (a signal or [`Self::handle`]).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.server.await.context("gateway server failed")
    }
}

/// The application without the documentation pages: state, limits, middleware and routes.
/// Tests may drive it directly with `actix_web::test::init_service`.
pub fn app(
    state: web::Data<AppState>,
    limits: ParamsLimits,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(limits)
        .app_data(web::PayloadConfig::new(limits.body))
        .wrap(from_fn(middleware::read_small_bodies))
        .wrap(from_fn(middleware::rate_limit))
        .wrap(from_fn(middleware::envelope_errors))
        .wrap(from_fn(middleware::observe))
        .configure(routes::configure)
}
