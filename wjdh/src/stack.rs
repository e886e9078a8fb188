//! Starting and stopping the whole stack.
use std::net::SocketAddr;

use anyhow::Context;
use serde::Deserialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How to start the stack.
#[derive(Clone, Debug, Default)]
pub struct StackOptions {
    /// Settings on top of defaults, file and environment (`auth.database_url`, ...).
    pub overrides: Vec<(String, String)>,
    /// Bind every listener on a free port (tests) instead of the configured ones.
    pub ephemeral_ports: bool,
}

#[derive(Deserialize)]
struct SandboxSection {
    sandbox: sandbox::SandboxSettings,
}

/// The running platform.
pub struct Stack {
    pub gateway: SocketAddr,
    pub sandbox_url: String,
    pub auth: SocketAddr,
    pub yibiaosanshi: SocketAddr,
    pub orders: SocketAddr,
    pub community: SocketAddr,
    pub cache: kit::cache::SharedCache,
    pub auth_db: kit::db::Database,
    pub yibiaosanshi_db: kit::db::Database,
    pub orders_db: kit::db::Database,
    pub community_db: kit::db::Database,
    stop: watch::Sender<bool>,
    gateway_handle: actix_web::dev::ServerHandle,
    sandbox: Option<sandbox::Sandbox>,
    tasks: Vec<JoinHandle<anyhow::Result<()>>>,
}

/// Loads settings with owned `(key, value)` overrides on top.
fn settings<T: serde::de::DeserializeOwned>(overrides: &[(String, String)]) -> anyhow::Result<T> {
    let borrowed: Vec<(&str, String)> = overrides
        .iter()
        .map(|(key, value)| (key.as_str(), value.clone()))
        .collect();
    kit::settings::load_with(&borrowed)
}

async fn stopped(mut receiver: watch::Receiver<bool>) {
    let _ = receiver.wait_for(|stop| *stop).await;
}

