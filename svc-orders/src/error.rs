//! Errors inside the service: a rule refused (answered as it is) or the database failed (logged,
//! answered as an internal error). Transactions roll back on either.
use kit::db::DbError;
use kit::error::ServiceError;

/// What a closure running on a connection, in a transaction or not, fails with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Refused(#[from] ServiceError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for Error {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(DbError::Query(error))
    }
}

impl From<Error> for ServiceError {
    fn from(error: Error) -> Self {
        match error {
            Error::Refused(error) => error,
            Error::Db(DbError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                info,
            ))) => {
                // Two requests raced for the same row; the other one won.
                tracing::warn!(constraint = ?info.constraint_name(), "unique constraint hit");
                ServiceError::conflict(
                    "数据已被修改，请刷新后重试",
                    "a concurrent change won: unique constraint violated",
                )
            }
            Error::Db(error) => ServiceError::internal(error),
        }
    }
}

impl From<Error> for tonic::Status {
    fn from(error: Error) -> Self {
        ServiceError::from(error).into()
    }
}

/// The result of work on a connection.
pub type Result<T> = std::result::Result<T, Error>;
