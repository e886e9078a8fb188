//! Prometheus metrics, in a registry of the application's own (several gateways may share a
//! process in tests): requests by route and status, latency, and gRPC failures by service.
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The gateway's instruments.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    grpc_errors: IntCounterVec,
    kept_pages: IntCounterVec,
}

impl Metrics {
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered"),
            &["method", "route", "status"],
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency"),
            &["method", "route"],
        )?;
        let grpc_errors = IntCounterVec::new(
            Opts::new(
                "grpc_client_errors_total",
                "gRPC calls to the services that failed",
            ),
            &["service", "code"],
        )?;
        let kept_pages = IntCounterVec::new(
            Opts::new(
                "gateway_list_pages_total",
                "List pages answered from the page the gateway kept (unchanged) or read anew (read)",
            ),
            &["route", "outcome"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(kept_pages.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        registry.register(Box::new(grpc_errors.clone()))?;
        Ok(Self {
            registry,
            requests,
            duration,
            grpc_errors,
            kept_pages,
        })
    }

    /// Counts one answered request.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.duration
            .with_label_values(&[method, route])
            .observe(seconds);
    }

    /// Counts one list page: `unchanged` when the kept page was current.
    pub fn observe_page(&self, route: &str, unchanged: bool) {
        let outcome = if unchanged { "unchanged" } else { "read" };
        self.kept_pages.with_label_values(&[route, outcome]).inc();
    }

    /// Counts one failed gRPC call.
    pub fn observe_grpc_error(&self, service: &str, code: tonic::Code) {
        self.grpc_errors
            .with_label_values(&[service, &format!("{code:?}")])
            .inc();
    }

    /// The text exposition format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        String::from_utf8(buffer).map_err(|error| prometheus::Error::Msg(error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_instances_do_not_collide_and_render_their_counts() {
        let first = Metrics::new().expect("metrics");
        let second = Metrics::new().expect("metrics");
        first.observe_request("GET", "/healthz", 200, 0.001);
        first.observe_grpc_error("auth", tonic::Code::Unavailable);
        let text = first.render().expect("render");
        assert!(
            text.contains(r#"http_requests_total{method="GET",route="/healthz",status="200"} 1"#)
        );
        assert!(text.contains(r#"grpc_client_errors_total{code="Unavailable",service="auth"} 1"#));
        assert!(!second.render().expect("render").contains("/healthz"));
    }
}
