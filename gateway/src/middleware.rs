//! What wraps every request: the request id, the client's IP, the request span with its access
//! log line and metrics, the per-IP rate limit, and the envelope for errors actix answers itself
//! (unknown path, wrong method...).
use std::future::{Ready, ready};
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{ALLOW, CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, ResponseError, web};
use anyhow::Context;
use kit::error::{ErrorKind, ServiceError};
use tracing::Instrument;

use crate::envelope::ApiError;
use crate::state::AppState;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const FORWARDED_FOR: &str = "x-forwarded-for";
/// Paths neither rate-limited nor logged at info: probes and scrapes.
const OPERATIONS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The request's id: the caller's `x-request-id` when sane, else a fresh UUID.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

impl RequestId {
    /// Keeps an incoming id of at most 64 characters of `[A-Za-z0-9-_]`.
    pub fn from_header(value: Option<&str>) -> Self {
        match value {
            Some(id)
                if !id.is_empty()
                    && id.len() <= 64
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                Self(id.to_owned())
            }
            _ => Self(uuid::Uuid::new_v4().to_string()),
        }
    }

    /// An outgoing gRPC request carrying this request id and the current trace context, acting
    /// for the resident or credential its message names: every such ref a handler builds comes
    /// from the caller `auth` authenticated, and the client layer signs the caller assertion
    /// for it (services refuse a body naming anyone else).
    pub fn grpc<T: proto::caller::CallerRefs>(&self, message: T) -> tonic::Request<T> {
        proto::caller::acting_for(kit::grpc::request(message, self.as_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromRequest for RequestId {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let id = req.extensions().get::<RequestId>().cloned();
        ready(Ok(id.unwrap_or_else(|| RequestId::from_header(None))))
    }
}

/// The client's address: the peer, or the `X-Forwarded-For` client when the peer is a trusted proxy.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub IpAddr);

impl FromRequest for ClientIp {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let ip = req.extensions().get::<ClientIp>().copied();
        ready(Ok(ip.unwrap_or_else(|| {
            ClientIp(
                req.peer_addr()
                    .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |addr| addr.ip()),
            )
        })))
    }
}

/// Addresses and CIDR blocks of the proxies whose `X-Forwarded-For` we believe.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parses `10.0.0.1`, `10.0.0.0/8`, `fd00::/8`...
    pub fn parse(entries: &[String]) -> anyhow::Result<Self> {
        let mut blocks = Vec::with_capacity(entries.len());
        for entry in entries.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
            let (address, prefix) = entry.split_once('/').unwrap_or((entry, ""));
            let ip: IpAddr = address
                .parse()
                .with_context(|| format!("trusted proxy {entry}: not an IP address"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let prefix = if prefix.is_empty() {
                max
            } else {
                prefix
                    .parse::<u8>()
                    .ok()
                    .filter(|p| *p <= max)
                    .with_context(|| format!("trusted proxy {entry}: bad prefix length"))?
            };
            blocks.push((ip, prefix));
        }
        Ok(Self(blocks))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0
            .iter()
            .any(|(net, prefix)| match (canonical(*net), ip) {
                (IpAddr::V4(net), IpAddr::V4(ip)) => {
                    let mask = u32::MAX.checked_shl(32 - u32::from(*prefix)).unwrap_or(0);
                    u32::from(net) & mask == u32::from(ip) & mask
                }
                (IpAddr::V6(net), IpAddr::V6(ip)) => {
                    let mask = u128::MAX.checked_shl(128 - u32::from(*prefix)).unwrap_or(0);
                    u128::from(net) & mask == u128::from(ip) & mask
                }
                _ => false,
            })
    }

    /// The client behind `peer`: the right-most `X-Forwarded-For` hop that is not a trusted proxy.
    pub fn client_ip<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl Iterator<Item = &'a str>,
    ) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for.flat_map(|value| value.split(',')).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Ok(ip) = hop.trim().parse::<IpAddr>() else {
                break;
            };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

fn state(req: &ServiceRequest) -> Option<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>().cloned()
}

