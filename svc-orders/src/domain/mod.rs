//! Validated order inputs (amounts in 元, order numbers, whom an order is for) and the payment
//! state machine.
pub mod amount;
pub mod number;
pub mod payer;
pub mod payment_state;
