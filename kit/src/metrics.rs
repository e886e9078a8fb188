//! Prometheus metrics of a gRPC service: RPCs by method and status with their latency, the
//! database pool, and svc-orders' outbox backlog. Each service keeps its own registry (several
//! share a process under `wjdh` and in tests) and serves it as text on `metrics_listen`.
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::db::Database;

/// Largest request head the metrics listener reads.
const MAX_HEAD_BYTES: usize = 8 * 1024;

/// A service's instruments; cheap to clone.
#[derive(Clone)]
pub struct ServiceMetrics(Arc<Instruments>);

struct Instruments {
    registry: Registry,
    rpc_requests: IntCounterVec,
    rpc_errors: IntCounterVec,
    rpc_duration: HistogramVec,
    pool: IntGaugeVec,
    pool_max: IntGauge,
    outbox_backlog: IntGauge,
    database: OnceLock<Database>,
}

impl ServiceMetrics {
    /// A fresh registry with every instrument registered.
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let rpc_requests = IntCounterVec::new(
            Opts::new(
                "grpc_server_requests_total",
                "RPCs answered, by method and status",
            ),
            &["method", "code"],
        )?;
        let rpc_errors = IntCounterVec::new(
            Opts::new(
                "grpc_server_errors_total",
                "RPCs answered with a status other than OK",
            ),
            &["method", "code"],
        )?;
        let rpc_duration = HistogramVec::new(
            HistogramOpts::new("grpc_server_request_duration_seconds", "RPC latency"),
            &["method"],
        )?;
        let pool = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Database connections of this replica's pool, by state (in_use, idle)",
            ),
            &["state"],
        )?;
        let pool_max = IntGauge::new("db_pool_max_connections", "Size limit of the pool")?;
        let outbox_backlog = IntGauge::new(
            "outbox_backlog",
            "Outbox messages written and not yet acknowledged by the receiver",
        )?;
        registry.register(Box::new(rpc_requests.clone()))?;
        registry.register(Box::new(rpc_errors.clone()))?;
        registry.register(Box::new(rpc_duration.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(pool_max.clone()))?;
        registry.register(Box::new(outbox_backlog.clone()))?;
        Ok(Self(Arc::new(Instruments {
            registry,
            rpc_requests,
            rpc_errors,
            rpc_duration,
            pool,
            pool_max,
            outbox_backlog,
            database: OnceLock::new(),
        })))
    }

    /// Adds a service's own instrument to this registry (served with the others).
    pub fn register(
        &self,
        collector: Box<dyn prometheus::core::Collector>,
    ) -> prometheus::Result<()> {
        self.0.registry.register(collector)
    }

    /// Reports `database`'s pool at every scrape (the first database given is kept).
    pub fn watch_pool(&self, database: &Database) {
        let _ = self.0.database.set(database.clone());
    }

    /// Sets the outbox backlog: messages written and not yet acknowledged. `kit::outbox::run`
    /// calls it with the count of undelivered rows of the `outbox` table, at most once a tick.
    pub fn set_outbox_backlog(&self, pending: i64) {
        self.0.outbox_backlog.set(pending);
    }

    /// Counts one answered RPC.
    pub fn observe_rpc(&self, method: &str, code: tonic::Code, seconds: f64) {
        // Unknown paths would each make a series; they share one.
        let method = if code == tonic::Code::Unimplemented {
            "unimplemented"
        } else {
            method
        };
        let code_name = format!("{code:?}");
        let labels = [method, code_name.as_str()];
        self.0.rpc_requests.with_label_values(&labels).inc();
        if code != tonic::Code::Ok {
            self.0.rpc_errors.with_label_values(&labels).inc();
        }
        self.0
            .rpc_duration
            .with_label_values(&[method])
            .observe(seconds);
    }

    /// The tower layer counting every RPC of a tonic server.
    pub fn rpc_layer(&self) -> RpcMetricsLayer {
        RpcMetricsLayer(self.clone())
    }

    /// The text exposition format, with the pool read now.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        if let Some(database) = self.0.database.get() {
            let (in_use, idle) = database.pool_state();
            self.0
                .pool
                .with_label_values(&["in_use"])
                .set(i64::from(in_use));
            self.0
                .pool
                .with_label_values(&["idle"])
                .set(i64::from(idle));
            self.0.pool_max.set(i64::from(database.pool_max()));
        }
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.0.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|error| prometheus::Error::Msg(error.to_string()))
    }

    /// Binds `listen` and serves `GET /metrics` there in a background task, for the life of the
    /// runtime. An empty `listen` serves nothing; returns the bound address otherwise.
    pub async fn serve_on(&self, listen: &str) -> anyhow::Result<Option<SocketAddr>> {
        if listen.trim().is_empty() {
            return Ok(None);
        }
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("binding the metrics listener to {listen}"))?;
        let addr = listener.local_addr()?;
        tokio::spawn(serve(listener, self.clone()));
        tracing::info!(%addr, "metrics listening");
        Ok(Some(addr))
    }
}