/// Outermost: request id, client IP, the request span (child of an incoming `traceparent`), the
/// access log line and the metrics. Never logs the query string or the body.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = RequestId::from_header(
        req.headers()
            .get(&REQUEST_ID)
            .and_then(|value| value.to_str().ok()),
    );
    let state = state(&req);
    let peer = req
        .peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |addr| addr.ip());
    let client_ip = match &state {
        Some(state) => state.trusted_proxies.client_ip(
            peer,
            req.headers()
                .get_all(FORWARDED_FOR)
                .filter_map(|value| value.to_str().ok()),
        ),
        None => peer,
    };
    req.extensions_mut().insert(request_id.clone());
    req.extensions_mut().insert(ClientIp(client_ip));
    let method = req.method().to_string();
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let span = tracing::info_span!("http", %method, %route, request_id = %request_id.0);
    kit::telemetry::adopt_context(&span, &trace_headers(&req));

    // Handlers' errors arrive as responses; an `Err` here comes from a middleware and is final.
    let result = next.call(req).instrument(span.clone()).await;
    let mut response = match result {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => {
            let status = error.as_response_error().status_code().as_u16();
            log_request(&span, &method, &route, status, started, &request_id);
            return Err(error);
        }
    };
    if let Ok(value) = HeaderValue::from_str(&request_id.0) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status().as_u16();
    if let Some(state) = &state {
        state
            .metrics
            .observe_request(&method, &route, status, started.elapsed().as_secs_f64());
    }
    log_request(&span, &method, &route, status, started, &request_id);
    Ok(response)
}

/// The access log line: method, route pattern, status, latency, request id; nothing else.
fn log_request(
    span: &tracing::Span,
    method: &str,
    route: &str,
    status: u16,
    started: Instant,
    request_id: &RequestId,
) {
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let _entered = span.enter();
    if OPERATIONS.contains(&route) {
        tracing::debug!(method, route, status, latency_ms, request_id = %request_id.0, "http request");
    } else {
        tracing::info!(method, route, status, latency_ms, request_id = %request_id.0, "http request");
    }
}

/// The W3C trace headers of the request, as `http` 1 headers for `kit::telemetry`.
fn trace_headers(req: &ServiceRequest) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    for name in ["traceparent", "tracestate"] {
        if let Some(value) = req
            .headers()
            .get(name)
            .and_then(|value| http::HeaderValue::from_bytes(value.as_bytes()).ok())
        {
            headers.insert(http::HeaderName::from_static(name), value);
        }
    }
    headers
}

/// Reads a body whose declared length is within the JSON and form cap before the route runs,
/// and hands the route the same bytes. A route that takes no input (the mini-program posts `{}`
/// to them) would leave its body unread, and actix drops a keep-alive connection whose request
/// still had bytes on the way when the answer went out (actix-web #2624): the client then pays
/// a new connection (`wjdh bench-paths` saw one in ten thousand). Bodies without a length
/// (chunked) or above the cap are left to the routes, whose limits refuse them as they arrive.
pub async fn read_small_bodies(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    use futures::StreamExt;
    let cap = req
        .app_data::<crate::params::ParamsLimits>()
        .copied()
        .unwrap_or_default()
        .body;
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok())
        .filter(|length| (1..=cap).contains(length));
    if let Some(length) = declared {
        let mut payload = req.take_payload();
        let mut body = web::BytesMut::with_capacity(length);
        // The declared length bounds what is read here; the rest is the route's.
        while body.len() < length
            && let Some(chunk) = payload.next().await
        {
            body.extend_from_slice(&chunk?);
        }
        req.set_payload(Payload::from(body.freeze()));
    }
    next.call(req).await
}

