//! Binds the sandbox's HTTP server and runs it on the current tokio runtime.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};

use actix_web::body::MessageBody;
use actix_web::dev::{ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Next, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use tokio::task::JoinHandle;

use crate::config::SandboxSettings;
use crate::state::AppState;
use crate::{alipay, health, ocr, secplat, sms, wechat, wxpay};

/// A running sandbox; [`Sandbox::stop`] shuts it down gracefully.
pub struct Sandbox {
    main: Server,
    /// SMS at the root of its own port, when `sms_listen` asks for one.
    sms: Option<Server>,
}

/// One HTTP server of the sandbox.
struct Server {
    addr: SocketAddr,
    handle: ServerHandle,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn stop(self) {
        self.handle.stop(true).await;
        match self.task.await {
            Ok(Ok(())) => tracing::info!(addr = %self.addr, "sandbox server stopped"),
            Ok(Err(error)) => tracing::warn!(%error, "sandbox server ended with an error"),
            Err(error) => tracing::warn!(%error, "sandbox server task failed"),
        }
    }
}

/// `http://127.0.0.1:PORT` of `addr`; an unspecified bind address is reached through loopback.
fn base_url_of(mut addr: SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        addr.set_ip(Ipv4Addr::LOCALHOST.into());
    }
    format!("http://{addr}")
}

impl Sandbox {
    /// Binds `settings.listen` (port 0 allowed), starts serving on the current tokio runtime and
    /// returns at once.
    pub async fn start(settings: SandboxSettings) -> anyhow::Result<Sandbox> {
        let runtime = tokio::runtime::Handle::try_current()
            .context("the sandbox must be started inside a tokio runtime")?;
        let listener = TcpListener::bind(&settings.listen)
            .with_context(|| format!("binding the sandbox to {}", settings.listen))?;
        let addr = listener
            .local_addr()
            .context("reading the sandbox's bound address")?;
        let platform = web::Data::new(
            secplat::Platform::new(&settings).context("loading the security platform's records")?,
        );
        let payments =
            web::Data::new(wxpay::WxPay::new(&settings).context("loading WeChat Pay's keys")?);
        let alipay =
            web::Data::new(alipay::Alipay::new(&settings).context("loading Alipay's keys")?);
        let subscriptions = web::Data::new(wechat::Subscriptions::default());
        let sms_listen = settings.sms_listen.clone();
        let state = web::Data::new(AppState::new(settings));
        let sms_state = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(log_request))
                .app_data(state.clone())
                .app_data(platform.clone())
                .app_data(payments.clone())
                .app_data(alipay.clone())
                .app_data(subscriptions.clone())
                .configure(health::routes)
                .configure(wechat::routes)
                .configure(sms::routes)
                .configure(secplat::routes)
                .configure(ocr::routes)
                .configure(wxpay::routes)
                .configure(alipay::routes)
        })
        .workers(2)
        .disable_signals()
        .shutdown_timeout(5)
        .listen(listener)
        .context("listening on the sandbox's socket")?
        .run();
        let handle = server.handle();
        let task = runtime.spawn(server);
        tracing::info!(%addr, "sandbox started");
        let sms = if sms_listen.trim().is_empty() {
            None
        } else {
            let listener = TcpListener::bind(&sms_listen)
                .with_context(|| format!("binding the sandbox's SMS host to {sms_listen}"))?;
            let addr = listener
                .local_addr()
                .context("reading the SMS host's address")?;
            let server = HttpServer::new(move || {
                App::new()
                    .wrap(from_fn(log_request))
                    .app_data(sms_state.clone())
                    .configure(sms::own_host_routes)
            })
            .workers(1)
            .disable_signals()
            .shutdown_timeout(5)
            .listen(listener)
            .context("listening on the SMS host's socket")?
            .run();
            let handle = server.handle();
            let task = runtime.spawn(server);
            tracing::info!(%addr, "sandbox SMS host started");
            Some(Server { addr, handle, task })
        };
        let main = Server { addr, handle, task };
        Ok(Sandbox { main, sms })
    }

    /// The SMS host's base URL (`SendSms` at its root), when `sms_listen` asked for one.
    pub fn sms_url(&self) -> Option<String> {
        self.sms.as_ref().map(|sms| base_url_of(sms.addr))
    }

    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.main.addr
    }

    /// `http://127.0.0.1:PORT`; an unspecified bind address is reached through loopback.
    pub fn base_url(&self) -> String {
        base_url_of(self.main.addr)
    }

    /// Stops accepting, lets requests in flight finish, and waits for the servers to end.
    pub async fn stop(self) {
        if let Some(sms) = self.sms {
            sms.stop().await;
        }
        self.main.stop().await;
    }
}

// Method, path and status only: queries and bodies carry phone numbers and codes.
async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let method = req.method().clone();
    let path = req.path().to_owned();
    let response = next.call(req).await?;
    tracing::debug!(%method, path, status = response.status().as_u16(), "sandbox request");
    Ok(response)
}
