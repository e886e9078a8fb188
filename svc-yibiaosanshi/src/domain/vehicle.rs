//! Cars and parking spots. The plate and spot-number grammar is kit's ([`kit::vehicle`]): the
//! gateway checks what callers send; look-ups normalise leniently.
pub use kit::vehicle::normalize;

/// Most cars one user may bind.
pub const MAX_CARS_PER_USER: i64 = 5;