/// Turns the bare error responses actix produces itself (404, 405, extractor errors...) into
/// the envelope; responses that already are JSON pass untouched, and so do the answers to
/// Alipay's notifications. A 405 names the route's
/// methods in `Allow` (RFC 9110).
pub async fn envelope_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let response = next.call(req).await?.map_into_boxed_body();
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    // Alipay reads its notification's answer as text (`success` / `fail`), never an envelope.
    let alipay_answer = response.request().path() == crate::openapi::ALIPAY_NOTIFY_PATH;
    if !(status.is_client_error() || status.is_server_error()) || is_json || alipay_answer {
        return Ok(response);
    }
    let cause = response
        .response()
        .error()
        .map(ToString::to_string)
        .unwrap_or_default();
    let error = bare_error(status, response.request(), cause);
    let mut answer = error.error_response();
    if status == StatusCode::METHOD_NOT_ALLOWED
        && let Some(allowed) = response
            .request()
            .match_pattern()
            .and_then(|pattern| crate::openapi::allowed_methods(&pattern))
    {
        answer
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static(allowed));
    }
    Ok(response.into_response(answer))
}

fn bare_error(status: StatusCode, request: &HttpRequest, cause: String) -> ApiError {
    let (kind, msg, message) = match status {
        StatusCode::NOT_FOUND => (
            ErrorKind::NotFound,
            "请求的接口不存在",
            format!("{} {} 不存在", request.method(), request.path()),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorKind::Invalid,
            "请求方法不正确",
            format!("{} 不支持 {} 方法", request.path(), request.method()),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (ErrorKind::Invalid, "提交的数据过大", cause),
        StatusCode::TOO_MANY_REQUESTS => {
            (ErrorKind::RateLimited, "操作过于频繁，请稍后再试", cause)
        }
        StatusCode::UNAUTHORIZED => (
            ErrorKind::Unauthenticated,
            "请重新建立智慧平台鉴权连接",
            cause,
        ),
        StatusCode::FORBIDDEN => (ErrorKind::Forbidden, "您没有权限进行此操作", cause),
        s if s.is_server_error() => (ErrorKind::Internal, "服务器开小差，请重试", cause),
        _ => (ErrorKind::Invalid, "请求格式不正确", cause),
    };
    let message = if message.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        message
    };
    ApiError::with_status(status, ServiceError::new(kind, msg, message))
}

