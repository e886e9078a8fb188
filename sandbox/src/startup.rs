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
use crate::{health, ocr, secplat, sms, wechat, wxpay};

/// A running sandbox; [`Sandbox::stop`] shuts it down gracefully.
pub struct Sandbox {
    addr: SocketAddr,
    handle: ServerHandle,
    task: JoinHandle<std::io::Result<()>>,
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
        let state = web::Data::new(AppState::new(settings));
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(log_request))
                .app_data(state.clone())
                .app_data(platform.clone())
                .app_data(payments.clone())
                .configure(health::routes)
                .configure(wechat::routes)
                .configure(sms::routes)
                .configure(secplat::routes)
                .configure(ocr::routes)
                .configure(wxpay::routes)
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
        Ok(Sandbox { addr, handle, task })
    }

    /// The address actually bound.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`; an unspecified bind address is reached through loopback.
    pub fn base_url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{addr}")
    }

    /// Stops accepting, lets requests in flight finish, and waits for the server to end.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        match self.task.await {
            Ok(Ok(())) => tracing::info!(addr = %self.addr, "sandbox stopped"),
            Ok(Err(error)) => tracing::warn!(%error, "sandbox server ended with an error"),
            Err(error) => tracing::warn!(%error, "sandbox server task failed"),
        }
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
