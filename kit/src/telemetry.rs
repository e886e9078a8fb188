//! Telemetry: `tracing` logs (text or JSON), spans exported over OTLP when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and W3C trace context carried across gRPC calls.
//! JSON lines carry the OpenTelemetry `trace_id` of the span they were logged in.
use std::sync::{Arc, OnceLock};

use opentelemetry::propagation::{Extractor, Injector};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing::dispatcher::WeakDispatch;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::{FmtContext, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::settings::TelemetrySettings;

/// Keeps the tracer provider alive; flushes spans on drop.
pub struct Telemetry {
    provider: SdkTracerProvider,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if std::env::var_os("OTEL_EXPORTER_OTLP_ENDPOINT").is_some() {
            let _ = self.provider.shutdown();
        }
    }
}

/// Installs the global subscriber (once per process; later calls only return a handle).
pub fn init(service: &str, settings: &TelemetrySettings) -> Telemetry {
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let sampler = Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
        settings.sample_ratio.clamp(0.0, 1.0),
    )));
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(service.to_owned())
        .build();
    let mut builder = SdkTracerProvider::builder()
        .with_sampler(sampler)
        .with_resource(resource);
    if std::env::var_os("OTEL_EXPORTER_OTLP_ENDPOINT").is_some() {
        match opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .build()
        {
            Ok(exporter) => builder = builder.with_batch_exporter(exporter),
            Err(error) => eprintln!("OTLP exporter not started: {error}"),
        }
    }
    let provider = builder.build();
    let tracer = provider.tracer(service.to_owned());
    let filter = EnvFilter::try_new(&settings.level).unwrap_or_else(|_| EnvFilter::new("info"));
    let dispatch = DispatchSlot::default();
    let fmt = if settings.json {
        json_layer(std::io::stdout, &dispatch).boxed()
    } else {
        tracing_subscriber::fmt::layer().compact().boxed()
    };
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(tracing_opentelemetry::layer().with_tracer(tracer))
        .with(dispatch)
        .try_init();
    Telemetry { provider }
}

/// Remembers the dispatcher it is registered in, so a formatter can ask the OpenTelemetry layer
/// for a span's context while an event is being written (when `Span::current()` cannot be used).
#[derive(Clone, Default)]
pub struct DispatchSlot(Arc<OnceLock<WeakDispatch>>);

impl<S: tracing::Subscriber> Layer<S> for DispatchSlot {
    fn on_register_dispatch(&self, subscriber: &tracing::Dispatch) {
        let _ = self.0.set(subscriber.downgrade());
    }
}

/// The JSON log layer: one object per line, event fields flattened, the current span, and the
/// `trace_id` of the OpenTelemetry trace it belongs to. `slot` must be added to the same subscriber.
pub fn json_layer<S, W>(writer: W, slot: &DispatchSlot) -> impl Layer<S> + use<S, W>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let inner = tracing_subscriber::fmt::format()
        .json()
        .flatten_event(true)
        .with_current_span(true);
    tracing_subscriber::fmt::layer()
        .json()
        .event_format(WithTraceId {
            inner,
            slot: slot.clone(),
        })
        .with_writer(writer)
}

/// Formats with `inner` (a JSON object per line) and puts `"trace_id"` first in the object.
struct WithTraceId<F> {
    inner: F,
    slot: DispatchSlot,
}

