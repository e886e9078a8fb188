//! Errors inside the service: a rule refused or the database failed, mapped to a `Status` once,
//! in kit (a unique violation is 409 in every service).
pub use kit::db::{WorkError as Error, WorkResult as Result};