/// Answers each connection of `listener` with the metrics (plain HTTP/1.1, one request each).
pub async fn serve(listener: TcpListener, metrics: ServiceMetrics) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let metrics = metrics.clone();
                tokio::spawn(async move {
                    let answered =
                        tokio::time::timeout(Duration::from_secs(10), answer(stream, &metrics));
                    if let Ok(Err(error)) = answered.await {
                        tracing::debug!(%error, "metrics request failed");
                    }
                });
            }
            Err(error) => {
                tracing::warn!(%error, "metrics listener cannot accept");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn answer(mut stream: TcpStream, metrics: &ServiceMetrics) -> std::io::Result<()> {
    let mut head = Vec::with_capacity(512);
    let mut chunk = [0_u8; 512];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        let read = stream.read(&mut chunk).await?;
        if read == 0 || head.len() + read > MAX_HEAD_BYTES {
            break;
        }
        head.extend_from_slice(&chunk[..read]);
    }
    let text = String::from_utf8_lossy(&head);
    let mut request_line = text.lines().next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default();
    let path = request_line
        .next()
        .unwrap_or_default()
        .split('?')
        .next()
        .unwrap_or_default();
    let (status, body) = match (method, path) {
        ("GET", "/metrics") => match metrics.render() {
            Ok(body) => ("200 OK", body),
            Err(error) => ("500 Internal Server Error", format!("{error}\n")),
        },
        _ => ("404 Not Found", "GET /metrics\n".to_owned()),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/plain; version=0.0.4; charset=utf-8\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

/// Counts each RPC by its path and `grpc-status`, and times it (see [`ServiceMetrics::rpc_layer`]).
#[derive(Clone)]
pub struct RpcMetricsLayer(ServiceMetrics);

impl<S> tower::Layer<S> for RpcMetricsLayer {
    type Service = RpcMetrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RpcMetrics {
            inner,
            metrics: self.0.clone(),
        }
    }
}

/// The service [`RpcMetricsLayer`] wraps around a tonic server.
#[derive(Clone)]
pub struct RpcMetrics<S> {
    inner: S,
    metrics: ServiceMetrics,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B, R> tower::Service<http::Request<B>> for RpcMetrics<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    R: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let method = request.uri().path().to_owned();
        let metrics = self.metrics.clone();
        let started = Instant::now();
        let answer = self.inner.call(request);
        Box::pin(async move {
            let result = answer.await;
            let code = match &result {
                Ok(response) => status_of(response.headers()),
                Err(_) => tonic::Code::Unknown,
            };
            metrics.observe_rpc(&method, code, started.elapsed().as_secs_f64());
            result
        })
    }
}

/// A unary handler's failure travels in the response headers (trailers-only); a success puts
/// `grpc-status: 0` in the trailers, so no status header means OK.
fn status_of(headers: &http::HeaderMap) -> tonic::Code {
    headers
        .get("grpc-status")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<i32>().ok())
        .map_or(tonic::Code::Ok, tonic::Code::from_i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpcs_are_counted_by_method_and_status_and_errors_apart() {
        let metrics = ServiceMetrics::new().expect("metrics");
        metrics.observe_rpc("/wjdh.auth.Auth/Login", tonic::Code::Ok, 0.01);
        metrics.observe_rpc("/wjdh.auth.Auth/Login", tonic::Code::NotFound, 0.02);
        metrics.observe_rpc("/nobody/Knows", tonic::Code::Unimplemented, 0.0);
        metrics.set_outbox_backlog(3);
        let text = metrics.render().expect("render");
        assert!(
            text.contains(
                r#"grpc_server_requests_total{code="Ok",method="/wjdh.auth.Auth/Login"} 1"#
            )
        );
        assert!(text.contains(
            r#"grpc_server_errors_total{code="NotFound",method="/wjdh.auth.Auth/Login"} 1"#
        ));
        assert!(!text.contains(r#"grpc_server_errors_total{code="Ok""#));
        assert!(text.contains(r#"method="unimplemented""#));
        assert!(!text.contains("/nobody/Knows"));
        assert!(text.contains(
            r#"grpc_server_request_duration_seconds_count{method="/wjdh.auth.Auth/Login"} 2"#
        ));
        assert!(text.contains("outbox_backlog 3"));
    }

    #[test]
    fn the_status_comes_from_the_trailers_only_header() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(status_of(&headers), tonic::Code::Ok);
        headers.insert("grpc-status", http::HeaderValue::from_static("5"));
        assert_eq!(status_of(&headers), tonic::Code::NotFound);
    }

    #[tokio::test]
    async fn the_listener_serves_the_text_and_nothing_else() {
        let metrics = ServiceMetrics::new().expect("metrics");
        metrics.observe_rpc("/wjdh.x/Y", tonic::Code::Ok, 0.001);
        let addr = metrics
            .serve_on("127.0.0.1:0")
            .await
            .expect("bound")
            .expect("an address");
        let get = |path: &'static str| async move {
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            let request = format!("GET {path} HTTP/1.1\r\nhost: x\r\n\r\n");
            stream.write_all(request.as_bytes()).await.expect("write");
            let mut text = String::new();
            stream.read_to_string(&mut text).await.expect("read");
            text
        };
        let page = get("/metrics").await;
        assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
        assert!(page.contains(r#"grpc_server_requests_total{code="Ok",method="/wjdh.x/Y"} 1"#));
        assert!(get("/other").await.starts_with("HTTP/1.1 404"));
        assert_eq!(metrics.serve_on("").await.expect("nothing"), None);
    }
}
