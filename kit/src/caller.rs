//! Trusted callers: a service believes who calls it only through a short-lived assertion signed
//! by the calling component, never through a field of the request body.
//!
//! Every outgoing gRPC call goes through one client layer ([`Outgoing`]) that adds W3C trace
//! context, the request id and the assertion (`x-wjdh-caller`: an HS256 JWT keyed by
//! `callers.key`, 60 s). Every service's server adds one layer ([`require`]) that refuses an RPC
//! without a valid assertion (`UNAUTHENTICATED`; gRPC health and reflection excepted) and puts the
//! verified [`Caller`] in the request's extensions. [`check_body`] then compares the resident or
//! platform a request body names with what the gateway asserted (`proto::caller::checked` calls
//! it for every handler).
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tonic::Status;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

/// The metadata key the assertion travels in.
pub const HEADER: &str = "x-wjdh-caller";
/// The audience every assertion names: the platform's services.
pub const AUDIENCE: &str = "wjdh-services";
/// How long an assertion is valid.
pub const TTL_SECONDS: i64 = 60;
/// The component that acts for residents and platform credentials.
pub const GATEWAY: &str = "gateway";
/// The shortest accepted key.
pub const MIN_KEY_BYTES: usize = 32;
/// Clock skew tolerated between two pods.
const LEEWAY_SECONDS: u64 = 5;
/// How long a signer sends the same assertion again for whom it acts for: half its life, so
/// every call still carries one valid for half a minute at least.
const REUSED_SECONDS: i64 = TTL_SECONDS / 2;
/// The most assertions a signer keeps to send again, and a verifier keeps verified (one each
/// per resident or credential active in the last half minute); beyond that, the least used are
/// signed or verified again.
const KEPT_ASSERTIONS: u64 = 10_000;

/// Whom the gateway acts for in a call, as the caller's token authenticated them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Acting {
    /// A signed-in resident (user id).
    Resident(i64),
    /// A security-platform credential and the communities it manages.
    Platform {
        credential_id: i64,
        communities: Vec<String>,
    },
}

/// The caller a service verified: the component that signed, and whom it acts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// `gateway`, `svc-orders`, … (the assertion's `iss`).
    pub component: String,
    /// Set only when the gateway acts for an authenticated resident or credential.
    pub acting: Option<Acting>,
}

#[derive(Debug, Serialize, Deserialize)]
struct PlatformClaim {
    credential_id: i64,
    communities: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resident: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    platform: Option<PlatformClaim>,
}

/// Why a key cannot sign or verify.
#[derive(Debug, thiserror::Error)]
#[error("callers.key must be at least {MIN_KEY_BYTES} bytes (it has {0})")]
pub struct ShortKey(usize);

fn key_bytes(key: &str) -> Result<&[u8], ShortKey> {
    let bytes = key.trim().as_bytes();
    if bytes.len() < MIN_KEY_BYTES {
        return Err(ShortKey(bytes.len()));
    }
    Ok(bytes)
}

/// Signs the assertions of one component.
#[derive(Clone)]
pub struct Signer {
    component: Arc<str>,
    key: Arc<EncodingKey>,
    /// The assertion last signed for each caller acted for, and its `iat`: sent again while it
    /// is younger than [`REUSED_SECONDS`] (signing was a few percent of a read's CPU).
    recent: moka::sync::Cache<Option<Acting>, (i64, AsciiMetadataValue)>,
}

type AsciiMetadataValue = tonic::metadata::MetadataValue<tonic::metadata::Ascii>;

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("component", &self.component)
            .field("key", &"***")
            .finish()
    }
}

impl Signer {
    /// A signer for `component` (`gateway`, `svc-orders`, or `tests` in test suites).
    pub fn new(component: &str, key: &str) -> Result<Self, ShortKey> {
        Ok(Self {
            component: component.into(),
            key: Arc::new(EncodingKey::from_secret(key_bytes(key)?)),
            recent: moka::sync::Cache::builder()
                .max_capacity(KEPT_ASSERTIONS)
                .time_to_live(std::time::Duration::from_secs(
                    REUSED_SECONDS.unsigned_abs(),
                ))
                .build(),
        })
    }