impl<F> WithTraceId<F> {
    fn trace_id<S, N>(&self, ctx: &FmtContext<'_, S, N>) -> Option<String>
    where
        S: tracing::Subscriber + for<'a> LookupSpan<'a>,
        N: for<'a> FormatFields<'a> + 'static,
    {
        use opentelemetry::trace::TraceContextExt;
        let span = ctx.event_scope()?.next()?;
        let dispatch = self.slot.0.get()?.upgrade()?;
        let context = tracing_opentelemetry::get_otel_context(&span.id(), &dispatch)?;
        let otel_span = context.span();
        let span_context = otel_span.span_context();
        span_context
            .is_valid()
            .then(|| span_context.trace_id().to_string())
    }
}

impl<S, N, F> FormatEvent<S, N> for WithTraceId<F>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let mut line = String::new();
        self.inner
            .format_event(ctx, Writer::new(&mut line), event)?;
        match (self.trace_id(ctx), line.strip_prefix('{')) {
            (Some(trace_id), Some(rest)) => {
                let separator = if rest.trim_start().starts_with('}') {
                    ""
                } else {
                    ","
                };
                write!(writer, "{{\"trace_id\":\"{trace_id}\"{separator}{rest}")
            }
            _ => writer.write_str(&line),
        }
    }
}

struct MetadataInjector<'a>(&'a mut tonic::metadata::MetadataMap);

impl Injector for MetadataInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(key), Ok(value)) = (
            tonic::metadata::MetadataKey::from_bytes(key.as_bytes()),
            value.parse(),
        ) {
            self.0.insert(key, value);
        }
    }
}

struct HeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

/// Writes the current span's trace context (`traceparent`) into outgoing gRPC metadata.
pub fn inject_context(metadata: &mut tonic::metadata::MetadataMap) {
    let context = tracing::Span::current().context();
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut MetadataInjector(metadata));
    });
}

/// Makes `span` a child of the trace context found in incoming headers.
pub fn adopt_context(span: &tracing::Span, headers: &http::HeaderMap) {
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&HeaderExtractor(headers))
    });
    let _ = span.set_parent(parent);
}

/// The trace id of the current span, for logs and responses (empty when unsampled).
pub fn current_trace_id() -> String {
    use opentelemetry::trace::TraceContextExt;
    let context = tracing::Span::current().context();
    let span = context.span();
    let span_context = span.span_context();
    if span_context.is_valid() {
        span_context.trace_id().to_string()
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer the test can read back.
    #[derive(Clone, Default)]
    struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Captured {
        type Writer = Self;

        fn make_writer(&'w self) -> Self {
            self.clone()
        }
    }

    #[test]
    fn every_json_line_inside_a_span_carries_its_trace_id() {
        let provider = SdkTracerProvider::builder().build();
        let captured = Captured::default();
        let slot = DispatchSlot::default();
        let subscriber = tracing_subscriber::registry()
            .with(json_layer(captured.clone(), &slot))
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")))
            .with(slot);
        let trace_id = tracing::subscriber::with_default(subscriber, || {
            tracing::info!("outside any span");
            let span = tracing::info_span!("rpc", method = "/wjdh.auth.Auth/Login");
            let _entered = span.enter();
            tracing::info!(answered = 1, "inside");
            current_trace_id()
        });
        let text = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).expect("each line is JSON"))
            .collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].get("trace_id").is_none());
        assert_eq!(lines[0]["message"], "outside any span");
        assert_eq!(trace_id.len(), 32);
        assert_eq!(lines[1]["trace_id"], trace_id.as_str());
        assert_eq!(lines[1]["answered"], 1);
        assert_eq!(lines[1]["span"]["method"], "/wjdh.auth.Auth/Login");
    }

    #[test]
    fn trace_context_crosses_a_grpc_call_in_metadata() {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        let provider = SdkTracerProvider::builder().build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
        tracing::subscriber::with_default(subscriber, || {
            let caller = tracing::info_span!("gateway request");
            let _entered = caller.enter();
            let sent_trace = current_trace_id();
            assert_eq!(sent_trace.len(), 32);

            let mut metadata = tonic::metadata::MetadataMap::new();
            inject_context(&mut metadata);
            let traceparent = metadata.get("traceparent").expect("traceparent sent");
            assert!(traceparent.to_str().expect("ascii").contains(&sent_trace));

            let headers = metadata.into_headers();
            let callee = tracing::info_span!(parent: None, "rpc");
            adopt_context(&callee, &headers);
            let _inside = callee.enter();
            assert_eq!(current_trace_id(), sent_trace);
        });
    }
}
