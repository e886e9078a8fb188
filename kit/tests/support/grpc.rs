//! A service's own integration tests: fake peers on a free port, and a channel to the service
//! under test through the client layer (a caller assertion on every call). Shared through
//! `#[path]`.
// Each test crate uses the helpers it needs.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use kit::caller::CallerChannel;
use kit::settings::{Endpoints, ServiceSettings, TelemetrySettings};
use proto::caller::{CallerRefs, PlatformRef};
use tokio::sync::oneshot;

/// Serves `router` (the fake peers) on a free port of loopback; its `http://` address.
pub async fn serve_fakes(router: tonic::transport::server::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let addr = listener.local_addr().expect("its address");
    tokio::spawn(router.serve_with_incoming(kit::grpc::incoming(listener)));
    format!("http://{addr}")
}

/// A channel to the service at `addr`, signing every call as `component` would.
pub async fn signed_channel(addr: SocketAddr, component: &str) -> CallerChannel {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .expect("an endpoint")
        .timeout(Duration::from_secs(30))
        .connect()
        .await
        .expect("the service answers");
    kit::settings::CallerSettings::load()
        .expect("caller settings")
        .signer(component)
        .expect("a signer")
        .channel(channel)
}

/// Quiet telemetry for a test.
pub fn telemetry() -> TelemetrySettings {
    TelemetrySettings {
        level: "warn".to_owned(),
        json: false,
        sample_ratio: 0.0,
    }
}

/// Every peer at `peers` (one fake server answers for all of them).
pub fn endpoints(peers: &str) -> Endpoints {
    Endpoints {
        auth: peers.to_owned(),
        yibiaosanshi: peers.to_owned(),
        orders: peers.to_owned(),
        community: peers.to_owned(),
        timeout_ms: 5000,
    }
}

/// The service on a free port over `database_url`.
pub fn listening(database_url: &str) -> ServiceSettings {
    ServiceSettings {
        listen: "127.0.0.1:0".to_owned(),
        database_url: database_url.to_owned(),
        pool_size: 4,
        metrics_listen: String::new(),
        shutdown_delay_ms: 0,
    }
}

/// The platform credential managing `communities`, as the gateway asserts it.
pub fn platform(communities: &[&str]) -> Option<PlatformRef> {
    Some(PlatformRef {
        credential_id: 1,
        secret_id: "123456".to_owned(),
        communities: communities.iter().map(|c| (*c).to_owned()).collect(),
    })
}

/// `message` with a request id, acting for whom it names (as the gateway sends it).
pub fn signed<T: CallerRefs>(message: T) -> tonic::Request<T> {
    proto::caller::acting_for(kit::grpc::request(message, "service-test"))
}

/// Stops the service under test when dropped.
pub struct Stop(Option<oneshot::Sender<()>>);

impl Stop {
    /// The guard, and the future the service serves until.
    pub fn new() -> (Self, impl std::future::Future<Output = ()> + Send + 'static) {
        let (stop, stopped) = oneshot::channel::<()>();
        (Self(Some(stop)), async move {
            let _ = stopped.await;
        })
    }
}

impl Drop for Stop {
    fn drop(&mut self) {
        if let Some(stop) = self.0.take() {
            let _ = stop.send(());
        }
    }
}

/// The sandbox (the outside world) on a free port of loopback.
pub async fn sandbox() -> sandbox::Sandbox {
    sandbox::Sandbox::start(sandbox::SandboxSettings {
        listen: "127.0.0.1:0".to_owned(),
        ..sandbox::SandboxSettings::default()
    })
    .await
    .expect("the sandbox starts")
}

/// svc-yibiaosanshi's answer to ListCommunities with one community, 10002 晨曦家园.
pub fn one_community() -> proto::yibiaosanshi::CommunityList {
    proto::yibiaosanshi::CommunityList {
        communities: vec![proto::yibiaosanshi::Community {
            id: 1,
            community_name: "晨曦家园".to_owned(),
            community_identifier: "10002".to_owned(),
            ..Default::default()
        }],
    }
}