    /// The component it signs as.
    pub fn component(&self) -> &str {
        &self.component
    }

    /// An assertion valid from now for [`TTL_SECONDS`].
    pub fn sign(&self, acting: Option<&Acting>) -> Result<String, Status> {
        self.sign_at(acting, crate::time::now_unix())
    }

    /// An assertion issued at `iat` (unix seconds).
    pub fn sign_at(&self, acting: Option<&Acting>, iat: i64) -> Result<String, Status> {
        let (resident, platform) = match acting {
            None => (None, None),
            Some(Acting::Resident(user_id)) => (Some(*user_id), None),
            Some(Acting::Platform {
                credential_id,
                communities,
            }) => (
                None,
                Some(PlatformClaim {
                    credential_id: *credential_id,
                    communities: communities.clone(),
                }),
            ),
        };
        let claims = Claims {
            iss: self.component.to_string(),
            aud: AUDIENCE.to_owned(),
            iat,
            exp: iat + TTL_SECONDS,
            resident,
            platform,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.key)
            .map_err(|error| Status::internal(format!("signing the caller assertion: {error}")))
    }

    /// The assertion for a call made at `now` acting for `acting`, as metadata: the one signed
    /// for it last if that is younger than [`REUSED_SECONDS`], else a new one.
    fn assertion_at(
        &self,
        acting: Option<&Acting>,
        now: i64,
    ) -> Result<AsciiMetadataValue, Status> {
        let key = acting.cloned();
        if let Some((iat, value)) = self.recent.get(&key)
            && (iat..iat + REUSED_SECONDS).contains(&now)
        {
            return Ok(value);
        }
        let value: AsciiMetadataValue = self
            .sign_at(acting, now)?
            .parse()
            .map_err(|_| Status::internal("the caller assertion is not valid metadata"))?;
        self.recent.insert(key, (now, value.clone()));
        Ok(value)
    }

    /// `channel` behind the client layer signing as this component.
    pub fn channel(&self, channel: Channel) -> CallerChannel {
        InterceptedService::new(channel, Outgoing(self.clone()))
    }
}

/// Verifies assertions.
#[derive(Clone)]
pub struct Verifier {
    key: Arc<DecodingKey>,
    validation: Arc<Validation>,
    /// Assertions already verified, with their callers and `exp`: the same text is believed
    /// again without its signature being checked again, until it expires.
    verified: moka::sync::Cache<String, (Caller, i64)>,
}

impl Verifier {
    pub fn new(key: &str) -> Result<Self, ShortKey> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
        // The times are checked in `check`, against the clock the kept assertions are.
        validation.validate_exp = false;
        Ok(Self {
            key: Arc::new(DecodingKey::from_secret(key_bytes(key)?)),
            validation: Arc::new(validation),
            verified: moka::sync::Cache::builder()
                .max_capacity(KEPT_ASSERTIONS)
                .time_to_live(std::time::Duration::from_secs(
                    TTL_SECONDS.unsigned_abs() + LEEWAY_SECONDS,
                ))
                .build(),
        })
    }

    /// The caller an assertion names, when it is signed with our key, for us, and current.
    pub fn verify(&self, token: &str) -> Result<Caller, Status> {
        self.verify_at(token, crate::time::now_unix())
    }

    fn verify_at(&self, token: &str, now: i64) -> Result<Caller, Status> {
        if let Some((caller, exp)) = self.verified.get(token)
            && unexpired(exp, now)
        {
            return Ok(caller);
        }
        let (caller, exp) = self.check(token, now)?;
        self.verified
            .insert(token.to_owned(), (caller.clone(), exp));
        Ok(caller)
    }

    /// [`Verifier::verify`] without what it keeps: the signature, audience and times checked.
    fn check(&self, token: &str, now: i64) -> Result<(Caller, i64), Status> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|error| {
                Status::unauthenticated(format!("the caller assertion is not valid: {error}"))
            })?
            .claims;
        if claims.iat > now + LEEWAY_SECONDS as i64
            || !unexpired(claims.exp, now)
            || claims.exp - claims.iat > TTL_SECONDS
        {
            return Err(Status::unauthenticated(
                "the caller assertion is issued in the future, expired or lives too long",
            ));
        }
        let acting = match (claims.resident, claims.platform) {
            (None, None) => None,
            (Some(user_id), None) => Some(Acting::Resident(user_id)),
            (None, Some(platform)) => Some(Acting::Platform {
                credential_id: platform.credential_id,
                communities: platform.communities,
            }),
            (Some(_), Some(_)) => {
                return Err(Status::unauthenticated(
                    "the caller assertion names both a resident and a platform credential",
                ));
            }
        };
        let caller = Caller {
            component: claims.iss,
            acting,
        };
        Ok((caller, claims.exp))
    }
}