/// A fixed window per client IP and minute, counted in the shared cache so the limit holds
/// across replicas. A cache failure lets the request through.
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = state(&req) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if OPERATIONS.contains(&req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    if let Some(refusal) = over_limit(&state, &req, "rl", state.rate_limit_per_minute).await {
        return Ok(req.into_response(refusal.error_response()));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// `/api/v1/wjdh/secret`'s own bucket per client IP and minute, besides the general one: each
/// request there costs svc-auth a password verification.
pub async fn secret_rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(state) = state(&req)
        && let Some(refusal) = over_limit(
            &state,
            &req,
            "rl-secret",
            state.secret_rate_limit_per_minute,
        )
        .await
    {
        return Ok(req.into_response(refusal.error_response()));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Counts the request in `bucket` for its client IP and the current minute; the refusal when
/// that makes more than `limit` (0 or less: no limit).
async fn over_limit(
    state: &AppState,
    req: &ServiceRequest,
    bucket: &str,
    limit: i64,
) -> Option<ApiError> {
    if limit <= 0 {
        return None;
    }
    let ip = req
        .extensions()
        .get::<ClientIp>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |client| client.0);
    let key = format!("{bucket}:{ip}:{}", kit::time::now_unix().div_euclid(60));
    match state.cache.incr(&key, Duration::from_secs(60)).await {
        Ok(count) if count > limit => Some(ApiError::refused(
            StatusCode::TOO_MANY_REQUESTS,
            "操作过于频繁，请稍后再试",
            format!("每分钟最多{limit}次请求"),
        )),
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(%error, bucket, "rate limit not checked: the cache failed");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(entries: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(&entries.iter().map(|e| (*e).to_owned()).collect::<Vec<_>>())
            .expect("parse")
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn a_sane_request_id_is_kept_and_anything_else_replaced() {
        assert_eq!(RequestId::from_header(Some("abc-123_X")).0, "abc-123_X");
        assert_ne!(RequestId::from_header(Some("a b")).0, "a b");
        assert_ne!(RequestId::from_header(Some(&"a".repeat(65))).0.len(), 65);
        assert_eq!(RequestId::from_header(None).0.len(), 36);
    }

    #[test]
    fn cidr_blocks_and_single_addresses_match() {
        let trusted = proxies(&["10.0.0.0/8", "192.168.1.7", "fd00::/8"]);
        assert!(trusted.contains(ip("10.2.3.4")));
        assert!(trusted.contains(ip("::ffff:10.2.3.4")));
        assert!(trusted.contains(ip("192.168.1.7")));
        assert!(!trusted.contains(ip("192.168.1.8")));
        assert!(trusted.contains(ip("fd12::1")));
        assert!(!trusted.contains(ip("11.0.0.1")));
        assert!(TrustedProxies::parse(&["10.0.0.0/33".to_owned()]).is_err());
        assert!(TrustedProxies::parse(&["proxy".to_owned()]).is_err());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_peer() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let xff = ["1.2.3.4, 5.6.7.8, 10.0.0.3"];
        assert_eq!(
            trusted.client_ip(ip("10.0.0.1"), xff.into_iter()),
            ip("5.6.7.8")
        );
        assert_eq!(
            trusted.client_ip(ip("8.8.8.8"), xff.into_iter()),
            ip("8.8.8.8")
        );
        assert_eq!(
            trusted.client_ip(ip("10.0.0.1"), std::iter::empty()),
            ip("10.0.0.1")
        );
        assert_eq!(
            trusted.client_ip(ip("10.0.0.1"), ["junk"].into_iter()),
            ip("10.0.0.1")
        );
    }

    /// The statuses of `requests` (peer, `X-Forwarded-For`), in order, to the whole application
    /// with a per-IP limit of 2 a minute and the proxies of `trusted`.
    async fn statuses(trusted: &str, requests: &[(&str, &str)]) -> Vec<u16> {
        let settings: crate::config::Settings = kit::settings::load_with(&[
            ("gateway.rate_limit_per_minute", "2".to_owned()),
            ("gateway.trusted_proxies", trusted.to_owned()),
        ])
        .expect("settings");
        let cache: kit::cache::SharedCache = std::sync::Arc::new(kit::cache::MemoryCache::new(
            &format!("t{}:", uuid::Uuid::new_v4().simple()),
        ));
        let state = web::Data::new(AppState::new(&settings, cache).expect("state"));
        let app = actix_web::test::init_service(crate::startup::app(
            state,
            crate::params::ParamsLimits::default(),
        ))
        .await;
        let mut statuses = Vec::new();
        for (peer, forwarded_for) in requests {
            let request = actix_web::test::TestRequest::post()
                .uri("/api/v1/no-such-route")
                .peer_addr(std::net::SocketAddr::new(ip(peer), 40_000))
                .insert_header((FORWARDED_FOR, *forwarded_for))
                .to_request();
            let response = actix_web::test::call_service(&app, request).await;
            statuses.push(response.status().as_u16());
        }
        statuses
    }

    #[actix_web::test]
    async fn clients_behind_a_trusted_proxy_get_a_bucket_each() {
        let ingress = "10.42.0.7";
        let answered = statuses(
            "10.0.0.0/8",
            &[
                (ingress, "203.0.113.1"),
                (ingress, "203.0.113.1"),
                (ingress, "203.0.113.1"),
                // Another client through the same Ingress pod still has its whole minute.
                (ingress, "203.0.113.2"),
                (ingress, "198.51.100.1, 203.0.113.2"),
                (ingress, "203.0.113.2"),
            ],
        )
        .await;
        assert_eq!(answered, [404, 404, 429, 404, 404, 429]);
    }

    #[actix_web::test]
    async fn an_untrusted_peer_cannot_pick_its_bucket_with_forwarded_for() {
        let stranger = "198.51.100.9";
        let answered = statuses(
            "10.0.0.0/8",
            &[
                (stranger, "203.0.113.1"),
                (stranger, "203.0.113.2"),
                // A third made-up client changes nothing: the bucket is the peer's.
                (stranger, "203.0.113.3"),
            ],
        )
        .await;
        assert_eq!(answered, [404, 404, 429]);
    }
}
