//! gRPC plumbing shared by the services and their callers: the server span (child of the
//! caller's trace), lazy client channels with timeouts, outgoing requests carrying trace context,
//! and the shutdown signal.
use std::time::Duration;

use tonic::transport::{Channel, Endpoint};
use tower_http::classify::{GrpcErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, TraceLayer};

/// The span each incoming RPC runs in: named after the method, parented by `traceparent`.
#[derive(Clone, Copy, Debug, Default)]
pub struct GrpcSpan;

impl<B> MakeSpan<B> for GrpcSpan {
    fn make_span(&mut self, request: &http::Request<B>) -> tracing::Span {
        let request_id = request
            .headers()
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let span =
            tracing::info_span!("rpc", method = %request.uri().path(), request_id = %request_id);
        crate::telemetry::adopt_context(&span, request.headers());
        span
    }
}

/// The tower layer every service's server adds.
pub fn trace_layer() -> TraceLayer<SharedClassifier<GrpcErrorsAsFailures>, GrpcSpan> {
    TraceLayer::new_for_grpc().make_span_with(GrpcSpan)
}

/// A channel that connects on first use, with a per-call timeout.
pub fn lazy_channel(url: &str, timeout: Duration) -> Result<Channel, tonic::transport::Error> {
    Ok(Endpoint::from_shared(url.to_owned())?
        .timeout(timeout)
        .connect_timeout(timeout)
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(30))
        .connect_lazy())
}

tokio::task_local! {
    /// The `x-request-id` of the call being served, carried into the calls it makes.
    static REQUEST_ID: String;
}

/// Runs `work` with `request_id` as the id its outgoing calls carry (the server layer of
/// [`crate::caller`] does this for every RPC).
pub async fn with_request_id<F: std::future::Future>(request_id: String, work: F) -> F::Output {
    REQUEST_ID.scope(request_id, work).await
}

/// The request id of the call being served, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID
        .try_with(Clone::clone)
        .ok()
        .filter(|id| !id.is_empty())
}

/// An outgoing request carrying the current trace context and the request id.
pub fn request<T>(message: T, request_id: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    crate::telemetry::inject_context(request.metadata_mut());
    if let Ok(value) = request_id.parse() {
        request.metadata_mut().insert("x-request-id", value);
    }
    request
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// A bound listener as a gRPC server's incoming connections, with TCP_NODELAY on each: without
/// it a small answer waits for the client's delayed ACK (Nagle), ~40 ms per call. (Serving a
/// plain `TcpListenerStream` ignores the server builder's `tcp_nodelay`.)
pub fn incoming(listener: tokio::net::TcpListener) -> tonic::transport::server::TcpIncoming {
    tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true))
}
