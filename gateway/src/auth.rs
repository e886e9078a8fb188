//! Who is calling: the bearer token checked by svc-auth (`Auth.Authenticate`), or remembered
//! from an earlier check (`callers.rs`).
//!
//! Handlers take [`ResidentCaller`] (000, the mini-program) or [`PlatformCaller`] (001, the
//! security platform) as an argument; [`OptionalResident`] where a token is welcome but not
//! needed. A token of the other audience is refused with code 1 / 403.
use std::fmt;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures::future::LocalBoxFuture;
use kit::error::{ErrorKind, ServiceError};
use proto::auth::{AuthenticateRequest, caller};

use crate::envelope::ApiError;
use crate::middleware::RequestId;
use crate::state::AppState;

/// The sentences of a code-9 answer (000 §2.1 example 2, 001 §1.1.1.4).
pub const TOKEN_INVALID_MSG: &str = "请重新建立智慧平台鉴权连接";
pub const TOKEN_INVALID_MESSAGE: &str = "token值因各种原因而失效，请重新调用接口获取token";
/// `message` when no token was sent.
pub const TOKEN_MISSING: &str = "token值缺失";

/// The token of `Authorization: Bearer <token>`, if any.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let Some(value) = req.headers().get(AUTHORIZATION) else {
        return rental_token(req);
    };
    let value = value.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// Seed 004's `token` header, which the rental paths take as well as `Authorization: Bearer`
/// (DESIGN "Rental"): the same token.
fn rental_token(req: &HttpRequest) -> Option<String> {
    if !req.path().starts_with("/api/v1/rental/") {
        return None;
    }
    let token = req.headers().get("token")?.to_str().ok()?.trim();
    (!token.is_empty()).then(|| token.to_owned())
}

/// A signed-in resident.
#[derive(Clone)]
pub struct ResidentCaller {
    pub user_id: i64,
    /// The resident's own phone (never logged: `Debug` masks it).
    pub phone: String,
}

impl fmt::Debug for ResidentCaller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResidentCaller")
            .field("user_id", &self.user_id)
            .field("phone", &kit::types::mask_phone(&self.phone))
            .finish()
    }
}

/// The security platform, through one of its credentials.
#[derive(Clone, Debug)]
pub struct PlatformCaller {
    pub credential_id: i64,
    pub secret_id: String,
    /// The communities (`community_identifier`) this credential manages.
    pub communities: Vec<String>,
}

impl ResidentCaller {
    /// The resident as the services take them.
    pub fn reference(&self) -> proto::caller::ResidentRef {
        proto::caller::ResidentRef {
            user_id: self.user_id,
            phone: self.phone.clone(),
        }
    }
}

impl PlatformCaller {
    /// The credential as the services take it.
    pub fn reference(&self) -> proto::caller::PlatformRef {
        proto::caller::PlatformRef {
            credential_id: self.credential_id,
            secret_id: self.secret_id.clone(),
            communities: self.communities.clone(),
        }
    }
}

/// A resident when a good resident token came, else nobody.
#[derive(Clone, Debug)]
pub struct OptionalResident(pub Option<ResidentCaller>);

impl OptionalResident {
    pub fn user_id(&self) -> i64 {
        self.0.as_ref().map_or(0, |resident| resident.user_id)
    }
}

/// Whose routes these are: decides the code-9 sentences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Resident,
    Platform,
}

impl Audience {
    /// Code 9 with the seeds' sentences (000 §2.1 and 001 §1.1.1.4 word it the same for both
    /// audiences); the cause goes to the log only.
    pub fn unauthenticated(self, cause: &str) -> ApiError {
        tracing::debug!(audience = ?self, cause, "token refused");
        ServiceError::new(
            ErrorKind::Unauthenticated,
            TOKEN_INVALID_MSG,
            TOKEN_INVALID_MESSAGE,
        )
        .into()
    }

    /// Code 1 / 403: a token of the other audience.
    pub fn wrong_audience(self) -> ApiError {
        let message = match self {
            Self::Resident => "该接口需要小程序用户的token",
            Self::Platform => "该接口需要智慧平台的token",
        };
        ServiceError::forbidden("您没有权限进行此操作", message).into()
    }
}

/// Asks svc-auth who holds `token`; the refusals are worded for `audience`.
pub async fn authenticate(
    state: &AppState,
    request_id: &str,
    token: Option<String>,
    audience: Audience,
) -> Result<caller::Kind, ApiError> {
    let Some(token) = token else {
        return Err(audience.unauthenticated(TOKEN_MISSING));
    };
    if let Some(known) = state.callers.get(&token, &state.cache).await {
        return Ok(known);
    }
    let request = kit::grpc::request(
        AuthenticateRequest {
            token: token.clone(),
        },
        request_id,
    );
    match state.call("auth", state.auth().authenticate(request)).await {
        Ok(reply) => {
            state.callers.remember(&token, &reply);
            reply.kind.ok_or_else(|| {
                ServiceError::internal("Authenticate answered without a caller").into()
            })
        }
        Err(error) if error.error().kind == ErrorKind::Unauthenticated => {
            Err(audience.unauthenticated(&error.error().message))
        }
        Err(error) => Err(error),
    }
}

