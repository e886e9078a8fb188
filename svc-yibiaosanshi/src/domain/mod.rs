//! Validated values of the address tree; unit tests beside them.
pub mod address;