impl Stack {
    /// Starts sandbox, services and gateway; migrates every database; seeds the demo credentials.
    /// This is the sandbox setup: it refuses, naming the setting, any listener beyond loopback.
    pub async fn start(options: StackOptions) -> anyhow::Result<Self> {
        let mut overrides = options.overrides.clone();
        if options.ephemeral_ports {
            for key in [
                "sandbox.listen",
                "sandbox.sms_listen",
                "auth.listen",
                "yibiaosanshi.listen",
                "orders.listen",
                "community.listen",
                "gateway.listen",
            ] {
                overrides.push((key.to_owned(), "127.0.0.1:0".to_owned()));
            }
        }
        // The sandbox setup: the simulated outside world and the development secrets, so
        // nothing may be reachable from beyond this machine.
        let borrowed: Vec<(&str, String)> = overrides
            .iter()
            .map(|(key, value)| (key.as_str(), value.clone()))
            .collect();
        kit::guard::require_loopback_with(&borrowed)?;
        tracing::warn!(
            "SANDBOX SETUP: WeChat, WeChat Pay, SMS, OCR and the security platform are simulated \
             and the development secrets of defaults.toml are in use; every listener is on \
             loopback. Never a production deployment."
        );
        let load = |extra: &[(String, String)]| -> Vec<(String, String)> {
            overrides.iter().chain(extra).cloned().collect()
        };
        // Outside parties (WeChat Pay, Alipay) call back into this stack's gateway. On free ports
        // the gateway's listener is bound here, before the sandbox learns its address, and the
        // gateway serves on it.
        let gateway_listener = if options.ephemeral_ports {
            Some(std::net::TcpListener::bind("127.0.0.1:0")?)
        } else {
            None
        };
        let gateway_port = gateway_listener
            .as_ref()
            .map(std::net::TcpListener::local_addr)
            .transpose()?;
        let auth_notify =
            gateway_port.map(|addr| format!("http://{addr}/api/v1/rental/payment/ali/auth_notify"));
        let sandbox_wiring: Vec<(String, String)> = auth_notify
            .iter()
            .map(|url| ("sandbox.alipay_auth_redirect_uri".to_owned(), url.clone()))
            .collect();
        let sandbox_settings: SandboxSection = settings(&load(&sandbox_wiring))?;
        let sandbox = sandbox::Sandbox::start(sandbox_settings.sandbox)
            .await
            .context("starting the sandbox")?;
        let sandbox_url = sandbox.base_url();
        let outside = vec![
            ("auth.wechat.base_url".to_owned(), sandbox_url.clone()),
            (
                "auth.sms.endpoint".to_owned(),
                format!("{sandbox_url}/aliyun-sms/"),
            ),
            (
                "secplat.base_url".to_owned(),
                format!("{sandbox_url}/secplat"),
            ),
            (
                "ocr.endpoint".to_owned(),
                format!("{sandbox_url}/ocr/idcard"),
            ),
        ];

        let platform: kit::settings::Platform = settings(&load(&outside))?;
        let cache = kit::cache::connect_for_every_component(&platform.cache)?;
        let auth_settings: svc_auth::config::Settings = settings(&load(&outside))?;
        let auth = svc_auth::startup::Application::build(auth_settings, cache.clone()).await?;
        // Each service is started after those it calls: auth, yibiaosanshi, community, orders.
        let mut inner = outside.clone();
        inner.push((
            "endpoints.auth".to_owned(),
            format!("http://{}", auth.addr()),
        ));
        let yibiaosanshi_settings: svc_yibiaosanshi::config::Settings = settings(&load(&inner))?;
        let yibiaosanshi =
            svc_yibiaosanshi::startup::Application::build(yibiaosanshi_settings, cache.clone())
                .await?;
        let mut beside_yibiaosanshi = inner.clone();
        beside_yibiaosanshi.push((
            "endpoints.yibiaosanshi".to_owned(),
            format!("http://{}", yibiaosanshi.addr()),
        ));
        let community_settings: svc_community::config::Settings =
            settings(&load(&beside_yibiaosanshi))?;
        let community =
            svc_community::startup::Application::build(community_settings, cache.clone()).await?;
        beside_yibiaosanshi.push((
            "endpoints.community".to_owned(),
            format!("http://{}", community.addr()),
        ));
        // WeChat Pay and Alipay are the sandbox; their notifications must reach this stack's
        // gateway.
        let mut beside_orders = beside_yibiaosanshi.clone();
        beside_orders.push(("wxpay.base_url".to_owned(), sandbox_url.clone()));
        beside_orders.push((
            "alipay.gateway".to_owned(),
            format!("{sandbox_url}/alipay/gateway.do"),
        ));
        beside_orders.push((
            "alipay.auth_page".to_owned(),
            format!("{sandbox_url}/alipay/oauth2/publicAppAuthorize.htm"),
        ));
        if let Some(addr) = gateway_port {
            beside_orders.push((
                "wxpay.notify_url".to_owned(),
                format!("http://{addr}/api/v1/weapp/payment/notify"),
            ));
            beside_orders.push((
                "wxpay.refund_notify_url".to_owned(),
                format!("http://{addr}/api/v1/weapp/payment/refund_notify"),
            ));
            beside_orders.push((
                "alipay.notify_url".to_owned(),
                format!("http://{addr}/api/v1/rental/payment/ali/notify"),
            ));
        }
        if let Some(url) = auth_notify {
            beside_orders.push(("alipay.auth_redirect_url".to_owned(), url));
        }
        let orders_settings: svc_orders::config::Settings = settings(&load(&beside_orders))?;
        let orders =
            svc_orders::startup::Application::build(orders_settings, cache.clone()).await?;
        let community_db = community.database();
        let orders_db = orders.database();
        let auth_db = auth.database();
        let yibiaosanshi_db = yibiaosanshi.database();
        let demo =
            svc_yibiaosanshi::actions::addresses::demo::ensure_demo_dataset(&yibiaosanshi_db)
                .await?;
        if demo.houses > 0 {
            tracing::info!(houses = demo.houses, "demo address tree created");
        }
        let seeded = svc_auth::actions::admin::ensure_demo_credentials(&auth_db).await?;
        if seeded > 0 {
            tracing::info!(seeded, "demo platform credentials created");
        }

        let mut wired = outside.clone();
        for (key, addr) in [
            ("endpoints.auth", auth.addr()),
            ("endpoints.yibiaosanshi", yibiaosanshi.addr()),
            ("endpoints.orders", orders.addr()),
            ("endpoints.community", community.addr()),
        ] {
            wired.push((key.to_owned(), format!("http://{addr}")));
        }
        if let Some(addr) = gateway_port {
            wired.push(("gateway.listen".to_owned(), addr.to_string()));
            wired.push((
                "gateway.public_base_url".to_owned(),
                format!("http://{addr}"),
            ));
        }
        // One process, one cache (`connect_for_every_component`): what svc-auth writes there (an
        // exchanged token, a revoked credential) the gateway reads at once.
        let gateway_settings: gateway::config::Settings = settings(&load(&wired))?;
        let gateway = gateway::startup::Application::build_on(
            gateway_settings,
            cache.clone(),
            gateway_listener,
        )
        .await?;

        let (stop, receiver) = watch::channel(false);
        let (auth_addr, yibiaosanshi_addr) = (auth.addr(), yibiaosanshi.addr());
        let (community_addr, orders_addr) = (community.addr(), orders.addr());
        let (gateway_addr, gateway_handle) = (gateway.addr(), gateway.handle());
        let mut tasks = vec![
            tokio::spawn(auth.run_until_stopped(stopped(receiver.clone()))),
            tokio::spawn(yibiaosanshi.run_until_stopped(stopped(receiver.clone()))),
        ];
        // The switches exist before the first request (001 §3.1.1), and svc-yibiaosanshi, now
        // serving, hears those that gate registrations; the platform may be down.
        if let Err(error) = community.sync_modules().await {
            tracing::warn!(%error, "module switches not synced at start");
        }
        tasks.push(tokio::spawn(
            community.run_until_stopped(stopped(receiver.clone())),
        ));
        tasks.push(tokio::spawn(orders.run_until_stopped(stopped(receiver))));
        tasks.push(tokio::spawn(gateway.run_until_stopped()));
        let stack = Self {
            gateway: gateway_addr,
            sandbox_url,
            auth: auth_addr,
            yibiaosanshi: yibiaosanshi_addr,
            orders: orders_addr,
            community: community_addr,
            cache,
            auth_db,
            yibiaosanshi_db,
            orders_db,
            community_db,
            stop,
            gateway_handle,
            sandbox: Some(sandbox),
            tasks,
        };
        Ok(stack)
    }

    /// `http://127.0.0.1:PORT` of the gateway.
    pub fn gateway_url(&self) -> String {
        format!("http://{}", self.gateway)
    }

    /// Stops the gateway gracefully, then the services and the sandbox.
    pub async fn stop(mut self) {
        self.gateway_handle.stop(true).await;
        let _ = self.stop.send(true);
        for task in self.tasks.drain(..) {
            match task.await {
                Ok(Err(error)) => tracing::warn!(%error, "component stopped with an error"),
                Err(error) => tracing::warn!(%error, "component task failed"),
                Ok(Ok(())) => {}
            }
        }
        if let Some(sandbox) = self.sandbox.take() {
            sandbox.stop().await;
        }
    }

    /// Waits until Ctrl-C or SIGTERM, then stops.
    pub async fn run_until_signal(self) {
        kit::grpc::shutdown_signal().await;
        tracing::info!("stopping");
        self.stop().await;
    }
}
