//! Validated values and the rules of 一标三实; unit tests beside them.
pub mod address;
pub mod address_csv;
pub mod address_rows;
pub mod content;
pub mod house;
pub mod person;
pub mod photo_key;
pub mod registration;
pub mod vehicle;