/// Whether an assertion that expires at `exp` is still current at `now`: up to `exp` and the
/// leeway.
fn unexpired(exp: i64, now: i64) -> bool {
    now <= exp + LEEWAY_SECONDS as i64
}

/// What a request body names as its caller (from its `ResidentRef` / `PlatformRef`).
#[derive(Clone, Copy, Debug, Default)]
pub struct BodyRefs<'a> {
    /// The user id of the body's `ResidentRef`.
    pub resident: Option<i64>,
    /// The credential id and communities of the body's `PlatformRef`.
    pub platform: Option<(i64, &'a [String])>,
}

/// Whether a body may name what it names, given the verified caller: the gateway's assertion for
/// a resident or credential must be exactly what the body names; the gateway acting for nobody
/// names nobody; an internal service acts within a request the gateway already vouched for.
pub fn check_body(caller: Option<&Caller>, body: BodyRefs<'_>) -> Result<(), Status> {
    let Some(caller) = caller else {
        return Err(Status::unauthenticated(
            "the call carries no verified caller",
        ));
    };
    let refused = |what: &str| {
        Status::permission_denied(format!(
            "the request names {what} that {} did not assert",
            caller.component
        ))
    };
    match &caller.acting {
        None if caller.component != GATEWAY => Ok(()),
        None => match (body.resident, body.platform) {
            (None, None) => Ok(()),
            (Some(_), _) => Err(refused("a resident")),
            (None, Some(_)) => Err(refused("a platform credential")),
        },
        Some(Acting::Resident(user_id)) => {
            if body.platform.is_some() {
                return Err(refused("a platform credential"));
            }
            match body.resident {
                Some(named) if named != *user_id => Err(refused("another resident")),
                _ => Ok(()),
            }
        }
        Some(Acting::Platform {
            credential_id,
            communities,
        }) => {
            if body.resident.is_some() {
                return Err(refused("a resident"));
            }
            match body.platform {
                Some((named, named_communities))
                    if named != *credential_id
                        || !same_communities(named_communities, communities) =>
                {
                    Err(refused("another credential or other communities"))
                }
                _ => Ok(()),
            }
        }
    }
}

fn same_communities(a: &[String], b: &[String]) -> bool {
    let mut a: Vec<&String> = a.iter().collect();
    let mut b: Vec<&String> = b.iter().collect();
    a.sort();
    b.sort();
    a == b
}

/// A channel behind the client layer: what every service client is built on.
pub type CallerChannel = InterceptedService<Channel, Outgoing>;

/// The client layer: adds trace context, the request id and the caller assertion to every
/// outgoing call. The gateway asks it to act for someone by putting an [`Acting`] in the
/// request's extensions.
#[derive(Clone, Debug)]
pub struct Outgoing(Signer);

impl tonic::service::Interceptor for Outgoing {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, Status> {
        if request.metadata().get("traceparent").is_none() {
            crate::telemetry::inject_context(request.metadata_mut());
        }
        if request.metadata().get("x-request-id").is_none()
            && let Some(value) = crate::grpc::current_request_id().and_then(|id| id.parse().ok())
        {
            request.metadata_mut().insert("x-request-id", value);
        }
        let acting = request.extensions().get::<Acting>();
        let value = self.0.assertion_at(acting, crate::time::now_unix())?;
        request.metadata_mut().insert(HEADER, value);
        Ok(request)
    }
}

