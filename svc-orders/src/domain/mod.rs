//! Validated order inputs: amounts in 元, order numbers, whom an order is for.
pub mod amount;
pub mod number;
pub mod payer;
