//! Operations: liveness, readiness (each service's gRPC health and the cache), metrics.
use std::collections::BTreeMap;
use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde_json::{Map, Value, json};
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use utoipa::ToSchema;

use crate::state::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// `/healthz`'s answer.
#[derive(Debug, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

/// `/readyz`'s answer.
#[derive(Debug, ToSchema)]
pub struct Readiness {
    /// ready | not ready.
    #[schema(example = "ready")]
    pub status: String,
    /// Each service (auth, yibiaosanshi, orders, community) and the cache: "ok" or the error.
    #[schema(example = json!({"auth": "ok", "cache": "ok"}))]
    pub checks: BTreeMap<String, String>,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health, description = "the process answers")))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Readiness: every service answers its gRPC health check and the cache answers a ping.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, body = Readiness, description = r#"{"status":"ready","checks":{"auth":"ok",...}}"#),
        (status = 503, body = Readiness, description = r#"{"status":"not ready","checks":{...failing entries' error text}}"#)
    )
)]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if !state.readiness.is_ready() {
        return HttpResponse::ServiceUnavailable()
            .json(json!({"status": "not ready", "checks": {"gateway": "shutting down"}}));
    }
    let services = futures::future::join_all(
        state
            .channels
            .named()
            .map(|(name, channel)| async move { (name, check_service(channel).await) }),
    );
    let cache = async {
        match tokio::time::timeout(CHECK_TIMEOUT, state.cache.ping()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err("timed out after 1s".to_owned()),
        }
    };
    let (services, cache) = futures::join!(services, cache);
    let mut checks = Map::new();
    let mut ready = true;
    for (name, result) in services.into_iter().chain([("cache", cache)]) {
        ready &= result.is_ok();
        let text = result.err().unwrap_or_else(|| "ok".to_owned());
        checks.insert(name.to_owned(), Value::String(text));
    }
    if ready {
        HttpResponse::Ok().json(json!({"status": "ready", "checks": checks}))
    } else {
        HttpResponse::ServiceUnavailable().json(json!({"status": "not ready", "checks": checks}))
    }
}

async fn check_service(channel: Channel) -> Result<(), String> {
    let mut client = HealthClient::new(channel);
    let request = HealthCheckRequest {
        service: String::new(),
    };
    match tokio::time::timeout(CHECK_TIMEOUT, client.check(request)).await {
        Err(_) => Err("timed out after 1s".to_owned()),
        Ok(Err(status)) => Err(format!("{:?}: {}", status.code(), status.message())),
        Ok(Ok(reply)) => match reply.into_inner().status() {
            ServingStatus::Serving => Ok(()),
            other => Err(format!("{other:?}")),
        },
    }
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = 200, body = String, content_type = "text/plain", description = "Prometheus text format")
))]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    match state.metrics.render() {
        Ok(text) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(text),
        Err(error) => {
            tracing::warn!(%error, "metrics not rendered");
            HttpResponse::InternalServerError().finish()
        }
    }
}