/// Paths served without an assertion: gRPC health (probes) and reflection.
fn is_open(path: &str) -> bool {
    path.starts_with("/grpc.health.v1.Health/") || path.starts_with("/grpc.reflection.")
}

/// The server layer every service adds beside [`crate::grpc::trace_layer`].
pub fn require(verifier: Verifier) -> RequireCallerLayer {
    RequireCallerLayer(verifier)
}

/// See [`require`].
#[derive(Clone)]
pub struct RequireCallerLayer(Verifier);

impl<S> tower::Layer<S> for RequireCallerLayer {
    type Service = RequireCaller<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireCaller {
            inner,
            verifier: self.0.clone(),
        }
    }
}

/// The service [`RequireCallerLayer`] wraps around a tonic server.
#[derive(Clone)]
pub struct RequireCaller<S> {
    inner: S,
    verifier: Verifier,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B, R> tower::Service<http::Request<B>> for RequireCaller<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    R: Default + Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        if is_open(request.uri().path()) {
            return Box::pin(self.inner.call(request));
        }
        let verified = match request
            .headers()
            .get(HEADER)
            .and_then(|value| value.to_str().ok())
        {
            Some(token) => self.verifier.verify(token),
            None => Err(Status::unauthenticated(format!(
                "the call carries no caller assertion ({HEADER})"
            ))),
        };
        match verified {
            Ok(caller) => {
                let request_id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                request.extensions_mut().insert(caller);
                let answer = self.inner.call(request);
                Box::pin(crate::grpc::with_request_id(request_id, answer))
            }
            Err(status) => {
                tracing::warn!(
                    method = %request.uri().path(),
                    reason = %status.message(),
                    "call refused: no valid caller assertion"
                );
                Box::pin(std::future::ready(Ok(status.into_http())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "a-test-key-of-at-least-thirty-two-bytes";

    fn signer(component: &str) -> Signer {
        Signer::new(component, KEY).expect("key")
    }

    fn verifier() -> Verifier {
        Verifier::new(KEY).expect("key")
    }

    #[test]
    fn an_assertion_round_trips_with_whom_it_acts_for() {
        let platform = Acting::Platform {
            credential_id: 7,
            communities: vec!["10002".to_owned()],
        };
        for acting in [None, Some(Acting::Resident(42)), Some(platform)] {
            let token = signer(GATEWAY).sign(acting.as_ref()).expect("signed");
            let caller = verifier().verify(&token).expect("verified");
            assert_eq!(caller.component, GATEWAY);
            assert_eq!(caller.acting, acting);
        }
    }

    #[test]
    fn an_expired_or_wrongly_keyed_or_altered_assertion_is_refused() {
        let now = crate::time::now_unix();
        let expired = signer("svc-orders")
            .sign_at(None, now - TTL_SECONDS - 10)
            .expect("signed");
        let refused = verifier().verify(&expired).expect_err("expired");
        assert_eq!(refused.code(), tonic::Code::Unauthenticated);

        let other = Signer::new("gateway", "another-key-of-at-least-thirty-two-bytes!")
            .expect("key")
            .sign(None)
            .expect("signed");
        assert!(verifier().verify(&other).is_err());

        let future = signer("gateway").sign_at(None, now + 600).expect("signed");
        assert!(verifier().verify(&future).is_err());

        let token = signer("gateway")
            .sign(Some(&Acting::Resident(1)))
            .expect("signed");
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            format!(
                r#"{{"iss":"gateway","aud":"{AUDIENCE}","iat":{now},"exp":{},"resident":2}}"#,
                now + 60
            ),
        );
        parts[1] = &forged;
        assert!(verifier().verify(&parts.join(".")).is_err());
        assert!(verifier().verify("not a token").is_err());
    }

    #[test]
    fn a_signer_sends_the_same_assertion_for_half_its_life_then_signs_a_new_one() {
        let signer = signer(GATEWAY);
        let resident = Acting::Resident(42);
        let first = signer.assertion_at(Some(&resident), 1_000).expect("signed");
        assert_eq!(
            signer.assertion_at(Some(&resident), 1_029).expect("kept"),
            first
        );
        // Acting for someone else, or for nobody, is another assertion.
        let other = signer
            .assertion_at(Some(&Acting::Resident(43)), 1_000)
            .expect("signed");
        assert_ne!(other, first);
        assert_ne!(signer.assertion_at(None, 1_000).expect("signed"), first);
        let later = signer.assertion_at(Some(&resident), 1_030).expect("signed");
        assert_ne!(later, first);
        // A clock set back gets one issued then, not one from its future.
        assert_ne!(
            signer.assertion_at(Some(&resident), 1_000).expect("signed"),
            later
        );
    }

    #[test]
    fn a_verified_assertion_is_believed_again_only_until_it_expires() {
        let now = crate::time::now_unix();
        let token = signer(GATEWAY)
            .sign_at(Some(&Acting::Resident(42)), now)
            .expect("signed");
        let verifier = verifier();
        let caller = verifier.verify_at(&token, now).expect("verified");
        assert_eq!(caller.acting, Some(Acting::Resident(42)));
        let last = now + TTL_SECONDS + LEEWAY_SECONDS as i64;
        assert_eq!(verifier.verify_at(&token, last).expect("kept"), caller);
        let refused = verifier.verify_at(&token, last + 1).expect_err("expired");
        assert_eq!(refused.code(), tonic::Code::Unauthenticated);
        // Another verifier, which never saw it, refuses it at that time too.
        assert!(self::verifier().verify_at(&token, last + 1).is_err());
        // A text differing from a verified one is checked, not believed.
        let mut altered = token.clone();
        altered.pop();
        assert!(verifier.verify_at(&altered, now).is_err());
    }

    #[test]
    fn a_short_key_is_refused() {
        assert!(Signer::new("gateway", "short").is_err());
        assert!(Verifier::new(&"k".repeat(31)).is_err());
        assert!(!format!("{:?}", signer("gateway")).contains(KEY));
    }

    fn caller(component: &str, acting: Option<Acting>) -> Caller {
        Caller {
            component: component.to_owned(),
            acting,
        }
    }

    #[test]
    fn a_body_names_only_whom_the_gateway_asserted() {
        let communities = vec!["10002".to_owned()];
        let others = vec!["10003".to_owned()];
        let resident = caller(GATEWAY, Some(Acting::Resident(1)));
        let platform = caller(
            GATEWAY,
            Some(Acting::Platform {
                credential_id: 7,
                communities: communities.clone(),
            }),
        );
        fn names(resident: Option<i64>, platform: Option<(i64, &[String])>) -> BodyRefs<'_> {
            BodyRefs { resident, platform }
        }
        let denied = tonic::Code::PermissionDenied;
        assert!(check_body(Some(&resident), names(Some(1), None)).is_ok());
        assert!(check_body(Some(&resident), names(None, None)).is_ok());
        let code = |r: Result<(), Status>| r.expect_err("refused").code();
        assert_eq!(
            code(check_body(Some(&resident), names(Some(2), None))),
            denied
        );
        assert_eq!(
            code(check_body(
                Some(&resident),
                names(None, Some((7, &communities)))
            )),
            denied
        );
        assert!(check_body(Some(&platform), names(None, Some((7, &communities)))).is_ok());
        assert_eq!(
            code(check_body(Some(&platform), names(None, Some((7, &others))))),
            denied
        );
        assert_eq!(
            code(check_body(
                Some(&platform),
                names(None, Some((8, &communities)))
            )),
            denied
        );
        assert_eq!(
            code(check_body(Some(&platform), names(Some(1), None))),
            denied
        );

        let gateway_alone = caller(GATEWAY, None);
        assert!(check_body(Some(&gateway_alone), names(None, None)).is_ok());
        assert_eq!(
            code(check_body(Some(&gateway_alone), names(Some(1), None))),
            denied
        );
        let service = caller("svc-orders", None);
        assert!(check_body(Some(&service), names(Some(1), Some((7, &others)))).is_ok());
        assert_eq!(
            code(check_body(None, names(None, None))),
            tonic::Code::Unauthenticated
        );
    }
}
