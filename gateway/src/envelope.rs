//! The envelope every response wears: `code`, `token_expired`, `msg`, `message`, then the
//! documented fields (at the top level or under `data`, wherever the seeds put them).
//!
//! [`failure`] is the one mapping from a [`ServiceError`] (and so from a gRPC `Status`) to an
//! HTTP response; [`ApiError`] carries it through actix's error path.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use kit::error::{ErrorKind, ServiceError};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// The four fields at the head of every response.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Head {
    /// 0 done, 1 refused or failed, 2 nothing found, 3 not registered, 9 token not good.
    #[schema(example = 0)]
    pub code: i32,
    /// 1 whenever the caller's token was good (or not needed); 0 with code 9.
    #[schema(example = 1)]
    pub token_expired: i32,
    /// For people: the mini-program shows it.
    pub msg: String,
    /// For engineers.
    pub message: String,
}

/// A success with `data`: an object or a list, as the operation says.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataResponse<T: Serialize = serde_json::Value> {
    #[serde(flatten)]
    pub head: Head,
    #[schema(schema_with = any_value)]
    pub data: T,
}

/// `DataResponse`'s `data`: any JSON value, written in place (a generic field would be a `$ref`).
fn any_value() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::Object::builder()
        .schema_type(utoipa::openapi::schema::SchemaType::AnyValue)
        .description(Some(
            "An object or a list, as the operation says (any JSON value).",
        ))
        .build()
}

/// A success whose `data` is `data`.
pub fn ok_with<T: Serialize>(msg: &str, message: &str, data: T) -> HttpResponse {
    ok(&DataResponse {
        head: Head::ok(msg, message),
        data,
    })
}

impl Head {
    /// The head of a success.
    pub fn ok(msg: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: 0,
            token_expired: 1,
            msg: msg.into(),
            message: message.into(),
        }
    }
}

/// A failure as documented: the head, `data` (null unless the seed shows data with the failure:
/// every answer has one shape, DESIGN) and any extra top-level fields the service attached.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Failure {
    #[serde(flatten)]
    pub head: Head,
    #[schema(value_type = Option<Object>)]
    pub data: Value,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: Map<String, Value>,
}

/// Answers 200 with `body`, which carries its own [`Head`] (flattened).
pub fn ok<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

/// THE mapping from an error to the envelope: `code` from the kind, `token_expired` 0 only with
/// code 9, `msg` / `message` as the service wrote them, extras at the top level.
pub fn failure(status: StatusCode, error: &ServiceError) -> HttpResponse {
    let code = error.kind.envelope_code();
    let body = Failure {
        head: Head {
            code,
            token_expired: if code == 9 { 0 } else { 1 },
            msg: error.msg.clone(),
            message: error.message.clone(),
        },
        data: error.extra.get("data").cloned().unwrap_or(Value::Null),
        extra: error
            .extra
            .iter()
            .filter(|(key, _)| {
                !matches!(
                    key.as_str(),
                    "code" | "token_expired" | "msg" | "message" | "data"
                )
            })
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect(),
    };
    HttpResponse::build(status).json(body)
}

/// An error on its way to the caller: the service's error and the HTTP status to answer with
/// (the kind's own status unless the gateway knows better, e.g. 413 or 405).
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    error: ServiceError,
}

impl ApiError {
    /// An error answered with an explicit HTTP status.
    pub fn with_status(status: StatusCode, error: ServiceError) -> Self {
        Self { status, error }
    }

    /// A refusal (code 1) with an explicit HTTP status and sentences.
    pub fn refused(status: StatusCode, msg: &str, message: impl Into<String>) -> Self {
        let kind = if status == StatusCode::TOO_MANY_REQUESTS {
            ErrorKind::RateLimited
        } else {
            ErrorKind::Invalid
        };
        Self::with_status(status, ServiceError::new(kind, msg, message))
    }

    pub fn error(&self) -> &ServiceError {
        &self.error
    }

    pub fn into_error(self) -> ServiceError {
        self.error
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.error)
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        let status = StatusCode::from_u16(error.kind.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self { status, error }
    }
}

impl From<tonic::Status> for ApiError {
    fn from(status: tonic::Status) -> Self {
        ServiceError::from_status(&status).into()
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            // `message` is the engineers' text; services keep personal data out of it.
            tracing::warn!(status = self.status.as_u16(), kind = ?self.error.kind, message = %self.error.message, "request failed");
        }
        failure(self.status, &self.error)
    }
}

/// What a handler returns.
pub type ApiResult = Result<HttpResponse, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    async fn body_of(response: HttpResponse) -> Value {
        let bytes = to_bytes(response.into_body()).await.expect("body");
        serde_json::from_slice(&bytes).expect("json")
    }

    #[actix_web::test]
    async fn an_invalid_field_becomes_code_one_with_extras_at_the_top() {
        let error = ServiceError::new(
            ErrorKind::Invalid,
            "服务器开小差，请重试",
            "必须是正确的手机号",
        )
        .with("phone", "1761049113");
        let response = ApiError::from(error).error_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body = body_of(response).await;
        assert_eq!(
            body,
            serde_json::json!({"code":1,"token_expired":1,"msg":"服务器开小差，请重试","message":"必须是正确的手机号","data":null,"phone":"1761049113"})
        );
    }

    #[actix_web::test]
    async fn an_unauthenticated_status_is_code_nine_with_token_expired_zero() {
        let status: tonic::Status = ServiceError::unauthenticated("token已过期").into();
        let response = ApiError::from(status).error_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body = body_of(response).await;
        assert_eq!(body["code"], 9);
        assert_eq!(body["token_expired"], 0);
        assert_eq!(body["msg"], "请重新建立智慧平台鉴权连接");
        assert_eq!(body["message"], "token已过期");
    }

    #[actix_web::test]
    async fn a_bare_transport_failure_is_a_503_refusal() {
        let response =
            ApiError::from(tonic::Status::unavailable("connection refused")).error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = body_of(response).await;
        assert_eq!(body["code"], 1);
        assert_eq!(body["token_expired"], 1);
        assert_eq!(body["message"], "connection refused");
    }

    #[actix_web::test]
    async fn nothing_found_is_code_two_with_http_200() {
        let error = ServiceError::new(ErrorKind::Nothing, "没有查找到", "nothing");
        let response = ApiError::from(error).error_response();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body_of(response).await["code"], 2);
    }

    #[actix_web::test]
    async fn extras_cannot_overwrite_the_head() {
        let error = ServiceError::invalid("x", "bad")
            .with("code", 0)
            .with("msg", "ok");
        let body = body_of(ApiError::from(error).error_response()).await;
        assert_eq!(body["code"], 1);
        assert_eq!(body["msg"], "x: bad");
    }

    #[actix_web::test]
    async fn a_success_carries_its_head_and_fields() {
        #[derive(Serialize)]
        struct Reply {
            #[serde(flatten)]
            head: Head,
            key: &'static str,
        }
        let response = ok(&Reply {
            head: Head::ok("好", "ok"),
            key: "k",
        });
        assert_eq!(
            body_of(response).await,
            serde_json::json!({"code":0,"token_expired":1,"msg":"好","message":"ok","key":"k"})
        );
    }
}