/// The resident holding the request's token.
pub async fn resident(
    state: &AppState,
    request_id: &str,
    token: Option<String>,
) -> Result<ResidentCaller, ApiError> {
    match authenticate(state, request_id, token, Audience::Resident).await? {
        caller::Kind::Resident(resident) => Ok(ResidentCaller {
            user_id: resident.user_id,
            phone: resident.phone,
        }),
        caller::Kind::Platform(_) => Err(Audience::Resident.wrong_audience()),
    }
}

/// The platform credential holding the request's token.
pub async fn platform(
    state: &AppState,
    request_id: &str,
    token: Option<String>,
) -> Result<PlatformCaller, ApiError> {
    match authenticate(state, request_id, token, Audience::Platform).await? {
        caller::Kind::Platform(platform) => Ok(PlatformCaller {
            credential_id: platform.credential_id,
            secret_id: platform.secret_id,
            communities: platform.communities,
        }),
        caller::Kind::Resident(_) => Err(Audience::Platform.wrong_audience()),
    }
}

/// What an auth extractor needs from the request, taken before the future starts.
struct Parts {
    state: Option<web::Data<AppState>>,
    request_id: String,
    token: Option<String>,
}

impl Parts {
    fn of(req: &HttpRequest) -> Self {
        let request_id = req
            .extensions()
            .get::<RequestId>()
            .map_or_else(|| RequestId::from_header(None).0, |id| id.0.clone());
        Self {
            state: req.app_data::<web::Data<AppState>>().cloned(),
            request_id,
            token: bearer_token(req),
        }
    }

    fn state(&self) -> Result<&AppState, ApiError> {
        self.state
            .as_ref()
            .map(|state| state.get_ref())
            .ok_or_else(|| ServiceError::internal("the gateway state is not registered").into())
    }
}

impl FromRequest for ResidentCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parts = Parts::of(req);
        Box::pin(
            async move { resident(parts.state()?, &parts.request_id, parts.token.clone()).await },
        )
    }
}

impl FromRequest for PlatformCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parts = Parts::of(req);
        Box::pin(
            async move { platform(parts.state()?, &parts.request_id, parts.token.clone()).await },
        )
    }
}

impl FromRequest for OptionalResident {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parts = Parts::of(req);
        Box::pin(async move {
            if parts.token.is_none() {
                return Ok(Self(None));
            }
            match resident(parts.state()?, &parts.request_id, parts.token.clone()).await {
                Ok(resident) => Ok(Self(Some(resident))),
                Err(error) => {
                    tracing::debug!(kind = ?error.error().kind, "optional token not used");
                    Ok(Self(None))
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn the_bearer_token_is_read_from_the_header() {
        let req = TestRequest::default()
            .insert_header((AUTHORIZATION, "Bearer abc.def"))
            .to_http_request();
        assert_eq!(bearer_token(&req).as_deref(), Some("abc.def"));
        let req = TestRequest::default()
            .insert_header((AUTHORIZATION, "bearer  xyz "))
            .to_http_request();
        assert_eq!(bearer_token(&req).as_deref(), Some("xyz"));
        let req = TestRequest::default()
            .insert_header((AUTHORIZATION, "Basic abc"))
            .to_http_request();
        assert_eq!(bearer_token(&req), None);
        assert_eq!(
            bearer_token(&TestRequest::default().to_http_request()),
            None
        );
    }

    #[test]
    fn both_audiences_hear_the_seeds_code_nine_sentences() {
        for audience in [Audience::Platform, Audience::Resident] {
            let error = audience.unauthenticated(TOKEN_MISSING);
            assert_eq!(error.error().kind, ErrorKind::Unauthenticated);
            assert_eq!(error.error().msg, TOKEN_INVALID_MSG);
            assert_eq!(error.error().message, TOKEN_INVALID_MESSAGE);
        }
        assert_eq!(
            Audience::Resident.wrong_audience().error().kind,
            ErrorKind::Forbidden
        );
    }

    #[test]
    fn a_resident_never_prints_the_phone() {
        let resident = ResidentCaller {
            user_id: 7,
            phone: "17600381130".to_owned(),
        };
        assert!(!format!("{resident:?}").contains("17600381130"));
    }
}
