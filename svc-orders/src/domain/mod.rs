//! Order numbers, whom an order is for, and the payment state machine.
pub mod number;
pub mod payer;
pub mod payment_state;
