//! The one table from a service error to a gRPC `Status`, and from a `Status` back to the envelope.
//!
//! A service raises [`ServiceError`]; it travels as a `Status` whose details carry the kind, the
//! sentence for people (`msg`), the cause for engineers (`message`) and any extra top-level fields
//! the seeds show in failure responses (`"phone"` in 000 §1.1). The gateway turns it back with
//! [`ServiceError::from_status`] and renders `kind.envelope_code()` / `kind.http_status()`.
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tonic::{Code, Status};

/// What went wrong, in the terms of the envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Bad input: the field is named in `msg`.
    Invalid,
    /// Token missing, invalid or expired: code 9.
    Unauthenticated,
    /// The caller may not do this.
    Forbidden,
    /// The thing asked for does not exist.
    NotFound,
    /// The state does not allow it (decided already, registered already...).
    Conflict,
    /// Too many requests.
    RateLimited,
    /// An outside party (WeChat, SMS, security platform) failed or refused.
    Upstream,
    /// One of our services is down.
    Unavailable,
    /// A bug or a broken dependency; details go to the log, not to the caller.
    Internal,
    /// Looked up, nothing there: code 2.
    Nothing,
    /// Person found but not registered (order creation): code 3.
    NotRegistered,
}

impl ErrorKind {
    /// The gRPC code this kind travels as.
    pub fn grpc_code(self) -> Code {
        match self {
            Self::Invalid => Code::InvalidArgument,
            Self::Unauthenticated => Code::Unauthenticated,
            Self::Forbidden => Code::PermissionDenied,
            Self::NotFound | Self::Nothing => Code::NotFound,
            Self::Conflict | Self::NotRegistered => Code::FailedPrecondition,
            Self::RateLimited => Code::ResourceExhausted,
            Self::Upstream | Self::Unavailable => Code::Unavailable,
            Self::Internal => Code::Internal,
        }
    }

    /// The kind a bare status (no details: a transport failure, a timeout) stands for.
    pub fn from_grpc_code(code: Code) -> Self {
        match code {
            Code::InvalidArgument | Code::OutOfRange => Self::Invalid,
            Code::Unauthenticated => Self::Unauthenticated,
            Code::PermissionDenied => Self::Forbidden,
            Code::NotFound => Self::NotFound,
            Code::AlreadyExists | Code::FailedPrecondition | Code::Aborted => Self::Conflict,
            Code::ResourceExhausted => Self::RateLimited,
            Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled => Self::Unavailable,
            _ => Self::Internal,
        }
    }

    /// The envelope's `code`.
    pub fn envelope_code(self) -> i32 {
        match self {
            Self::Unauthenticated => 9,
            Self::Nothing => 2,
            Self::NotRegistered => 3,
            _ => 1,
        }
    }

    /// The HTTP status the gateway answers with.
    pub fn http_status(self) -> u16 {
        match self {
            Self::Invalid => 400,
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::RateLimited => 429,
            Self::Upstream => 502,
            Self::Unavailable => 503,
            Self::Internal => 500,
            Self::Nothing | Self::NotRegistered => 200,
        }
    }

    fn default_msg(self) -> &'static str {
        match self {
            Self::Unauthenticated => "请重新建立智慧平台鉴权连接",
            Self::Forbidden => "您没有权限进行此操作",
            Self::RateLimited => "操作过于频繁，请稍后再试",
            Self::Upstream | Self::Unavailable => "服务暂时不可用，请稍后再试",
            _ => "服务器开小差，请重试",
        }
    }
}

