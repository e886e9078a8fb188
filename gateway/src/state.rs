//! What every handler shares: the service channels, the cache, the metrics and the limits.
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use kit::cache::SharedCache;
use kit::caller::{CallerChannel, Signer};
use proto::auth::auth_client::AuthClient;
use proto::community::community_client::CommunityClient;
use proto::orders::orders_client::OrdersClient;
use proto::rental::rental_client::RentalClient;
use proto::viewings::viewings_client::ViewingsClient;
use proto::yibiaosanshi::addresses_client::AddressesClient;
use proto::yibiaosanshi::photos_client::PhotosClient;
use proto::yibiaosanshi::registration_client::RegistrationClient;
use tonic::transport::Channel;

use crate::config::Settings;
use crate::envelope::ApiError;
use crate::metrics::Metrics;
use crate::middleware::TrustedProxies;

/// Largest photos message either way (svc-yibiaosanshi accepts as much).
const PHOTO_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// Lazy channels to the four services (connected on first use, per-call timeout).
#[derive(Clone, Debug)]
pub struct Channels {
    pub auth: Channel,
    pub yibiaosanshi: Channel,
    pub orders: Channel,
    pub community: Channel,
}

impl Channels {
    /// Channels to `endpoints`; must run inside a tokio runtime.
    pub fn connect(endpoints: &kit::settings::Endpoints) -> anyhow::Result<Self> {
        let timeout = Duration::from_millis(endpoints.timeout_ms);
        let channel = |name: &str, url: &str| {
            kit::grpc::lazy_channel(url, timeout)
                .with_context(|| format!("endpoint of {name}: {url}"))
        };
        Ok(Self {
            auth: channel("auth", &endpoints.auth)?,
            yibiaosanshi: channel("yibiaosanshi", &endpoints.yibiaosanshi)?,
            orders: channel("orders", &endpoints.orders)?,
            community: channel("community", &endpoints.community)?,
        })
    }

    /// `(name, channel)` of each service, in the order `/readyz` reports them.
    pub fn named(&self) -> [(&'static str, Channel); 4] {
        [
            ("auth", self.auth.clone()),
            ("yibiaosanshi", self.yibiaosanshi.clone()),
            ("orders", self.orders.clone()),
            ("community", self.community.clone()),
        ]
    }
}

/// Whether `/readyz` may answer ready; cleared when shutting down.
#[derive(Clone, Debug)]
pub struct Readiness(Arc<AtomicBool>);

impl Default for Readiness {
    fn default() -> Self {
        Self(Arc::new(AtomicBool::new(true)))
    }
}

impl Readiness {
    /// From now on `/readyz` answers 503, so load balancers drain this replica.
    pub fn set_not_ready(&self) {
        self.0.store(false, Ordering::SeqCst);
    }

    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// How long the community list's answer is served at most without a new version: the bound
/// on a change whose announcement did not reach the cache (an import by hand, the cache down).
const COMMUNITIES_KEPT: std::time::Duration = std::time::Duration::from_secs(60);

/// The application state (one per gateway, shared by all workers).
pub struct AppState {
    pub channels: Channels,
    /// Signs the caller assertion of every call to a service (the client layer).
    pub signer: Signer,
    pub cache: SharedCache,
    /// Callers svc-auth already checked (`callers.rs`).
    pub callers: crate::callers::KnownCallers,
    /// 000 §2.1.1's answer as last made, while svc-yibiaosanshi announced no change of the list.
    pub communities: kit::cache::Versioned<actix_web::web::Bytes>,
    /// List pages with the versions of their data (`kept_pages.rs`).
    pub pages: crate::kept_pages::KeptPages,
    pub metrics: Metrics,
    pub rate_limit_per_minute: i64,
    /// The tighter per-client limit of `/api/v1/wjdh/secret`.
    pub secret_rate_limit_per_minute: i64,
    pub trusted_proxies: TrustedProxies,
    pub readiness: Readiness,
    /// `gateway.public_base_url` without a trailing slash.
    pub public_base_url: String,
}

impl AppState {
    pub fn new(settings: &Settings, cache: SharedCache) -> anyhow::Result<Self> {
        Ok(Self {
            channels: Channels::connect(&settings.endpoints)?,
            signer: settings.callers.signer(kit::caller::GATEWAY)?,
            callers: crate::callers::KnownCallers::new(
                cache.shared(),
                settings.gateway.caller_cache_seconds,
                settings.gateway.platform_caller_cache_seconds,
            ),
            communities: kit::cache::Versioned::new(
                cache.clone(),
                kit::cache::keys::COMMUNITIES,
                COMMUNITIES_KEPT,
            ),
            pages: crate::kept_pages::KeptPages::new(settings.gateway.kept_pages_bytes),
            cache,
            metrics: Metrics::new().context("registering metrics")?,
            rate_limit_per_minute: settings.gateway.rate_limit_per_minute,
            secret_rate_limit_per_minute: settings.gateway.secret_rate_limit_per_minute,
            trusted_proxies: TrustedProxies::parse(&settings.gateway.trusted_proxies)?,
            readiness: Readiness::default(),
            public_base_url: settings
                .gateway
                .public_base_url
                .trim_end_matches('/')
                .to_owned(),
        })
    }

    /// The absolute URL of a file the gateway serves at `path` (`/api/v1/files/…`).
    pub fn file_url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("{}{path}", self.public_base_url)
        } else {
            path.to_owned()
        }
    }

    /// `channel` behind the client layer: trace context, request id and caller assertion.
    pub fn through_layer(&self, channel: &Channel) -> CallerChannel {
        self.signer.channel(channel.clone())
    }

    /// A client of svc-auth.
    pub fn auth(&self) -> AuthClient<CallerChannel> {
        AuthClient::new(self.through_layer(&self.channels.auth))
    }

    /// A client of svc-yibiaosanshi's address tree.
    pub fn addresses(&self) -> AddressesClient<CallerChannel> {
        AddressesClient::new(self.through_layer(&self.channels.yibiaosanshi))
    }

    /// A client of svc-yibiaosanshi's registrations and reviews.
    pub fn registration(&self) -> RegistrationClient<CallerChannel> {
        RegistrationClient::new(self.through_layer(&self.channels.yibiaosanshi))
    }

    /// A client of svc-yibiaosanshi's photos and ID-card OCR; its messages carry whole images.
    pub fn photos(&self) -> PhotosClient<CallerChannel> {
        PhotosClient::new(self.through_layer(&self.channels.yibiaosanshi))
            .max_decoding_message_size(PHOTO_MESSAGE_BYTES)
            .max_encoding_message_size(PHOTO_MESSAGE_BYTES)
    }

    /// A client of svc-orders.
    pub fn orders(&self) -> OrdersClient<CallerChannel> {
        OrdersClient::new(self.through_layer(&self.channels.orders))
    }

    /// A client of svc-orders's viewing requests (seed 004 看房申请).
    pub fn viewings(&self) -> ViewingsClient<CallerChannel> {
        ViewingsClient::new(self.through_layer(&self.channels.orders))
    }

    /// A client of svc-community; its messages may carry a photo.
    pub fn community(&self) -> CommunityClient<CallerChannel> {
        CommunityClient::new(self.through_layer(&self.channels.community))
            .max_decoding_message_size(PHOTO_MESSAGE_BYTES)
            .max_encoding_message_size(PHOTO_MESSAGE_BYTES)
    }

    /// A client of svc-community's rental marketplace; its messages may carry a photo or video.
    pub fn rental(&self) -> RentalClient<CallerChannel> {
        RentalClient::new(self.through_layer(&self.channels.community))
            .max_decoding_message_size(PHOTO_MESSAGE_BYTES)
            .max_encoding_message_size(PHOTO_MESSAGE_BYTES)
    }

    /// Awaits a gRPC call; a failure is counted and becomes the service's error.
    pub async fn call<T>(
        &self,
        service: &'static str,
        call: impl Future<Output = Result<tonic::Response<T>, tonic::Status>>,
    ) -> Result<T, ApiError> {
        match call.await {
            Ok(response) => Ok(response.into_inner()),
            Err(status) => {
                self.metrics.observe_grpc_error(service, status.code());
                Err(status.into())
            }
        }
    }
}