/// An error a service answers with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{kind:?}: {message}")]
pub struct ServiceError {
    pub kind: ErrorKind,
    /// For people: shown by the mini-program.
    pub msg: String,
    /// For engineers.
    pub message: String,
    /// Extra top-level fields of the failure response.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl ServiceError {
    pub fn new(kind: ErrorKind, msg: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind,
            msg: msg.into(),
            message: message.into(),
            extra: Map::new(),
        }
    }

    /// Bad input in `field`: `msg` names the field, `message` says what is wrong with it.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(ErrorKind::Invalid, format!("{field}: {message}"), message)
    }

    /// A well-formed `field` that names nothing there (404); `msg` names the field.
    pub fn not_found_in(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(ErrorKind::NotFound, format!("{field}: {message}"), message)
    }

    /// A well-formed `field` that does not fit what is stored (409); `msg` names the field.
    pub fn conflict_in(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(ErrorKind::Conflict, format!("{field}: {message}"), message)
    }

    /// A well-formed `field` naming what the caller may not use (403); `msg` names the field.
    pub fn forbidden_in(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(ErrorKind::Forbidden, format!("{field}: {message}"), message)
    }

    /// A required field is missing.
    pub fn missing(field: &str) -> Self {
        Self::invalid(field, format!("{field}参数未传送"))
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::Unauthenticated,
            ErrorKind::Unauthenticated.default_msg(),
            message,
        )
    }

    pub fn forbidden(msg: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, msg, message)
    }

    pub fn conflict(msg: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, msg, message)
    }

    pub fn not_found(msg: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, msg, message)
    }

    pub fn rate_limited(message: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::RateLimited,
            ErrorKind::RateLimited.default_msg(),
            message,
        )
    }

    pub fn upstream(message: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::Upstream,
            ErrorKind::Upstream.default_msg(),
            message,
        )
    }

    /// An internal failure: the cause is logged here, the caller sees a generic sentence.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            ErrorKind::Internal,
            ErrorKind::Internal.default_msg(),
            "internal error",
        )
    }

    /// Adds a top-level field to the failure response.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_owned(), value.into());
        self
    }

    /// Turns a status received from a service back into the error it carries.
    pub fn from_status(status: &Status) -> Self {
        if let Ok(error) = serde_json::from_slice::<ServiceError>(status.details()) {
            return error;
        }
        let kind = ErrorKind::from_grpc_code(status.code());
        Self::new(kind, kind.default_msg(), status.message().to_owned())
    }
}

impl From<ServiceError> for Status {
    fn from(error: ServiceError) -> Self {
        let details = serde_json::to_vec(&error).unwrap_or_default();
        Status::with_details(error.kind.grpc_code(), error.message, details.into())
    }
}

/// THE mapping of database failures, for every service: a unique violation means a concurrent
/// change won the row (409); anything else is a fault (500, cause logged).
impl From<crate::db::DbError> for ServiceError {
    fn from(error: crate::db::DbError) -> Self {
        use diesel::result::{DatabaseErrorKind, Error as Diesel};
        match error {
            crate::db::DbError::Query(Diesel::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                info,
            )) => {
                tracing::warn!(constraint = ?info.constraint_name(), "unique constraint hit");
                Self::conflict(
                    "数据已被修改，请刷新后重试",
                    "a concurrent change won: unique constraint violated",
                )
            }
            error => Self::internal(error),
        }
    }
}

impl From<diesel::result::Error> for ServiceError {
    fn from(error: diesel::result::Error) -> Self {
        crate::db::DbError::Query(error).into()
    }
}

impl From<crate::cache::CacheError> for ServiceError {
    fn from(error: crate::cache::CacheError) -> Self {
        Self::new(
            ErrorKind::Unavailable,
            ErrorKind::Unavailable.default_msg(),
            format!("cache: {error}"),
        )
    }
}

/// The result type of service logic.
pub type ServiceResult<T> = Result<T, ServiceError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_survives_the_trip_through_a_status() {
        let error =
            ServiceError::invalid("phone", "必须是正确的手机号").with("phone", "1761049113");
        let status: Status = error.clone().into();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(ServiceError::from_status(&status), error);
    }

    #[test]
    fn a_bare_status_maps_by_its_code() {
        let error = ServiceError::from_status(&Status::unavailable("connection refused"));
        assert_eq!(error.kind, ErrorKind::Unavailable);
        assert_eq!(error.kind.http_status(), 503);
        assert_eq!(error.kind.envelope_code(), 1);
    }

    #[test]
    fn a_unique_violation_is_a_conflict_and_other_database_errors_are_faults() {
        let unique = diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            Box::new("users_phone_key".to_owned()),
        );
        assert_eq!(ServiceError::from(unique).kind.http_status(), 409);
        let fault = ServiceError::from(diesel::result::Error::NotFound);
        assert_eq!(fault.kind, ErrorKind::Internal);
        assert_eq!(fault.kind.http_status(), 500);
    }

    #[test]
    fn nothing_found_is_code_two_with_http_200() {
        assert_eq!(ErrorKind::Nothing.envelope_code(), 2);
        assert_eq!(ErrorKind::Nothing.http_status(), 200);
        assert_eq!(ErrorKind::Unauthenticated.envelope_code(), 9);
    }
}
